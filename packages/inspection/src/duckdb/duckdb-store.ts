import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { defectkitHome } from '@defectkit/core/node';
import { DuckDBConnection, DuckDBDateValue, DuckDBInstance, DuckDBTimestampValue, type DuckDBAppender, type DuckDBValue } from '@duckdb/node-api';
import { InspectionError } from '../errors.js';
import type { ColumnType, SqlDialect, TableSpec } from '../inspection-schema.js';
import { SqlInspectionStore } from '../sql-inspection-store.js';
import type { SqlRunner, SqlValue } from '../sql-runner.js';

const TYPES: Record<ColumnType, string> = { text: 'VARCHAR', timestamp: 'TIMESTAMP', double: 'DOUBLE', integer: 'INTEGER', date: 'DATE' };

/** The default local log: `inspection.duckdb` under `defectkitHome()`. */
export function defaultInspectionFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(defectkitHome(env), 'inspection.duckdb');
}

const MS_PER_DAY = 86_400_000;

function toDuck(value: SqlValue): DuckDBValue {
  return value instanceof Date ? new DuckDBTimestampValue(BigInt(value.getTime()) * 1000n) : value;
}

/** Rows as the shared store expects them: BIGINT/HUGEINT as numbers, everything else as DuckDB's JS values. */
function fromDuck(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = typeof value === 'bigint' ? Number(value) : value;
  return out;
}

function append(appender: DuckDBAppender, type: ColumnType, value: SqlValue, column: string): void {
  if (value === null) return appender.appendNull();
  switch (type) {
    case 'text':
      return appender.appendVarchar(String(value));
    case 'double':
      return appender.appendDouble(Number(value));
    case 'integer':
      return appender.appendInteger(Number(value));
    case 'timestamp':
      if (!(value instanceof Date)) throw new InspectionError('INSPECTION_INPUT', `column ${column} takes a Date`, { field: column });
      return appender.appendTimestamp(new DuckDBTimestampValue(BigInt(value.getTime()) * 1000n));
    case 'date': {
      const ms = Date.parse(`${String(value)}T00:00:00Z`);
      if (Number.isNaN(ms)) throw new InspectionError('INSPECTION_INPUT', `column ${column} takes a date YYYY-MM-DD (got "${String(value)}")`, { field: column, value: String(value) });
      return appender.appendDate(new DuckDBDateValue(Math.floor(ms / MS_PER_DAY)));
    }
  }
}

/** The DuckDB driver's runner: one connection; rows appended with DuckDB's appender (the fast path). */
class DuckDbRunner implements SqlRunner {
  readonly dialect: SqlDialect = { type: (type) => TYPES[type], qualify: (name) => `"${name}"` };

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly location: string,
  ) {}

  async query(sql: string, binds: readonly SqlValue[] = []): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql, binds.map(toDuck));
    return reader.getRowObjectsJS().map(fromDuck);
  }

  async insert(table: TableSpec, rows: readonly (readonly SqlValue[])[]): Promise<void> {
    const appender = await this.connection.createAppender(table.name);
    try {
      for (const row of rows) {
        table.columns.forEach((c, i) => append(appender, c.type, row[i] ?? null, c.name));
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const result = await work();
      await this.connection.run('COMMIT');
      return result;
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Opens (creating when missing) the local inspection log: a DuckDB file, default {@link defaultInspectionFile}.
 * Tables and views are created on first use. One process at a time may hold the file (DuckDB's lock).
 *
 * @example
 * const store = await openDuckDbInspectionStore();
 * await store.log(boards);
 * console.log((await store.summary({ line: 'L1' })).yield);
 */
export async function openDuckDbInspectionStore(options: { file?: string } = {}): Promise<SqlInspectionStore> {
  const file = options.file ?? defaultInspectionFile();
  let instance: DuckDBInstance;
  try {
    if (file !== ':memory:') await mkdir(dirname(file), { recursive: true });
    instance = await DuckDBInstance.create(file);
  } catch (error) {
    throw new InspectionError('INSPECTION_STORE', `cannot open the inspection log ${file}: ${(error as Error).message}`, { store: file }, { cause: error });
  }
  const store = new SqlInspectionStore('duckdb', new DuckDbRunner(instance, await instance.connect(), file));
  await store.setup();
  return store;
}
