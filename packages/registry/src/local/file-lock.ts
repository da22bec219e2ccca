import { randomBytes } from 'node:crypto';
import { lstat, readFile, readlink, rename, symlink, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError } from '../errors.js';
import { currentProcess, decodeIdentity, encodeIdentity, processState, type ProcessIdentity, type ProcessState } from './process-identity.js';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** How long to wait for a live owner before failing with `REGISTRY_LOCKED` (ms, default 30 000). */
  timeoutMs?: number;
  /**
   * A lock file this code cannot read (empty, or cut short by a full disk in an older DefectKit, which wrote
   * the owner into a regular file) counts as stale once it is this old (ms, default 10 000).
   */
  unreadableGraceMs?: number;
}

// The lock is a symbolic link whose target text names the owner: `defectkit-lock.v2.<identity>.<token>`.
// Creating a link is one atomic step that carries its content, so a lock can never exist half written
// (a full disk fails the symlink call itself, leaving nothing behind), and two creators can never both win.
const PREFIX = 'defectkit-lock.v2.';

/** What a lock file says about its owner. */
interface LockHolder {
  /** The raw link target (or file text), compared before a stale lock is removed. */
  raw: string;
  /** The owner, or null when the lock cannot be read. */
  owner: ProcessIdentity | null;
  /** Milliseconds since the lock appeared, for unreadable locks. */
  ageMs: number;
  /** For a lock without a process start time: when it was written (ms since the epoch). */
  since?: number;
}

async function readHolder(path: string): Promise<LockHolder | null> {
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const ageMs = Date.now() - info.mtimeMs;
  if (info.isSymbolicLink()) {
    const raw = await readlink(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : ''));
    if (raw === null) return null;
    const [identity] = raw.startsWith(PREFIX) ? raw.slice(PREFIX.length).split('.') : [];
    return { raw, owner: identity === undefined ? null : decodeIdentity(identity), ageMs };
  }
  // A regular file: the JSON `{ pid, host }` an older DefectKit wrote, or what a failed write left.
  const raw = await readFile(path, 'utf8').catch(() => '');
  try {
    const legacy = JSON.parse(raw) as { pid?: unknown; host?: unknown };
    if (typeof legacy.pid === 'number' && typeof legacy.host === 'string') return { raw, owner: { host: legacy.host, boot: null, pid: legacy.pid, start: null }, ageMs, since: info.mtimeMs };
  } catch {
    // unreadable: judged by age below
  }
  return { raw, owner: null, ageMs };
}

function holderState(holder: LockHolder, graceMs: number): ProcessState {
  if (holder.owner === null) return holder.ageMs > graceMs ? 'gone' : 'alive';
  return processState(holder.owner, holder.since);
}

/** The lock's current text, for the compare step before removal (null when there is no lock). */
async function currentRaw(path: string): Promise<string | null> {
  const holder = await readHolder(path);
  return holder?.raw ?? null;
}

/**
 * Removes a stale lock, but only the one judged stale: removal happens while holding `<lock>.break` (itself a
 * lock of the same kind), after checking that the lock still has the text that was judged. Only breakers
 * remove locks they do not own, and a stale lock's owner is gone, so nothing can replace the lock between
 * that check and the removal.
 */
async function breakStaleLock(path: string, stale: LockHolder, graceMs: number): Promise<boolean> {
  const breaker = `${path}.break`;
  const mine = await tryCreate(breaker);
  if (mine === null) {
    const other = await readHolder(breaker);
    if (other && holderState(other, graceMs) === 'gone') {
      // A breaker that died mid-break: move its lock aside, and put it back if it turned out not to be that one.
      const aside = `${breaker}.${randomBytes(6).toString('hex')}`;
      const movedAside = await rename(breaker, aside).then(
        () => true,
        (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
      );
      if (!movedAside) return false; // cannot move it (permissions): wait, and time out naming the lock
      const moved = await currentRaw(aside);
      if (moved !== null && moved !== other.raw) await symlink(moved, breaker).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
      return true; // try again at once
    }
    return false; // another process is breaking it: wait as for a held lock
  }
  try {
    if ((await currentRaw(path)) !== stale.raw) return true; // changed meanwhile: judge it again
    return await unlink(path).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT', // false: cannot remove it, so wait and time out
    );
  } finally {
    await releaseIfMine(breaker, mine);
  }
}

/** Creates the lock link; returns its text, or null when someone holds it. */
async function tryCreate(path: string): Promise<string | null> {
  const target = `${PREFIX}${encodeIdentity(currentProcess())}.${randomBytes(8).toString('hex')}`;
  try {
    await symlink(target, path);
    return target;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw new RegistryError('REGISTRY_LOCKED', `${path}: cannot create the lock (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file: path }, { cause: error });
  }
}

async function releaseIfMine(path: string, target: string): Promise<void> {
  // Never remove a lock that is not ours (e.g. one taken over after ours was judged stale by mistake).
  if ((await readlink(path).catch(() => null)) === target) await unlink(path).catch(() => undefined);
}

/**
 * Runs `action` while holding an exclusive lock at `path`. A lock whose owner is provably gone (the process
 * exited or was killed, its pid now belongs to another process, or the machine rebooted) is removed and
 * taken; a live owner, or one on another machine, is waited for up to `timeoutMs`, then `REGISTRY_LOCKED`
 * names it.
 */
export async function withFileLock<T>(path: string, action: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const graceMs = options.unreadableGraceMs ?? 10_000;
  let delay = 5;
  let target: string | null = null;
  for (;;) {
    target = await tryCreate(path);
    if (target !== null) break;
    const holder = await readHolder(path);
    if (holder === null) continue; // released meanwhile
    const state = holderState(holder, graceMs);
    // A breaker that is alive but stopped must not make this loop spin: then wait like for a held lock.
    if (state === 'gone' && (await breakStaleLock(path, holder, graceMs))) continue;
    if (Date.now() > deadline) {
      const owner = holder.owner;
      throw new RegistryError(
        'REGISTRY_LOCKED',
        `${path}: the registry is locked by ${owner ? `process ${owner.pid} on ${owner.host}` : 'an unreadable lock'}${state === 'unknown' ? ' (another machine: remove the lock by hand if that process is gone)' : ''}`,
        { file: path, pid: owner?.pid ?? null, host: owner?.host ?? null, state },
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 200);
  }
  try {
    return await action();
  } finally {
    await releaseIfMine(path, target);
  }
}
