import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileSystemError, OutputOverlapError } from './errors.js';

/**
 * The canonical absolute form of `path`: symbolic links and `..` resolved as the operating system would for the
 * part that exists, lexically for the part that does not exist yet (an output about to be created).
 */
export async function canonicalPath(path: string): Promise<string> {
  // Not path.resolve first: it would fold `link/..` lexically, while the kernel follows the link before `..`.
  const absolute = isAbsolute(path) ? path : `${process.cwd()}${sep}${path}`;
  const parts = absolute.split(sep);
  for (let end = parts.length; end > 0; end--) {
    const head = parts.slice(0, end).join(sep) || sep;
    try {
      return resolve(await realpath(head), ...parts.slice(end));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fileSystemError(error, path, 'resolve');
    }
  }
  return resolve(absolute);
}

/** True when `inner` is strictly inside folder `outer` (both canonical). */
function isInside(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Device and inode of an existing path, to catch hard links to the same file. */
async function identity(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * The one overlap rule of every command and library function that writes: an output must not be an input, contain
 * an input or lie inside an input (file or folder), compared after resolving symbolic links and `..` (and, for
 * existing files, by device and inode, which catches hard links). Call it before writing anything.
 *
 * @throws OutputOverlapError `OUTPUT_OVERLAPS_INPUT` naming the output and the input as given.
 * @example await assertOutputsApart(['out/yolo'], ['data/deeppcb']);
 */
export async function assertOutputsApart(outputs: readonly string[], inputs: readonly string[]): Promise<void> {
  if (outputs.length === 0) return;
  const canonicalInputs = await Promise.all(inputs.map(async (input) => ({ input, real: await canonicalPath(input), id: await identity(input) })));
  for (const output of outputs) {
    const real = await canonicalPath(output);
    const id = await identity(real);
    for (const input of canonicalInputs) {
      const details = { outputResolved: real, inputResolved: input.real };
      if (real === input.real || (id !== undefined && id === input.id)) throw new OutputOverlapError(output, input.input, 'is', details);
      if (isInside(input.real, real)) throw new OutputOverlapError(output, input.input, 'contains', details);
      if (isInside(real, input.real)) throw new OutputOverlapError(output, input.input, 'is inside', details);
    }
  }
}
