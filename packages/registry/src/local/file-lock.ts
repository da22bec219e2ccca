import { link, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError } from '../errors.js';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** How long to wait for the lock before failing with `REGISTRY_LOCKED` (ms, default 30 000). */
  timeoutMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

// A lock whose owner process is gone (crash, kill -9) must not block the registry forever.
async function ownerIsGone(path: string): Promise<boolean> {
  let owner: LockOwner;
  try {
    owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    return false; // being written right now, or just released: try again
  }
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Moves a dead owner's lock out of the way. Renaming is atomic, but between our check and the rename another
 * waiter may already have taken over and written a live lock; if what we moved is live, put it back (link
 * fails when a lock exists again, so a newer lock is never overwritten).
 */
async function takeOverStaleLock(path: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else cleared it
    throw error;
  }
  if (!(await ownerIsGone(aside))) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

/**
 * Runs `action` while holding an exclusive lock file (created with O_EXCL, so two processes can never both
 * hold it). A lock left behind by a dead process on this host is taken over.
 */
export async function withFileLock<T>(path: string, action: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let delay = 5;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      try {
        const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
        await handle.writeFile(JSON.stringify(owner));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await ownerIsGone(path)) {
        await takeOverStaleLock(path);
        continue;
      }
      if (Date.now() > deadline) {
        throw new RegistryError('REGISTRY_LOCKED', `${path}: the registry is locked by another process`, { file: path });
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 200);
    }
  }
  try {
    return await action();
  } finally {
    await rm(path, { force: true });
  }
}
