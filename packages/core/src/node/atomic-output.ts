import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputExistsError } from '../errors.js';

/** Options of {@link writeFolderAtomically}. */
export interface AtomicFolderOptions {
  /** Replace a non-empty output folder whole (default: refuse it). */
  overwrite?: boolean;
  /** The error thrown for a non-empty output without `overwrite` (default: `OutputExistsError`). */
  existsError?: (output: string) => Error;
}

/** True when `dir` exists and has at least one entry. */
async function isNonEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') return true; // a file is in the way: never replace it without --overwrite
    throw error;
  }
}

/**
 * Writes a folder atomically: `build` fills a temporary sibling folder, which is renamed onto `output` only when
 * it succeeds; on failure the temporary folder is removed, so nothing half-written is left behind.
 * A non-empty `output` (or a file in its place) is refused unless `overwrite` is set (then it is replaced whole).
 *
 * @example await writeFolderAtomically('out/report', { overwrite: false }, (dir) => writeFile(join(dir, 'a.json'), text));
 */
export async function writeFolderAtomically<T>(output: string, options: AtomicFolderOptions, build: (tempDir: string) => Promise<T>): Promise<T> {
  const overwrite = options.overwrite ?? false;
  const refuse = (): Error => (options.existsError ?? ((o: string) => new OutputExistsError(o)))(output);
  const target = resolve(output);
  if (!overwrite && (await isNonEmptyDir(target))) throw refuse();
  await mkdir(dirname(target), { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = join(dirname(target), `.${basename(target)}.tmp-${suffix}`);
  await mkdir(temp);
  try {
    const result = await build(temp);
    // Checked again: another process may have filled the folder while we were building.
    if (!overwrite && (await isNonEmptyDir(target))) throw refuse();
    const old = join(dirname(target), `.${basename(target)}.old-${suffix}`);
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
    return result;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
