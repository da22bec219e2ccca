import { describe, expect, it } from 'vitest';
import { SnowflakeSqlError } from './errors.js';
import { translateStatement, type TranslateSession } from './sql-translate.js';

const session: TranslateSession = { database: 'DB', schema: 'PUBLIC', user: 'U', role: 'SYSADMIN', warehouse: null, sessionId: '1' };
const t = (sql: string): string => translateStatement(sql, session).sql.replace(/\s+/g, ' ').trim();

describe('translateStatement', () => {
  it('upper-cases unquoted identifiers and leaves strings and quoted names alone', () => {
    expect(t(`select a, "b" from t where c = 'x y'`)).toBe(`SELECT A, "b" FROM T WHERE C = 'x y'`);
  });

  it('maps Snowflake column types in CREATE TABLE, including a name touching its column list', () => {
    expect(t('create table t(n number, d number(10,2), i int, f float, s string, v variant, o object, a array, b binary, ts timestamp_ntz(9), tl timestamp_ltz)')).toBe(
      'CREATE TABLE T( N DECIMAL(38,0), D DECIMAL(10,2), I BIGINT, F DOUBLE, S VARCHAR, V JSON, O JSON, A JSON, B BLOB, TS TIMESTAMP, TL TIMESTAMPTZ)',
    );
    expect(t('select x::number(5,1), cast(y as varchar(3)) as c from t')).toBe('SELECT X::DECIMAL(5,1) AS "X::NUMBER(5,1)", CAST(Y AS VARCHAR) AS C FROM T');
  });

  it('numbers ? and :N binds, never inside literals', () => {
    expect(translateStatement("select ?, '?', ?", session)).toMatchObject({ sql: expect.stringContaining('$1'), bindCount: 2 });
    expect(t("select :2, ':1' from t")).toContain(`$2 AS ":2", ':1'`);
    expect(() => t('select ?, :1')).toThrow(SnowflakeSqlError);
  });

  it('rewrites functions and paths', () => {
    expect(t("select iff(a, 1, 2) as x from t")).toBe('SELECT (CASE WHEN A THEN 1 ELSE 2 END) AS X FROM T');
    expect(t('select dateadd(day, 3, d) as x from t')).toBe('SELECT (D + CAST(3 AS BIGINT) * INTERVAL 1 DAY) AS X FROM T');
    expect(t('select v:Outer.inner[0]::string as x from t')).toBe(`SELECT json_extract_string(V, '$.Outer.inner[0]')::VARCHAR AS X FROM T`);
    expect(t("select r['DETECTIONS'] as d from t")).toBe(`SELECT json_extract(R, '$.DETECTIONS') AS D FROM T`);
    expect(t('select current_database() as d')).toBe(`SELECT 'DB' AS D`);
  });

  it('turns MODEL(m, v)!PREDICT(args) into a struct and records the call', () => {
    const r = translateStatement('select id, MODEL(db.s.m, V1)!PREDICT(img, 2) as out from t', session);
    expect(r.sql.replace(/\s+/g, ' ')).toContain(`struct_pack("A0" := IMG, "A1" := 2) AS OUT`);
    expect(r.modelCalls).toEqual([{ model: ['DB', 'S', 'M'], version: 'V1', method: 'PREDICT', column: 1, argCount: 2 }]);
    const w = translateStatement('with mv as model m version v2 select mv!predict(img) from t', session);
    expect(w.modelCalls).toEqual([{ model: ['M'], version: 'V2', method: 'PREDICT', column: 0, argCount: 1 }]);
  });

  it('names the unsupported construct', () => {
    expect(() => t('select * from table(flatten(input => x))')).toThrow(/FLATTEN/);
    expect(() => t('select to_varchar(d, \'YYYY\') from t')).toThrow(/TO_VARCHAR with a format/);
    expect(() => t('create table g (x geography)')).toThrow(/GEOGRAPHY/);
  });
});
