import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputExistsError } from '../errors.js';
import { FileSystemError, fileSystemError, isErrnoError } from './errors.js';

/** Options of {@link writeFileAtomic} and {@link writeFileAtomicSync}. */
export interface AtomicFileOptions {
  /** File permissions of the new file, exactly (default 0o666 less the umask), e.g. 0o600 for a file holding a secret. */
  mode?: number;
}

/** Options of {@link writeFolderAtomically}. */
export interface AtomicFolderOptions {
  /** Replace a non-empty output folder whole (default: refuse it). */
  overwrite?: boolean;
  /** The error thrown for a non-empty output without `overwrite` (default: `OutputExistsError`). */
  existsError?: (output: string) => Error;
}

/** A hidden temporary sibling of `path` (same folder, so the final rename never crosses file systems). */
export function temporarySibling(path: string, kind: 'tmp' | 'old' = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Creates `folder` and its parents; a file in the way (`mkdir` answers EEXIST) is reported as `NOT_A_FOLDER` for `path`. */
async function makeParent(folder: string, path: string, operation: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new FileSystemError('NOT_A_FOLDER', `cannot ${operation} ${path}: a part of ${folder} is a file, not a folder`, { file: path, operation, errno: 'EEXIST' }, { cause: error });
    }
    throw fileSystemError(error, path, operation);
  }
}

/**
 * Writes a file atomically: the data goes to a temporary sibling that is renamed over `path`, so a reader never
 * sees a half-written file and a failure (full disk, no permission, a folder in the way) leaves nothing behind.
 * Creates the parent folders. Failures are typed {@link FileSystemError}s naming `path` (`DISK_FULL`, ...).
 * A device or pipe (`/dev/null`, `/dev/stdout`) is written through instead.
 *
 * @example await writeFileAtomic('out/results.json', `${JSON.stringify(results)}\n`);
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicFileOptions = {}): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing !== undefined && (existing.isCharacterDevice() || existing.isFIFO() || existing.isSocket())) {
    // `/dev/null`, `/dev/stdout`, a pipe: written through, never renamed over (as root that would replace the device).
    await writeFile(path, data).catch((error: unknown) => {
      throw fileSystemError(error, path, 'write');
    });
    return;
  }
  const temp = temporarySibling(path);
  await makeParent(dirname(path), path, 'write');
  try {
    // The mode is set at creation: a secret is never readable by others, not even for a moment.
    await writeFile(temp, data, { flag: 'wx', ...(options.mode === undefined ? {} : { mode: options.mode }) });
    if (options.mode !== undefined) await chmod(temp, options.mode); // exactly the mode, whatever the umask
    await rename(temp, path);
  } catch (error) {
    // Best effort: when the folder itself is unusable there is no temporary file to remove.
    await rm(temp, { force: true }).catch(() => undefined);
    throw fileSystemError(error, path, 'write');
  }
}

/**
 * The synchronous form of {@link writeFileAtomic}, for state saved from synchronous code (e.g. a server's catalog
 * after each change): same temporary sibling, same rename, same typed errors, same cleanup.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: AtomicFileOptions = {}): void {
  const temp = temporarySibling(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileSystemError(error, path, 'write');
    throw new FileSystemError('NOT_A_FOLDER', `cannot write ${path}: a part of ${dirname(path)} is a file, not a folder`, { file: path, operation: 'write', errno: 'EEXIST' }, { cause: error });
  }
  try {
    writeFileSync(temp, data, { flag: 'wx', ...(options.mode === undefined ? {} : { mode: options.mode }) });
    if (options.mode !== undefined) chmodSync(temp, options.mode);
    renameSync(temp, path);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Best effort: when the folder itself is unusable there is no temporary file to remove.
    }
    throw fileSystemError(error, path, 'write');
  }
}

/** True when `dir` exists and has at least one entry. */
async function isNonEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') return true; // a file is in the way: never replace it without --overwrite
    throw fileSystemError(error, dir, 'read folder');
  }
}

/**
 * Writes a folder atomically: `build` fills a temporary sibling folder, which is renamed onto `output` only when
 * it succeeds; on failure the temporary folder is removed, so nothing half-written is left behind.
 * A non-empty `output` (or a file in its place) is refused unless `overwrite` is set (then it is replaced whole).
 * Operating-system failures become typed {@link FileSystemError}s; errors thrown by `build` pass through.
 *
 * @example await writeFolderAtomically('out/report', { overwrite: false }, (dir) => writeFile(join(dir, 'a.json'), text));
 */
export async function writeFolderAtomically<T>(output: string, options: AtomicFolderOptions, build: (tempDir: string) => Promise<T>): Promise<T> {
  const overwrite = options.overwrite ?? false;
  const refuse = (): Error => (options.existsError ?? ((o: string) => new OutputExistsError(o)))(output);
  const target = resolve(output);
  if (!overwrite && (await isNonEmptyDir(target))) throw refuse();
  const temp = temporarySibling(target);
  await makeParent(dirname(target), target, 'create folder');
  try {
    await mkdir(temp);
  } catch (error) {
    throw fileSystemError(error, target, 'create folder');
  }
  try {
    let result: T;
    try {
      result = await build(temp);
    } catch (error) {
      // Raw fs errors from the build name the temporary file: report them against the output instead.
      throw isErrnoError(error) ? fileSystemError(error, target, 'write into') : error;
    }
    // Checked again: another process may have filled the folder while we were building.
    if (!overwrite && (await isNonEmptyDir(target))) throw refuse();
    const old = temporarySibling(target, 'old');
    let moved = false;
    try {
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
    } catch (error) {
      throw fileSystemError(error, target, 'replace');
    }
    if (moved) await rm(old, { recursive: true, force: true });
    return result;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
