/** The column types the log uses; each store spells them in its own SQL. */
export type ColumnType = 'text' | 'timestamp' | 'double' | 'integer' | 'date';

/** One column of a log table. */
export interface ColumnSpec {
  /** The column name (upper case, as Snowflake stores unquoted names). */
  name: string;
  type: ColumnType;
}

/** One table of the log. */
export interface TableSpec {
  /** `BOARD_INSPECTIONS`, `DEFECT_LOGS` or `PCB_METADATA`. */
  name: string;
  columns: readonly ColumnSpec[];
}

const col = (name: string, type: ColumnType): ColumnSpec => ({ name, type });

/**
 * Board-level rows: one per inspected image, clean boards included (so yield can be computed). VERDICT is
 * `pass` or `fail`; DEFECT_COUNT the model's calls.
 */
export const BOARD_INSPECTIONS: TableSpec = {
  name: 'BOARD_INSPECTIONS',
  columns: [
    col('INFERENCE_ID', 'text'),
    col('BOARD_ID', 'text'),
    col('IMAGE_PATH', 'text'),
    col('TIMESTAMP', 'timestamp'),
    col('FACTORY_LINE_ID', 'text'),
    col('SHIFT', 'text'),
    col('MODEL_NAME', 'text'),
    col('MODEL_VERSION', 'text'),
    col('VERDICT', 'text'),
    col('DEFECT_COUNT', 'integer'),
    col('IMAGE_WIDTH', 'integer'),
    col('IMAGE_HEIGHT', 'integer'),
    col('INFERENCE_MS', 'double'),
  ],
};

/**
 * Defect-level rows with the seed spec's names (`timestamp`, `detected_class`, `confidence_score`,
 * `bounding_box_coordinates` as JSON text `[x1,y1,x2,y2]`), plus the review: SOURCE `model` (a call) or
 * `reviewer` (a missed defect), REVIEW_VERDICT `true_defect` / `false_call` / `missed` or NULL (not reviewed).
 * The board's line and shift are repeated here so the per-class views need no join (1 million rows: see
 * benchmarks/README.md).
 */
export const DEFECT_LOGS: TableSpec = {
  name: 'DEFECT_LOGS',
  columns: [
    col('DEFECT_ID', 'text'),
    col('INFERENCE_ID', 'text'),
    col('BOARD_ID', 'text'),
    col('TIMESTAMP', 'timestamp'),
    col('DETECTED_CLASS', 'text'),
    col('CONFIDENCE_SCORE', 'double'),
    col('BOUNDING_BOX_COORDINATES', 'text'),
    col('MODEL_NAME', 'text'),
    col('MODEL_VERSION', 'text'),
    col('FACTORY_LINE_ID', 'text'),
    col('SHIFT', 'text'),
    col('SOURCE', 'text'),
    col('REVIEW_VERDICT', 'text'),
    col('REVIEWER', 'text'),
    col('REVIEWED_AT', 'timestamp'),
  ],
};

/** The seed spec's board metadata: one row per board (the latest logged inspection's values). */
export const PCB_METADATA: TableSpec = {
  name: 'PCB_METADATA',
  columns: [col('BOARD_ID', 'text'), col('MANUFACTURING_DATE', 'date'), col('FACTORY_LINE_ID', 'text'), col('PRODUCT_TYPE', 'text')],
};

/** Every table, in creation order. */
export const LOG_TABLES: readonly TableSpec[] = [BOARD_INSPECTIONS, DEFECT_LOGS, PCB_METADATA];

/** How a store spells names and types. */
export interface SqlDialect {
  /** The SQL type of a column type. */
  type(type: ColumnType): string;
  /** The qualified name of a log table or view (e.g. `"DB"."SCHEMA"."DEFECT_LOGS"`). */
  qualify(name: string): string;
}

/** `CREATE TABLE IF NOT EXISTS` of one table (every name double-quoted, so `TIMESTAMP` is a plain column). */
export function createTableSql(table: TableSpec, dialect: SqlDialect): string {
  return `CREATE TABLE IF NOT EXISTS ${dialect.qualify(table.name)} (${table.columns.map((c) => `"${c.name}" ${dialect.type(c.type)}`).join(', ')})`;
}

/** A statement that fails when the table lacks one of its columns (a table of an older layout). */
export function probeTableSql(table: TableSpec, dialect: SqlDialect): string {
  return `SELECT ${table.columns.map((c) => `"${c.name}"`).join(', ')} FROM ${dialect.qualify(table.name)} WHERE 1 = 0`;
}
