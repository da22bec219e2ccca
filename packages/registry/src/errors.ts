import { DefectKitError } from '@defectkit/core';

/**
 * Every registry failure. `code` tells them apart:
 * - `REGISTRY_IDENTIFIER`: a model name, version, alias or database object name is not a valid identifier;
 * - `REGISTRY_MODEL_SOURCE`: the folder given to `logModel` is not a model folder (missing or bad `model.onnx` / `model.json`);
 * - `REGISTRY_MODEL_NOT_FOUND`, `REGISTRY_VERSION_NOT_FOUND`: unknown model or version (or alias);
 * - `REGISTRY_VERSION_EXISTS`: `logModel` with a version that is already registered;
 * - `REGISTRY_INTEGRITY`: a stored file does not match the content hash recorded when it was logged;
 * - `REGISTRY_LOCKED`: another process held the registry lock for too long;
 * - `REGISTRY_EXPORT_TARGET`: `export(dir)` into a folder that is not empty;
 * - `REGISTRY_METADATA`: the registry's own metadata file is unreadable (names the file).
 */
export class RegistryError extends DefectKitError {}

/**
 * Connecting to or talking with Snowflake failed. `code`:
 * - `SNOWFLAKE_CONFIG`: the connection settings are incomplete or unreadable (names the file / key / variable);
 * - `SNOWFLAKE_AUTH`: the server refused the credentials;
 * - `SNOWFLAKE_CONNECT`: the server could not be reached;
 * - `SNOWFLAKE_SQL`: a statement failed (details carry the Snowflake `sqlCode`, `sqlState` and `queryId`, never bound values);
 * - `SNOWFLAKE_PACKAGE_REJECTED`: the server refused the registry package of a model version;
 * - `SNOWFLAKE_UPLOAD`: a file transfer failed part-way (what was uploaded is listed; nothing was registered).
 *
 * Secrets (password, token, private key, passphrase) never appear in the message or the details.
 */
export class SnowflakeError extends DefectKitError {}

/** An upload of a dataset or a model package did not finish; `details.uploaded` lists what reached the stage. */
export class UploadError extends SnowflakeError {}
