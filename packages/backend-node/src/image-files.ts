import { statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileSystemError } from '@defectkit/core/node';
import { glob, isDynamicPattern } from 'tinyglobby';
import { ImageListError } from './errors.js';

/** The file extensions treated as images when a folder is given. */
export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff'] as const;

/**
 * Expands command-line inputs into image paths, in a stable order: a folder gives the images under it
 * (recursively, sorted), a glob its matches (sorted), a file itself. A path that does not exist is kept,
 * so it is reported as a failed image instead of vanishing. Duplicates are dropped.
 *
 * @example
 * await expandImageInputs(['boards/', 'extra/*.png', 'one.jpg']);
 */
export async function expandImageInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (path: string): void => {
    const key = resolve(path);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(path);
    }
  };
  for (const input of inputs) {
    let isDir = false;
    let exists = false;
    try {
      const stats = statSync(input);
      exists = true;
      isDir = stats.isDirectory();
    } catch {
      // Not a path: maybe a glob; otherwise kept and reported later as a missing image.
    }
    if (isDir) {
      const found = await glob(`**/*.{${IMAGE_EXTENSIONS.join(',')}}`, { cwd: input, absolute: false, caseSensitiveMatch: false, onlyFiles: true });
      for (const file of found.sort()) add(resolve(input, file));
    } else if (!exists && isDynamicPattern(input)) {
      for (const file of (await glob(input, { onlyFiles: true, absolute: isAbsolute(input) })).sort()) add(file);
    } else add(input);
  }
  return out;
}

/** Reads all of standard input as UTF-8 text. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses an image list: one path per line (relative paths are relative to the current folder, like command-line
 * arguments); blank lines and lines starting with `#` are ignored; surrounding spaces and a trailing `\r` are
 * trimmed. Lists have no length limit, unlike a command line.
 */
export function parseImageList(text: string): { path: string; line: number }[] {
  const entries: { path: string; line: number }[] = [];
  text.split('\n').forEach((raw, i) => {
    const path = raw.trim();
    if (path !== '' && !path.startsWith('#')) entries.push({ path, line: i + 1 });
  });
  return entries;
}

/**
 * Reads an image list from a file, or from standard input for `-` (see {@link parseImageList}), and checks that
 * every entry is an existing file.
 *
 * @throws ImageListError `IMAGE_LIST_ENTRY` naming the list, the 1-based line and the path of the first entry
 * that is missing or not a file; a `FileSystemError` when the list itself cannot be read.
 * @example const images = await readImageList('boards.txt');
 */
export async function readImageList(source: string): Promise<string[]> {
  const listName = source === '-' ? '(standard input)' : source;
  let text: string;
  try {
    text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (error) {
    throw fileSystemError(error, listName, 'read the image list');
  }
  const entries = parseImageList(text);
  // Checked in bounded groups: thousands of parallel stats would only queue up in libuv's pool.
  for (let start = 0; start < entries.length; start += 64) {
    await Promise.all(
      entries.slice(start, start + 64).map(async ({ path, line }) => {
        let why: string | undefined;
        try {
          if (!(await stat(path)).isFile()) why = 'is not a file';
        } catch (error) {
          why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
        }
        if (why !== undefined) throw new ImageListError('IMAGE_LIST_ENTRY', `${listName}:${line}: ${path} ${why}`, { file: listName, line, path });
      }),
    );
  }
  return entries.map((entry) => entry.path);
}
