/**
 * What the Snowflake protocol layer costs on top of DuckDB, measured in one run:
 *   npx tsx benchmarks/snowflake-local-query.ts
 * Baseline: the same SQL on a direct @duckdb/node-api connection. Reported: median milliseconds and
 * the ratio (driver through snowflake-local ÷ direct DuckDB) for a one-row query, a 10 000-row result
 * (1 000 inline + chunks) and a bound INSERT.
 */
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE = '1';
process.env.SNOWFLAKE_DISABLE_MINICORE = 'true';

import { DuckDBInstance } from '@duckdb/node-api';
import type { Connection } from 'snowflake-sdk';
import { startSnowflakeLocal } from '@defectkit/snowflake-local';

const snowflake = ((await import('snowflake-sdk')) as unknown as { default: typeof import('snowflake-sdk') }).default;
snowflake.configure({ logLevel: 'OFF' as never });

function run(conn: Connection, sqlText: string, binds?: unknown[]): Promise<unknown[]> {
  return new Promise((resolve, reject) =>
    conn.execute({ sqlText, ...(binds ? { binds: binds as never } : {}), complete: (err, _s, rows) => (err ? reject(err) : resolve(rows ?? [])) }),
  );
}

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const server = await startSnowflakeLocal({ port: 0 });
const conn = snowflake.createConnection({ ...server.connectionOptions, database: 'BENCH' });
await new Promise<void>((ok, fail) => conn.connect((err) => (err ? fail(err) : ok())));
await run(conn, "create table big as select range as n, 'row-' || range as s from range(10000)");
await run(conn, 'create table sink (id int, name string)');

const duck = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
await duck.run("create table big as select range as n, 'row-' || range as s from range(10000)");
await duck.run('create table sink (id bigint, name varchar)');

const cases: [string, () => Promise<unknown>, () => Promise<unknown>, number][] = [
  ['SELECT 1', () => run(conn, 'select 1'), () => duck.runAndReadAll('select 1'), 200],
  ['10 000 rows', () => run(conn, 'select n, s from big order by n'), () => duck.runAndReadAll('select n, s from big order by n').then((r) => r.getRowsJS()), 20],
  ['INSERT 1 row (binds)', () => run(conn, 'insert into sink values (?, ?)', [1, 'x']), () => duck.run('insert into sink values ($1, $2)', [1n, 'x']), 200],
];
console.log(`| case | snowflake-sdk → snowflake-local (ms) | direct DuckDB (ms) | ratio |`);
console.log(`| --- | --- | --- | --- |`);
for (const [name, viaServer, direct, n] of cases) {
  const a = await median(n, viaServer);
  const b = await median(n, direct);
  console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(1)}x |`);
}
await new Promise<void>((ok) => conn.destroy(() => ok()));
duck.closeSync();
await server.close();
