import { InvalidArgumentError } from '@defectkit/core';
import { matchSnowflakeTarget, type ResolveConnectionOptions } from '@defectkit/snowflake';
import { openDuckDbInspectionStore } from './duckdb/duckdb-store.js';
import type { InspectionStore } from './inspection-store.js';
import { openSnowflakeInspectionStore } from './snowflake/snowflake-store.js';

/** Options of {@link openInspectionStore}. */
export interface OpenInspectionStoreOptions extends Pick<ResolveConnectionOptions, 'env' | 'warn'> {
  /** The DuckDB file of `local` (default `$DEFECTKIT_HOME/inspection.duckdb`). */
  file?: string;
}

/** Whether `target` is one {@link openInspectionStore} accepts: `local`, `snowflake` or `snowflake:<connection>`. */
export function isInspectionTarget(target: string): boolean {
  return target === 'local' || matchSnowflakeTarget(target) !== null;
}

/**
 * Opens the inspection log a `--log` target names: `local` (the DuckDB file, set up on first use) or
 * `snowflake[:connection]` (the connection's database and schema, set up by `defectkit snowflake setup`).
 *
 * @example
 * const store = await openInspectionStore('snowflake:prod');
 */
export async function openInspectionStore(target: string, options: OpenInspectionStoreOptions = {}): Promise<InspectionStore> {
  if (target === 'local') return openDuckDbInspectionStore(options.file === undefined ? {} : { file: options.file });
  const snowflake = matchSnowflakeTarget(target);
  if (snowflake === null) {
    throw new InvalidArgumentError('INVALID_OPTION', `the log target must be local, snowflake or snowflake:<connection> (got "${target}")`, { field: 'log', value: target });
  }
  return openSnowflakeInspectionStore({
    ...(snowflake.connection === undefined ? {} : { connection: snowflake.connection }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.warn === undefined ? {} : { warn: options.warn }),
  });
}
