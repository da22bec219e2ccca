import type { SqlDialect, TableSpec } from './inspection-schema.js';

/** A value bound to a statement or appended to a table (dates as JS Dates, read back as Dates). */
export type SqlValue = string | number | Date | null;

/**
 * What a store driver provides to the shared {@link SqlInspectionStore}: run SQL with `?` binds, append rows,
 * and a transaction. Rows come back keyed by upper-case column names, numbers as numbers, timestamps as Dates.
 */
export interface SqlRunner {
  /** How this store spells types and qualified names. */
  readonly dialect: SqlDialect;
  /** Where the store is, for messages (a file path, `DB.SCHEMA` on a connection). */
  readonly location: string;
  /** Runs one statement and returns its rows. */
  query(sql: string, binds?: readonly SqlValue[]): Promise<Record<string, unknown>[]>;
  /** Appends rows (values in the table's column order). */
  insert(table: TableSpec, rows: readonly (readonly SqlValue[])[]): Promise<void>;
  /** Runs `work` in one transaction: all of it is written, or none. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** Releases the connection. */
  close(): Promise<void>;
}

/** `YYYY-MM-DD HH:MM:SS.fff` in UTC: a timestamp both stores read as TIMESTAMP without a time zone. */
export function timestampText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
