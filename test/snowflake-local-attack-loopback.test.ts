/**
 * Attack class 4: a web page reaching the loopback server (DNS rebinding, cross-origin form posts,
 * fetch with a blob). Only requests that name our loopback host and port, and carry no sign of a page
 * from elsewhere, are served; every refusal is typed and leaves no trace (no session, no database).
 */
import { existsSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnowflakeLocal, type SnowflakeLocal } from '@defectkit/snowflake-local';
import { expectGuardRefusal, expectStillServing, makeFence, rawRequest, type Fence } from '../packages/snowflake-local/test/attack-harness.js';

const LOGIN_BODY = JSON.stringify({ data: { LOGIN_NAME: 'defectkit', PASSWORD: 'defectkit' } });

describe('snowflake-local attack 4: loopback hygiene', () => {
  let fence: Fence;
  let server: SnowflakeLocal;
  let before: Map<string, string>;
  let n = 0;
  /** A login with the right credentials that would create a database if it were served. */
  const login = (headers: Record<string, string>, body = LOGIN_BODY) => {
    n++;
    return rawRequest(server, { path: `/session/v1/login-request?databaseName=PROBE_${n}`, headers: { 'content-type': 'application/json', ...headers }, body });
  };
  const probeCreated = (): boolean => existsSync(join(fence.data, 'databases', `PROBE_${n}.duckdb`));

  beforeAll(async () => {
    fence = makeFence('sfl-attack-loopback');
    server = await startSnowflakeLocal({ port: 0, dir: fence.data });
    before = fence.snapshot();
  });
  afterAll(async () => {
    await server.close();
    fence.dispose();
  });

  it('refuses every Host that is not our loopback name and port (DNS rebinding)', async () => {
    const p = server.port;
    const hosts = [
      'evil.example', `evil.example:${p}`, '127.0.0.1', `127.0.0.1:${p + 1}`, `localhost.evil.example:${p}`, `127.0.0.1.nip.io:${p}`,
      `0.0.0.0:${p}`, `2130706433:${p}`, `127.1:${p}`, `[::ffff:127.0.0.1]:${p}`, `127.0.0.2:${p}`, `localhost:${p}.evil.example`,
      `${p}`, ' ', `127.0.0.1:${p}.`, `evil.example:${p}@127.0.0.1:${p}`, `127.0.0.1:0${p}`,
    ];
    for (const host of hosts) {
      const answer = await login({ host });
      expectGuardRefusal(answer, 421, 'HTTP_HOST_REFUSED');
      expect(probeCreated()).toBe(false);
    }
    expect(server.stats().sessions).toBe(0);
  });

  it('serves the loopback names with our port', async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `LOCALHOST:${server.port}`, `[::1]:${server.port}`]) {
      const answer = await login({ host });
      expect(answer.status).toBe(200);
      expect(answer.json?.success).toBe(true);
      expect(probeCreated()).toBe(true);
    }
  });

  it('refuses browser cross-origin signals: Origin, Sec-Fetch-Site and form content types', async () => {
    const p = server.port;
    const sessions = server.stats().sessions;
    const origins = ['http://evil.example', 'null', `http://127.0.0.1:${p + 1}`, `https://127.0.0.1:${p}`, `http://localhost:${p}.evil.example`, 'file://', `http://127.0.0.1:${p}@evil.example`, ''];
    for (const origin of origins) {
      expectGuardRefusal(await login({ origin }), 403, 'HTTP_CROSS_ORIGIN');
      expect(probeCreated()).toBe(false);
    }
    for (const site of ['cross-site', 'same-site', 'CROSS-SITE']) {
      expectGuardRefusal(await login({ 'sec-fetch-site': site }), 403, 'HTTP_CROSS_ORIGIN');
      expect(probeCreated()).toBe(false);
    }
    const formTypes = ['text/plain', 'text/plain;charset=UTF-8', 'TEXT/PLAIN', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ' text/plain '];
    for (const type of formTypes) {
      expectGuardRefusal(await login({ 'content-type': type }), 415, 'HTTP_CROSS_ORIGIN');
      expect(probeCreated()).toBe(false);
    }
    // A body with no Content-Type (what fetch sends for an untyped Blob) is refused too.
    const untyped = await rawRequest(server, { path: '/session/v1/login-request?databaseName=UNTYPED', headers: {}, body: LOGIN_BODY });
    expectGuardRefusal(untyped, 415, 'HTTP_BAD_BODY');
    expect(existsSync(join(fence.data, 'databases', 'UNTYPED.duckdb'))).toBe(false);
    // A preflight is never granted.
    const preflight = await rawRequest(server, { method: 'OPTIONS', path: '/session/v1/login-request', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    // A same-origin request is served.
    expect((await login({ origin: `http://127.0.0.1:${p}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect(server.stats().sessions).toBe(sessions + 1);
  });

  it('refuses cross-origin signals on every route, before authentication', async () => {
    for (const [method, path] of [
      ['POST', '/queries/v1/query-request'],
      ['GET', '/queries/x/result'],
      ['GET', '/monitoring/queries/x'],
      ['POST', '/session/heartbeat'],
      ['POST', '/session?delete=true'],
      ['GET', '/chunks/x/0?key=y'],
      ['POST', '/telemetry/send'],
      ['GET', '/no/such/route'],
    ] as const) {
      expectGuardRefusal(await rawRequest(server, { method, path, headers: { host: `evil.example:${server.port}` } }), 421, 'HTTP_HOST_REFUSED');
      expectGuardRefusal(await rawRequest(server, { method, path, headers: { origin: 'http://evil.example' } }), 403, 'HTTP_CROSS_ORIGIN');
    }
    expect(fence.snapshot()).toEqual(before);
    await expectStillServing(server);
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && !i.internal && i.family === 'IPv4');
    const targets = ['::1', ...(external ? [external.address] : [])];
    for (const host of targets) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = tcpConnect({ host, port: server.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(outcome, host).not.toBe('connected');
    }
  });
});
