import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds a lock or owns a staging folder: enough to tell, later and from another process, whether that
 * exact process is still running. A pid alone is not enough: after a crash the pid is reused by an
 * unrelated process, and after a reboot every pid is.
 */
export interface ProcessIdentity {
  /** `os.hostname()` of the machine. */
  host: string;
  /** The kernel boot id (`/proc/sys/kernel/random/boot_id`), or null where the system has none. */
  boot: string | null;
  /** The process id. */
  pid: number;
  /** The process start time in clock ticks after boot (`/proc/<pid>/stat` field 22), or null where unknown. */
  start: string | null;
}

function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/** The start time of `pid` in clock ticks after boot, or null when the process does not exist (or no /proc). */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces or ')': count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null; // field 22 overall = index 19 after the state field (field 3)
}

// Linux reports process start times in USER_HZ ticks, which the kernel fixes at 100 for user space.
const TICKS_PER_SECOND = 100;

function bootTimeMs(): number | null {
  try {
    const match = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return match ? Number(match[1]) * 1000 : null;
  } catch {
    return null;
  }
}

/** When `pid` started (ms since the epoch, to about a second), or null when unknown. */
export function processStartedAtMs(pid: number): number | null {
  const ticks = processStartTime(pid);
  const boot = bootTimeMs();
  return ticks === null || boot === null ? null : boot + (Number(ticks) / TICKS_PER_SECOND) * 1000;
}

let self: ProcessIdentity | undefined;

/** This process's identity (computed once). */
export function currentProcess(): ProcessIdentity {
  self ??= { host: hostname(), boot: readBootId(), pid: process.pid, start: processStartTime(process.pid) };
  return self;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

/**
 * `alive`: that exact process is still running; `gone`: it is provably not (exited, pid reused by another
 * process, or the machine rebooted since); `unknown`: it ran on another machine, so nothing can be proven.
 */
export type ProcessState = 'alive' | 'gone' | 'unknown';

/**
 * Whether the process `owner` names is still running, as far as this machine can tell. `since` (ms since the
 * epoch) is when the owner wrote its record: for records without a start time (older DefectKit versions), a
 * process that started after that moment cannot be the writer.
 */
export function processState(owner: ProcessIdentity, since?: number): ProcessState {
  const me = currentProcess();
  if (owner.host !== me.host) return 'unknown';
  if (owner.boot !== null && me.boot !== null && owner.boot !== me.boot) return 'gone';
  if (!Number.isSafeInteger(owner.pid) || owner.pid <= 0) return 'gone';
  if (!pidExists(owner.pid)) return 'gone';
  if (owner.start !== null) {
    const start = processStartTime(owner.pid);
    if (start !== null && start !== owner.start) return 'gone'; // the pid now belongs to another process
  } else if (since !== undefined) {
    const startedAt = processStartedAtMs(owner.pid);
    if (startedAt !== null && startedAt > since + 2000) return 'gone'; // started after the record was written (2 s: btime is rounded)
  }
  return 'alive';
}

/** The identity as one token safe in file names and symbolic-link targets (base64url of a JSON array). */
export function encodeIdentity(owner: ProcessIdentity): string {
  return Buffer.from(JSON.stringify([owner.host, owner.boot, owner.pid, owner.start]), 'utf8').toString('base64url');
}

/** The inverse of {@link encodeIdentity}; null for text it did not produce. */
export function decodeIdentity(text: string): ProcessIdentity | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(value) || value.length !== 4) return null;
    const [host, boot, pid, start] = value as unknown[];
    if (typeof host !== 'string' || (boot !== null && typeof boot !== 'string') || typeof pid !== 'number' || (start !== null && typeof start !== 'string')) return null;
    return { host, boot, pid, start };
  } catch {
    return null;
  }
}
