import { SnowflakeError } from './errors.js';

/** A parsed Snowflake target: `snowflake` (the default connection) or `snowflake:<connection name>`. */
export interface SnowflakeTarget {
  /** The connection name from connections.toml; absent for the default connection. */
  connection?: string;
}

// Connection names as the snow CLI allows them in connections.toml table headers we write and read.
const targetPattern = /^snowflake(?::([A-Za-z0-9_.-]+))?$/;

/** Parses `snowflake` or `snowflake:<connection>`; returns null for any other text (the caller names its own field). */
export function matchSnowflakeTarget(text: string): SnowflakeTarget | null {
  const match = targetPattern.exec(text);
  if (!match) return null;
  return match[1] === undefined ? {} : { connection: match[1] };
}

/** Parses `snowflake` or `snowflake:<connection>`; throws `SNOWFLAKE_TARGET` naming `field` otherwise. */
export function parseSnowflakeTarget(text: string, field: string): SnowflakeTarget {
  const target = matchSnowflakeTarget(text);
  if (target === null) {
    throw new SnowflakeError('SNOWFLAKE_TARGET', `${field} must be snowflake or snowflake:<connection>, got ${JSON.stringify(text)}`, { field, value: text });
  }
  return target;
}
