import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The folder every default local path of DefectKit lives under: `$DEFECTKIT_HOME`, or `~/.defectkit` when it
 * is unset or empty (the local registry in `registry/`, the inspection log `inspection.duckdb`, ...).
 *
 * @example
 * join(defectkitHome(), 'registry'); // ~/.defectkit/registry
 */
export function defectkitHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.DEFECTKIT_HOME;
  return home !== undefined && home !== '' ? home : join(homedir(), '.defectkit');
}

/**
 * The cache folder (rebuildable files such as virtualenvs): `$DEFECTKIT_CACHE_DIR`; else `$DEFECTKIT_HOME/cache`
 * when DEFECTKIT_HOME is set, so one variable moves everything; else the XDG cache `~/.cache/defectkit`.
 */
export function defectkitCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DEFECTKIT_CACHE_DIR !== undefined && env.DEFECTKIT_CACHE_DIR !== '') return env.DEFECTKIT_CACHE_DIR;
  if (env.DEFECTKIT_HOME !== undefined && env.DEFECTKIT_HOME !== '') return join(env.DEFECTKIT_HOME, 'cache');
  return join(env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache'), 'defectkit');
}
