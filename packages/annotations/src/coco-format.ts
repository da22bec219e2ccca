/**
 * COCO detection JSON (`images`, `annotations`, `categories`). Category ids are kept as a mapping
 * (`Dataset.categoryIds`), never renumbered; `iscrowd`, `area` and annotation / image ids are preserved.
 */
import { cocoImageId } from '@defectkit/core';
import { fromCocoBox, toCocoBox } from './box-geometry.js';
import { AnnotationParseError } from './errors.js';
import type { Finding } from './findings.js';
import { jsonElementLines } from './json-element-lines.js';
import type { Box, Dataset, ImageRecord } from './model.js';

/** One image entry of a COCO file with its boxes. */
export interface CocoImage {
  id: number;
  fileName: string;
  /** The size as written in the file. */
  width?: number;
  height?: number;
  /** The 1-based line of the image entry. */
  line?: number;
  boxes: Box[];
}

/** A parsed COCO file. */
export interface CocoParsed {
  /** Category names ordered by category id. */
  classes: string[];
  /** The category id of each class (same order). */
  categoryIds: number[];
  images: CocoImage[];
  findings: Finding[];
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Parses a COCO detection file. Annotations with an unknown `category_id`, an `image_id` that is not listed,
 * a `bbox` that is not four numbers, or a negative width/height become findings (with their line) and are left out.
 * @example const { classes, categoryIds, images } = parseCocoJson(text, 'annotations/instances_train.json');
 */
export function parseCocoJson(text: string, file: string): CocoParsed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    const line = position ? text.slice(0, Number(position[1])).split('\n').length : undefined;
    throw new AnnotationParseError(`${file}${line === undefined ? '' : `:${line}`}: not valid JSON: ${(error as Error).message}`, { file, ...(line === undefined ? {} : { line }) }, { cause: error });
  }
  const record = doc as Record<string, unknown>;
  for (const key of ['images', 'annotations', 'categories'] as const) {
    if (!Array.isArray(record?.[key])) throw new AnnotationParseError(`${file}: "${key}" is missing or not an array`, { file, field: key });
  }
  const lines = jsonElementLines(text, ['images', 'annotations', 'categories']);
  const categories = (record.categories as Record<string, unknown>[]).map((c, i) => {
    if (!Number.isInteger(c?.id) || typeof c?.name !== 'string') {
      throw new AnnotationParseError(`${file}:${lines.categories![i] ?? '?'}: category needs an integer "id" and a "name"`, { file, line: lines.categories![i], field: 'categories' });
    }
    return { id: c.id as number, name: c.name };
  });
  categories.sort((a, b) => a.id - b.id);
  const classIndex = new Map<number, number>();
  categories.forEach((c, i) => {
    if (classIndex.has(c.id)) throw new AnnotationParseError(`${file}: category id ${c.id} appears twice`, { file, field: 'categories' });
    classIndex.set(c.id, i);
  });

  const findings: Finding[] = [];
  const images: CocoImage[] = [];
  const byId = new Map<number, CocoImage>();
  (record.images as Record<string, unknown>[]).forEach((img, i) => {
    const line = lines.images![i];
    if (!Number.isInteger(img?.id) || typeof img?.file_name !== 'string') {
      throw new AnnotationParseError(`${file}:${line}: image needs an integer "id" and a "file_name"`, { file, line, field: 'images' });
    }
    if (byId.has(img.id as number)) throw new AnnotationParseError(`${file}:${line}: image id ${String(img.id)} appears twice`, { file, line, field: 'images' });
    const entry: CocoImage = { id: img.id as number, fileName: img.file_name, boxes: [], ...(line === undefined ? {} : { line }) };
    if (isNumber(img.width)) entry.width = img.width;
    if (isNumber(img.height)) entry.height = img.height;
    images.push(entry);
    byId.set(entry.id, entry);
  });

  (record.annotations as Record<string, unknown>[]).forEach((ann, i) => {
    const line = lines.annotations![i];
    const where = { file, ...(line === undefined ? {} : { line }) };
    const image = byId.get(ann?.image_id as number);
    if (image === undefined) {
      findings.push({ ...where, rule: 'missing-image', severity: 'error', excludedBoxes: 1, message: `annotation refers to image_id ${String(ann?.image_id)}, which is not in "images"` });
      return;
    }
    const withImage = { ...where, image: image.fileName };
    const classId = classIndex.get(ann.category_id as number);
    if (classId === undefined) {
      findings.push({ ...withImage, rule: 'unknown-class', severity: 'error', excludedBoxes: 1, message: `category_id ${String(ann.category_id)} is not in "categories"` });
      return;
    }
    const bbox = ann.bbox;
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isNumber)) {
      findings.push({ ...withImage, rule: 'bad-number', severity: 'error', excludedBoxes: 1, message: `bbox must be four finite numbers [x, y, w, h], got ${JSON.stringify(bbox)}` });
      return;
    }
    const xywh = bbox as [number, number, number, number];
    if (xywh[2] < 0 || xywh[3] < 0) {
      findings.push({ ...withImage, rule: 'negative-size', severity: 'error', excludedBoxes: 1, message: `bbox has a negative size: ${JSON.stringify(bbox)}` });
      return;
    }
    const [x1, y1, x2, y2] = fromCocoBox(xywh);
    const box: Box = { x1, y1, x2, y2, classId, source: { ...where } };
    if (ann.iscrowd !== undefined) box.iscrowd = ann.iscrowd === 1 || ann.iscrowd === true;
    if (isNumber(ann.area)) box.area = ann.area;
    if (Number.isInteger(ann.id)) box.id = ann.id as number;
    if (isNumber(ann.score)) box.score = ann.score;
    image.boxes.push(box);
  });
  return { classes: categories.map((c) => c.name), categoryIds: categories.map((c) => c.id), images, findings };
}

/**
 * Formats images as a COCO detection file. Category ids come from `dataset.categoryIds` (or `index + 1`);
 * image ids are kept when present and unique, else `cocoImageId(file_name)` (`@defectkit/core`); annotation ids
 * are kept when present and unique, else numbered from 1; `area` defaults to w·h.
 * @param fileName the `file_name` to write for each image.
 * @example formatCocoJson(dataset, dataset.images, (image) => image.path)
 */
export function formatCocoJson(dataset: Pick<Dataset, 'classes' | 'categoryIds'>, images: readonly ImageRecord[], fileName: (image: ImageRecord, index: number) => string): string {
  const categoryIds = dataset.categoryIds ?? dataset.classes.map((_, i) => i + 1);
  // Images without an id get the one image-identity rule's id (from the file name), the id `detect` writes for them.
  const imageIds = uniqueIds(images.map((image, i) => image.id ?? cocoImageId(fileName(image, i))));
  const boxes = images.flatMap((image) => image.boxes);
  const annotationIds = uniqueIds(boxes.map((b) => b.id));
  let a = 0;
  const doc = {
    images: images.map((image, i) => ({ id: imageIds[i], file_name: fileName(image, i), width: image.width, height: image.height })),
    annotations: images.flatMap((image, i) =>
      image.boxes.map((b) => {
        const bbox = toCocoBox([b.x1, b.y1, b.x2, b.y2]);
        return {
          id: annotationIds[a++],
          image_id: imageIds[i],
          category_id: categoryIds[b.classId],
          bbox,
          area: b.area ?? bbox[2] * bbox[3],
          iscrowd: b.iscrowd ? 1 : 0,
          ...(b.score === undefined ? {} : { score: b.score }),
        };
      }),
    ),
    categories: dataset.classes.map((name, i) => ({ id: categoryIds[i], name })),
  };
  // One element per line: readable, diff-friendly, and findings can point at a line.
  const array = (items: readonly unknown[]) => (items.length === 0 ? '[]' : `[\n  ${items.map((x) => JSON.stringify(x)).join(',\n  ')}\n ]`);
  return `{\n "images": ${array(doc.images)},\n "annotations": ${array(doc.annotations)},\n "categories": ${array(doc.categories)}\n}\n`;
}

/** Keeps each present, not yet used integer id; gives the others fresh ids above the largest kept one. */
function uniqueIds(ids: readonly (number | undefined)[]): number[] {
  const used = new Set<number>();
  const kept = ids.map((id) => (id !== undefined && Number.isInteger(id) && !used.has(id) ? (used.add(id), id) : undefined));
  let next = Math.max(0, ...used) + 1;
  return kept.map((id) => id ?? next++);
}
