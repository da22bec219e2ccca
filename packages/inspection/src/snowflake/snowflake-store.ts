import { quoteIdentifier, SnowflakeError, SnowflakeSession, type BindValue, type ResolveConnectionOptions } from '@defectkit/snowflake';
import type { ColumnType, SqlDialect, TableSpec } from '../inspection-schema.js';
import { setupStatements } from '../inspection-setup.js';
import { SqlInspectionStore } from '../sql-inspection-store.js';
import { timestampText, type SqlRunner, type SqlValue } from '../sql-runner.js';

const TYPES: Record<ColumnType, string> = { text: 'VARCHAR', timestamp: 'TIMESTAMP_NTZ', double: 'DOUBLE', integer: 'INTEGER', date: 'DATE' };

/** Rows per INSERT (array binds: one request, one row set each). */
const BATCH_ROWS = 1000;

const toBind = (value: SqlValue): BindValue => (value instanceof Date ? timestampText(value) : value);

/** Snowflake answers DATE/TIMESTAMP values as Date subclasses; the store wants plain Dates. */
function fromSnowflake(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = value instanceof Date ? new Date(value.getTime()) : value;
  return out;
}

/** How the log's SQL names tables and types in Snowflake: quoted `"DATABASE"."SCHEMA"."TABLE"`, Snowflake types. */
function snowflakeDialect(database: string, schema: string): SqlDialect {
  const prefix = schemaName(database, schema);
  return { type: (type) => TYPES[type], qualify: (name) => `${prefix}."${name}"` };
}

/** The quoted `"DATABASE"."SCHEMA"` (each part validated). */
function schemaName(database: string, schema: string): string {
  return `${quoteIdentifier(database, 'database')}.${quoteIdentifier(schema, 'schema')}`;
}

/**
 * The statements that set up the inspection log in a Snowflake schema, in order: the schema, then each table
 * and view (`name` as `DATABASE.SCHEMA.NAME`). {@link openSnowflakeInspectionStore} with `setup` runs exactly these;
 * `defectkit snowflake deploy --dry-run` prints them.
 *
 * @example
 * snowflakeSetupSql('DEFECTKIT', 'INSPECTION').map((s) => s.sql); // CREATE SCHEMA IF NOT EXISTS ..., CREATE TABLE ...
 */
export function snowflakeSetupSql(database: string, schema: string): { kind: 'SCHEMA' | 'TABLE' | 'VIEW'; name: string; sql: string }[] {
  const scope = `${database}.${schema}`.toUpperCase();
  return [
    { kind: 'SCHEMA', name: scope, sql: `CREATE SCHEMA IF NOT EXISTS ${schemaName(database, schema)}` },
    ...setupStatements(snowflakeDialect(database, schema)).map((s) => ({ ...s, name: `${scope}.${s.name}` })),
  ];
}

/** The Snowflake driver's runner: one session, tables in `database.schema`, batched bound INSERTs. */
class SnowflakeRunner implements SqlRunner {
  readonly dialect: SqlDialect;
  readonly location: string;

  constructor(
    private readonly session: SnowflakeSession,
    database: string,
    schema: string,
    private readonly ownsSession: boolean,
  ) {
    this.dialect = snowflakeDialect(database, schema);
    this.location = `${database}.${schema}`.toUpperCase();
  }

  async query(sql: string, binds: readonly SqlValue[] = []): Promise<Record<string, unknown>[]> {
    return (await this.session.execute(sql, binds.length === 0 ? undefined : binds.map(toBind))).map(fromSnowflake);
  }

  async insert(table: TableSpec, rows: readonly (readonly SqlValue[])[]): Promise<void> {
    const sql = `INSERT INTO ${this.dialect.qualify(table.name)} (${table.columns.map((c) => `"${c.name}"`).join(', ')}) VALUES (${table.columns.map(() => '?').join(', ')})`;
    for (let start = 0; start < rows.length; start += BATCH_ROWS) {
      await this.session.execute(sql, rows.slice(start, start + BATCH_ROWS).map((row) => row.map(toBind)));
    }
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.session.execute('BEGIN');
    try {
      const result = await work();
      await this.session.execute('COMMIT');
      return result;
    } catch (error) {
      await this.session.execute('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.ownsSession) await this.session.close();
  }
}

/** Options of {@link openSnowflakeInspectionStore}. */
export interface SnowflakeInspectionStoreOptions extends Pick<ResolveConnectionOptions, 'env' | 'warn'> {
  /** A connection of connections.toml (default: the default connection). Ignored when `session` is given. */
  connection?: string;
  /** An open session to use (the caller closes it); otherwise one is opened and closed with the store. */
  session?: SnowflakeSession;
  /** The database (default: the connection's). */
  database?: string;
  /** The schema (default: the connection's). */
  schema?: string;
  /**
   * Create the tables and views when missing (`defectkit snowflake setup` does). Default false: a remote log is
   * set up once, explicitly, and opening only checks the tables are there.
   */
  setup?: boolean;
}

/**
 * Opens the inspection log in a Snowflake schema (the seed spec's DEFECT_LOGS and PCB_METADATA, plus
 * BOARD_INSPECTIONS and the views) through the Snowflake client of `@defectkit/snowflake`.
 *
 * @example
 * const store = await openSnowflakeInspectionStore({ connection: 'prod' });
 */
export async function openSnowflakeInspectionStore(options: SnowflakeInspectionStoreOptions = {}): Promise<SqlInspectionStore> {
  const session =
    options.session ??
    (await SnowflakeSession.connect({
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.warn === undefined ? {} : { warn: options.warn }),
      ...(options.connection === undefined ? {} : { connection: options.connection }),
    }));
  try {
    const database = options.database ?? session.settings.values.database;
    const schema = options.schema ?? session.settings.values.schema;
    if (database === undefined || schema === undefined) {
      throw new SnowflakeError('SNOWFLAKE_CONFIG', 'the inspection log needs a database and a schema: set them in the connection or pass them', { key: database === undefined ? 'database' : 'schema' });
    }
    const runner = new SnowflakeRunner(session, database, schema, options.session === undefined);
    const store = new SqlInspectionStore('snowflake', runner);
    if (options.setup === true) {
      await session.execute(snowflakeSetupSql(database, schema).find((s) => s.kind === 'SCHEMA')!.sql);
      await store.setup();
    } else {
      await store.check();
    }
    return store;
  } catch (error) {
    if (options.session === undefined) await session.close();
    throw error;
  }
}
