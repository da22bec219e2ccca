import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCocoJson } from '../coco-format.js';
import type { Dataset, ImageRecord } from '../model.js';
import { placeImage, sourceImagePath, uniqueFileNames } from './image-files.js';
import { mapLimited } from './map-limited.js';
import type { WriteOptions } from './write-yolo.js';

/**
 * Writes a COCO folder into an existing empty folder: `annotations/instances_<split>.json` per split (or
 * `annotations/instances.json` without splits) and the images in `images/<split>/` (`file_name` is relative to
 * `images/`). Category ids follow `dataset.categoryIds` (or `index + 1`).
 */
export async function writeCoco(dataset: Dataset, dir: string, options: WriteOptions): Promise<void> {
  const names = uniqueFileNames(dataset.images);
  const fileNames = dataset.images.map((image, i) => (image.split === undefined ? names[i]! : `${image.split}/${names[i]!}`));
  const groups = new Map<string, { image: ImageRecord; index: number }[]>();
  dataset.images.forEach((image, index) => {
    const key = image.split ?? '';
    groups.set(key, [...(groups.get(key) ?? []), { image, index }]);
  });
  await mkdir(join(dir, 'annotations'), { recursive: true });
  for (const key of groups.keys()) await mkdir(join(dir, 'images', key), { recursive: true });
  await mapLimited(dataset.images, 16, (image, index) => placeImage(sourceImagePath(options.root, image), join(dir, 'images', fileNames[index]!), options.images ?? 'link'));
  for (const [key, members] of groups) {
    const text = formatCocoJson(dataset, members.map((m) => m.image), (_, i) => fileNames[members[i]!.index]!);
    await writeFile(join(dir, 'annotations', key === '' ? 'instances.json' : `instances_${key}.json`), text);
  }
}
