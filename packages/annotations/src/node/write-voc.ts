import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from '../model.js';
import { formatVocXml } from '../voc-format.js';
import { placeImage, sourceImagePath, uniqueFileNames, withExtension } from './image-files.js';
import { mapLimited } from './map-limited.js';
import { VOC_CLASSES_FILE } from './read-voc.js';
import type { WriteOptions } from './write-yolo.js';

/**
 * Writes a Pascal VOC folder into an existing empty folder: `Annotations/<stem>.xml`, `JPEGImages/`,
 * `ImageSets/Main/<split>.txt` for each split, and `labels.txt` (the class order, so reading back keeps ids).
 */
export async function writeVoc(dataset: Dataset, dir: string, options: WriteOptions): Promise<void> {
  await mkdir(join(dir, 'Annotations'), { recursive: true });
  await mkdir(join(dir, 'JPEGImages'), { recursive: true });
  // One flat JPEGImages folder: names must be unique across splits.
  const names = uniqueFileNames(dataset.images.map((i) => ({ ...i, split: undefined })));
  await mapLimited(dataset.images, 16, async (image, index) => {
    const name = names[index]!;
    await placeImage(sourceImagePath(options.root, image), join(dir, 'JPEGImages', name), options.images ?? 'link');
    await writeFile(join(dir, 'Annotations', withExtension(name, '.xml')), formatVocXml({ filename: name, width: image.width, height: image.height, boxes: image.boxes }, dataset.classes));
  });
  const lists = new Map<string, string[]>();
  dataset.images.forEach((image, index) => {
    if (image.split !== undefined) lists.set(image.split, [...(lists.get(image.split) ?? []), withExtension(names[index]!, '')]);
  });
  if (lists.size > 0) await mkdir(join(dir, 'ImageSets', 'Main'), { recursive: true });
  for (const [split, stems] of lists) await writeFile(join(dir, 'ImageSets', 'Main', `${split}.txt`), `${stems.join('\n')}\n`);
  await writeFile(join(dir, VOC_CLASSES_FILE), `${dataset.classes.join('\n')}\n`);
}
