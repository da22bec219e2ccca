import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DefectKitError } from '@defectkit/core';
import { withFileLock } from './file-lock.js';

describe('withFileLock', () => {
  it('serialises actions in one process and removes the lock afterwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defectkit-lock-'));
    const lock = join(dir, 'x.lock');
    const order: string[] = [];
    const slow = (name: string) => async () => {
      order.push(`${name} in`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      order.push(`${name} out`);
    };
    await Promise.all([withFileLock(lock, slow('a')), withFileLock(lock, slow('b'))]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock left by a dead process, and times out on a live one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defectkit-lock-'));
    const lock = join(dir, 'x.lock');
    // A pid that cannot be running: above the kernel's pid_max.
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), since: 'then' }));
    expect(await withFileLock(lock, async () => 'ran')).toBe('ran');
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: 'now' }));
    const error = await withFileLock(lock, async () => 'never', { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(DefectKitError.isInstance(error) && error.code).toBe('REGISTRY_LOCKED');
  });
});
