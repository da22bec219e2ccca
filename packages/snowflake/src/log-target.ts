import type { ResolveConnectionOptions } from './connection-config.js';
import { logDetections, setupDefectLogTables, type ImageDetectionsRecord } from './defect-logs.js';
import { SnowflakeError } from './errors.js';
import { SnowflakeSession } from './snowflake-session.js';
import { parseSnowflakeTarget } from './snowflake-target.js';

/** What {@link logDetectionsTo} wrote. */
export interface LogTargetSummary {
  /** Rows appended (one per detection). */
  rows: number;
  /** The table, `DB.SCHEMA.DEFECT_LOGS`. */
  table: string;
}

/**
 * The `--log snowflake[:connection]` of `defectkit detect`: connects (default or named connection),
 * creates the defect-log tables in the connection's database and schema when missing, and appends the
 * detections in batched inserts.
 *
 * @example
 * await logDetectionsTo('snowflake:prod', [{ image: 'b.jpg', detections }], { name: 'pcb-defects', version: 'local' });
 */
export async function logDetectionsTo(
  target: string,
  results: readonly ImageDetectionsRecord[],
  model: { name: string; version: string },
  options: Pick<ResolveConnectionOptions, 'env' | 'warn'> = {},
): Promise<LogTargetSummary> {
  const spec = parseSnowflakeTarget(target, 'log target');
  const session = await SnowflakeSession.connect({ ...options, ...(spec.connection === undefined ? {} : { connection: spec.connection }) });
  try {
    const { database, schema } = session.settings.values;
    if (database === undefined || schema === undefined) {
      throw new SnowflakeError('SNOWFLAKE_CONFIG', 'defect logs need a database and a schema in the connection', { key: database === undefined ? 'database' : 'schema' });
    }
    await setupDefectLogTables(session, { database, schema });
    const rows = await logDetections(session, results, model, { database, schema });
    return { rows, table: `${database}.${schema}.DEFECT_LOGS`.toUpperCase() };
  } finally {
    await session.close();
  }
}
