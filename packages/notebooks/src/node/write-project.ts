import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { NotebookOutputExistsError } from '../errors.js';
import type { EmittedFile } from '../emit-project.js';

async function isNonEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Writes the files into `out` atomically: they are written to a hidden sibling folder that is
 * renamed into place at the end, so a failure leaves nothing behind. A non-empty `out` is refused
 * with {@link NotebookOutputExistsError} unless `overwrite` is set (then it is replaced whole).
 */
export async function writeProjectFiles(out: string, files: EmittedFile[], overwrite = false): Promise<string> {
  const target = resolve(out);
  if (!overwrite && (await isNonEmptyDir(target))) throw new NotebookOutputExistsError(out);
  await mkdir(dirname(target), { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = join(dirname(target), `.${basename(target)}.tmp-${suffix}`);
  const old = join(dirname(target), `.${basename(target)}.old-${suffix}`);
  await mkdir(temp);
  try {
    for (const f of files) {
      const path = join(temp, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content, { mode: f.path.endsWith('.py') ? 0o755 : 0o644 });
    }
    if (!overwrite && (await isNonEmptyDir(target))) throw new NotebookOutputExistsError(out);
    let moved = false;
    try {
      await rename(target, old);
      moved = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    try {
      await rename(temp, target);
    } catch (error) {
      if (moved) await rename(old, target);
      throw error;
    }
    if (moved) await rm(old, { recursive: true, force: true });
    return target;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
