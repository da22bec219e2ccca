export { InspectionError } from './errors.js';
export {
  CALL_VERDICTS,
  type BoardInspection,
  type BoardVerdict,
  type BoundingBox,
  type CallReview,
  type DefectCall,
  type DefectRow,
  type MissedDefect,
  type ReviewVerdict,
} from './inspection-records.js';
export { BOARD_INSPECTIONS, DEFECT_LOGS, LOG_TABLES, PCB_METADATA, createTableSql, type ColumnSpec, type ColumnType, type SqlDialect, type TableSpec } from './inspection-schema.js';
export { VIEW_NAMES, viewsSql, type ViewName } from './inspection-views.js';
export { setupStatements, type SetupStatement } from './inspection-setup.js';
export type { ClassCount, InspectionFilter, InspectionStore, InspectionSummary, LogSummary } from './inspection-store.js';
export { SqlInspectionStore } from './sql-inspection-store.js';
export { timestampText, type SqlRunner, type SqlValue } from './sql-runner.js';
export { defaultInspectionFile, openDuckDbInspectionStore } from './duckdb/duckdb-store.js';
export { openSnowflakeInspectionStore, snowflakeSetupSql, type SnowflakeInspectionStoreOptions } from './snowflake/snowflake-store.js';
export { isInspectionTarget, openInspectionStore, type OpenInspectionStoreOptions } from './open-inspection-store.js';
export { logInspections, type LoggedInspections } from './log-inspections.js';
export { BOARD_ID_FROM, boardIdOf, boardsFromDetections, type BoardIdFrom, type DetectedImage, type InspectionContext } from './board-inspections.js';
export { parseDetectJson, readDetectJson } from './detect-json.js';
export { modelFileVersion } from './model-version.js';
export { inspectionSource, type InspectionSource } from './inspection-source.js';
