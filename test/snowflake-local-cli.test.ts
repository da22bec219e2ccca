import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, destroy, exec } from '../packages/snowflake-local/test/driver-harness.js';
import { devCli, runTsx, spawnTsx } from './support/tsx-process.js';

describe('defectkit snowflake-local', () => {
  const work = mkdtempSync(join(tmpdir(), 'sfl-cli-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('prints listening <url> and the connection options, serves the driver, and stops on SIGTERM', async () => {
    const dir = join(work, 'data');
    const secret = 'pw-Secret-4711';
    writeFileSync(join(work, 'password.txt'), `${secret}\n`);
    const child = spawnTsx([devCli, 'snowflake-local', '--port', '0', '--dir', dir, '--user', 'bob', '--password-file', join(work, 'password.txt')]);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = (await lines.next()).value as string;
    const second = (await lines.next()).value as string;
    expect(first, stderr).toMatch(/^listening http:\/\/127\.0\.0\.1:\d+$/);
    const printed = JSON.parse(second) as { accessUrl: string; account: string; username: string };
    expect(printed).toEqual({ accessUrl: first.slice('listening '.length), account: 'snowflake_local', username: 'bob' });
    expect(`${first}\n${second}`).not.toContain(secret);
    const server = { connectionOptions: { ...printed, password: secret } } as Parameters<typeof connect>[0];
    const conn = await connect(server, { database: 'CLI_DB' });
    const { rows } = await exec(conn, 'select current_user() as u, 40 + 2 as n');
    expect(rows).toEqual([{ U: 'BOB', N: 42 }]);
    await destroy(conn);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dir, 'databases', 'CLI_DB.duckdb'))).toBe(true);
  });

  it('refuses a bad --port with a typed error', async () => {
    const { code, stderr } = await runTsx([devCli, 'snowflake-local', '--port', 'x1']);
    expect(code).toBe(1);
    expect(stderr).toContain('INVALID_OPTION');
    expect(stderr).toContain('--port');
  });
});
