import { DefectKitError } from '@defectkit/core';

/**
 * Every registry failure. `code` tells them apart:
 * - `REGISTRY_IDENTIFIER`: a model name, version or alias is not a valid name;
 * - `REGISTRY_MODEL_SOURCE`: the folder given to `logModel` is not a model folder (missing or bad `model.onnx` / `model.json`);
 * - `REGISTRY_MODEL_NOT_FOUND`, `REGISTRY_VERSION_NOT_FOUND`: unknown model or version (or alias);
 * - `REGISTRY_VERSION_EXISTS`: `logModel` with a version that is already registered;
 * - `REGISTRY_INTEGRITY`: a stored file does not match the content hash recorded when it was logged;
 * - `REGISTRY_LOCKED`: another process held the registry lock for too long;
 * - `REGISTRY_EXPORT_TARGET`: `export(dir)` into a folder that is not empty;
 * - `REGISTRY_METADATA`: the registry's own metadata is unreadable or names a file it may not (names the file / field).
 *
 * Failures of the Snowflake connection itself are `SnowflakeError`s from `@defectkit/snowflake`.
 */
export class RegistryError extends DefectKitError {}
