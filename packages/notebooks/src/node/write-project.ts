import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFolderAtomically } from '@defectkit/core/node';
import { NotebookOutputExistsError } from '../errors.js';
import type { EmittedFile } from '../emit-project.js';

/**
 * Writes the files into `out` atomically: they are written to a hidden sibling folder that is
 * renamed into place at the end, so a failure leaves nothing behind. A non-empty `out` is refused
 * with {@link NotebookOutputExistsError} unless `overwrite` is set (then it is replaced whole).
 */
export async function writeProjectFiles(out: string, files: EmittedFile[], overwrite = false): Promise<string> {
  const existsError = (output: string): Error => new NotebookOutputExistsError(output);
  await writeFolderAtomically(out, { overwrite, existsError }, async (temp) => {
    for (const f of files) {
      const path = join(temp, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content);
      // Scripts are runnable as ./train.py; set explicitly so the umask cannot drop the bit.
      await chmod(path, f.path.endsWith('.py') ? 0o755 : 0o644);
    }
  });
  return resolve(out);
}
