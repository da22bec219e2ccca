/**
 * Attack class 3: resources spent before (and after) login. Bodies are capped raw and inflated (a
 * typed 413), gzip bombs stop at the inflated cap, and LIST … PATTERN runs on a linear-time regex
 * engine, so a catastrophic pattern cannot stall the event loop that serves every other client.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'snowflake-sdk';
import { startSnowflakeLocal, type SnowflakeLocal } from '@defectkit/snowflake-local';
import {
  expectGuardRefusal,
  expectSqlFailure,
  expectStillServing,
  makeFence,
  rawLogin,
  rawQuery,
  rawRequest,
  type Fence,
} from '../packages/snowflake-local/test/attack-harness.js';
import { connect, destroy, exec } from '../packages/snowflake-local/test/driver-harness.js';

/** Gzips `size` zero bytes as a stream (the bomb is built without holding its inflated size). */
async function gzipBomb(size: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((resolve) => gz.on('end', resolve));
  const block = Buffer.alloc(1024 * 1024, 0x20); // spaces: also valid JSON whitespace once inflated
  for (let written = 0; written < size; written += block.length) {
    if (!gz.write(block)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(parts);
}

const LOGIN = '/session/v1/login-request';
const JSON_TYPE = { 'content-type': 'application/json' };

describe('snowflake-local attack 3: resource limits', () => {
  let fence: Fence;
  let server: SnowflakeLocal;
  let conn: Connection;
  let before: Map<string, string>;

  beforeAll(async () => {
    fence = makeFence('sfl-attack-limits');
    // Small limits keep the test light; the defaults are checked separately below.
    server = await startSnowflakeLocal({ port: 0, dir: fence.data, limits: { maxBodyBytes: 256 * 1024, maxInflatedBytes: 1024 * 1024 } });
    conn = await connect(server);
    before = fence.snapshot();
  });
  afterAll(async () => {
    await destroy(conn);
    await server.close();
    fence.dispose();
  });

  it('refuses an oversized body before login, declared or streamed, with a typed 413', async () => {
    const big = Buffer.alloc(300 * 1024, 0x20);
    expectGuardRefusal(await rawRequest(server, { path: LOGIN, headers: JSON_TYPE, body: big }), 413, 'HTTP_BODY_TOO_LARGE');
    expectGuardRefusal(await rawRequest(server, { path: LOGIN, headers: JSON_TYPE, body: Buffer.alloc(5 * 1024 * 1024, 0x20), chunked: true }), 413, 'HTTP_BODY_TOO_LARGE');
    for (const path of ['/queries/v1/query-request', '/session/heartbeat', '/telemetry/send', '/session/token-request', '/queries/v1/abort-request']) {
      const answer = await rawRequest(server, { path, headers: { ...JSON_TYPE, authorization: 'Snowflake Token="x"' }, body: big });
      // Unauthenticated routes refuse the body; authenticated ones refuse the token first (401) and never read it.
      expect([401, 413]).toContain(answer.status);
    }
    await expectStillServing(server);
  });

  it('stops gzip bombs at the inflated cap (login and query), and keeps serving other clients meanwhile', async () => {
    const bomb = await gzipBomb(64 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(256 * 1024);
    const token = await rawLogin(server, 'defectkit', 'defectkit');
    const attacks = Array.from({ length: 6 }, (_, i) =>
      rawRequest(server, { path: i % 2 === 0 ? LOGIN : '/queries/v1/query-request', headers: { ...JSON_TYPE, authorization: `Snowflake Token="${token}"` }, body: bomb }),
    );
    // Another client's queries complete while the bombs are being refused.
    const work = (async () => {
      for (let i = 0; i < 5; i++) expect((await exec<{ N: number }>(conn, 'select ? + 1 as n', [i])).rows).toEqual([{ N: i + 1 }]);
    })();
    const answers = await Promise.all(attacks);
    await work;
    for (const a of answers) expectGuardRefusal(a, 413, 'HTTP_BODY_TOO_LARGE');
    // Damaged gzip and non-JSON bodies are typed 400s.
    expectGuardRefusal(await rawRequest(server, { path: LOGIN, headers: JSON_TYPE, body: Buffer.concat([bomb.subarray(0, 100)]) }), 400, 'HTTP_BAD_BODY');
    expectGuardRefusal(await rawRequest(server, { path: LOGIN, headers: JSON_TYPE, body: '{"data": ' }), 400, 'HTTP_BAD_BODY');
    expect(fence.snapshot()).toEqual(before);
    await expectStillServing(server);
  });

  it('answers catastrophic LIST … PATTERN regexes at once, correctly, without blocking others', async () => {
    await exec(conn, 'create stage names');
    const token = await rawLogin(server, 'defectkit', 'defectkit');
    const nasty = `${'a'.repeat(48)}!`;
    // A file whose name is the classic input for exponential backtracking.
    const upload = mkdtempSync(join(tmpdir(), 'sfl-attack-limits-upload-'));
    writeFileSync(join(upload, nasty), 'x');
    await exec(conn, `PUT file://${join(upload, nasty)} @names AUTO_COMPRESS = FALSE`);
    rmSync(upload, { recursive: true });
    const patterns = ['(a+)+$', '(a|aa)+$', '(a|a?)+$', '(.*a){20}$', '((a*)*)*$', '(a*)*b', '([a-z]+)*$', `(${'a?'.repeat(30)})${'a'.repeat(30)}`];
    const lists = patterns.map((p) => rawQuery(server, token, `list @names pattern = '${p}'`));
    const other = exec<{ N: number }>(conn, 'select 7 as n');
    const answers = await Promise.all(lists);
    expect((await other).rows).toEqual([{ N: 7 }]);
    for (const [i, a] of answers.entries()) {
      expect(a.success, `${patterns[i]}: ${String(a.message)}`).toBe(true);
      const names = (a.data as { rowset: string[][] }).rowset.map((r) => r[0]);
      // Same answer as a backtracking engine would give, had it finished: none of these match `…!`.
      expect(names).toEqual([]);
    }
    const match = await rawQuery(server, token, "list @names pattern = '.*a+!'");
    expect((match.data as { rowset: string[][] }).rowset.map((r) => r[0])).toEqual([`names/${nasty}`]);
    // Constructs a linear-time engine cannot run, and oversized patterns, are typed errors.
    for (const p of ['(a)\\\\1', '(?=a)a', '(?<=a)b', 'a'.repeat(2000), '(']) {
      expectSqlFailure(await rawQuery(server, token, `list @names pattern = '${p}'`), ['100048']);
    }
    await expectStillServing(server);
  });
});

describe('snowflake-local attack 3: bodies held at once', () => {
  it('refuses a body that would pass the total buffer budget (503) while others are held, then recovers', async () => {
    const server = await startSnowflakeLocal({ port: 0, limits: { maxBodyBytes: 300 * 1024, maxBufferedBytes: 500 * 1024 } });
    const held: ReturnType<typeof request>[] = [];
    try {
      const piece = Buffer.alloc(200 * 1024, 0x20);
      const answers: Promise<number>[] = [];
      for (let i = 0; i < 2; i++) {
        const r = request({ host: '127.0.0.1', port: server.port, method: 'POST', path: LOGIN, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
        answers.push(new Promise((resolve) => r.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); })));
        r.on('error', () => undefined);
        r.write(piece); // sent, but the body is not finished: the server holds it
        held.push(r);
      }
      // Wait until the server holds both bodies (an outcome we poll for, not a timing assertion).
      while (server.stats().bufferedRequestBytes < 2 * piece.length) await new Promise((r) => setTimeout(r, 10));
      expectGuardRefusal(await rawRequest(server, { path: LOGIN, headers: JSON_TYPE, body: piece, chunked: true }), 503, 'HTTP_BODY_TOO_LARGE');
      for (const r of held) r.end(' {"data": {}}');
      // Once finished, the held bodies are served (as failed logins: no such user) and the budget is free again.
      expect(await Promise.all(answers)).toEqual([200, 200]);
      expect(server.stats().bufferedRequestBytes).toBe(0);
      await expectStillServing(server);
    } finally {
      for (const r of held) r.destroy();
      await server.close();
    }
  });
});

describe('snowflake-local attack 3: default limits', () => {
  it('refuses a 1 GiB gzip bomb with the default limits and stays up', async () => {
    const server = await startSnowflakeLocal({ port: 0 });
    try {
      const bomb = await gzipBomb(1024 * 1024 * 1024);
      const rssBefore = process.memoryUsage().rss;
      const answer = await rawRequest(server, { path: LOGIN, headers: JSON_TYPE, body: bomb });
      expectGuardRefusal(answer, 413, 'HTTP_BODY_TOO_LARGE');
      expect(answer.json?.message).toContain(String(64 * 1024 * 1024));
      // Inflation stopped at the 64 MiB cap: nowhere near the bomb's 1 GiB.
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 1024 * 1024);
      expectGuardRefusal(await rawRequest(server, { path: LOGIN, headers: { ...JSON_TYPE, 'content-length': String(17 * 1024 * 1024) }, body: Buffer.alloc(17 * 1024 * 1024, 0x20) }), 413, 'HTTP_BODY_TOO_LARGE');
      await expectStillServing(server);
    } finally {
      await server.close();
    }
  });
});
