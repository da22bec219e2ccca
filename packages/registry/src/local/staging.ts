import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { currentProcess, decodeIdentity, encodeIdentity, processState } from './process-identity.js';

/** Options of {@link cleanStaging}. */
export interface CleanStagingOptions {
  /**
   * Entries whose owner cannot be checked from this machine (written on another host sharing the folder, or
   * by an older DefectKit) are removed only once older than this (ms, default 24 hours).
   */
  unknownOwnerMaxAgeMs?: number;
}

/**
 * A new work folder under `<registry>/.staging`, named after this process (`<identity>.<random>`), so a
 * later cleanup can tell whether its owner is still running.
 */
export async function createStagingEntry(registryDir: string, kind: 'log' | 'trash'): Promise<string> {
  const path = join(registryDir, '.staging', `${kind}.${encodeIdentity(currentProcess())}.${randomBytes(6).toString('hex')}`);
  await mkdir(path, { recursive: true });
  return path;
}

/**
 * Removes what interrupted logs and deletes left in `<registry>/.staging`: an entry goes when the process
 * that made it is provably gone (killed, exited, pid reused, rebooted), or, when that cannot be checked,
 * once it is older than `unknownOwnerMaxAgeMs`. Entries of running processes are never touched. Returns
 * the names removed.
 */
export async function cleanStaging(registryDir: string, options: CleanStagingOptions = {}): Promise<string[]> {
  const staging = join(registryDir, '.staging');
  const maxAge = options.unknownOwnerMaxAgeMs ?? 24 * 60 * 60 * 1000;
  const names = await readdir(staging).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
  const removed: string[] = [];
  for (const name of names) {
    const [, identity] = name.split('.');
    const owner = identity === undefined ? null : decodeIdentity(identity);
    const state = owner === null ? 'unknown' : processState(owner);
    if (state === 'alive') continue;
    if (state === 'unknown') {
      const info = await lstat(join(staging, name)).catch(() => null);
      if (info === null || Date.now() - info.mtimeMs <= maxAge) continue;
    }
    await rm(join(staging, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
