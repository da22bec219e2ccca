import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseCocoJson } from '../coco-format.js';
import { DatasetLayoutError } from '../errors.js';
import type { Finding } from '../findings.js';
import type { ImageRecord, Split } from '../model.js';
import { readImageSize } from './image-size.js';
import { listFiles } from './list-files.js';
import { mapLimited } from './map-limited.js';
import type { ReadResult } from './read-result.js';

const exists = (path: string) => access(path).then(() => true, () => false);

/** The split a COCO file name stands for (`instances_train.json` -> train), if any. */
export function cocoFileSplit(name: string): Split | undefined {
  const match = /(?:^|[_\-.])(train|val|test)[^/]*\.json$/i.exec(name);
  return match ? (match[1]!.toLowerCase() as Split) : undefined;
}

/**
 * Reads a COCO folder: every `annotations/*.json` file (the split from its name, e.g. `instances_val.json`),
 * images at `images/<file_name>` (or `<dir>/<file_name>`), sizes from the image headers. All files must share
 * the same categories; sparse or 1-based category ids are kept in `dataset.categoryIds`.
 * @example const { dataset } = await readCoco('data/pcb-coco'); dataset.categoryIds // [1, 2, 3, 4, 5, 6]
 */
export async function readCoco(dir: string): Promise<ReadResult> {
  const root = resolve(dir);
  const jsonFiles = await listFiles(join(root, 'annotations'), (n) => n.toLowerCase().endsWith('.json'));
  if (jsonFiles.length === 0) throw new DatasetLayoutError(`${dir}: no annotations/*.json file`, { file: dir });
  const findings: Finding[] = [];
  const entries: { id: number; path: string; fileRef: string; line?: number; split?: Split; boxes: ImageRecord['boxes'] }[] = [];
  let classes: string[] | undefined;
  let categoryIds: number[] | undefined;
  for (const name of jsonFiles) {
    const file = `annotations/${name}`;
    const parsed = parseCocoJson(await readFile(join(root, file), 'utf8'), file);
    const signature = JSON.stringify([parsed.classes, parsed.categoryIds]);
    if (classes === undefined) [classes, categoryIds] = [parsed.classes, parsed.categoryIds];
    else if (signature !== JSON.stringify([classes, categoryIds])) {
      throw new DatasetLayoutError(`${file}: its categories differ from those of annotations/${jsonFiles[0]}`, { file, field: 'categories' });
    }
    findings.push(...parsed.findings);
    const split = cocoFileSplit(name);
    for (const image of parsed.images) {
      const inImages = `images/${image.fileName}`;
      const path = (await exists(join(root, inImages))) || !(await exists(join(root, image.fileName))) ? inImages : image.fileName;
      entries.push({ id: image.id, path, fileRef: file, ...(image.line === undefined ? {} : { line: image.line }), ...(split === undefined ? {} : { split }), boxes: image.boxes });
    }
  }
  const records = await mapLimited(entries, 16, async (entry): Promise<ImageRecord | undefined> => {
    const size = await readImageSize(join(root, entry.path));
    if (!size.ok) {
      findings.push({ rule: size.reason === 'missing' ? 'missing-image' : 'unreadable-image', severity: 'error', file: entry.fileRef, ...(entry.line === undefined ? {} : { line: entry.line }), image: entry.path, excludedImage: true, excludedBoxes: entry.boxes.length, message: `${entry.path}: ${size.message}` });
      return undefined;
    }
    return { path: entry.path, width: size.width, height: size.height, id: entry.id, boxes: entry.boxes, ...(entry.split === undefined ? {} : { split: entry.split }) };
  });
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return { dataset: { classes: classes!, categoryIds: categoryIds!, images: records.filter((r): r is ImageRecord => r !== undefined) }, root, findings };
}
