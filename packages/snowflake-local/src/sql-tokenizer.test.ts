import { describe, expect, it } from 'vitest';
import { SnowflakeSqlError } from './errors.js';
import { significant, splitStatements, tokenize } from './sql-tokenizer.js';

describe('tokenize', () => {
  it('keeps literals, quoted identifiers, comments and binds whole', () => {
    const tokens = significant(tokenize(`select 'it''s; -- not a comment', "Mixed ""Q""", :12, ? from @db.s.stg/a/b -- tail ?\n /* ; */ $$x;y$$`));
    expect(tokens.map((t) => [t.kind, t.value])).toEqual([
      ['word', 'SELECT'],
      ['string', "it's; -- not a comment"],
      ['punct', ','],
      ['quoted-ident', 'Mixed "Q"'],
      ['punct', ','],
      ['bind', '12'],
      ['punct', ','],
      ['bind', '?'],
      ['word', 'FROM'],
      ['stage', 'db.s.stg/a/b'],
      ['dollar-string', 'x;y'],
    ]);
  });

  it('decodes Snowflake backslash escapes in strings', () => {
    const [t] = significant(tokenize(String.raw`'a\'b\nc\\d'`));
    expect(t!.value).toBe("a'b\nc\\d");
  });

  it('fails with a typed error naming the line and position of an unterminated literal', () => {
    try {
      tokenize("select 1,\n  'oops");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SnowflakeSqlError);
      expect((error as SnowflakeSqlError).sfCode).toBe('001003');
      expect((error as Error).message).toContain('line 2 at position 2');
    }
  });
});

describe('splitStatements', () => {
  it('splits only at top-level semicolons', () => {
    expect(splitStatements("select ';'; -- ; comment\nselect 2;;  ")).toEqual(["select ';'", ' -- ; comment\nselect 2']);
  });
});
