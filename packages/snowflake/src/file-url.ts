import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SnowflakeError } from './errors.js';

/**
 * A local path as the quoted `'file:///abs/path'` that PUT and GET take. The URL encoding leaves `'`
 * alone and the statement has no escape for it, so a path holding one is refused (`SNOWFLAKE_IDENTIFIER`).
 */
export function fileUrlSql(path: string): string {
  const url = pathToFileURL(resolve(path)).href;
  if (url.includes("'")) throw new SnowflakeError('SNOWFLAKE_IDENTIFIER', `${path}: a path with a quote cannot be transferred`, { file: path });
  return `'${url}'`;
}
