import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OutputError } from './errors.js';

/**
 * Writes a file atomically: the data goes to a temporary sibling that is renamed into place, so a
 * reader never sees a half-written file and a failure leaves nothing behind. Creates the folder.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    // Best-effort cleanup: when the folder itself is unusable there is no temp file to remove.
    await rm(temp, { force: true }).catch(() => undefined);
    throw new OutputError('OUTPUT_WRITE', `cannot write ${path}: ${(error as Error).message}`, { file: path }, { cause: error });
  }
}
