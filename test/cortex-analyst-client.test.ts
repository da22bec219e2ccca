// The typed Cortex Analyst client of @defectkit/snowflake against responses in the documented shape
// (test/support/cortex-analyst/*.json), served over real HTTP: the request it sends (path, headers, body), the
// answers it parses (text, sql with the verified query used, suggestions, warnings), the documented error body, and
// answers outside the shape refused with SNOWFLAKE_CORTEX_ANALYST naming the field.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CortexAnalystClient, analystSql, parseAnalystResponse } from '@defectkit/snowflake';
import { GOLDEN_QUESTION } from '@defectkit/notebooks';
import { repoRoot } from './support/paths.js';

const recorded = (name: string): string => readFileSync(join(repoRoot, 'test', 'support', 'cortex-analyst', name), 'utf8');

let server: Server;
let base = '';
const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: unknown }[] = [];
let reply: { status: number; body: string } = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = (): CortexAnalystClient => new CortexAnalystClient({ baseUrl: base, token: 'pat-secret-123', tokenType: 'PROGRAMMATIC_ACCESS_TOKEN' });

describe('CortexAnalystClient', () => {
  it('posts the question with the documented path, headers and body, and types the SQL answer', async () => {
    reply = { status: 200, body: recorded('answer-sql.json') };
    seen.length = 0;
    const answer = await client().ask(GOLDEN_QUESTION, { semantic_model_file: '@FACTORY.LOGS.APPS/dashboard/semantic_model.yaml' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/v2/cortex/analyst/message' });
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer pat-secret-123', 'x-snowflake-authorization-token-type': 'PROGRAMMATIC_ACCESS_TOKEN', 'content-type': 'application/json' });
    expect(seen[0]!.body).toEqual({
      messages: [{ role: 'user', content: [{ type: 'text', text: GOLDEN_QUESTION }] }],
      semantic_model_file: '@FACTORY.LOGS.APPS/dashboard/semantic_model.yaml',
      stream: false,
    });
    expect(answer.request_id).toBe('75d343ee-699c-483f-83a1-e314609fb563');
    expect(answer.message.content.map((c) => c.type)).toEqual(['text', 'sql']);
    const sql = analystSql(answer)!;
    expect(sql.statement).toMatch(/^WITH __board_inspections AS/);
    expect(sql.confidence?.verified_query_used).toMatchObject({ name: 'defect_rate_per_line_last_30_days', question: GOLDEN_QUESTION, verified_at: 1796083200 });
    expect(answer.response_metadata).toMatchObject({ question_category: 'CLEAR_SQL' });
  });

  it('keeps the conversation for a follow-up: the last message must be the user\'s', async () => {
    reply = { status: 200, body: recorded('answer-suggestions.json') };
    seen.length = 0;
    const first = await client().ask('What did it cost?', { semantic_view: 'FACTORY.LOGS.INSPECTIONS' });
    expect(analystSql(first)).toBeUndefined();
    expect(first.message.content[1]).toEqual({ type: 'suggestions', suggestions: [GOLDEN_QUESTION, 'Which defect types occur most often?'] });
    expect(first.warnings).toEqual([{ message: 'Table board_inspections has 13 columns; only 11 are described in the semantic model.' }]);
    const history = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'What did it cost?' }] }, first.message];
    await client().send({ messages: [...history, { role: 'user', content: [{ type: 'text', text: GOLDEN_QUESTION }] }], semantic_view: 'FACTORY.LOGS.INSPECTIONS' });
    expect((seen[1]!.body as { messages: unknown[] }).messages).toHaveLength(3);
    await expect(client().send({ messages: history, semantic_view: 'X' })).rejects.toMatchObject({ code: 'SNOWFLAKE_CORTEX_ANALYST', details: { field: 'messages' } });
  });

  it('turns the documented error body into SNOWFLAKE_CORTEX_ANALYST without the token', async () => {
    reply = { status: 400, body: recorded('error-400.json') };
    const error = await client().ask('x', { semantic_model_file: '@FACTORY.LOGS.APPS/missing.yaml' }).catch((e: unknown) => e as Error & { code: string; details: Record<string, unknown> });
    expect(error).toMatchObject({ code: 'SNOWFLAKE_CORTEX_ANALYST', details: { status: 400, errorCode: '392700', requestId: 'f3b7a2d1-0000-4c5e-9b1e-2a2f1c9e7d10' } });
    expect(error.message).toMatch(/HTTP 400, 392700\): Semantic model file/);
    expect(JSON.stringify(error)).not.toContain('pat-secret-123');
  });

  it('refuses answers outside the documented shape, naming the field', async () => {
    reply = { status: 200, body: recorded('answer-unknown-block.json') };
    await expect(client().ask('x', { semantic_model: 'name: m' })).rejects.toMatchObject({ code: 'SNOWFLAKE_CORTEX_ANALYST', details: { field: 'message.content[0].type' } });
    reply = { status: 200, body: 'not json' };
    await expect(client().ask('x', { semantic_model: 'name: m' })).rejects.toMatchObject({ code: 'SNOWFLAKE_CORTEX_ANALYST', details: { field: 'body' } });
    const good = JSON.parse(recorded('answer-sql.json')) as { message: { content: { confidence?: { verified_query_used: { verified_at: unknown } } }[] } };
    good.message.content[1]!.confidence!.verified_query_used.verified_at = '2026-11-30';
    expect(() => parseAnalystResponse(good)).toThrow(expect.objectContaining({ details: { field: 'message.content[1].confidence.verified_query_used.verified_at' } }));
    expect(() => parseAnalystResponse({ request_id: 'r', message: { role: 'user', content: [] } })).toThrow(expect.objectContaining({ details: { field: 'message.role' } }));
    expect(() => new CortexAnalystClient({ baseUrl: 'https://acct.snowflakecomputing.com/api', token: 't', tokenType: 'OAUTH' })).toThrow(expect.objectContaining({ code: 'SNOWFLAKE_CORTEX_ANALYST' }));
  });

  it('an unreachable account is SNOWFLAKE_CONNECT', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = new CortexAnalystClient({ baseUrl: `http://127.0.0.1:${port}`, token: 't', tokenType: 'OAUTH' });
    await expect(c.ask('x', { semantic_view: 'V' })).rejects.toMatchObject({ code: 'SNOWFLAKE_CONNECT' });
  });
});
