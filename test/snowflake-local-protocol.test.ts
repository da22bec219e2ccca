import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'snowflake-sdk';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { connect, destroy, exec, startServer } from '../packages/snowflake-local/test/driver-harness.js';

interface SfError extends Error {
  code?: string;
  sqlState?: string;
  data?: { queryId?: string };
}

async function failure(p: Promise<unknown>): Promise<SfError> {
  try {
    await p;
  } catch (error) {
    return error as SfError;
  }
  throw new Error('expected the statement to fail');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('snowflake-local with the real snowflake-sdk: login, types, binds, errors', () => {
  let server: SnowflakeLocal;
  let conn: Connection;
  beforeAll(async () => {
    server = await startServer({ users: { defectkit: 'defectkit', alice: 's3cret' } });
    conn = await connect(server, { representNullAsStringNull: false } as never);
  });
  afterAll(async () => {
    await destroy(conn);
    await server.close();
  });

  it('rejects a wrong password with 390100 and accepts a PAT', async () => {
    const bad = await failure(connect(server, { username: 'alice', password: 'nope' }));
    expect(bad.code).toBe('390100');
    const unknown = await failure(connect(server, { username: 'mallory', password: 's3cret' }));
    expect(unknown.code).toBe('390100');
    const pat = await connect(server, { username: 'alice', password: undefined, authenticator: 'PROGRAMMATIC_ACCESS_TOKEN', token: 's3cret' } as never);
    const { rows } = await exec(pat, 'SELECT CURRENT_USER() AS U');
    expect(rows).toEqual([{ U: 'ALICE' }]);
    await destroy(pat);
  });

  it('lets concurrent logins create the same new database once', async () => {
    const conns = await Promise.all(Array.from({ length: 6 }, () => connect(server, { database: 'FRESH_DB', schema: 'S1' })));
    const names = await Promise.all(conns.map((c) => exec<{ D: string }>(c, 'select current_database() || \'.\' || current_schema() as d')));
    expect(names.map((n) => n.rows[0]!.D)).toEqual(new Array(6).fill('FRESH_DB.S1'));
    await Promise.all(conns.map((c) => destroy(c)));
  });

  it('names columns like Snowflake: unquoted upper-cased, expressions by their text', async () => {
    const { rows } = await exec(conn, 'select 1, 2 as x, 3 as "lower", count(*) from (select 1) t');
    expect(rows).toEqual([{ '1': 1, X: 2, lower: 3, 'COUNT(*)': 1 }]);
  });

  it('round-trips every type, and NULL for each', async () => {
    await exec(
      conn,
      `create or replace table all_types (n number(38,0), d number(10,2), i int, f float, s varchar(20), b boolean, dt date, t time,
        ts timestamp_ntz, tl timestamp_ltz, tz timestamp_tz, v variant, o object, a array, bin binary)`,
    );
    await exec(
      conn,
      `insert into all_types select 12345678901, 12.50, -7, 1.5, 'héllo ''q''', true, '2024-03-01'::date, '12:34:56'::time,
        '2024-03-01 12:34:56.789'::timestamp_ntz, '2024-03-01 12:34:56.789+00:00'::timestamp_ltz, '2024-03-01 10:00:00+00:00'::timestamp_tz,
        parse_json('{"a": [1, {"b": null}]}'), object_construct('k', 'v', 'n', 2), array_construct(1, 'two', 3.5), to_binary('48656C6C6F', 'HEX')`,
    );
    await exec(conn, 'insert into all_types (n) values (null)');
    const { rows, stmt } = await exec<Record<string, unknown>>(conn, 'select * from all_types order by n nulls last');
    const [full, empty] = rows;
    expect(full).toMatchObject({ N: 12345678901, D: 12.5, I: -7, F: 1.5, S: "héllo 'q'", B: true });
    expect((full!.DT as Date).toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(full!.T).toBe('12:34:56');
    expect((full!.TS as Date).toISOString()).toBe('2024-03-01T12:34:56.789Z');
    expect((full!.TL as Date).toISOString()).toBe('2024-03-01T12:34:56.789Z');
    expect((full!.TZ as Date).toISOString()).toBe('2024-03-01T10:00:00.000Z');
    expect(full!.V).toEqual({ a: [1, { b: null }] });
    expect(full!.O).toEqual({ k: 'v', n: 2 });
    expect(full!.A).toEqual([1, 'two', 3.5]);
    expect(Buffer.isBuffer(full!.BIN) && (full!.BIN as Buffer).toString('utf8')).toBe('Hello');
    expect(Object.values(empty!).every((v) => v === null)).toBe(true);
    const types = Object.fromEntries(stmt.getColumns()!.map((c) => [c.getName(), c.getType()]));
    expect(types).toEqual({
      N: 'fixed', D: 'fixed', I: 'fixed', F: 'real', S: 'text', B: 'boolean', DT: 'date', T: 'time', TS: 'timestamp_ntz',
      TL: 'timestamp_ltz', TZ: 'timestamp_tz', V: 'variant', O: 'object', A: 'array', BIN: 'binary',
    });
    expect(stmt.getColumns()!.find((c) => c.getName() === 'D')!.getScale()).toBe(2);
    expect((full!.TZ as Date & { getTimezone(): number }).getTimezone()).toBe(0);
  });

  it('binds ? and :N, every JS kind, and arrays of rows', async () => {
    const when = new Date('2025-01-02T03:04:05.678Z');
    const { rows } = await exec(conn, 'select ? as n, ? as r, ? as s, ? as b, ? as z, ? as v, ?::timestamp_ntz as w', [
      42, 2.5, "it's", true, null, { k: [1, 2] }, when,
    ]);
    expect(rows).toEqual([{ N: 42, R: 2.5, S: "it's", B: true, Z: null, V: { k: [1, 2] }, W: when }]);
    const named = await exec(conn, 'select :2 || :1 as j, :1 as again', ['a', 'b']);
    expect(named.rows).toEqual([{ J: 'ba', AGAIN: 'a' }]);
    // A '?' inside a string literal or a comment is not a placeholder.
    const literal = await exec(conn, "select '?' as q, ? as p -- ?\n", [7]);
    expect(literal.rows).toEqual([{ Q: '?', P: 7 }]);

    await exec(conn, 'create or replace table events (id int, label string, happened timestamp_ntz, payload variant)');
    const insert = await exec(conn, 'insert into events (id, label, happened) values (?, ?, ?)', [
      [1, 'one', '2025-01-01 00:00:00'],
      [2, 'two', '2025-01-02 00:00:00'],
      [3, null, null],
    ]);
    expect(insert.stmt.getNumUpdatedRows()).toBe(3);
    const update = await exec(conn, 'update events set label = ? where id >= ?', ['many', 2]);
    expect(update.stmt.getNumUpdatedRows()).toBe(2);
    const { rows: after } = await exec(conn, 'select id, label from events where happened < ? or happened is null order by id', ['2025-01-03']);
    expect(after).toEqual([{ ID: 1, LABEL: 'one' }, { ID: 2, LABEL: 'many' }, { ID: 3, LABEL: 'many' }]);
    const del = await exec(conn, 'delete from events where id = :1', [3]);
    expect(del.stmt.getNumUpdatedRows()).toBe(1);
  });

  it('translates Snowflake functions and semi-structured access', async () => {
    const { rows } = await exec(
      conn,
      `select iff(1 < 2, 'yes', 'no') as a, to_varchar(42) as b, dateadd(day, 2, '2024-01-30'::date)::date as c,
              datediff(hour, '2024-01-01 00:00:00'::timestamp_ntz, '2024-01-02 06:00:00'::timestamp_ntz) as d,
              parse_json('{"Name": {"first": "Ada"}, "tags": ["x", "y"]}'):Name.first::string as e,
              parse_json('{"tags": ["x", "y"]}'):tags[1]::string as f, nvl(null, 'z') as g,
              current_timestamp() <= current_timestamp() as h, array_size(array_construct(1,2,3)) as i,
              object_construct('a', 1, 'gone', null, 'kept', parse_json('null')) as j, object_construct_keep_null('n', null) as k`,
    );
    expect(rows).toEqual([
      { A: 'yes', B: '42', C: new Date('2024-02-01T00:00:00Z'), D: 30, E: 'Ada', F: 'y', G: 'z', H: true, I: 3, J: { a: 1, kept: null }, K: { n: null } },
    ]);
  });

  it('runs ordinary analytics on a defect-log table', async () => {
    await exec(
      conn,
      'create table if not exists "DEFECT_LOGS" (INFERENCE_ID VARCHAR, BOARD_ID VARCHAR, TS TIMESTAMP_NTZ, DETECTED_CLASS VARCHAR, CONFIDENCE FLOAT)',
    );
    const now = Date.now();
    await exec(conn, 'insert into defect_logs (inference_id, board_id, ts, detected_class, confidence) values (?, ?, ?, ?, ?)', [
      ['i1', 'b1', new Date(now - 3600e3).toISOString(), 'open', 0.9],
      ['i2', 'b1', new Date(now - 7200e3).toISOString(), 'short', 0.6],
      ['i3', 'b2', new Date(now - 10 * 86400e3).toISOString(), 'open', 0.4],
    ]);
    const recent = await exec(conn, `select detected_class, count(*) as n from defect_logs where ts >= dateadd(day, -7, current_timestamp()) group by 1 order by n desc, 1`);
    expect(recent.rows).toEqual([{ DETECTED_CLASS: 'open', N: 1 }, { DETECTED_CLASS: 'short', N: 1 }]);
    const best = await exec(conn, 'select board_id, detected_class, row_number() over (partition by board_id order by confidence desc) as rn from defect_logs qualify rn = 1 order by board_id');
    expect(best.rows).toEqual([{ BOARD_ID: 'b1', DETECTED_CLASS: 'open', RN: 1 }, { BOARD_ID: 'b2', DETECTED_CLASS: 'open', RN: 1 }]);
    const top = await exec(conn, 'select top 1 inference_id from defect_logs order by confidence');
    expect(top.rows).toEqual([{ INFERENCE_ID: 'i3' }]);
    const misc = await exec(conn, "select try_to_number('12') as n, try_to_number('x') as bad, count_if(detected_class ilike 'OP%') as ops, listagg(board_id, ',') within group (order by inference_id) as boards from defect_logs");
    expect(misc.rows).toEqual([{ N: 12, BAD: null, OPS: 2, BOARDS: 'b1,b1,b2' }]);
    const tz = await exec(conn, "select convert_timezone('UTC', 'Europe/Paris', '2024-07-01 12:00:00'::timestamp_ntz) as paris");
    expect(tz.rows).toEqual([{ PARIS: new Date('2024-07-01T14:00:00Z') }]);
    const sample = await exec<{ C: number }>(conn, 'select count(*) as c from defect_logs sample (100)');
    expect(sample.rows).toEqual([{ C: 3 }]);
  });

  it('reports SQL errors with code, sqlState and queryId', async () => {
    const missing = await failure(exec(conn, 'select * from no_such_table'));
    expect(missing.code).toBe('002003');
    expect(missing.sqlState).toBe('42S02');
    expect(missing.message).toContain('NO_SUCH_TABLE');
    expect(missing.data?.queryId).toMatch(UUID);
    const syntax = await failure(exec(conn, 'selec 1'));
    expect(syntax.code).toBe('001003');
    expect(syntax.sqlState).toBe('42000');
    const column = await failure(exec(conn, 'select nope from all_types'));
    expect(column.code).toBe('000904');
    const unsupported = await failure(exec(conn, 'grant role analyst to user alice'));
    expect(unsupported.code).toBe('001003');
    expect(unsupported.message).toContain("'GRANT'");
    const notJson = await failure(exec(conn, "select 'x'::number"));
    expect(notJson.code).toBe('100038');
    expect(notJson.sqlState).toBe('22018');
    const parser = await failure(exec(conn, 'select from where'));
    expect(parser.code).toBe('001003');
    expect(parser.message).not.toContain('Failed to extract');
    const unterminated = await failure(exec(conn, "select 'abc"));
    expect(unterminated.code).toBe('001003');
    expect(unterminated.message).toContain('unterminated string literal');
  });

  it('keeps databases, schemas and USE per session', async () => {
    await exec(conn, 'create database if not exists other_db');
    await exec(conn, 'create schema other_db.analytics');
    await exec(conn, 'create table other_db.analytics.facts (k int)');
    await exec(conn, 'insert into other_db.analytics.facts values (1), (2)');
    const second = await connect(server, { database: 'OTHER_DB', schema: 'ANALYTICS' });
    const { rows } = await exec(second, 'select count(*) as c, current_database() as db, current_schema() as sc from facts');
    expect(rows).toEqual([{ C: 2, DB: 'OTHER_DB', SC: 'ANALYTICS' }]);
    await exec(second, 'use schema public');
    const err = await failure(exec(second, 'select * from facts'));
    expect(err.code).toBe('002003');
    const dbs = await exec<{ name: string }>(conn, 'show databases');
    expect(dbs.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['TESTDB', 'OTHER_DB']));
    const tables = await exec<{ name: string }>(conn, 'show tables in other_db.analytics');
    expect(tables.rows.map((r) => r.name)).toEqual(['FACTS']);
    await destroy(second);
    await exec(conn, 'use database testdb');
  });

  it('runs multi-statement requests when MULTI_STATEMENT_COUNT allows it', async () => {
    const { rows } = await exec(conn, 'create or replace table m (x int); insert into m values (5); select x from m', undefined, {
      parameters: { MULTI_STATEMENT_COUNT: 3 },
    });
    // The driver reports the first child result; the others ran too (checked below).
    expect(rows).toEqual([{ status: 'Table M successfully created.' }]);
    const single = await failure(exec(conn, 'select 1; select 2'));
    expect(single.code).toBe('000008');
    const { rows: check } = await exec(conn, 'select x from m');
    expect(check).toEqual([{ X: 5 }]);
  });

  it('runs everyday DDL: views, ALTER TABLE, DESCRIBE, TRUNCATE, transactions, temporary stages', async () => {
    await exec(conn, 'create or replace table inv (sku string, qty number(10,0))');
    await exec(conn, 'alter table inv add column price number(10,2)');
    await exec(conn, "insert into inv values ('a', 2, 1.25), ('b', 3, 2.50)");
    const view = await exec(conn, 'create or replace view inv_value as select sku, qty * price as value from inv');
    expect(view.rows).toEqual([{ status: 'View INV_VALUE successfully created.' }]);
    expect((await exec(conn, 'select sum(value) as total from inv_value')).rows).toEqual([{ TOTAL: 10 }]);
    const desc = await exec<Record<string, string>>(conn, 'describe table inv');
    expect(desc.rows.map((r) => [r.name, r.type])).toEqual([['SKU', 'VARCHAR(16777216)'], ['QTY', 'NUMBER(10,0)'], ['PRICE', 'NUMBER(10,2)']]);
    await exec(conn, 'begin');
    await exec(conn, "insert into inv values ('c', 1, 1)");
    await exec(conn, 'rollback');
    expect((await exec(conn, 'select count(*) as c from inv')).rows).toEqual([{ C: 2 }]);
    await exec(conn, 'truncate table inv');
    expect((await exec(conn, 'select count(*) as c from inv')).rows).toEqual([{ C: 0 }]);
    const other = await connect(server);
    await exec(other, 'create temporary stage scratch');
    expect((await exec<{ name: string }>(conn, 'show stages')).rows.map((r) => r.name)).toContain('SCRATCH');
    await destroy(other);
    expect((await exec<{ name: string }>(conn, 'show stages')).rows.map((r) => r.name)).not.toContain('SCRATCH');
  });

  it('describes a query without running it (describeOnly)', async () => {
    const { rows, stmt } = await exec(conn, 'select id, label, payload from events where id > ?', undefined, { describeOnly: true });
    expect(rows).toEqual([]);
    expect(stmt.getColumns()!.map((c) => [c.getName(), c.getType()])).toEqual([['ID', 'fixed'], ['LABEL', 'text'], ['PAYLOAD', 'variant']]);
  });

  it('answers heartbeat and ends sessions on destroy', async () => {
    const extra = await connect(server);
    await new Promise<void>((resolve, reject) => (extra as unknown as { heartbeat(cb: (e?: Error) => void): void }).heartbeat((e) => (e ? reject(e) : resolve())));
    expect(await extra.isValidAsync()).toBe(true);
    const before = server.stats().sessions;
    await destroy(extra);
    expect(server.stats().sessions).toBe(before - 1);
  });
});
