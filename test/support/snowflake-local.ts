// snowflake-local as the end-to-end tests use it: a server on loopback, a SNOWFLAKE_HOME whose `local`
// connection names it, and the connection's database and schema created, so each test starts from one call.
import { SnowflakeSession } from '@defectkit/snowflake';
import { startSnowflakeLocal, type SnowflakeLocal, type SnowflakeLocalOptions } from '@defectkit/snowflake-local';
import { snowflakeHomeFor } from '../../packages/registry/src/testing/snowflake-fixtures.js';

/** What the connection written to SNOWFLAKE_HOME names, and what is created before the test runs. */
export interface LocalSnowflakeHomeOptions {
  /** The connection's database (default `DK`). */
  database?: string;
  /** The connection's schema (default `REG`). */
  schema?: string;
  /**
   * What to create first (default `'database and schema'`): `'database'` or `'nothing'` where the test proves that
   * the code under test creates the rest itself.
   */
  create?: 'database and schema' | 'database' | 'nothing';
  /** Further statements run after the creation (a stage, say). */
  statements?: readonly string[];
}

/** A running snowflake-local and the SNOWFLAKE_HOME folder that points at it. */
export interface LocalSnowflake {
  server: SnowflakeLocal;
  home: string;
}

/** Opens a session on the `local` connection of the SNOWFLAKE_HOME folder `home` (the real snowflake-sdk). */
export function sessionFor(home: string): Promise<SnowflakeSession> {
  return SnowflakeSession.connect({ env: { SNOWFLAKE_HOME: home } });
}

/** Writes a SNOWFLAKE_HOME for the snowflake-local at `url` and creates its database and schema (see the options). */
export async function snowflakeHomeWithSchema(url: string, options: LocalSnowflakeHomeOptions = {}): Promise<string> {
  const database = options.database ?? 'DK';
  const schema = options.schema ?? 'REG';
  const create = options.create ?? 'database and schema';
  const home = await snowflakeHomeFor(url, { database, schema });
  const statements = [
    ...(create === 'nothing' ? [] : [`CREATE DATABASE IF NOT EXISTS ${database}`]),
    ...(create === 'database and schema' ? [`CREATE SCHEMA IF NOT EXISTS ${database}.${schema}`] : []),
    ...(options.statements ?? []),
  ];
  if (statements.length === 0) return home;
  const session = await sessionFor(home);
  try {
    for (const sql of statements) await session.execute(sql);
  } finally {
    await session.close();
  }
  return home;
}

/**
 * Starts snowflake-local (in memory, or in `server.dir`) and prepares a SNOWFLAKE_HOME for it with
 * {@link snowflakeHomeWithSchema}. The server is closed again if the preparation fails, so a failed
 * `beforeAll` leaves no listener behind; otherwise the caller closes it.
 */
export async function startLocalSnowflake(options: LocalSnowflakeHomeOptions & { server?: SnowflakeLocalOptions } = {}): Promise<LocalSnowflake> {
  const server = await startSnowflakeLocal(options.server);
  try {
    return { server, home: await snowflakeHomeWithSchema(server.url, options) };
  } catch (error) {
    await server.close();
    throw error;
  }
}
