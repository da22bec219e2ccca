import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConnection } from './connection-config.js';
import { WRITTEN_BY_DEFECTKIT, writeConnection } from './write-connection.js';

const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));
const home = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'defectkit-sfhome-write-'));
  made.push(dir);
  return dir;
};
const local = { account: 'snowflake_local', user: 'defectkit', password: 'defectkit', host: '127.0.0.1', port: 8765, protocol: 'http', database: 'DEFECTKIT', schema: 'PUBLIC' };

describe('writeConnection', () => {
  it('creates connections.toml (mode 0600) with an entry the connection resolver reads back', async () => {
    const dir = await home();
    const file = await writeConnection('local', local, { env: { SNOWFLAKE_HOME: dir } });
    expect(file).toBe(join(dir, 'connections.toml'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const settings = resolveConnection({ connection: 'local', env: { SNOWFLAKE_HOME: dir } });
    expect(settings.values).toMatchObject({ host: '127.0.0.1', port: '8765', database: 'DEFECTKIT', user: 'defectkit' });
  });

  it("keeps the rest of the file byte for byte and replaces only its own section", async () => {
    const dir = await home();
    const theirs = '# my accounts\ndefault_connection_name = "prod"\n\n[prod]\naccount = "acme-prod"\nuser = "me"\npassword = "secret"\n';
    await writeFile(join(dir, 'connections.toml'), theirs, { mode: 0o600 });
    await writeConnection('local', local, { env: { SNOWFLAKE_HOME: dir } });
    await writeConnection('local', { ...local, port: 9999 }, { env: { SNOWFLAKE_HOME: dir } });
    const text = await readFile(join(dir, 'connections.toml'), 'utf8');
    expect(text.startsWith(theirs)).toBe(true);
    expect(text.split(WRITTEN_BY_DEFECTKIT)).toHaveLength(2);
    expect(text).toContain('port = 9999');
    expect(text).not.toContain('port = 8765');
  });

  it('refuses to overwrite a section of that name it did not write, and leaves the file alone', async () => {
    const dir = await home();
    const theirs = '[local]\naccount = "someone-else"\n';
    await writeFile(join(dir, 'connections.toml'), theirs);
    await expect(writeConnection('local', local, { env: { SNOWFLAKE_HOME: dir } })).rejects.toMatchObject({ code: 'SNOWFLAKE_CONFIG' });
    expect(await readFile(join(dir, 'connections.toml'), 'utf8')).toBe(theirs);
  });

  it('refuses a connection name that is not a plain word', async () => {
    const dir = await home();
    await expect(writeConnection('a]\n[b', local, { env: { SNOWFLAKE_HOME: dir } })).rejects.toMatchObject({ code: 'SNOWFLAKE_CONFIG' });
  });
});
