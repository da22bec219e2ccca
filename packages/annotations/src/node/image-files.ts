import { copyFile, symlink } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
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
 * Gives each image a file name that is unique within its output folder: its base name, or, when two images
 * share a base name, its source path with `/` replaced by `__`.
 */
export function uniqueFileNames(images: readonly ImageRecord[]): string[] {
  const base = (p: string) => p.slice(p.replace(/\\/g, '/').lastIndexOf('/') + 1);
  const counts = new Map<string, number>();
  for (const image of images) counts.set(`${image.split ?? ''}/${base(image.path)}`, (counts.get(`${image.split ?? ''}/${base(image.path)}`) ?? 0) + 1);
  return images.map((image) => {
    const name = base(image.path);
    return counts.get(`${image.split ?? ''}/${name}`)! > 1 ? image.path.replace(/\\/g, '/').replace(/^\/+/, '').replace(/\//g, '__') : name;
  });
}

/** The file name with its extension replaced (`a/b.jpg` -> `a/b.txt`). */
export function withExtension(name: string, ext: string): string {
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  return (dot > slash ? name.slice(0, dot) : name) + ext;
}
