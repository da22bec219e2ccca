import { copyFile, symlink } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { uniqueNames } from '@defectkit/core/node';
import type { ImageRecord } from '../model.js';

/** How output datasets get their images: a symbolic link to the source file (default) or a copy. */
export type ImageMode = 'link' | 'copy';

/** The absolute source path of an image record read from `root`. */
export function sourceImagePath(root: string, image: ImageRecord): string {
  return isAbsolute(image.path) ? image.path : resolve(root, image.path);
}

/** Links (absolute symlink) or copies an image file into an output dataset. */
export async function placeImage(source: string, destination: string, mode: ImageMode): Promise<void> {
  if (mode === 'copy') await copyFile(source, destination);
  else await symlink(source, destination);
}

/**
 * Gives each image a file name that is unique within its split's output folder, and whose stem is unique too (label
 * files are named after the stem), compared case-insensitively: its base name, or, when another image of the split
 * wants the same stem, its source path with `/` replaced by `__`; a name still shared gets a `-2`, `-3`, ... suffix
 * (the one rule of `uniqueNames` in @defectkit/core/node).
 */
export function uniqueFileNames(images: readonly ImageRecord[]): string[] {
  const names = new Array<string>(images.length);
  const groups = new Map<string, number[]>();
  images.forEach((image, i) => {
    const members = groups.get(image.split ?? '') ?? [];
    members.push(i);
    groups.set(image.split ?? '', members);
  });
  for (const members of groups.values()) {
    const parts = members.map((i) => {
      const path = images[i]!.path.replace(/\\/g, '/').replace(/^\/+/, '');
      const base = path.slice(path.lastIndexOf('/') + 1);
      const ext = base.slice(withExtension(base, '').length);
      return { ext, preferred: withExtension(base, ''), specific: withExtension(path.replace(/\//g, '__'), '') };
    });
    const stems = uniqueNames(parts.map(({ preferred, specific }) => ({ preferred, specific })));
    members.forEach((i, k) => (names[i] = `${stems[k]}${parts[k]!.ext}`));
  }
  return names;
}

/** The file name with its extension replaced (`a/b.jpg` -> `a/b.txt`). */
export function withExtension(name: string, ext: string): string {
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  return (dot > slash ? name.slice(0, dot) : name) + ext;
}
