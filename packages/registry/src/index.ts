export { RegistryError, SnowflakeError, UploadError } from './errors.js';
export { canonicalIdentifier, parseStageLocation, quoteIdentifier, quoteQualifiedName, type StageLocation } from './identifiers.js';
export type { LogModelOptions, Metrics, ModelInfo, Registry, RegistryDetector, RegistryImageInput, RegistryModel, RegistryModelVersion, VersionDetectorOptions, VersionInfo } from './registry-types.js';
export { readModelSource, type ModelCardSummary } from './model-source.js';
export { LocalRegistry, defaultRegistryDir, type LocalRegistryOptions } from './local/local-registry.js';
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
} from './snowflake/connection-config.js';
export { SnowflakeSession, type BindValue, type Row, type SnowflakeSessionOptions } from './snowflake/snowflake-session.js';
export { SnowflakeRegistry, type SnowflakeRegistryOptions } from './snowflake/snowflake-registry.js';
export { RemoteDetector, mapPredictObject, type RemoteDetectorOptions, type RemoteImageInput } from './snowflake/remote-detector.js';
export { defectLogTablesSql, logDetections, setupDefectLogTables, type ImageDetectionsRecord, type LogDetectionsOptions, type LogTablesLocation } from './snowflake/defect-logs.js';
export { logDetectionsTo, type LogTargetSummary } from './snowflake/log-target.js';
export { uploadDataset, type UploadDatasetOptions, type UploadProgress, type UploadSummary } from './snowflake/upload-dataset.js';
export { openRegistry, parseRegistrySpec, type OpenRegistryOptions, type RegistrySpec } from './open-registry.js';
