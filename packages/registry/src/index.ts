export { RegistryError } from './errors.js';
export { canonicalName } from './registry-names.js';
export type { LogModelOptions, Metrics, ModelInfo, Registry, RegistryDetector, RegistryImageInput, RegistryModel, RegistryModelVersion, VersionDetectorOptions, VersionInfo } from './registry-types.js';
export { readModelSource, type ModelCardSummary } from './model-source.js';
export { LocalRegistry, defaultRegistryDir, type LocalRegistryOptions } from './local/local-registry.js';
export { SnowflakeRegistry, type SnowflakeRegistryOptions } from './snowflake/snowflake-registry.js';
export { RemoteDetector, mapPredictObject, type RemoteDetectorOptions, type RemoteImageInput } from './snowflake/remote-detector.js';
export { openRegistry, parseRegistrySpec, type OpenRegistryOptions, type RegistrySpec } from './open-registry.js';
