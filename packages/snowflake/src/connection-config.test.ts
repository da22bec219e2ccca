import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConnection, resolveConnection, secretValues, toSdkOptions } from './connection-config.js';
import { errorOfCall } from '../../../test/support/errors.js';

async function home(files: Record<string, string>, mode = 0o600): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'defectkit-sfhome-'));
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), text);
    await chmod(join(dir, name), mode);
  }
  return dir;
}

const connections = `
default_connection_name = "local"

[local]
account = "defectkit"
user = "alice"
password = "s3cret-pw"
host = "127.0.0.1"
port = 4567
protocol = "http"
database = "DK"
schema = "REG"

[keypair]
account = "acme"
user = "bob"
private_key_file = "/keys/rsa.p8"
private_key_file_pwd = "key-pass"

[pat]
account = "acme"
user = "carol"
token = "pat-token-value"
`;

describe('resolveConnection', () => {
  it('reads the default connection from $SNOWFLAKE_HOME/connections.toml, with host, port and protocol', async () => {
    const dir = await home({ 'connections.toml': connections });
    const settings = resolveConnection({ env: { SNOWFLAKE_HOME: dir } });
    expect(settings.name).toBe('local');
    expect(settings.authenticator).toBe('SNOWFLAKE');
    expect(settings.warnings).toEqual([]);
    expect(toSdkOptions(settings)).toEqual({
      account: 'defectkit',
      username: 'alice',
      authenticator: 'SNOWFLAKE',
      password: 's3cret-pw',
      accessUrl: 'http://127.0.0.1:4567',
      database: 'DK',
      schema: 'REG',
    });
  });

  it('follows the snow CLI precedence: options > SNOWFLAKE_CONNECTIONS_<NAME>_<KEY> > file > SNOWFLAKE_<KEY>', async () => {
    const dir = await home({ 'connections.toml': connections });
    const env = {
      SNOWFLAKE_HOME: dir,
      SNOWFLAKE_CONNECTIONS_LOCAL_USER: 'from-named-env',
      SNOWFLAKE_USER: 'from-generic-env',
      SNOWFLAKE_WAREHOUSE: 'WH_FROM_ENV',
      SNOWFLAKE_DATABASE: 'IGNORED_FILE_WINS',
    };
    const settings = resolveConnection({ connection: 'local', env, overrides: { schema: 'FROM_OPTION' } });
    expect(settings.values).toMatchObject({ user: 'from-named-env', warehouse: 'WH_FROM_ENV', database: 'DK', schema: 'FROM_OPTION' });
    expect(settings.sources).toMatchObject({ user: 'env:SNOWFLAKE_CONNECTIONS_LOCAL_USER', warehouse: 'env:SNOWFLAKE_WAREHOUSE', schema: 'option' });
    expect(settings.sources.database).toBe(`file:${join(dir, 'connections.toml')}`);
  });

  it('supports key-pair and programmatic access token authentication', async () => {
    const dir = await home({ 'connections.toml': connections });
    const keypair = resolveConnection({ connection: 'keypair', env: { SNOWFLAKE_HOME: dir } });
    expect(keypair.authenticator).toBe('SNOWFLAKE_JWT');
    expect(toSdkOptions(keypair)).toMatchObject({ authenticator: 'SNOWFLAKE_JWT', privateKeyPath: '/keys/rsa.p8', privateKeyPass: 'key-pass' });
    expect(toSdkOptions(keypair)).not.toHaveProperty('password');
    const pat = resolveConnection({ connection: 'pat', env: { SNOWFLAKE_HOME: dir } });
    expect(toSdkOptions(pat)).toMatchObject({ authenticator: 'PROGRAMMATIC_ACCESS_TOKEN', token: 'pat-token-value' });
    const tokenFile = join(dir, 'token.txt');
    await writeFile(tokenFile, 'token-from-file\n');
    const fromFile = resolveConnection({ env: {}, overrides: { account: 'a', user: 'u', token_file_path: tokenFile } });
    expect(toSdkOptions(fromFile)).toMatchObject({ authenticator: 'PROGRAMMATIC_ACCESS_TOKEN', token: 'token-from-file' });
  });

  it('reads [connections.<name>] from config.toml and SNOWFLAKE_DEFAULT_CONNECTION_NAME', async () => {
    const dir = await home({ 'config.toml': '[connections.prod]\naccount = "p"\nuser = "u"\npassword = "x"\n' });
    const settings = resolveConnection({ env: { SNOWFLAKE_HOME: dir, SNOWFLAKE_DEFAULT_CONNECTION_NAME: 'prod' } });
    expect(settings.name).toBe('prod');
    expect(settings.values.account).toBe('p');
  });

  it('works from environment variables alone', () => {
    const settings = resolveConnection({ env: { SNOWFLAKE_HOME: '/nonexistent-dir', SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_USER: 'u', SNOWFLAKE_PASSWORD: 'p' } });
    expect(settings.name).toBeNull();
    expect(toSdkOptions(settings)).toMatchObject({ account: 'a', username: 'u', password: 'p' });
  });

  it('masks secrets and never puts them into errors', async () => {
    const dir = await home({ 'connections.toml': connections });
    const settings = resolveConnection({ connection: 'local', env: { SNOWFLAKE_HOME: dir } });
    const described = JSON.stringify(describeConnection(settings));
    expect(described).toContain('"password":"***"');
    expect(described).not.toContain('s3cret-pw');
    expect(secretValues(settings)).toEqual(['s3cret-pw']);
    const broken = await home({ 'connections.toml': '[x]\naccount = "a"\npassword = "leaky-secret\n' });
    const error = errorOfCall(() => resolveConnection({ connection: 'x', env: { SNOWFLAKE_HOME: broken } }));
    expect(error.code).toBe('SNOWFLAKE_CONFIG');
    expect(error.message).toContain(join(broken, 'connections.toml'));
    expect(JSON.stringify(error.toJSON())).not.toContain('leaky-secret');
  });

  it('names what is missing', async () => {
    const dir = await home({ 'connections.toml': connections });
    const unknown = errorOfCall(() => resolveConnection({ connection: 'nope', env: { SNOWFLAKE_HOME: dir } }));
    expect(unknown.details).toMatchObject({ connection: 'nope' });
    const noUser = errorOfCall(() => resolveConnection({ env: {}, overrides: { account: 'a', password: 'p' } }));
    expect(noUser.details).toMatchObject({ key: 'user' });
    const noSecret = errorOfCall(() => resolveConnection({ env: {}, overrides: { account: 'a', user: 'u' } }));
    expect(noSecret.details).toMatchObject({ key: 'password' });
    expect(errorOfCall(() => resolveConnection({ env: {}, overrides: { account: 'a', user: 'u', password: 'p', protocol: 'ftp' } })).details).toMatchObject({ key: 'protocol' });
  });

  it('warns when the config file is readable by others', async () => {
    const dir = await home({ 'connections.toml': connections }, 0o644);
    const warnings: string[] = [];
    const settings = resolveConnection({ env: { SNOWFLAKE_HOME: dir }, warn: (message) => warnings.push(message) });
    expect(warnings).toEqual([`${join(dir, 'connections.toml')} is readable by other users; run: chmod 0600 ${join(dir, 'connections.toml')}`]);
    expect(settings.warnings).toEqual(warnings);
  });
});
