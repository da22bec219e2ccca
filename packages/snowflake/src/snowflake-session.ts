import { SnowflakeError } from './errors.js';
import { probeSnowflakeEndpoint } from './login-probe.js';
import { describeConnection, resolveConnection, secretValues, toSdkOptions, type ConnectionSettings, type ResolveConnectionOptions } from './connection-config.js';

/** A value bound to a `?` placeholder. */
export type BindValue = string | number | boolean | null;

/** A row as the driver returns it (column name → value). */
export type Row = Record<string, unknown>;

/** Options of {@link SnowflakeSession.connect}. */
export interface SnowflakeSessionOptions extends ResolveConnectionOptions {
  /** Settings already resolved (skips {@link resolveConnection}). */
  settings?: ConnectionSettings;
  /** Login attempts on network errors (the driver's default is 7, spread over 5 minutes). */
  loginRetries?: number;
  /** Fail a statement that has not answered after this many milliseconds (default: no limit). */
  statementTimeoutMs?: number;
  /**
   * Give up logging in after this many milliseconds (default: the connection's `login_timeout` in seconds, from
   * connections.toml or `SNOWFLAKE_LOGIN_TIMEOUT`, else {@link DEFAULT_LOGIN_TIMEOUT_MS}); an unreachable host then
   * fails with `SNOWFLAKE_CONNECT` instead of the driver's minutes of retries.
   */
  loginTimeoutMs?: number;
}

/** How long a login may take by default: long enough for a real account far away, short for a dead host. */
export const DEFAULT_LOGIN_TIMEOUT_MS = 10_000;

interface DriverConnection {
  connect(callback: (error: unknown, connection: unknown) => void): void;
  execute(options: { sqlText: string; binds?: unknown; complete: (error: unknown, statement: unknown, rows: Row[] | undefined) => void }): unknown;
  destroy(callback: (error: unknown) => void): void;
  isUp(): boolean;
}

interface DriverModule {
  configure(options: Record<string, unknown>): void;
  createConnection(options: Record<string, unknown>): DriverConnection;
}

let driver: Promise<DriverModule> | undefined;

/** Loads snowflake-sdk once, quietly: no platform probes of cloud metadata endpoints, no snowflake.log in the cwd. */
function loadDriver(): Promise<DriverModule> {
  driver ??= (async () => {
    process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
    process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE ??= '1';
    const module = (await import('snowflake-sdk')) as unknown as { default?: DriverModule } & DriverModule;
    const sdk = module.default ?? module;
    sdk.configure({ logLevel: 'OFF' });
    return sdk;
  })();
  return driver;
}

/** Removes every secret of the connection from a text (driver messages can echo request data). */
function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join('***');
  return out;
}

interface DriverError {
  code?: string | number;
  sqlState?: string;
  message?: string;
  data?: { queryId?: string };
  cause?: { code?: string };
}

const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'ECONNABORTED']);

/**
 * Whether the driver lost or never had a connection. A statement the server answered (it carries a SQL state) is
 * never one, even when its message mentions a network rule.
 */
function isNetworkError(error: DriverError): boolean {
  if (error.sqlState) return false;
  const text = `${error.message ?? ''} ${String(error.code ?? '')} ${error.cause?.code ?? ''}`;
  return [...networkCodes].some((code) => text.includes(code)) || /network error|socket hang up|disconnected/i.test(text);
}

/**
 * One authenticated snowflake-sdk connection with promise-based statements and typed, secret-free errors.
 *
 * @example
 * const session = await SnowflakeSession.connect({ connection: 'local' });
 * const rows = await session.execute('SELECT ? AS X', [42]);
 * await session.close();
 */
export class SnowflakeSession {
  private constructor(
    private readonly connection: DriverConnection,
    /** The resolved settings (print them with `describeConnection`). */
    readonly settings: ConnectionSettings,
    private readonly statementTimeoutMs: number | undefined,
  ) {}

  /** Resolves the connection settings and logs in. Throws `SNOWFLAKE_AUTH`, `SNOWFLAKE_CONNECT` or `SNOWFLAKE_CONFIG`. */
  static async connect(options: SnowflakeSessionOptions = {}): Promise<SnowflakeSession> {
    const settings = options.settings ?? resolveConnection(options);
    const loginTimeoutMs = options.loginTimeoutMs ?? (settings.values.login_timeout === undefined ? DEFAULT_LOGIN_TIMEOUT_MS : Number(settings.values.login_timeout) * 1000);
    const { accessUrl } = toSdkOptions(settings);
    // Before the driver: a dead host fails in seconds instead of minutes of driver retries.
    await probeSnowflakeEndpoint(typeof accessUrl === 'string' ? accessUrl : `https://${settings.values.account}.snowflakecomputing.com`, loginTimeoutMs, options.env ?? process.env);
    const sdk = await loadDriver();
    const sdkOptions: Record<string, unknown> = { ...toSdkOptions(settings), application: 'DefectKit' };
    if (options.loginRetries !== undefined) sdkOptions.sfRetryMaxLoginRetries = options.loginRetries;
    let connection: DriverConnection;
    try {
      connection = sdk.createConnection(sdkOptions);
    } catch (error) {
      throw new SnowflakeError('SNOWFLAKE_CONFIG', `invalid connection settings: ${scrub((error as Error).message, secretValues(settings))}`, {
        connection: describeConnection(settings),
      });
    }
    // connectAsync() resolves even when login fails, so wrap the callback form.
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      // The driver's own limits cannot go below 5 minutes of retries; this one bounds the whole login.
      const timer = setTimeout(() => {
        settled = true;
        connection.destroy(() => undefined);
        const host = describeConnection(settings).host ?? settings.values.account;
        reject(
          new SnowflakeError('SNOWFLAKE_CONNECT', `no answer from Snowflake at ${host} within ${loginTimeoutMs / 1000} s (raise login_timeout in the connection to wait longer)`, {
            connection: describeConnection(settings),
            timeoutMs: loginTimeoutMs,
          }),
        );
      }, loginTimeoutMs);
      connection.connect((error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!error) return resolve();
        const driverError = error as DriverError;
        const message = scrub(driverError.message ?? String(error), secretValues(settings));
        const details = { connection: describeConnection(settings), sqlCode: driverError.code ?? null };
        if (String(driverError.code) === '390100' || /incorrect username or password|authentication|JWT|token/i.test(message)) {
          reject(new SnowflakeError('SNOWFLAKE_AUTH', `Snowflake refused the credentials of connection ${settings.name ?? '(from options/environment)'} (user ${settings.values.user}): ${message}`, details));
        } else if (isNetworkError(driverError)) {
          reject(new SnowflakeError('SNOWFLAKE_CONNECT', `cannot reach Snowflake at ${describeConnection(settings).host ?? settings.values.account}: ${message}`, details));
        } else {
          reject(new SnowflakeError('SNOWFLAKE_CONNECT', `login failed: ${message}`, details));
        }
      });
    });
    return new SnowflakeSession(connection, settings, options.statementTimeoutMs);
  }

  /** Runs one statement with `?` binds (or an array of bind rows for a batched insert) and returns its rows. */
  async execute(sqlText: string, binds?: readonly BindValue[] | readonly (readonly BindValue[])[]): Promise<Row[]> {
    const run = new Promise<Row[]>((resolve, reject) => {
      this.connection.execute({
        sqlText,
        ...(binds === undefined ? {} : { binds }),
        complete: (error, _statement, rows) => {
          if (error) reject(this.sqlError(error as DriverError, sqlText));
          else resolve(rows ?? []);
        },
      });
    });
    if (this.statementTimeoutMs === undefined) return run;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SnowflakeError('SNOWFLAKE_CONNECT', `no answer from Snowflake within ${this.statementTimeoutMs} ms`, { sql: firstLine(sqlText) })),
        this.statementTimeoutMs,
      );
    });
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private sqlError(error: DriverError, sqlText: string): SnowflakeError {
    const message = scrub(error.message ?? String(error), secretValues(this.settings));
    const details = { sql: firstLine(sqlText), sqlCode: error.code ?? null, sqlState: error.sqlState ?? null, queryId: error.data?.queryId ?? null };
    if (isNetworkError(error)) return new SnowflakeError('SNOWFLAKE_CONNECT', `lost the connection to Snowflake: ${message}`, details);
    return new SnowflakeError('SNOWFLAKE_SQL', `${message} (in: ${firstLine(sqlText)})`, details);
  }

  /** Whether the session is still logged in. */
  isUp(): boolean {
    return this.connection.isUp();
  }

  /** Logs out and releases the connection (errors while logging out are ignored). */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.connection.destroy(() => resolve()));
  }
}

// Statements can be long (batched inserts); errors keep their first line, which names the statement.
function firstLine(sqlText: string): string {
  const line = sqlText.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
