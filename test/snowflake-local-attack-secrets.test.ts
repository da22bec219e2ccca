/**
 * Attack class 5: the password. It can come from a file or an environment variable (so it is not in
 * the process arguments that `ps` shows) and is never printed: not on stdout, not on stderr, not in
 * an error answer, whatever the client sends.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { startSnowflakeLocal, type SnowflakeLocal } from '@defectkit/snowflake-local';
import { rawRequest } from '../packages/snowflake-local/test/attack-harness.js';
import { connect, destroy, exec } from '../packages/snowflake-local/test/driver-harness.js';
import { devCli, spawnTsx } from './support/tsx-process.js';

const SECRET = 'Secret-pa55word-Z9q';

interface Running {
  child: ReturnType<typeof spawnTsx>;
  out: () => string;
  lines: AsyncIterator<string>;
  exited: Promise<number | null>;
}

function startCli(args: string[], env: Record<string, string> = {}): Running {
  const child = spawnTsx([devCli, 'snowflake-local', '--port', '0', ...args], { env: { ...process.env, DEFECTKIT_SNOWFLAKE_LOCAL_PASSWORD: '', ...env }, stdin: 'pipe' });
  let all = '';
  child.stderr.on('data', (d) => (all += String(d)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const wrapped: AsyncIterator<string> = {
    next: async () => {
      const r = await lines.next();
      if (!r.done) all += `${r.value}\n`;
      return r;
    },
  };
  return { child, out: () => all, lines: wrapped, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

/** Sends every kind of hostile login a client could, with the secret inside, and returns the answers' text. */
async function hostileLogins(server: SnowflakeLocal, user: string): Promise<string> {
  const path = '/session/v1/login-request';
  const json = { 'content-type': 'application/json' };
  const answers = await Promise.all([
    rawRequest(server, { path, headers: json, body: JSON.stringify({ data: { LOGIN_NAME: user, PASSWORD: `${SECRET}x` } }) }),
    rawRequest(server, { path, headers: json, body: JSON.stringify({ data: { LOGIN_NAME: SECRET, PASSWORD: SECRET } }) }),
    rawRequest(server, { path, headers: json, body: `{"data":{"LOGIN_NAME":"${user}","PASSWORD":"${SECRET}"` }),
    rawRequest(server, { path, headers: json, body: `{"data":{"PASSWORD":"${SECRET}"}} trailing` }),
    rawRequest(server, { path, headers: json, body: gzipSync(`{"data":{"PASSWORD":"${SECRET}",}`) }),
    rawRequest(server, { path, headers: json, body: Buffer.concat([gzipSync('{"data":').subarray(0, 12), Buffer.from(SECRET)]) }),
    rawRequest(server, { path, headers: { 'content-type': 'text/plain' }, body: `{"data":{"PASSWORD":"${SECRET}"}}` }),
    rawRequest(server, { path, headers: json, body: JSON.stringify({ data: { LOGIN_NAME: user, AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN', TOKEN: `${SECRET}!` } }) }),
  ]);
  for (const a of answers) expect(a.json?.success).toBe(false);
  return answers.map((a) => a.body).join('\n');
}

describe('snowflake-local attack 5: secrets', () => {
  const work = mkdtempSync(join(tmpdir(), 'sfl-attack-secrets-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const source of ['environment', 'file', 'file-crlf'] as const) {
    it(`takes the password from the ${source}, keeps it out of ps, and never prints it`, async () => {
      const file = join(work, `pw-${source}.txt`);
      writeFileSync(file, source === 'file-crlf' ? `${SECRET}\r\nsecond line\r\n` : `${SECRET}\n`);
      const args = ['--user', 'carol', ...(source === 'environment' ? [] : ['--password-file', file])];
      const run = startCli(args, source === 'environment' ? { DEFECTKIT_SNOWFLAKE_LOCAL_PASSWORD: SECRET } : {});
      try {
        const first = (await run.lines.next()).value as string;
        const printed = JSON.parse((await run.lines.next()).value as string) as { accessUrl: string; account: string; username: string };
        expect(first, run.out()).toMatch(/^listening http:\/\/127\.0\.0\.1:\d+$/);
        expect(printed).toEqual({ accessUrl: first.slice('listening '.length), account: 'snowflake_local', username: 'carol' });
        // What `ps` shows: the process arguments.
        expect(readFileSync(`/proc/${run.child.pid}/cmdline`, 'utf8')).not.toContain(SECRET);
        const server = { connectionOptions: { ...printed, password: SECRET }, port: Number(first.split(':').pop()) } as SnowflakeLocal;
        const conn = await connect(server);
        expect((await exec(conn, 'select current_user() as u')).rows).toEqual([{ U: 'CAROL' }]);
        const wrong = await connect({ ...server, connectionOptions: { ...server.connectionOptions, password: `${SECRET}-wrong` } } as SnowflakeLocal).then(
          () => null,
          (e: Error) => e,
        );
        expect(wrong?.message).not.toContain(SECRET);
        expect(await hostileLogins(server, 'carol')).not.toContain(SECRET);
        await destroy(conn);
      } finally {
        run.child.kill('SIGTERM');
      }
      expect(await run.exited).toBe(0);
      expect(run.out()).not.toContain(SECRET);
    });
  }

  const refusals: [string, string[], Record<string, string>][] = [
    ['both a file and the environment', ['--user', 'dave', '--password-file', 'PWFILE'], { DEFECTKIT_SNOWFLAKE_LOCAL_PASSWORD: SECRET }],
    ['both --password and the environment', ['--user', 'dave', '--password', 'visible'], { DEFECTKIT_SNOWFLAKE_LOCAL_PASSWORD: SECRET }],
    ['a missing password file', ['--user', 'dave', '--password-file', join(work, 'nope', 'pw.txt')], {}],
    ['an empty password file', ['--user', 'dave', '--password-file', 'EMPTY'], {}],
    ['--user without a password', ['--user', 'dave'], {}],
  ];
  for (const [what, args, env] of refusals) {
    it(`refuses ${what} with a typed error that does not print the secret`, async () => {
      const pwFile = join(work, 'pw-refusal.txt');
      const empty = join(work, 'empty.txt');
      writeFileSync(pwFile, `${SECRET}\n`);
      writeFileSync(empty, '\n');
      const run = startCli(args.map((a) => (a === 'PWFILE' ? pwFile : a === 'EMPTY' ? empty : a)), env);
      const drained = (async () => {
        for (let r = await run.lines.next(); !r.done; r = await run.lines.next());
      })();
      expect(await run.exited).toBe(1);
      await drained;
      expect(run.out()).toContain('INVALID_OPTION');
      expect(run.out()).not.toContain(SECRET);
    });
  }

  it('library: answers to failed logins never contain the real or the offered password', async () => {
    const server = await startSnowflakeLocal({ port: 0, users: { erin: SECRET } });
    try {
      const text = await hostileLogins(server, 'erin');
      expect(text).not.toContain(SECRET);
      expect(text).toContain('390100');
      expect(text).toContain('HTTP_BAD_BODY');
    } finally {
      await server.close();
    }
  });
});
