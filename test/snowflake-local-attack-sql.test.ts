/**
 * Attack class 2: SQL that reaches host files. DuckDB runs with external access off and its
 * configuration locked, the translator re-quotes every literal it emits, and DuckDB itself must read
 * the translated text as exactly one statement of an allowed kind. Reads of host files fail, writes
 * never happen, smuggled statements never run.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnowflakeLocal, type SnowflakeLocal } from '@defectkit/snowflake-local';
import { expectSqlFailure, expectStillServing, makeFence, rawLogin, rawQuery, type Fence } from '../packages/snowflake-local/test/attack-harness.js';

describe('snowflake-local attack 2: no host file access from SQL', () => {
  let fence: Fence;
  let server: SnowflakeLocal;
  let token: string;
  let before: Map<string, string>;
  const sql = (text: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> => rawQuery(server, token, text, extra);
  /** A file the attacks try to create outside the data dir. */
  let pwn: string;

  beforeAll(async () => {
    fence = makeFence('sfl-attack-sql');
    pwn = join(fence.outside, 'pwn.csv');
    server = await startSnowflakeLocal({ port: 0, dir: fence.data });
    token = await rawLogin(server, 'defectkit', 'defectkit');
    expect((await sql('create table t (a int, s varchar)')).success).toBe(true);
    expect((await sql("insert into t values (1, 'x')")).success).toBe(true);
    before = fence.snapshot();
  });
  afterAll(async () => {
    await server.close();
    fence.dispose();
  });

  it('refuses every DuckDB file reader on host files, and leaks nothing', async () => {
    const files = ['/etc/passwd', '/etc/hostname', fence.secretFile, `${fence.outside}/*`, '/proc/self/environ', `file://${fence.secretFile}`];
    const readers = (f: string): string[] => [
      `select content from read_text('${f}')`,
      `select content from read_blob('${f}')`,
      `select * from read_csv('${f}')`,
      `select * from read_csv_auto('${f}')`,
      `select * from read_json('${f}')`,
      `select * from read_json_auto('${f}')`,
      `select * from read_parquet('${f}')`,
      `select * from parquet_scan('${f}')`,
      `select * from glob('${f}')`,
      `select * from '${f}'`,
      `select * from sniff_csv('${f}')`,
      `select * from (select content from read_text('${f}')) as x`,
      `select (select count(*) from read_text('${f}')) as n`,
      `with x as (select content from read_text('${f}')) select * from x`,
      `create table leak as select content from read_text('${f}')`,
      `create view leakv as select content from read_text('${f}')`,
      `insert into t select 2, content from read_text('${f}')`,
      `select * from t where s in (select content from read_text('${f}'))`,
    ];
    for (const f of files) {
      for (const statement of readers(f)) {
        const answer = await sql(statement);
        expect(JSON.stringify(answer)).not.toContain(fence.secret);
        expect(JSON.stringify(answer)).not.toContain('root:x:0:0');
        expectSqlFailure(answer);
      }
    }
    // The table holds exactly what was inserted legitimately.
    const rows = await sql('select count(*) as n from t');
    expect((rows.data as { rowset: unknown[][] }).rowset).toEqual([['1']]);
  });

  it('refuses file writes, catalog attaches, extensions and setting changes, however they are spelled', async () => {
    const statements = [
      `copy (select 1) to '${pwn}'`,
      `copy t to '${pwn}'`,
      `export database '${fence.outside}/exp'`,
      `attach '${fence.outside}/x.duckdb' as x`,
      `attach database ':memory:' as y`,
      `detach TESTDB`,
      `install httpfs`,
      `load httpfs`,
      `force install httpfs`,
      `set enable_external_access = true`,
      `set lock_configuration = false`,
      `reset enable_external_access`,
      `pragma enable_profiling`,
      `call enable_logging()`,
      `checkpoint`,
      `vacuum`,
      `import database '${fence.outside}'`,
      `create secret s (type s3, key_id 'a', secret 'b')`,
      `select * from duckdb_secrets()`,
      `create macro m() as table select * from read_text('${fence.secretFile}')`,
      `select current_setting('enable_external_access') as v`,
    ];
    for (const statement of statements) {
      const answer = await sql(statement);
      expect(JSON.stringify(answer)).not.toContain(fence.secret);
      if (statement.startsWith('select current_setting')) {
        // Reading the setting is harmless and shows the sandbox is on.
        expect((answer.data as { rowset: unknown[][] }).rowset).toEqual([['0']]);
        continue;
      }
      if (statement.startsWith('select * from duckdb_secrets') || statement.startsWith('create macro')) {
        if (answer.success === false) expectSqlFailure(answer);
        continue;
      }
      expectSqlFailure(answer);
    }
    // A macro that wraps a file reader fails when used.
    const used = await sql('select * from m()');
    expect(JSON.stringify(used)).not.toContain(fence.secret);
    expectSqlFailure(used);
    expect(existsSync(pwn)).toBe(false);
    expect(fence.snapshot()).toEqual(before);
  });

  it('never lets a quoting trick smuggle a second statement past the translator', async () => {
    // Inside a Snowflake string the payload's own quotes would be doubled on re-quoting, so the file
    // name uses DuckDB's $$ quoting, which survives re-quoting untouched.
    const copy = `copy (select 42) to $$${pwn}$$`;
    const tricks = [
      `select e'\\\\', '; ${copy}; --' as v`,
      `select E'x\\\\' , '; ${copy}; --' as v`,
      `select 1 -/**/- '\n; ${copy}; --' as v`,
      `select 1 -/* a */- '\n; ${copy}; --' as v`,
      `select 'a\\'; ${copy}; --' as v`,
      `select U&'\\0027; ${copy}; --' as v`,
      `select x'27', '; ${copy}; --' as v`,
      `select $a$, '$A$; ${copy}; select $A$' as v, $a$`,
      `select 1 /* /* */ ; ${copy}; */ as v`,
      `select 1 // ; ${copy}\n as v`,
      `select "a""; ${copy}; --" from t`,
      `select 1::number(38, '\\'); ${copy}; --') as v`,
      `select 1::varchar(1); ${copy}`,
      `select 'é\u2028'; ${copy}; select ''`,
      `select '\uff07; ${copy}; --' as v`,
      `select 1 as v;\u0000${copy}`,
      `select 1 as v -- \r ${copy}`,
      `insert into t values (3, '\\'); ${copy}; --')`,
      `create table u as select e'\\\\', '; ${copy}; --' as v`,
      `create view w as select 1 -/**/- '\n; ${copy}; --' as v`,
    ];
    for (const text of tricks) {
      const answer = await sql(text);
      expect(JSON.stringify(answer)).not.toContain(fence.secret);
      // Whether the statement is refused or runs as one harmless statement, the COPY never happens.
      if (answer.success === false) expectSqlFailure(answer);
      expect(existsSync(pwn), text).toBe(false);
    }
    expect(readdirSync(fence.outside).sort()).toEqual(['nested', 'secret.txt']);
    expect(fence.snapshot()).toEqual(before);
    await expectStillServing(server);
  });

  it('refuses control characters that would cut the text DuckDB sees (NUL ends a C string)', async () => {
    const cut = [
      'delete from t \u0000 where a = 999',
      "update t set s = 'changed' \u0000 where a = 999",
      "delete from t where a = 999 or s = '\u0000'",
      'delete from t /* \u0000 */ where a = 999',
      'delete from t -- \u0000\n where a = 999',
      'delete from t \u0001 where a = 999',
      'delete from t \u007f where a = 999',
      'drop table t \u0000 if exists',
      `put file://${fence.secretFile}\u0000 @~`,
    ];
    const rowsBefore = ((await sql('select a, s from t order by a')).data as { rowset: unknown[][] }).rowset;
    expect(rowsBefore.length).toBeGreaterThan(0);
    for (const text of cut) expectSqlFailure(await sql(text), ['001003']);
    const rowsAfter = ((await sql('select a, s from t order by a')).data as { rowset: unknown[][] }).rowset;
    expect(rowsAfter).toEqual(rowsBefore);
    // Bind values may hold any character: they never become SQL text.
    const bound = await sql('select ? as v', { bindings: { '1': { type: 'TEXT', value: 'a\u0000b\u0001' } } });
    expect((bound.data as { rowset: unknown[][] }).rowset).toEqual([['a\u0000b\u0001']]);
  });

  it('keeps string values exactly as Snowflake reads them (the translator re-quotes every literal)', async () => {
    const cases: [string, string][] = [
      ["'it''s'", "it's"],
      ["'back\\\\slash'", 'back\\slash'],
      ["'quote\\'d'", "quote'd"],
      ["'tab\\tend'", 'tab\tend'],
      ['$$dollar\'s "text" \\n$$', 'dollar\'s "text" \\n'],
      ["'ünïcødé ✓'", 'ünïcødé ✓'],
      ["'--not a comment'", '--not a comment'],
      ["'/* nor this */'", '/* nor this */'],
      ["'$A$'", '$A$'],
    ];
    for (const [literal, value] of cases) {
      const answer = await sql(`select ${literal} as v`);
      expect(answer.success, `${literal}: ${String(answer.message)}`).toBe(true);
      expect((answer.data as { rowset: unknown[][] }).rowset, literal).toEqual([[value]]);
    }
  });

  it('round-trips any string through a Snowflake literal, as one statement, for random strings', async () => {
    // Snowflake literal spelling: backslash and quote escaped; the translator must hand DuckDB the same value.
    const literal = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
    const text = fc.string({ unit: fc.oneof(fc.constantFrom("'", '\\', '$', '"', ';', '-', '/', '*', '\n', 'E', 'e', ' '), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 40 }).filter((v) => !v.includes('\u0000'));
    await fc.assert(
      fc.asyncProperty(text, text, async (a, b) => {
        const answer = await sql(`select ${literal(a)} as u, ${literal(b)} as v, $$${b.replace(/\$/g, '')}$$ as w`);
        expect(answer.success, `${a} | ${b}: ${String(answer.message)}`).toBe(true);
        const row = (answer.data as { rowset: unknown[][] }).rowset[0];
        expect(row).toEqual([a, b, b.replace(/\$/g, '')]);
      }),
      { numRuns: 150, seed: 20261130 },
    );
    expect(existsSync(pwn)).toBe(false);
  });

  it('refuses multi-statement scripts that hide a file write, unless each statement is allowed', async () => {
    const answer = await sql(`select 1; copy (select 42) to '${pwn}'`, { parameters: { MULTI_STATEMENT_COUNT: 2 } });
    expectSqlFailure(answer);
    expect(existsSync(pwn)).toBe(false);
    expect(fence.snapshot()).toEqual(before);
  });
});
