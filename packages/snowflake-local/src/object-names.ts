import { compilationError, SnowflakeSqlError } from './errors.js';
import type { Session } from './session.js';
import type { Token } from './sql-tokenizer.js';

/** A fully qualified object name. */
export interface ObjectName {
  database: string;
  schema: string;
  name: string;
}

/** Reads a dotted name (`a`, `a.b`, `"x".b.c`) from significant tokens at `i`; words are upper-cased. */
export function readName(tokens: Token[], i: number): { parts: string[]; end: number } {
  const parts: string[] = [];
  let k = i;
  for (;;) {
    const t = tokens[k];
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted-ident')) break;
    parts.push(t.value);
    if (tokens[k + 1]?.kind === 'punct' && tokens[k + 1]!.text === '.') k += 2;
    else {
      k++;
      break;
    }
  }
  if (parts.length === 0) throw compilationError(`syntax error: expected a name at '${tokens[i]?.text ?? 'end of statement'}'.`);
  return { parts, end: k };
}

/** Qualifies a one-, two- or three-part name with the session's database and schema. */
export function qualify(parts: string[], session: Session, what: string): ObjectName {
  if (parts.length > 3) throw compilationError(`invalid name '${parts.join('.')}'.`);
  const name = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2]! : session.schema;
  const database = parts.length === 3 ? parts[0]! : session.database;
  if (database === null || schema === null) {
    throw new SnowflakeSqlError(
      '090105',
      '22000',
      `Cannot perform ${what}. This session does not have a current ${database === null ? 'database' : 'schema'}. Call 'USE ${database === null ? 'DATABASE' : 'SCHEMA'}', or use a qualified name.`,
    );
  }
  return { database, schema, name };
}

/** `DB.SCHEMA.NAME` for messages and keys. */
export function fullName(n: ObjectName): string {
  return `${n.database}.${n.schema}.${n.name}`;
}

/** The token at `i` is the keyword. */
export function kw(tokens: Token[], i: number, ...words: string[]): boolean {
  const t = tokens[i];
  return t !== undefined && t.kind === 'word' && words.includes(t.value);
}

/** A SQL LIKE pattern as a case-insensitive regex (SHOW … LIKE is case-insensitive). */
export function likePattern(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** True for Snowflake's boolean spellings. */
export function truthy(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return ['TRUE', 'YES', 'ON', '1'].includes(value.toUpperCase());
}
