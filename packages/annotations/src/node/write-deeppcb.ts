import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@defectkit/core';
import { formatDeepPcbLabels } from '../deeppcb-format.js';
import { DEEPPCB_CLASSES, type Dataset } from '../model.js';
import { placeImage, sourceImagePath, uniqueFileNames, withExtension } from './image-files.js';
import { mapLimited } from './map-limited.js';
import type { WriteOptions } from './write-yolo.js';

/**
 * Writes the DeepPCB upstream layout into an existing empty folder: `PCBData/group00000/00000/<id>_test.<ext>`
 * (and `_temp` when the image has a template), `PCBData/group00000/00000_not/<id>.txt`, and the pair lists
 * `trainval.txt` (train and val images, or all without splits) and `test.txt`, last line without newline.
 * The dataset's classes must be DeepPCB class names (they are written as 1-based types).
 */
export async function writeDeepPcb(dataset: Dataset, dir: string, options: WriteOptions): Promise<void> {
  const typeOf = dataset.classes.map((name) => DEEPPCB_CLASSES.indexOf(name as (typeof DEEPPCB_CLASSES)[number]));
  const unknown = dataset.classes.filter((_, i) => typeOf[i]! < 0);
  if (unknown.length > 0) {
    throw new InvalidArgumentError('UNKNOWN_CLASS', `DeepPCB has no class ${unknown.map((u) => `"${u}"`).join(', ')} (it knows ${DEEPPCB_CLASSES.join(', ')})`, { field: 'classes', value: unknown });
  }
  const base = join(dir, 'PCBData', 'group00000');
  await mkdir(join(base, '00000'), { recursive: true });
  await mkdir(join(base, '00000_not'), { recursive: true });
  const names = uniqueFileNames(dataset.images.map((i) => ({ ...i, split: undefined })));
  const lists: Record<'trainval' | 'test', string[]> = { trainval: [], test: [] };
  await mapLimited(dataset.images, 16, async (image, index) => {
    const name = names[index]!;
    const ext = name.slice(withExtension(name, '').length) || '.jpg';
    const id = withExtension(name, '').replace(/_test$/, '');
    await placeImage(sourceImagePath(options.root, image), join(base, '00000', `${id}_test${ext}`), options.images ?? 'link');
    if (image.templatePath !== undefined) {
      await placeImage(sourceImagePath(options.root, { ...image, path: image.templatePath }), join(base, '00000', `${id}_temp${ext}`), options.images ?? 'link');
    }
    const boxes = image.boxes.map((b) => ({ ...b, classId: typeOf[b.classId]! }));
    await writeFile(join(base, '00000_not', `${id}.txt`), formatDeepPcbLabels(boxes));
  });
  dataset.images.forEach((image, index) => {
    const id = withExtension(names[index]!, '').replace(/_test$/, '');
    const ext = names[index]!.slice(withExtension(names[index]!, '').length) || '.jpg';
    lists[image.split === 'test' ? 'test' : 'trainval'].push(`group00000/00000/${id}${ext} group00000/00000_not/${id}.txt`);
  });
  for (const [list, lines] of Object.entries(lists)) if (lines.length > 0) await writeFile(join(dir, 'PCBData', `${list}.txt`), lines.join('\n'));
}
