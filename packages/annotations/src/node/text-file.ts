import { readFile } from 'node:fs/promises';

/** The text of a label file, or why it could not be read (missing, a folder, no permission, not UTF-8). */
export type TextFileResult = { ok: true; text: string } | { ok: false; reason: 'missing' | 'unreadable'; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a UTF-8 text file without throwing, so readers can turn failures into findings. */
export async function readTextFile(file: string): Promise<TextFileResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: 'missing', message: 'file not found' };
    return { ok: false, reason: 'unreadable', message: `cannot read file (${code ?? (error as Error).message})` };
  }
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, reason: 'unreadable', message: 'file is not valid UTF-8 text' };
  }
}
