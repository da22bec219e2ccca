import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@defectkit/core/node';
import { join } from 'node:path';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { snowflakeHome, type ConnectionKey } from './connection-config.js';
import { SnowflakeError } from './errors.js';

/** The comment that marks a `connections.toml` section as written by DefectKit (only such sections are replaced). */
export const WRITTEN_BY_DEFECTKIT = '# written by defectkit snowflake-local';

/** Options of {@link writeConnection}. */
export interface WriteConnectionOptions {
  /** The environment that locates the Snowflake home (default `process.env`; `SNOWFLAKE_HOME`). */
  env?: Record<string, string | undefined>;
}

/**
 * Adds connection `name` to `$SNOWFLAKE_HOME/connections.toml` (the file every Snowflake client and DefectKit read),
 * keeping the rest of the file byte for byte. A section of that name is replaced only when DefectKit wrote it, so a
 * real account's entry is never overwritten. The file is written atomically with mode 0600 (it holds a password).
 * Returns the file's path.
 *
 * @example
 * await writeConnection('local', { account: 'snowflake_local', user: 'defectkit', password: 'defectkit', host: '127.0.0.1', port: 8765, protocol: 'http' });
 */
export async function writeConnection(name: string, values: Partial<Record<ConnectionKey, string | number>>, options: WriteConnectionOptions = {}): Promise<string> {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new SnowflakeError('SNOWFLAKE_CONFIG', `connection name "${name}" must be letters, digits, _ or -`, { key: 'connection', value: name });
  const home = snowflakeHome(options.env);
  const path = join(home, 'connections.toml');
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new SnowflakeError('SNOWFLAKE_CONFIG', `${path}: cannot read`, { file: path }, { cause: error });
  }
  const kept = withoutSection(text, name, path);
  const section = `${WRITTEN_BY_DEFECTKIT}\n${stringifyToml({ [name]: values })}`;
  const next = `${kept}${kept === '' || kept.endsWith('\n\n') ? '' : kept.endsWith('\n') ? '\n' : '\n\n'}${section.endsWith('\n') ? section : `${section}\n`}`;
  parseToml(next); // what we write must stay valid TOML
  await mkdir(home, { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, next, { mode: 0o600 });
  return path;
}

/** `text` without the `[name]` section DefectKit wrote earlier; refuses a section of that name that someone else wrote. */
function withoutSection(text: string, name: string, path: string): string {
  if (text === '') return '';
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new SnowflakeError('SNOWFLAKE_CONFIG', `${path}: not valid TOML; fix it before adding a connection`, { file: path }, { cause: error });
  }
  if (!(name in parsed)) return text;
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === `[${name}]` || line.trim() === `["${name}"]`);
  if (start < 1 || lines[start - 1]!.trim() !== WRITTEN_BY_DEFECTKIT) {
    throw new SnowflakeError('SNOWFLAKE_CONFIG', `${path} already defines connection "${name}" and DefectKit did not write it; choose another name`, { file: path, connection: name });
  }
  let end = start + 1;
  while (end < lines.length && !/^\s*\[/.test(lines[end]!) && lines[end]!.trim() !== WRITTEN_BY_DEFECTKIT) end++;
  return [...lines.slice(0, start - 1), ...lines.slice(end)].join('\n').replace(/\n{3,}/g, '\n\n');
}
