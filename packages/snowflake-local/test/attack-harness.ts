/**
 * Helpers for the attack tests (test/snowflake-local-attack-*.test.ts): a fenced folder tree whose
 * every byte is hashed before and after an attack, raw HTTP calls that bypass the driver, and the
 * shape checks for a typed refusal.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import type { SnowflakeLocal } from '../src/index.js';
import { connect, destroy, exec } from './driver-harness.js';

/**
 * A tree `outer/l1/l2/data` with sentinel files at every level and an `outside/` folder beside it:
 * the server's data dir is `data`, so `..` one, two and three times lands on watched files.
 */
export interface Fence {
  outer: string;
  data: string;
  outside: string;
  /** A sentinel file outside the data dir whose content must never leak. */
  secretFile: string;
  secret: string;
  /** Hashes of everything under `outer` except `data` (content, links, folders). */
  snapshot(): Map<string, string>;
  dispose(): void;
}

/** Builds a {@link Fence} in the system temp folder. */
export function makeFence(prefix: string): Fence {
  const outer = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const data = join(outer, 'l1', 'l2', 'data');
  const outside = join(outer, 'outside');
  mkdirSync(data, { recursive: true });
  mkdirSync(join(outside, 'nested'), { recursive: true });
  const secret = `SENTINEL-${createHash('sha256').update(outer).digest('hex').slice(0, 16)}`;
  const secretFile = join(outside, 'secret.txt');
  writeFileSync(secretFile, `${secret}\n`);
  writeFileSync(join(outside, 'nested', 'keep.bin'), Buffer.from([0, 1, 2, 3]));
  for (const dir of [outer, join(outer, 'l1'), join(outer, 'l1', 'l2')]) writeFileSync(join(dir, 'sentinel.txt'), `${dir}\n`);
  return {
    outer,
    data,
    outside,
    secretFile,
    secret,
    snapshot: () => hashTree(outer, [data]),
    dispose: () => rmSync(outer, { recursive: true, force: true }),
  };
}

/** Path → hash of every entry under `root` (links by target, never followed), leaving out `skip` subtrees. */
export function hashTree(root: string, skip: string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (skip.includes(full)) continue;
      const st = lstatSync(full);
      const key = relative(root, full);
      if (st.isSymbolicLink()) out.set(key, `link:${readlinkSync(full)}`);
      else if (st.isDirectory()) {
        out.set(key, `dir:${st.mode & 0o777}`);
        walk(full);
      } else out.set(key, `file:${st.mode & 0o777}:${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
    }
  };
  walk(root);
  return out;
}

/** A raw HTTP answer. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown> | null;
}

/** Options of {@link rawRequest}. */
export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body without Content-Length (chunked). */
  chunked?: boolean;
}

/** One HTTP request with full control of the headers (Host included); resolves even on a refused upload. */
export function rawRequest(server: SnowflakeLocal, req: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
    const headers: Record<string, string> = { host: `127.0.0.1:${server.port}`, ...req.headers };
    if (body !== undefined && !req.chunked) headers['content-length'] = String(body.length);
    const r = request({ host: '127.0.0.1', port: server.port, method: req.method ?? 'POST', path: req.path, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | null = null;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
      });
      res.on('error', reject);
    });
    // The server may close the connection after refusing a body it will not read: that is expected.
    r.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (body === undefined) r.end();
    else if (req.chunked) {
      // Write in 64 KiB pieces so the server sees a stream, not one buffer.
      let at = 0;
      const pump = (): void => {
        while (at < body.length) {
          const piece = body.subarray(at, at + 65536);
          at += piece.length;
          if (!r.write(piece)) {
            r.once('drain', pump);
            return;
          }
        }
        r.end();
      };
      pump();
    } else r.end(body);
  });
}

/** Logs in over raw HTTP; returns the session token. */
export async function rawLogin(server: SnowflakeLocal, user: string, password: string, database = 'TESTDB'): Promise<string> {
  const answer = await rawRequest(server, {
    path: `/session/v1/login-request?databaseName=${database}`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ data: { LOGIN_NAME: user, PASSWORD: password } }),
  });
  const data = answer.json?.data as { token?: string } | undefined;
  if (!data?.token) throw new Error(`login failed: ${answer.body}`);
  return data.token;
}

/** Runs SQL over raw HTTP with a session token; returns the JSON answer. */
export async function rawQuery(server: SnowflakeLocal, token: string, sqlText: string, extra: Record<string, unknown> = {}, requestId?: string): Promise<Record<string, unknown>> {
  const answer = await rawRequest(server, {
    path: `/queries/v1/query-request${requestId ? `?requestId=${requestId}` : ''}`,
    headers: { 'content-type': 'application/json', authorization: `Snowflake Token="${token}"` },
    body: JSON.stringify({ sqlText, ...extra }),
  });
  if (answer.json === null) throw new Error(`not JSON (${answer.status}): ${answer.body.slice(0, 200)}`);
  return answer.json;
}

/** Asserts a statement answer is a Snowflake-style failure (six-digit code, SQLSTATE) and returns its code. */
export function expectSqlFailure(answer: Record<string, unknown>, codes?: string[]): string {
  expect(answer.success, JSON.stringify(answer).slice(0, 300)).toBe(false);
  const code = String(answer.code);
  expect(code).toMatch(/^\d{6}$/);
  expect((answer.data as { sqlState?: string } | null)?.sqlState).toMatch(/^[0-9A-Z]{5}$/);
  if (codes) expect(codes, String(answer.message)).toContain(code);
  return code;
}

/** Asserts an HTTP refusal by the guard: the status and the typed DefectKit code in a JSON body. */
export function expectGuardRefusal(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status, answer.body.slice(0, 300)).toBe(status);
  expect(answer.json).toMatchObject({ success: false, code, data: { errorCode: code } });
}

/** Proves the server still serves a fresh driver connection end to end. */
export async function expectStillServing(server: SnowflakeLocal): Promise<void> {
  const conn = await connect(server);
  const { rows } = await exec<{ N: number }>(conn, 'select 40 + 2 as n');
  expect(rows).toEqual([{ N: 42 }]);
  await destroy(conn);
}
