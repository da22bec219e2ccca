import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@defectkit/core';
import type { Dataset } from '../model.js';
import { formatDataYaml, formatYoloLabels } from '../yolo-format.js';
import { placeImage, sourceImagePath, uniqueFileNames, withExtension, type ImageMode } from './image-files.js';
import { mapLimited } from './map-limited.js';

/** Options of the folder writers. */
export interface WriteOptions {
  /** The folder the dataset's relative image paths are relative to. */
  root: string;
  /** Link (default) or copy the images. */
  images?: ImageMode;
  /** The folder's final location, written into `data.yaml` as `path` (defaults to `dir`). */
  finalDir?: string;
}

/**
 * Writes a YOLO dataset into an existing empty folder: `images/<split>/`, `labels/<split>/` (or flat `images/`,
 * `labels/` when no image has a split) and `data.yaml` with `path`, the split folders and `names`.
 * Every image gets a label file (empty when it has no boxes). Use `writeDataset` for the atomic, refusing variant.
 */
export async function writeYolo(dataset: Dataset, dir: string, options: WriteOptions): Promise<void> {
  const split = (s: string | undefined) => (s === undefined ? '' : `/${s}`);
  const names = uniqueFileNames(dataset.images);
  const splits = new Set(dataset.images.map((i) => i.split));
  if (splits.has(undefined) && splits.size > 1) {
    throw new InvalidArgumentError('MIXED_SPLITS', 'some images have a split and some do not: give every image a split (e.g. a split spec train=0.9,val=0.1)', { field: 'split' });
  }
  for (const s of splits) {
    await mkdir(join(dir, `images${split(s)}`), { recursive: true });
    await mkdir(join(dir, `labels${split(s)}`), { recursive: true });
  }
  await mapLimited(dataset.images, 16, async (image, index) => {
    const name = names[index]!;
    await placeImage(sourceImagePath(options.root, image), join(dir, `images${split(image.split)}`, name), options.images ?? 'link');
    await writeFile(join(dir, `labels${split(image.split)}`, withExtension(name, '.txt')), formatYoloLabels(image.boxes, image.width, image.height));
  });
  const folders: Partial<Record<'train' | 'val' | 'test', string>> = {};
  if (splits.has(undefined)) folders.train = 'images';
  for (const s of ['train', 'val', 'test'] as const) if (splits.has(s)) folders[s] = `images/${s}`;
  await writeFile(join(dir, 'data.yaml'), formatDataYaml({ path: options.finalDir ?? dir, names: dataset.classes, splits: folders }));
}
