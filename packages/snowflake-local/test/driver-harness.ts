/**
 * Test harness: the REAL snowflake-sdk against a snowflake-local server on 127.0.0.1.
 * The environment switches are set before the driver is first loaded, so it never probes cloud
 * metadata endpoints, sends connection-shape telemetry or loads its native helper.
 */
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE = '1';
process.env.SNOWFLAKE_DISABLE_MINICORE = 'true';

import type { Connection, ConnectionOptions, RowStatement, FileAndStageBindStatement } from 'snowflake-sdk';
import { startSnowflakeLocal, type SnowflakeLocal, type SnowflakeLocalOptions } from '../src/index.js';

type Sdk = typeof import('snowflake-sdk');
let sdk: Sdk | undefined;

/** Loads snowflake-sdk once (after the environment above is in place) with logging off. */
export async function loadSdk(): Promise<Sdk> {
  if (!sdk) {
    const mod = (await import('snowflake-sdk')) as unknown as { default?: Sdk } & Sdk;
    sdk = mod.default ?? mod;
    sdk.configure({ logLevel: 'OFF' as never });
  }
  return sdk;
}

/** Starts a server. */
export function startServer(options: SnowflakeLocalOptions = {}): Promise<SnowflakeLocal> {
  return startSnowflakeLocal({ port: 0, ...options });
}

/** Connects with the real driver; rejects with the driver's error (connectAsync would resolve on failure). */
export async function connect(server: SnowflakeLocal, extra: Partial<ConnectionOptions> = {}): Promise<Connection> {
  const snowflake = await loadSdk();
  const conn = snowflake.createConnection({ ...server.connectionOptions, database: 'TESTDB', schema: 'PUBLIC', ...extra } as ConnectionOptions);
  await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  return conn;
}

/** Runs a statement and resolves with its rows and the statement. */
export function exec<T = Record<string, unknown>>(
  conn: Connection,
  sqlText: string,
  binds?: unknown[],
  extra: Record<string, unknown> = {},
): Promise<{ rows: T[]; stmt: RowStatement | FileAndStageBindStatement }> {
  return new Promise((resolve, reject) => {
    conn.execute({
      sqlText,
      ...(binds ? { binds: binds as never } : {}),
      ...extra,
      complete: (err, stmt, rows) => (err ? reject(err) : resolve({ rows: (rows ?? []) as T[], stmt })),
    });
  });
}

/** Streams a statement's rows (exercises chunk download). */
export function streamRows<T = Record<string, unknown>>(conn: Connection, sqlText: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const stmt = conn.execute({ sqlText, streamResult: true });
    const rows: T[] = [];
    stmt.streamRows().on('data', (r: T) => rows.push(r)).on('error', reject).on('end', () => resolve(rows));
  });
}

/** Ends a connection through the driver (POST /session?delete=true). */
export function destroy(conn: Connection): Promise<void> {
  return new Promise((resolve, reject) => conn.destroy((err) => (err ? reject(err) : resolve())));
}
