// An unreachable Snowflake host fails fast with a typed SNOWFLAKE_CONNECT error: a closed loopback port, and a
// loopback port that accepts connections but never answers (the driver alone would wait 90 s per try and retry
// for 5 minutes). The login limit is configurable (option or login_timeout in connections.toml).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DefectKitError } from '@defectkit/core';
import { SnowflakeSession } from '@defectkit/snowflake';
import { cli } from './support/run-cli.js';
import { runTsx } from './support/tsx-process.js';

let silent: Server;
let silentPort: number;
let closedPort: number;
const sockets: Socket[] = [];
let home: string;

/** A port that was just free and is now closed (nothing listens on it). */
async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

beforeAll(async () => {
  silent = createServer((socket) => void sockets.push(socket)); // accepts, never answers
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  silentPort = (silent.address() as { port: number }).port;
  closedPort = await closedLoopbackPort();
  home = mkdtempSync(join(tmpdir(), 'defectkit-sf-timeout-'));
  const connection = (name: string, port: number, extra = ''): string =>
    `[${name}]\naccount = "acct"\nuser = "u"\npassword = "not-a-real-secret"\nhost = "127.0.0.1"\nport = ${port}\nprotocol = "http"\ndatabase = "DK"\nschema = "REG"\n${extra}\n`;
  writeFileSync(join(home, 'connections.toml'), connection('closed', closedPort) + connection('silent', silentPort, 'login_timeout = 1'));
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((done) => silent.close(() => done()));
  rmSync(home, { recursive: true, force: true });
});

const overrides = (port: number) => ({ account: 'acct', user: 'u', password: 'not-a-real-secret', host: '127.0.0.1', port, protocol: 'http' });

/** The error `promise` rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<DefectKitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(DefectKitError.isInstance(error), String(error)).toBe(true);
  return error as DefectKitError;
}

describe('SnowflakeSession.connect to an unreachable host', () => {
  it('a closed port: SNOWFLAKE_CONNECT naming the refusal, no secret in the error', async () => {
    const error = await rejection(SnowflakeSession.connect({ overrides: overrides(closedPort), env: {} }));
    expect(error.code).toBe('SNOWFLAKE_CONNECT');
    expect(error.message).toContain('ECONNREFUSED');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('not-a-real-secret');
  });

  it('a port that never answers: SNOWFLAKE_CONNECT after the configured limit (option)', async () => {
    const error = await rejection(SnowflakeSession.connect({ overrides: overrides(silentPort), env: {}, loginTimeoutMs: 800 }));
    expect(error).toMatchObject({ code: 'SNOWFLAKE_CONNECT', details: { timeoutMs: 800 } });
    expect(error.message).toContain('no answer within 0.8 s');
  });

  it('a port that never answers: the limit comes from login_timeout in connections.toml', async () => {
    const error = await rejection(SnowflakeSession.connect({ connection: 'silent', env: { SNOWFLAKE_HOME: home } }));
    expect(error).toMatchObject({ code: 'SNOWFLAKE_CONNECT', details: { timeoutMs: 1000 } });
  });

  it('refuses a login_timeout that is not a positive number', async () => {
    const error = await rejection(SnowflakeSession.connect({ overrides: { ...overrides(silentPort), login_timeout: 'soon' }, env: {} }));
    expect(error).toMatchObject({ code: 'SNOWFLAKE_CONFIG', details: { key: 'login_timeout' } });
  });

  it('the CLI prints the typed error without a stack trace', async () => {
    vi.stubEnv('SNOWFLAKE_HOME', home);
    try {
      for (const name of ['closed', 'silent']) {
        const run = await cli('registry', 'list', '--registry', `snowflake:${name}`);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('SNOWFLAKE_CONNECT');
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('a process that gave up on a silent host exits instead of waiting for the driver', async () => {
    const script = join(home, 'connect.mts');
    writeFileSync(
      script,
      [
        "import { SnowflakeSession } from '@defectkit/snowflake';",
        `await SnowflakeSession.connect(${JSON.stringify({ overrides: overrides(silentPort), env: {}, loginTimeoutMs: 500 })}).catch((e) => process.stdout.write(e.code));`,
      ].join('\n'),
    );
    const { code, stdout } = await runTsx([script]);
    expect(stdout).toBe('SNOWFLAKE_CONNECT');
    expect(code).toBe(0);
  });
});
