import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, RowStatement } from 'snowflake-sdk';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { connect, destroy, exec, startServer, streamRows } from '../packages/snowflake-local/test/driver-harness.js';

describe('snowflake-local: chunks, async, renewal, retries, abort', () => {
  let server: SnowflakeLocal;
  let conn: Connection;
  beforeAll(async () => {
    // A short sync wait so "still running" answers happen within a test.
    server = await startServer({ syncWaitMs: 100 });
    conn = await connect(server);
    await exec(conn, "create table big as select range as n, 'row-' || range as s from range(10000) order by n");
  });
  afterAll(async () => {
    await destroy(conn);
    await server.close();
  });

  it('delivers 10 000 rows through chunks, in order, both buffered and streamed', async () => {
    const before = server.stats().chunksServed;
    const { rows, stmt } = await exec<{ N: number; S: string }>(conn, 'select n, s from big order by n');
    expect(stmt.getNumRows()).toBe(10_000);
    expect(rows).toHaveLength(10_000);
    expect(rows.every((r, i) => r.N === i && r.S === `row-${i}`)).toBe(true);
    const streamed = await streamRows<{ N: number }>(conn, 'select n from big order by n desc');
    expect(streamed.map((r) => r.N)).toEqual(Array.from({ length: 10_000 }, (_, i) => 9_999 - i));
    // 9000 rows beyond the inline 1000, in chunks of 2000: 5 chunks per result.
    expect(server.stats().chunksServed - before).toBe(10);
  });

  it('runs async queries: 333334, status polling, results by query id', async () => {
    const { rows } = await exec<{ queryId: string }>(conn, 'select sum(a.range * b.range) as total from range(3000) a, range(3000) b', undefined, {
      asyncExec: true,
    });
    const queryId = (rows as unknown as { queryId: string }).queryId;
    expect(queryId).toMatch(/^[0-9a-f-]{36}$/);
    const status = await conn.getQueryStatus(queryId);
    expect(['RUNNING', 'SUCCESS']).toContain(status);
    const stmt = (await conn.getResultsFromQueryId({ queryId })) as RowStatement;
    const fetched = await new Promise<unknown[]>((resolve, reject) => {
      const out: unknown[] = [];
      stmt.streamRows().on('data', (r) => out.push(r)).on('error', reject).on('end', () => resolve(out));
    });
    // sum over a,b of a*b = (sum a)^2
    expect(fetched).toEqual([{ TOTAL: (2999 * 3000 / 2) ** 2 }]);
    expect(await conn.getQueryStatus(queryId)).toBe('SUCCESS');
  });

  it('answers a slow synchronous query with 333333 and the driver polls for the result', async () => {
    // Its own server that never waits: the answer is "still running" whatever the machine's speed (with a wait, a
    // fast machine finishes the query in time and a slow one does not).
    const eager = await startServer({ syncWaitMs: 0 });
    const c = await connect(eager);
    const { rows } = await exec(c, 'select count(*) as c from range(4000) a, range(4000) b where (a.range + b.range) % 7 = 0');
    let expected = 0;
    for (let a = 0; a < 4000; a++) expected += Math.floor((4000 - 1 - ((7 - (a % 7)) % 7)) / 7) + 1;
    expect(rows).toEqual([{ C: expected }]);
    expect(eager.stats().inProgressAnswers).toBeGreaterThan(0);
    await destroy(c);
    await eager.close();
  });

  it('renews an expired session token transparently (390112)', async () => {
    // Its own server: a one-second token would expire under the other tests' feet.
    const shortLived = await startServer({ sessionTokenValiditySeconds: 1 });
    const c = await connect(shortLived);
    // Timers never fire early, so the token has expired after this wait however busy the machine is.
    await new Promise((r) => setTimeout(r, 1200));
    const { rows } = await exec(c, 'select 7 as seven');
    expect(rows).toEqual([{ SEVEN: 7 }]);
    // At least one renewal: on a busy machine the renewed one-second token can expire again before the retry.
    expect(shortLived.stats().tokenRenewals).toBeGreaterThanOrEqual(1);
    await destroy(c);
    await shortLived.close();
  });

  it('retries a 5xx without running the statement twice (requestId dedup)', async () => {
    await exec(conn, 'create or replace table once (id int)');
    const executed = server.stats().executedStatements;
    server.injectFault({ route: 'query', status: 503, afterExecution: true });
    const { stmt } = await exec(conn, 'insert into once values (1)');
    expect(stmt.getNumUpdatedRows()).toBe(1);
    expect(server.stats().executedStatements).toBe(executed + 1);
    const { rows } = await exec(conn, 'select count(*) as c from once');
    expect(rows).toEqual([{ C: 1 }]);
  }, 40_000);

  it('cancels a running statement (abort-request) with 000604', async () => {
    const error = await new Promise<{ code?: string }>((resolve) => {
      const stmt = conn.execute({
        sqlText: 'select count(*) from range(1000000000) a, range(1000000) b',
        complete: (err) => resolve((err ?? {}) as { code?: string }),
      });
      // Cancelled once the server runs it: a fixed delay could fire before the request even arrives on a busy machine.
      void (async () => {
        while (server.stats().runningQueries === 0) await new Promise((r) => setTimeout(r, 5));
        stmt.cancel();
      })();
    });
    expect(error.code).toBe('000604');
    const { rows } = await exec(conn, 'select 1 as ok');
    expect(rows).toEqual([{ OK: 1 }]);
  });
});
