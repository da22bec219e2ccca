import { describe, expect, it } from 'vitest';
import type { Connection } from 'snowflake-sdk';
import { connect, destroy, exec, startServer, streamRows } from '../packages/snowflake-local/test/driver-harness.js';

// A fixed amount of work, not a fixed time: the counts below are exact whatever the machine's load.
const ROUNDS = Number(process.env.SNOWFLAKE_LOCAL_SOAK_ROUNDS ?? 5);
const STEPS = 7;
const CONNECTIONS = 20;

/** Network handles of this process (sockets and servers), to check that nothing is left open. */
function netHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

describe('snowflake-local under load', () => {
  it(`serves ${CONNECTIONS} concurrent connections running ${ROUNDS} rounds of ${STEPS} mixed statements each without a failure or a leak`, async () => {
    const handlesBefore = netHandles();
    const server = await startServer();
    const setup = await connect(server);
    await exec(setup, 'create table ledger (worker int, seq int, note string, payload variant)');
    await exec(setup, 'create stage soak_stg');
    // One hot row every worker updates: DuckDB reports write conflicts, Snowflake would make writers wait.
    await exec(setup, 'create table counters (id int, v int)');
    await exec(setup, 'insert into counters values (1, 0)');
    await destroy(setup);

    const failures: string[] = [];
    let statements = 0;
    const inserted = new Array<number>(CONNECTIONS).fill(0);
    let updates = 0;

    const worker = async (w: number): Promise<void> => {
      const conn: Connection = await connect(server);
      let seq = 0;
      try {
        while (seq < ROUNDS * STEPS) {
          const step = seq % STEPS;
          try {
            if (step === 0) {
              await exec(conn, 'insert into ledger values (?, ?, ?, parse_json(?))', [w, seq, `n-${w}-${seq}`, JSON.stringify({ w, seq })]);
              inserted[w]!++;
            } else if (step === 1) {
              const { rows } = await exec<{ C: number }>(conn, 'select count(*) as c from ledger where worker = ?', [w]);
              if (rows[0]!.C !== inserted[w]) failures.push(`worker ${w}: count ${rows[0]!.C} != ${inserted[w]}`);
            } else if (step === 2) {
              const rows = await streamRows<{ N: number }>(conn, 'select range as n from range(2500)');
              if (rows.length !== 2500 || rows[2499]!.N !== 2499) failures.push(`worker ${w}: chunked result had ${rows.length} rows`);
            } else if (step === 3) {
              const err = await exec(conn, 'select * from missing_table').then(
                () => null,
                (e: { code?: string }) => e,
              );
              if (err?.code !== '002003') failures.push(`worker ${w}: expected 002003, got ${err?.code ?? 'success'}`);
            } else if (step === 4) {
              const { rows } = await exec<{ queryId: string }>(conn, 'select sum(range) as s from range(1000)', undefined, { asyncExec: true });
              const queryId = (rows as unknown as { queryId: string }).queryId;
              const stmt = await conn.getResultsFromQueryId({ queryId });
              const got = await new Promise<unknown[]>((resolve, reject) => {
                const out: unknown[] = [];
                stmt.streamRows().on('data', (r) => out.push(r)).on('error', reject).on('end', () => resolve(out));
              });
              if (JSON.stringify(got) !== JSON.stringify([{ S: 499500 }])) failures.push(`worker ${w}: async result ${JSON.stringify(got)}`);
            } else if (step === 5) {
              await exec(conn, 'list @soak_stg');
            } else {
              const { stmt } = await exec(conn, 'update counters set v = v + 1 where id = 1');
              if (stmt.getNumUpdatedRows() !== 1) failures.push(`worker ${w}: update changed ${stmt.getNumUpdatedRows()} rows`);
              updates++;
            }
          } catch (error) {
            failures.push(`worker ${w} step ${step}: ${(error as Error).message}`);
          }
          statements++;
          seq++;
        }
      } finally {
        await destroy(conn);
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, (_, w) => worker(w)));

    expect(failures).toEqual([]);
    expect(statements).toBe(CONNECTIONS * ROUNDS * STEPS);
    const check = await connect(server);
    const { rows } = await exec<{ C: number }>(check, 'select count(*) as c from ledger');
    expect(rows[0]!.C).toBe(inserted.reduce((a, b) => a + b, 0));
    const counter = await exec<{ V: number }>(check, 'select v from counters where id = 1');
    expect(counter.rows[0]!.V).toBe(updates);
    expect(updates).toBe(CONNECTIONS * ROUNDS);
    await destroy(check);
    const stats = server.stats();
    expect(stats.sessions).toBe(0);
    expect(stats.runningQueries).toBe(0);
    expect(stats.storedResults).toBe(0);
    await server.close();
    // Closed sockets finish their close callbacks asynchronously: wait for the count to come back (a condition,
    // not a fixed sleep that a busy machine can outlast), with a bound far above any normal close.
    for (let i = 0; i < 1000 && netHandles() > handlesBefore; i++) await new Promise((r) => setTimeout(r, 10));
    expect(netHandles()).toBe(handlesBefore);
  }, 300_000);
});
