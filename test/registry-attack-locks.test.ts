import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { lutimes, mkdir, mkdtemp, readdir, readFile, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalRegistry } from '@defectkit/registry';
import { withFileLock } from '../packages/registry/src/local/file-lock.js';
import { currentProcess, encodeIdentity, processStartTime } from '../packages/registry/src/local/process-identity.js';
import { sampleOnnx, writeModelFolder } from '../packages/registry/src/local/testing/model-folder.js';
import { treeDigest } from '../packages/registry/src/testing/tree-digest.js';
import { repoRoot } from './support/paths.js';
import { spawnTsx } from './support/tsx-process.js';
import { errorOf } from './support/errors.js';

// Item 8 of the hardening issue: a lock left by a failed write, a killed process or naming a live but
// unrelated process must not block the registry; interrupted logs must not leave .staging behind.
// Every child here is a real process; nothing waits on a clock to decide an outcome (waits are for states).

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Runs a TypeScript child with `node --import tsx` (one process, so SIGKILL hits the process that holds things). */
function child(script: string, args: string[]): ChildProcess {
  const proc = spawnTsx([join(repoRoot, 'packages', 'registry', 'src', 'local', 'testing', script), ...args]);
  children.push(proc);
  return proc;
}

async function lineFrom(proc: ChildProcess, expected: string): Promise<void> {
  let text = '';
  let errors = '';
  proc.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  for await (const chunk of proc.stdout!) {
    text += (chunk as Buffer).toString();
    if (text.includes(`${expected}\n`)) return;
  }
  throw new Error(`child exited without printing ${expected}: ${errors}`);
}

async function killHard(proc: ChildProcess): Promise<void> {
  const exited = once(proc, 'exit');
  proc.kill('SIGKILL');
  await exited;
}

async function arena(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'defectkit-lock-attack-'));
}

/** A lock link in the format withFileLock writes, naming an arbitrary owner. */
async function plantLock(path: string, owner: { host?: string; boot?: string | null; pid: number; start: string | null }): Promise<void> {
  const me = currentProcess();
  const identity = encodeIdentity({ host: owner.host ?? me.host, boot: owner.boot === undefined ? me.boot : owner.boot, pid: owner.pid, start: owner.start });
  await symlink(`defectkit-lock.v2.${identity}.0123456789abcdef`, path);
}

describe('registry locks: stale ones are recovered, live ones respected', () => {
  it('takes over the lock of a process killed with SIGKILL while holding it', async () => {
    const dir = await arena();
    const lock = join(dir, 'registry.lock');
    const holder = child('hold-lock-child.ts', [lock]);
    await lineFrom(holder, 'locked');
    expect((await readlink(lock)).startsWith('defectkit-lock.v2.')).toBe(true);
    // While it lives, the lock holds.
    const held = await errorOf(withFileLock(lock, async () => 'never', { timeoutMs: 200 }));
    expect([held.code, held.details.pid, held.details.state]).toEqual(['REGISTRY_LOCKED', holder.pid, 'alive']);
    await killHard(holder);
    expect(await withFileLock(lock, async () => 'ran', { timeoutMs: 60_000 })).toBe('ran');
    expect(await readdir(dir)).toEqual([]);
  });

  it('treats a lock naming a live but unrelated process (reused pid) as stale, in the current and the old format', async () => {
    const dir = await arena();
    const sleeper = spawn('sleep', ['600']);
    children.push(sleeper);
    await once(sleeper, 'spawn');
    const start = processStartTime(sleeper.pid!);
    expect(start).not.toBeNull();
    // Current format: same pid, another start time.
    await plantLock(join(dir, 'a.lock'), { pid: sleeper.pid!, start: String(Number(start) + 12345) });
    expect(await withFileLock(join(dir, 'a.lock'), async () => 'ran', { timeoutMs: 60_000 })).toBe('ran');
    // Old format ({ pid, host } in a regular file) written before that process started.
    await writeFile(join(dir, 'b.lock'), JSON.stringify({ pid: sleeper.pid, host: hostname(), since: 'earlier' }));
    const earlier = new Date(Date.now() - 3_600_000);
    await utimes(join(dir, 'b.lock'), earlier, earlier);
    expect(await withFileLock(join(dir, 'b.lock'), async () => 'ran', { timeoutMs: 60_000 })).toBe('ran');
    // Another boot of this machine: every process of that boot is gone.
    await plantLock(join(dir, 'c.lock'), { pid: process.pid, start: currentProcess().start, boot: '00000000-0000-0000-0000-000000000000' });
    expect(await withFileLock(join(dir, 'c.lock'), async () => 'ran', { timeoutMs: 60_000 })).toBe('ran');
    // A pid that does not exist (above the kernel's pid_max).
    await plantLock(join(dir, 'd.lock'), { pid: 2 ** 22 + 1, start: '1' });
    expect(await withFileLock(join(dir, 'd.lock'), async () => 'ran', { timeoutMs: 60_000 })).toBe('ran');
    expect(await readdir(dir)).toEqual([]);
  });

  it('waits for (and finally names) a live owner, an owner on another machine, and a fresh unreadable lock; never removes them', async () => {
    const dir = await arena();
    const cases: [string, () => Promise<void>, string][] = [
      ['self.lock', () => plantLock(join(dir, 'self.lock'), { pid: process.pid, start: currentProcess().start }), 'alive'],
      ['remote.lock', () => plantLock(join(dir, 'remote.lock'), { host: 'another-host.example', pid: 1, start: '1' }), 'unknown'],
      // Dated in the future, so no machine stall can age it past the grace period during the test.
      ['empty.lock', async () => { await writeFile(join(dir, 'empty.lock'), ''); const later = new Date(Date.now() + 3_600_000); await utimes(join(dir, 'empty.lock'), later, later); }, 'alive'],
    ];
    for (const [name, plant, state] of cases) {
      await plant();
      const before = await treeDigest(dir);
      const error = await errorOf(withFileLock(join(dir, name), async () => 'never', { timeoutMs: 150 }));
      expect([name, error.code, error.details.state]).toEqual([name, 'REGISTRY_LOCKED', state]);
      expect(await treeDigest(dir)).toEqual(before);
    }
  });

  it('recovers a lock file that a failed write (a full disk) left empty or cut short, once it is past the grace period', async () => {
    const dir = await arena();
    const old = new Date(Date.now() - 60_000);
    for (const [name, content] of [['empty.lock', ''], ['cut.lock', '{"pid": 12'], ['garbage.lock', '\u0000\u0001\u0002'], ['wrong.lock', '{"pid": "x"}']] as const) {
      await writeFile(join(dir, name), content);
      await utimes(join(dir, name), old, old);
      expect(await withFileLock(join(dir, name), async () => name, { timeoutMs: 60_000, unreadableGraceMs: 10_000 })).toBe(name);
    }
    // A link that is not ours (e.g. planted by hand) is unreadable too: recovered the same way once old.
    await symlink('/etc/passwd', join(dir, 'foreign.lock'));
    await lutimes(join(dir, 'foreign.lock'), old, old); // the link's own time (utimes would follow it)
    expect(await withFileLock(join(dir, 'foreign.lock'), async () => 'ran', { timeoutMs: 60_000 })).toBe('ran');
    expect((await stat('/etc/passwd')).isFile()).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a breaker that died mid-break is cleared; a live breaker is waited for (no busy loop), then named', async () => {
    const dir = await arena();
    const lock = join(dir, 'registry.lock');
    await plantLock(lock, { pid: 2 ** 22 + 5, start: '1' });
    await plantLock(`${lock}.break`, { pid: 2 ** 22 + 7, start: '1' }); // died while breaking
    expect(await withFileLock(lock, async () => 'ran', { timeoutMs: 60_000 })).toBe('ran');
    expect(await readdir(dir)).toEqual([]);
    await plantLock(lock, { pid: 2 ** 22 + 5, start: '1' });
    await plantLock(`${lock}.break`, { pid: process.pid, start: currentProcess().start }); // alive (stopped, say)
    const before = await treeDigest(dir);
    const error = await errorOf(withFileLock(lock, async () => 'never', { timeoutMs: 150 }));
    expect(error.code).toBe('REGISTRY_LOCKED');
    expect(await treeDigest(dir)).toEqual(before);
  });

  it('keeps mutual exclusion when several processes race to break the same stale lock', async () => {
    const dir = await arena();
    const lock = join(dir, 'registry.lock');
    const counter = join(dir, 'counter');
    await writeFile(counter, '0');
    await plantLock(lock, { pid: 2 ** 22 + 3, start: '1' }); // stale from the start: all racers see it at once
    const racers = [0, 1, 2, 3].map(() => child('hold-lock-child.ts', [lock, 'increment', counter, '25']));
    await Promise.all(racers.map((racer) => lineFrom(racer, 'done')));
    expect(Number(await readFile(counter, 'utf8'))).toBe(100);
    expect((await readdir(dir)).sort()).toEqual(['counter']);
  }, 120_000);
});

describe('interrupted logs leave nothing in .staging', () => {
  it('a log killed with SIGKILL mid-copy is cleaned by the next log; a live process keeps its entry', async () => {
    const registryDir = join(await arena(), 'registry');
    await mkdir(registryDir);
    const registry = new LocalRegistry({ dir: registryDir });
    const big = await writeModelFolder(sampleOnnx(new Uint8Array(3_000_000).fill(9)));
    const small = await writeModelFolder();
    const bigSize = (await stat(join(big, 'model.onnx'))).size;
    // Hold the registry lock so the child stops after copying into .staging, before it can register anything.
    let release!: () => void;
    const holding = withFileLock(join(registryDir, 'registry.lock'), () => new Promise<void>((resolve) => (release = resolve)));
    const logger = child('log-model-child.ts', [registryDir, big, 'KILLED']);
    const staging = join(registryDir, '.staging');
    // Wait (for a state, not a time) until the child's copy is complete in its staging entry.
    for (;;) {
      const entries = await readdir(staging).catch(() => [] as string[]);
      const sizes = await Promise.all(entries.map((e) => stat(join(staging, e, 'model.onnx')).then((s) => s.size).catch(() => 0)));
      if (sizes.some((size) => size === bigSize)) break;
      if (logger.exitCode !== null) throw new Error('the logging child exited early');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await killHard(logger);
    release();
    await holding;
    const leftovers = await readdir(staging);
    expect(leftovers.length).toBe(1);
    // An entry of a live process (this one) and one of an unknown owner (another machine) that is recent stay.
    const live = join(staging, `log.${encodeIdentity(currentProcess())}.aaaaaaaaaaaa`);
    const foreign = join(staging, `log.${encodeIdentity({ host: 'another-host.example', boot: null, pid: 1, start: null })}.bbbbbbbbbbbb`);
    const ancient = join(staging, 'leftover-from-an-old-version');
    for (const path of [live, foreign, ancient]) {
      await mkdir(path);
      await writeFile(join(path, 'model.onnx'), 'x');
    }
    const old = new Date(Date.now() - 2 * 24 * 3_600_000);
    await utimes(ancient, old, old);
    await registry.logModel(small, { name: 'NEXT' });
    expect((await readdir(staging)).sort()).toEqual([live, foreign].map((p) => p.slice(staging.length + 1)).sort());
    expect((await registry.models()).map((m) => m.name)).toEqual(['NEXT']);
  }, 120_000);
});
