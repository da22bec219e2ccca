import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

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
