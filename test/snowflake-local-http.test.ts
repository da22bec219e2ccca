import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { startServer } from '../packages/snowflake-local/test/driver-harness.js';

// Wire-level checks the driver does not reach on its own (gzip bodies, bad tokens, telemetry).
describe('snowflake-local HTTP surface', () => {
  let server: SnowflakeLocal;
  let token: string;
  beforeAll(async () => {
    server = await startServer();
    const body = gzipSync(JSON.stringify({ data: { LOGIN_NAME: 'defectkit', PASSWORD: 'defectkit', ACCOUNT_NAME: 'x' } }));
    const res = await fetch(`${server.url}/session/v1/login-request?requestId=r1`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    const json = (await res.json()) as { success: boolean; data: { token: string; masterToken: string } };
    expect(json.success).toBe(true);
    token = json.data.token;
  });
  afterAll(() => server.close());

  const post = (path: string, body: unknown, auth = token): Promise<Response> =>
    fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', Authorization: `Snowflake Token="${auth}"` } });

  it('accepts gzip request bodies without a Content-Encoding header, and telemetry', async () => {
    const res = await post('/telemetry/send', { logs: [{ message: { type: 'x' } }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as { success: boolean }).success).toBe(true);
  });

  it('answers an unknown token with HTTP 401 and code 390104', async () => {
    const res = await post('/queries/v1/query-request?requestId=q1', { sqlText: 'select 1' }, 'bogus');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('390104');
  });

  it('answers unknown endpoints and wrong chunk keys with JSON 404s', async () => {
    const res = await fetch(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain('/nope');
    const chunk = await fetch(`${server.url}/chunks/00000000-0000-0000-0000-000000000000/0?key=wrong`);
    expect(chunk.status).toBe(404);
  });

  it('ends the session on delete; the token then stops working', async () => {
    const del = await post('/session?delete=true&requestId=d1', {});
    expect(((await del.json()) as { success: boolean }).success).toBe(true);
    expect(server.stats().sessions).toBe(0);
    const after = await post('/queries/v1/query-request?requestId=q2', { sqlText: 'select 1' });
    expect(after.status).toBe(401);
  });
});
