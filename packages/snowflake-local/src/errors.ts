import { DefectKitError, type ErrorDetails } from '@defectkit/core';

/**
 * A statement failed the way Snowflake reports it: a six-digit Snowflake error code and an SQLSTATE.
 * The server turns it into an HTTP 200 `success:false` answer, which the driver raises as
 * `OperationFailedError` with the same `code` and `sqlState`.
 */
export class SnowflakeSqlError extends DefectKitError {
  /** The Snowflake error code, e.g. `002003`. */
  readonly sfCode: string;
  /** The SQLSTATE, e.g. `42S02`. */
  readonly sqlState: string;

  constructor(sfCode: string, sqlState: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super('SNOWFLAKE_SQL', message, { ...details, sfCode, sqlState }, options);
    this.sfCode = sfCode;
    this.sqlState = sqlState;
  }
}

/** The server could not start or was given a bad option (port, data dir, user list). */
export class SnowflakeLocalConfigError extends DefectKitError {
  constructor(message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super('SNOWFLAKE_LOCAL_CONFIG', message, details, options);
  }
}

/** Shorthand for the common "syntax/compilation" failure naming the construct that is not supported. */
export function unsupported(construct: string): SnowflakeSqlError {
  return new SnowflakeSqlError(
    '001003',
    '42000',
    `SQL compilation error:\nunsupported feature '${construct}' (not implemented by snowflake-local).`,
    { construct },
  );
}

/** "Object does not exist or not authorized", Snowflake's answer for a missing table, stage or model. */
export function doesNotExist(kind: string, name: string, sqlState = '02000'): SnowflakeSqlError {
  return new SnowflakeSqlError('002003', sqlState, `SQL compilation error:\n${kind} '${name}' does not exist or not authorized.`, {
    kind,
    name,
  });
}

/** A generic compilation error at the given construct. */
export function compilationError(message: string, details: ErrorDetails = {}): SnowflakeSqlError {
  return new SnowflakeSqlError('001003', '42000', `SQL compilation error:\n${message}`, details);
}
