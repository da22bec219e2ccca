import { column, microsToSeconds, type RawValue, type RowTypeColumn } from './rowtype.js';

/** Statement type ids the driver looks at (DML is 0x3000–0x3FFF). */
export const StatementType = {
  SELECT: 0x1000,
  INSERT: 0x3100,
  UPDATE: 0x3200,
  DELETE: 0x3300,
  MERGE: 0x3400,
  USE: 0x4300,
  SHOW: 0x4400,
  DESCRIBE: 0x4100,
  DDL: 0x6000,
  TRANSACTION: 0x5000,
  PUT: 0x7000,
  GET: 0x7100,
} as const;

/** What a statement produced: typed rows, or a file-transfer descriptor (PUT/GET). */
export type StatementResult =
  | { kind: 'rows'; rowtype: RowTypeColumn[]; rows: RawValue[][]; statementTypeId: number }
  | { kind: 'transfer'; data: Record<string, unknown> };

/** A cell for {@link table}: JS values are encoded by the column type. */
export type Cell = string | number | boolean | Date | null | Record<string, unknown> | unknown[];

/** Builds a rows result from column specs `[name, snowflakeType]` and JS cells. */
export function table(columns: [string, string][], rows: Cell[][], statementTypeId: number = StatementType.SHOW): StatementResult {
  return {
    kind: 'rows',
    rowtype: columns.map(([name, type]) => column(name, type)),
    rows: rows.map((row) => row.map((cell, i) => encodeCell(cell, columns[i]![1]))),
    statementTypeId,
  };
}

function encodeCell(cell: Cell, type: string): RawValue {
  if (cell === null) return null;
  if (cell instanceof Date) return microsToSeconds(BigInt(cell.getTime()) * 1000n);
  if (typeof cell === 'boolean') return type === 'boolean' ? (cell ? '1' : '0') : String(cell);
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

/** The one-row status answer of DDL and session statements. */
export function status(message: string, statementTypeId: number = StatementType.DDL): StatementResult {
  return table([['status', 'text']], [[message]], statementTypeId);
}
