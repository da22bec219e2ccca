import { randomUUID } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { Detection } from '@defectkit/core';
import { quoteIdentifier } from './identifiers.js';
import type { BindValue, SnowflakeSession } from './snowflake-session.js';

/** Where the defect-log tables live. */
export interface LogTablesLocation {
  /** The database. */
  database: string;
  /** The schema. */
  schema: string;
}

/** The statements `defectkit snowflake setup` runs: the DEFECT_LOGS and PCB_METADATA tables. */
export function defectLogTablesSql(location: LogTablesLocation): string[] {
  const schema = `${quoteIdentifier(location.database, 'database')}.${quoteIdentifier(location.schema, 'schema')}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${schema}."DEFECT_LOGS" (INFERENCE_ID VARCHAR, BOARD_ID VARCHAR, TS TIMESTAMP_NTZ, DETECTED_CLASS VARCHAR, CONFIDENCE FLOAT, X1 FLOAT, Y1 FLOAT, X2 FLOAT, Y2 FLOAT, MODEL_NAME VARCHAR, MODEL_VERSION VARCHAR)`,
    `CREATE TABLE IF NOT EXISTS ${schema}."PCB_METADATA" (BOARD_ID VARCHAR, MANUFACTURING_DATE DATE, FACTORY_LINE_ID VARCHAR, PRODUCT_TYPE VARCHAR)`,
  ];
}

/** Creates the defect-log tables when missing. */
export async function setupDefectLogTables(session: SnowflakeSession, location: LogTablesLocation): Promise<void> {
  await session.execute(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(location.database, 'database')}.${quoteIdentifier(location.schema, 'schema')}`);
  for (const sql of defectLogTablesSql(location)) await session.execute(sql);
}

/** The detections of one image, as `defectkit detect` produces them. */
export interface ImageDetectionsRecord {
  /** The image path or name; its file stem is the BOARD_ID unless `boardId` is given. */
  image: string;
  /** The board id (default: the image file name without extension). */
  boardId?: string;
  /** The detections. */
  detections: readonly Detection[];
}

/** Options of {@link logDetections}. */
export interface LogDetectionsOptions extends LogTablesLocation {
  /** Rows per INSERT statement (default 1000). */
  batchRows?: number;
  /** The time stamp written to TS (default: now). */
  at?: Date;
}

/**
 * Appends detections to DEFECT_LOGS with batched, bound INSERTs: one row per detection, one INFERENCE_ID
 * per image. Returns the number of rows written.
 *
 * @example
 * await logDetections(session, [{ image: 'b1.jpg', detections }], { name: 'PCB_DEFECTS', version: 'V1' }, { database: 'ML', schema: 'PCB' });
 */
export async function logDetections(
  session: SnowflakeSession,
  results: readonly ImageDetectionsRecord[],
  model: { name: string; version: string },
  options: LogDetectionsOptions,
): Promise<number> {
  const table = `${quoteIdentifier(options.database, 'database')}.${quoteIdentifier(options.schema, 'schema')}."DEFECT_LOGS"`;
  // TIMESTAMP_NTZ from text: 'YYYY-MM-DD HH:MM:SS.fff' in UTC.
  const ts = (options.at ?? new Date()).toISOString().replace('T', ' ').replace('Z', '');
  const rows: BindValue[][] = [];
  for (const result of results) {
    const inferenceId = randomUUID();
    const boardId = result.boardId ?? basename(result.image, extname(result.image));
    for (const d of result.detections) rows.push([inferenceId, boardId, ts, d.label, d.score, d.x1, d.y1, d.x2, d.y2, model.name, model.version]);
  }
  const batch = Math.max(1, options.batchRows ?? 1000);
  for (let start = 0; start < rows.length; start += batch) {
    await session.execute(
      `INSERT INTO ${table} (INFERENCE_ID, BOARD_ID, TS, DETECTED_CLASS, CONFIDENCE, X1, Y1, X2, Y2, MODEL_NAME, MODEL_VERSION) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      rows.slice(start, start + batch),
    );
  }
  return rows.length;
}
