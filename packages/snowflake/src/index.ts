export { SnowflakeError, UploadError } from './errors.js';
export {
  canonicalIdentifier,
  isIdentifier,
  parseStageLocation,
  quoteIdentifier,
  quoteQualifiedName,
  stageLocationSql,
  type StageLocation,
} from './identifiers.js';
export {
  connectionKeys,
  describeConnection,
  resolveConnection,
  snowflakeHome,
  toSdkOptions,
  type ConnectionKey,
  type ConnectionOverrides,
  type ConnectionSettings,
  type ResolveConnectionOptions,
} from './connection-config.js';
export { SnowflakeSession, type BindValue, type Row, type SnowflakeSessionOptions } from './snowflake-session.js';
export { matchSnowflakeTarget, parseSnowflakeTarget, type SnowflakeTarget } from './snowflake-target.js';
export { fileUrlSql } from './file-url.js';
export { uploadDataset, type UploadDatasetOptions, type UploadProgress, type UploadSummary } from './upload-dataset.js';
export { WRITTEN_BY_DEFECTKIT, writeConnection, type WriteConnectionOptions } from './write-connection.js';
export {
  analystSql,
  CortexAnalystClient,
  parseAnalystResponse,
  type AnalystAuth,
  type AnalystContent,
  type AnalystMessage,
  type AnalystRequest,
  type AnalystResponse,
  type AnalystSqlContent,
  type AnalystSuggestionsContent,
  type AnalystTextContent,
  type CortexAnalystClientOptions,
  type SemanticModelSource,
  type VerifiedQueryUsed,
} from './cortex-analyst.js';
