import { DefectKitError } from '@defectkit/core';

/**
 * Connecting to or talking with Snowflake failed. `code`:
 * - `SNOWFLAKE_CONFIG`: the connection settings are incomplete or unreadable (names the file / key / variable);
 * - `SNOWFLAKE_AUTH`: the server refused the credentials;
 * - `SNOWFLAKE_CONNECT`: the server could not be reached;
 * - `SNOWFLAKE_SQL`: a statement failed (details carry the Snowflake `sqlCode`, `sqlState` and `queryId`, never bound values);
 * - `SNOWFLAKE_IDENTIFIER`: a database object name or stage location cannot be used in SQL (names the field);
 * - `SNOWFLAKE_TARGET`: a target is not `snowflake` or `snowflake:<connection>`;
 * - `SNOWFLAKE_PACKAGE_REJECTED`: the server refused the registry package of a model version;
 * - `SNOWFLAKE_UPLOAD`: a file transfer failed part-way (what was uploaded is listed).
 *
 * Secrets (password, token, private key, passphrase) never appear in the message or the details.
 */
export class SnowflakeError extends DefectKitError {}

/** An upload of a dataset or a model package did not finish; `details.uploaded` lists what reached the stage. */
export class UploadError extends SnowflakeError {}
