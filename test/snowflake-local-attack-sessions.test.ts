/**
 * Attack class 6: reading or steering another session's queries. Results, status, abort and request
 * ids belong to the session that ran the statement; chunks need the unguessable key handed only to it
 * and end with the session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'snowflake-sdk';
import { startSnowflakeLocal, type SnowflakeLocal } from '@defectkit/snowflake-local';
import { expectStillServing, makeFence, rawLogin, rawQuery, rawRequest, type Fence } from '../packages/snowflake-local/test/attack-harness.js';
import { connect, destroy, exec } from '../packages/snowflake-local/test/driver-harness.js';

const auth = (token: string): Record<string, string> => ({ authorization: `Snowflake Token="${token}"`, 'content-type': 'application/json' });

describe('snowflake-local attack 6: one session cannot read another session\'s results', () => {
  let fence: Fence;
  let server: SnowflakeLocal;
  let alice: string;
  let bob: string;
  let before: Map<string, string>;

  beforeAll(async () => {
    fence = makeFence('sfl-attack-sessions');
    server = await startSnowflakeLocal({ port: 0, dir: fence.data, users: { alice: 'a-pass', bob: 'b-pass' }, inlineRows: 10, chunkRows: 50 });
    alice = await rawLogin(server, 'alice', 'a-pass');
    bob = await rawLogin(server, 'bob', 'b-pass');
    before = fence.snapshot();
  });
  afterAll(async () => {
    await server.close();
    fence.dispose();
  });

  it('refuses results, status and chunks of another session, by id and by URL', async () => {
    const secretQuery = "select range as n, 'alice-only-' || range as s from range(200)";
    const mine = await rawQuery(server, alice, secretQuery);
    const id = String((mine.data as { queryId: string }).queryId);
    const chunks = (mine.data as { chunks: { url: string }[] }).chunks;
    expect(chunks.length).toBeGreaterThan(1);
    // Another user, and another session of the same user, both get "not found".
    const alice2 = await rawLogin(server, 'alice', 'a-pass');
    for (const token of [bob, alice2]) {
      const result = await rawRequest(server, { method: 'GET', path: `/queries/${id}/result`, headers: auth(token) });
      expect(result.json).toMatchObject({ success: false, code: '000709' });
      expect(result.body).not.toContain('alice-only-');
      const status = await rawRequest(server, { method: 'GET', path: `/monitoring/queries/${id}`, headers: auth(token) });
      expect((status.json?.data as { queries: unknown[] }).queries).toEqual([]);
    }
    // The owner still reads it.
    const own = await rawRequest(server, { method: 'GET', path: `/queries/${id}/result`, headers: auth(alice) });
    expect(own.body).toContain('alice-only-');
    // Chunk URLs are capabilities: a wrong, shortened, empty or other query's key gets nothing.
    const url = new URL(chunks[0]!.url);
    const key = url.searchParams.get('key')!;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const other = await rawQuery(server, bob, 'select range as n from range(200)');
    const otherKey = new URL((other.data as { chunks: { url: string }[] }).chunks[0]!.url).searchParams.get('key')!;
    for (const k of [otherKey, key.slice(0, -1), `${key}0`, '', key.toUpperCase(), `${key.slice(0, 63)}${key[63] === 'a' ? 'b' : 'a'}`]) {
      const answer = await rawRequest(server, { method: 'GET', path: `${url.pathname}?key=${k}` });
      expect(answer.status, k).toBe(404);
    }
    expect((await rawRequest(server, { method: 'GET', path: `${url.pathname}?key=${key}` })).status).toBe(200);
    // When the session ends, its chunks go with it.
    await rawRequest(server, { path: '/session?delete=true', headers: auth(alice), body: '{}' });
    expect((await rawRequest(server, { method: 'GET', path: `${url.pathname}?key=${key}` })).status).toBe(404);
    alice = await rawLogin(server, 'alice', 'a-pass');
  });

  it('keeps request ids per session: a replayed requestId never returns another session\'s answer', async () => {
    const a = await rawQuery(server, alice, "select 'alice-secret' as v", {}, 'shared-request-id');
    expect(JSON.stringify(a)).toContain('alice-secret');
    const b = await rawQuery(server, bob, "select 'bob-value' as v", {}, 'shared-request-id');
    expect(JSON.stringify(b)).toContain('bob-value');
    expect(JSON.stringify(b)).not.toContain('alice-secret');
    // The same session retrying gets its cached answer (the retry contract still holds).
    const again = await rawQuery(server, alice, "select 'ignored' as v", {}, 'shared-request-id');
    expect(JSON.stringify(again)).toContain('alice-secret');
  });

  it('cannot abort another session\'s statement, by query id or by request id', async () => {
    // A long statement keeps the session busy, so the next one waits in its queue: that one is the target.
    const long = await rawQuery(server, alice, 'select count(*) as c from range(3000000000) a', { asyncExec: true }, 'alice-long');
    const queued = await rawQuery(server, alice, "select 'still mine' as v", { asyncExec: true }, 'alice-queued');
    const ids = [long, queued].map((a) => String((a.data as { queryId: string }).queryId));
    for (const id of ids) {
      await rawRequest(server, { path: `/queries/${id}/abort-request`, headers: auth(bob), body: '{}' });
      await rawRequest(server, { path: '/queries/v1/abort-request', headers: auth(bob), body: JSON.stringify({ queryId: id }) });
    }
    for (const requestId of ['alice-long', 'alice-queued']) {
      await rawRequest(server, { path: '/queries/v1/abort-request', headers: auth(bob), body: JSON.stringify({ requestId }) });
    }
    const results = await Promise.all(ids.map((id) => rawRequest(server, { method: 'GET', path: `/queries/${id}/result`, headers: auth(alice) })));
    expect(results.map((r) => (r.json?.data as { rowset: unknown[][] }).rowset)).toEqual([[['3000000000']], [['still mine']]]);
  });

  it('keeps sessions apart under concurrency, with the real driver', async () => {
    const conns: Connection[] = await Promise.all(
      Array.from({ length: 6 }, (_, i) => connect(server, { username: i % 2 === 0 ? 'alice' : 'bob', password: i % 2 === 0 ? 'a-pass' : 'b-pass' })),
    );
    const ids = await Promise.all(
      conns.map(async (c, i) => {
        const { rows } = await exec<{ queryId: string }>(c, `select ${i} as owner, range as n from range(120)`, undefined, { asyncExec: true });
        return (rows as unknown as { queryId: string }).queryId;
      }),
    );
    await Promise.all(
      conns.map(async (c, i) => {
        // Its own query id works; the neighbour's does not.
        const own = await c.getResultsFromQueryId({ queryId: ids[i]! });
        expect(own.getQueryId()).toBe(ids[i]);
        const neighbour = ids[(i + 1) % ids.length]!;
        const err = await c.getResultsFromQueryId({ queryId: neighbour }).then(
          () => null,
          (e: { code?: string | number }) => e,
        );
        expect(err, `session ${i} read ${neighbour}`).not.toBeNull();
      }),
    );
    await Promise.all(conns.map((c) => destroy(c)));
    expect(fence.snapshot()).toEqual(before);
    await expectStillServing(server);
  });
});
