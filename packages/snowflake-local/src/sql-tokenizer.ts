import { SnowflakeSqlError } from './errors.js';

/** What a token is; translation decides by kind, never by matching regexes over raw SQL. */
export type TokenKind =
  | 'space'
  | 'comment'
  | 'string'
  | 'dollar-string'
  | 'quoted-ident'
  | 'word'
  | 'number'
  | 'bind'
  | 'stage'
  | 'punct';

/** One lexical token with its exact source text and offset. */
export interface Token {
  kind: TokenKind;
  /** The exact source text. */
  text: string;
  /** For strings and quoted identifiers: the decoded value. For words: the text upper-cased. For binds: `?` or the number. */
  value: string;
  /** Offset of the first character in the SQL text. */
  start: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;
const MULTI_PUNCT = ['::', '||', '<=', '>=', '<>', '!=', '=>', '->'];

/**
 * Splits Snowflake SQL into tokens. It understands single-quoted strings (with `''` and backslash
 * escapes, as Snowflake does), `$$ … $$` strings, double-quoted identifiers, `--`, `//` and block
 * comments, `?` and `:N` binds and `@stage/path` references, so later steps never touch text inside
 * literals.
 */
export function tokenize(sql: string): Token[] {
  refuseControlCharacters(sql);
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const start = i;
    const ch = sql[i]!;
    const next = sql[i + 1] ?? '';
    if (/\s/.test(ch)) {
      while (i < n && /\s/.test(sql[i]!)) i++;
      tokens.push({ kind: 'space', text: sql.slice(start, i), value: ' ', start });
    } else if ((ch === '-' && next === '-') || (ch === '/' && next === '/')) {
      while (i < n && sql[i] !== '\n') i++;
      tokens.push({ kind: 'comment', text: sql.slice(start, i), value: '', start });
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw unterminated('comment', sql, start);
      i = end + 2;
      tokens.push({ kind: 'comment', text: sql.slice(start, i), value: '', start });
    } else if (ch === "'") {
      i++;
      let value = '';
      for (;;) {
        if (i >= n) throw unterminated('string literal', sql, start);
        const c = sql[i]!;
        if (c === '\\' && i + 1 < n) {
          value += unescape(sql[i + 1]!);
          i += 2;
        } else if (c === "'" && sql[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      tokens.push({ kind: 'string', text: sql.slice(start, i), value, start });
    } else if (ch === '$' && next === '$') {
      const end = sql.indexOf('$$', i + 2);
      if (end < 0) throw unterminated('$$ string', sql, start);
      i = end + 2;
      tokens.push({ kind: 'dollar-string', text: sql.slice(start, i), value: sql.slice(start + 2, end), start });
    } else if (ch === '"') {
      i++;
      let value = '';
      for (;;) {
        if (i >= n) throw unterminated('quoted identifier', sql, start);
        if (sql[i] === '"' && sql[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (sql[i] === '"') {
          i++;
          break;
        } else value += sql[i++];
      }
      tokens.push({ kind: 'quoted-ident', text: sql.slice(start, i), value, start });
    } else if (WORD_START.test(ch)) {
      while (i < n && WORD_PART.test(sql[i]!)) i++;
      const text = sql.slice(start, i);
      tokens.push({ kind: 'word', text, value: text.toUpperCase(), start });
    } else if (DIGIT.test(ch) || (ch === '.' && DIGIT.test(next))) {
      while (i < n && /[0-9.]/.test(sql[i]!)) i++;
      if (/[eE]/.test(sql[i] ?? '') && /[-+0-9]/.test(sql[i + 1] ?? '')) {
        i += 2;
        while (i < n && DIGIT.test(sql[i]!)) i++;
      }
      tokens.push({ kind: 'number', text: sql.slice(start, i), value: sql.slice(start, i), start });
    } else if (ch === '?') {
      i++;
      tokens.push({ kind: 'bind', text: '?', value: '?', start });
    } else if (ch === ':' && DIGIT.test(next)) {
      i++;
      while (i < n && DIGIT.test(sql[i]!)) i++;
      tokens.push({ kind: 'bind', text: sql.slice(start, i), value: sql.slice(start + 1, i), start });
    } else if (ch === '@') {
      // A stage reference runs to the next space, comma, semicolon or closing parenthesis.
      i++;
      while (i < n && !/[\s,;)]/.test(sql[i]!)) {
        if (sql[i] === '"') {
          const end = sql.indexOf('"', i + 1);
          i = end < 0 ? n : end + 1;
        } else i++;
      }
      tokens.push({ kind: 'stage', text: sql.slice(start, i), value: sql.slice(start + 1, i), start });
    } else {
      const two = sql.slice(i, i + 2);
      const text = MULTI_PUNCT.includes(two) ? two : ch;
      i += text.length;
      tokens.push({ kind: 'punct', text, value: text, start });
    }
  }
  return tokens;
}

/**
 * DuckDB receives SQL as a C string, so a NUL would end the text it sees early (`DELETE FROM t \0 WHERE …`
 * would delete every row); other control characters are not SQL either. Both are refused, wherever they
 * appear (bind values carry any bytes).
 */
export function refuseControlCharacters(sql: string): void {
  const bad = /[\u0000-\u0008\u000e-\u001f\u007f]/.exec(sql);
  if (bad) {
    const { line, column } = position(sql, bad.index);
    throw new SnowflakeSqlError('001003', '42000', `SQL compilation error:\nsyntax error line ${line} at position ${column} unexpected control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}.`, { line, column });
  }
}

function unescape(c: string): string {
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case '0':
      return '\0';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    default:
      return c;
  }
}

function unterminated(what: string, sql: string, offset: number): SnowflakeSqlError {
  const { line, column } = position(sql, offset);
  return new SnowflakeSqlError(
    '001003',
    '42000',
    `SQL compilation error:\nsyntax error line ${line} at position ${column} unterminated ${what}.`,
  );
}

/** 1-based line and 0-based column of an offset, as Snowflake reports them. */
export function position(sql: string, offset: number): { line: number; column: number } {
  const before = sql.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) };
}

/** Tokens that matter for meaning (no spaces or comments). */
export function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

/** Splits a script into statements at top-level semicolons; empty statements are dropped. */
export function splitStatements(sql: string): string[] {
  const tokens = tokenize(sql);
  const out: string[] = [];
  let from = 0;
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === ';') {
      out.push(sql.slice(from, t.start));
      from = t.start + 1;
    }
  }
  out.push(sql.slice(from));
  return out.filter((s) => significant(tokenize(s)).length > 0);
}

/** Quotes a string as a standard SQL literal (DuckDB does not treat backslashes specially). */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Quotes an identifier for DuckDB. */
export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
