import { NotebookTemplateError } from './errors.js';

/** One statement of a SQL script: its text (comments removed, trimmed, no `;`) and its first line. */
export interface SqlStatement {
  text: string;
  line: number;
}

/**
 * Splits a Snowflake SQL script on `;` outside strings, quoted identifiers, `$$` blocks and
 * comments. Throws {@link NotebookTemplateError} naming the line of an unterminated string,
 * identifier, block or comment.
 *
 * @example
 * splitSqlStatements("CREATE ROLE R; -- x\nGRANT ROLE R TO ROLE SYSADMIN;").map((s) => s.text);
 * // ['CREATE ROLE R', 'GRANT ROLE R TO ROLE SYSADMIN']
 */
export function splitSqlStatements(sql: string, file = 'script.sql'): SqlStatement[] {
  const out: SqlStatement[] = [];
  let text = '';
  let line = 1;
  let start = 0;
  const push = (): void => {
    const t = text.trim();
    if (t) out.push({ text: t, line: start || line });
    text = '';
    start = 0;
  };
  const fail = (what: string, at: number): never => {
    throw new NotebookTemplateError(`${file}:${at}: unterminated ${what}`, { template: file, line: at });
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) fail('/* comment', line);
      line += (sql.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 2;
      text += ' ';
      continue;
    }
    if (!start && !/\s/.test(c)) start = line;
    if (c === "'" || c === '"') {
      let j = i + 1;
      const opened = line;
      for (;;) {
        if (j >= sql.length) fail(c === "'" ? 'string' : 'quoted identifier', opened);
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        if (c === "'" && sql[j] === '\\') j++;
        j++;
      }
      const chunk = sql.slice(i, j + 1);
      line += (chunk.match(/\n/g) ?? []).length;
      text += chunk;
      i = j + 1;
      continue;
    }
    if (c === '$' && next === '$') {
      const end = sql.indexOf('$$', i + 2);
      if (end < 0) fail('$$ block', line);
      const chunk = sql.slice(i, end + 2);
      line += (chunk.match(/\n/g) ?? []).length;
      text += chunk;
      i = end + 2;
      continue;
    }
    if (c === ';') {
      push();
      i++;
      continue;
    }
    if (c === '\n') line++;
    text += c;
    i++;
  }
  push();
  return out;
}
