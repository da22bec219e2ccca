import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { SnowflakeError } from './errors.js';

/** The connection keys DefectKit understands, spelled as in `connections.toml` (the snow CLI / Python connector names). */
export const connectionKeys = [
  'account',
  'user',
  'password',
  'host',
  'port',
  'protocol',
  'database',
  'schema',
  'warehouse',
  'role',
  'authenticator',
  'private_key_file',
  'private_key_file_pwd',
  'token',
  'token_file_path',
  'login_timeout',
] as const;

/** One connection key. */
export type ConnectionKey = (typeof connectionKeys)[number];

/** Connection settings as explicit options (highest precedence); same names as `connections.toml`. */
export type ConnectionOverrides = Partial<Record<ConnectionKey, string | number>>;

const secretKeys = new Set<ConnectionKey>(['password', 'private_key_file_pwd', 'token']);

/** A resolved connection: where each value came from, and which authentication it uses. */
export interface ConnectionSettings {
  /** The connection name used from the config files, or null when none was used. */
  name: string | null;
  /** The values, by key. */
  values: Partial<Record<ConnectionKey, string>>;
  /** Where each value came from: `option`, `env:<VARIABLE>` or `file:<path>`. */
  sources: Partial<Record<ConnectionKey, string>>;
  /** The authentication method. */
  authenticator: 'SNOWFLAKE' | 'SNOWFLAKE_JWT' | 'PROGRAMMATIC_ACCESS_TOKEN';
  /** Warnings to show the user (e.g. a config file readable by others). */
  warnings: string[];
}

/** Options of {@link resolveConnection}. */
export interface ResolveConnectionOptions {
  /** A connection name from `connections.toml` / `config.toml`; the default connection when omitted. */
  connection?: string;
  /** Explicit values; they win over everything else. */
  overrides?: ConnectionOverrides;
  /** The environment to read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Called once per warning (default: nothing; the settings also list them). */
  warn?: (message: string) => void;
}

/** The folder the snow CLI reads: `$SNOWFLAKE_HOME`, else `~/.snowflake`. */
export function snowflakeHome(env: Record<string, string | undefined> = process.env): string {
  const home = env.SNOWFLAKE_HOME;
  return home !== undefined && home !== '' ? home : join(homedir(), '.snowflake');
}

function readToml(path: string, warnings: string[]): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SnowflakeError('SNOWFLAKE_CONFIG', `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { file: path }, { cause: error });
  }
  // The file holds credentials: like the snow CLI, say so when others can read it (we warn, not refuse).
  if ((statSync(path).mode & 0o077) !== 0) {
    warnings.push(`${path} is readable by other users; run: chmod 0600 ${path}`);
  }
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    // smol-toml messages quote the offending line, which may hold a secret: keep only the position.
    const line = (error as { line?: number }).line;
    throw new SnowflakeError('SNOWFLAKE_CONFIG', `${path}${line === undefined ? '' : `:${line}`}: not valid TOML`, { file: path, line: line ?? null });
  }
}

function asTable(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * Resolves a Snowflake connection the way the snow CLI does. Precedence, highest first: explicit
 * `overrides`; `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>` variables; the named connection in
 * `$SNOWFLAKE_HOME/connections.toml` (`[name]`) or `config.toml` (`[connections.name]`); generic
 * `SNOWFLAKE_<KEY>` variables. Without a name, the default connection is `$SNOWFLAKE_DEFAULT_CONNECTION_NAME`,
 * else `default_connection_name` from the files, else `default`.
 *
 * @example
 * const settings = resolveConnection({ connection: 'local' });
 * describeConnection(settings); // { account: 'defectkit', password: '***', ... } (secrets masked)
 */
export function resolveConnection(options: ResolveConnectionOptions = {}): ConnectionSettings {
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  const home = snowflakeHome(env);
  const connectionsPath = join(home, 'connections.toml');
  const configPath = join(home, 'config.toml');
  const connectionsFile = readToml(connectionsPath, warnings);
  const configFile = readToml(configPath, warnings);
  const configConnections = asTable(configFile?.connections);

  const explicitName = options.connection ?? null;
  const fileDefault = [connectionsFile?.default_connection_name, configFile?.default_connection_name].find((value) => typeof value === 'string') as string | undefined;
  const name = explicitName ?? (env.SNOWFLAKE_DEFAULT_CONNECTION_NAME || undefined) ?? fileDefault ?? 'default';

  let fileTable: Record<string, unknown> | null = null;
  let filePath = '';
  if (asTable(connectionsFile?.[name])) {
    fileTable = asTable(connectionsFile![name]);
    filePath = connectionsPath;
  } else if (asTable(configConnections?.[name])) {
    fileTable = asTable(configConnections![name]);
    filePath = configPath;
  }
  if (explicitName !== null && fileTable === null) {
    throw new SnowflakeError('SNOWFLAKE_CONFIG', `connection "${explicitName}" is not defined in ${connectionsPath} or ${configPath}`, {
      connection: explicitName,
      files: [connectionsPath, configPath],
    });
  }

  const values: Partial<Record<ConnectionKey, string>> = {};
  const sources: Partial<Record<ConnectionKey, string>> = {};
  const envPrefix = `SNOWFLAKE_CONNECTIONS_${name.toUpperCase()}_`;
  for (const key of connectionKeys) {
    const candidates: Array<[unknown, string]> = [
      [options.overrides?.[key], 'option'],
      [env[`${envPrefix}${key.toUpperCase()}`], `env:${envPrefix}${key.toUpperCase()}`],
      [fileTable?.[key] ?? (key === 'private_key_file' ? fileTable?.private_key_path : undefined), `file:${filePath}`],
      [env[`SNOWFLAKE_${key.toUpperCase()}`], `env:SNOWFLAKE_${key.toUpperCase()}`],
    ];
    for (const [value, source] of candidates) {
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new SnowflakeError('SNOWFLAKE_CONFIG', `${source}: key "${key}" must be a string or a number`, { key, source });
      }
      values[key] = String(value);
      sources[key] = source;
      break;
    }
  }

  if (values.token === undefined && values.token_file_path !== undefined) {
    try {
      values.token = readFileSync(values.token_file_path, 'utf8').trim();
      sources.token = `file:${values.token_file_path}`;
    } catch (error) {
      throw new SnowflakeError('SNOWFLAKE_CONFIG', `token_file_path ${values.token_file_path}: cannot read`, { key: 'token_file_path', file: values.token_file_path }, { cause: error });
    }
  }

  const authenticator = chooseAuthenticator(values);
  for (const key of ['account', 'user'] as const) {
    if (values[key] === undefined) {
      throw new SnowflakeError(
        'SNOWFLAKE_CONFIG',
        `no Snowflake ${key}: set it in connection "${name}" of ${connectionsPath}, in ${envPrefix}${key.toUpperCase()} or SNOWFLAKE_${key.toUpperCase()}, or pass it explicitly`,
        { key, connection: name },
      );
    }
  }
  const needed: Record<ConnectionSettings['authenticator'], ConnectionKey> = { SNOWFLAKE: 'password', SNOWFLAKE_JWT: 'private_key_file', PROGRAMMATIC_ACCESS_TOKEN: 'token' };
  if (values[needed[authenticator]] === undefined) {
    throw new SnowflakeError('SNOWFLAKE_CONFIG', `authenticator ${authenticator} needs "${needed[authenticator]}" in connection "${name}"`, { key: needed[authenticator], connection: name });
  }
  if (values.port !== undefined && !/^\d{1,5}$/.test(values.port)) {
    throw new SnowflakeError('SNOWFLAKE_CONFIG', `${sources.port}: key "port" must be a port number`, { key: 'port', source: sources.port });
  }
  if (values.login_timeout !== undefined && !(Number(values.login_timeout) > 0 && Number.isFinite(Number(values.login_timeout)))) {
    throw new SnowflakeError('SNOWFLAKE_CONFIG', `${sources.login_timeout}: key "login_timeout" must be a positive number of seconds`, { key: 'login_timeout', source: sources.login_timeout });
  }
  if (values.protocol !== undefined && !/^https?$/i.test(values.protocol)) {
    throw new SnowflakeError('SNOWFLAKE_CONFIG', `${sources.protocol}: key "protocol" must be http or https`, { key: 'protocol', source: sources.protocol });
  }
  for (const warning of warnings) options.warn?.(warning);
  return { name: fileTable === null ? null : name, values, sources, authenticator, warnings };
}

function chooseAuthenticator(values: Partial<Record<ConnectionKey, string>>): ConnectionSettings['authenticator'] {
  const given = values.authenticator?.toUpperCase();
  if (given === 'SNOWFLAKE' || given === 'SNOWFLAKE_JWT' || given === 'PROGRAMMATIC_ACCESS_TOKEN') return given;
  if (given !== undefined) {
    throw new SnowflakeError('SNOWFLAKE_CONFIG', `authenticator "${values.authenticator}" is not supported (SNOWFLAKE, SNOWFLAKE_JWT, PROGRAMMATIC_ACCESS_TOKEN)`, { key: 'authenticator' });
  }
  if (values.private_key_file !== undefined) return 'SNOWFLAKE_JWT';
  if (values.password === undefined && values.token !== undefined) return 'PROGRAMMATIC_ACCESS_TOKEN';
  return 'SNOWFLAKE';
}

/** The settings with every secret replaced by `***`: safe to print or log. */
export function describeConnection(settings: ConnectionSettings): Record<string, string> {
  const out: Record<string, string> = { connection: settings.name ?? '(none)', authenticator: settings.authenticator };
  for (const [key, value] of Object.entries(settings.values) as Array<[ConnectionKey, string]>) {
    out[key] = secretKeys.has(key) ? '***' : value;
  }
  return out;
}

/** The values that must never appear in a message (for scrubbing driver errors). */
export function secretValues(settings: ConnectionSettings): string[] {
  return [...secretKeys].map((key) => settings.values[key]).filter((value): value is string => value !== undefined && value !== '');
}

/** Options for `snowflake.createConnection`, built from resolved settings. */
export function toSdkOptions(settings: ConnectionSettings): Record<string, unknown> {
  const v = settings.values;
  const sdk: Record<string, unknown> = { account: v.account, username: v.user, authenticator: settings.authenticator };
  if (v.host !== undefined) {
    const protocol = (v.protocol ?? 'https').toLowerCase();
    sdk.accessUrl = `${protocol}://${v.host}${v.port === undefined ? '' : `:${v.port}`}`;
  }
  if (v.database !== undefined) sdk.database = v.database;
  if (v.schema !== undefined) sdk.schema = v.schema;
  if (v.warehouse !== undefined) sdk.warehouse = v.warehouse;
  if (v.role !== undefined) sdk.role = v.role;
  if (settings.authenticator === 'SNOWFLAKE') sdk.password = v.password;
  if (settings.authenticator === 'SNOWFLAKE_JWT') {
    sdk.privateKeyPath = v.private_key_file;
    if (v.private_key_file_pwd !== undefined) sdk.privateKeyPass = v.private_key_file_pwd;
  }
  if (settings.authenticator === 'PROGRAMMATIC_ACCESS_TOKEN') sdk.token = v.token;
  return sdk;
}
