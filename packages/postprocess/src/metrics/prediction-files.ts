import type { Dataset } from '@defectkit/annotations';
import { cocoImageId, imageFileStem, imageKey } from '@defectkit/core';
import { EvaluationInputError } from '../errors.js';
import { imageKeyOf, type ImagePredictions, type PredictedBox } from './dataset-input.js';

/**
 * Converts a parsed COCO results list (`[{ image_id, category_id, bbox: [x, y, w, h], score }]`) into predictions
 * for a ground-truth dataset. `image_id` matches the images' own COCO ids first, then the id of the one
 * image-identity rule (`cocoImageId` of `@defectkit/core`, what `detect --format coco` writes); a string
 * `image_id` matches an image's path, file name or stem. `category_id` matches `categoryIds` (else class index + 1).
 *
 * @throws EvaluationInputError `EVAL_INPUT` naming the entry for an unknown image or category or a malformed field.
 */
export function predictionsFromCocoResults(results: unknown, gt: Dataset, source = 'results'): ImagePredictions[] {
  if (!Array.isArray(results)) throw new EvaluationInputError(`${source} must be a JSON list of COCO results`, { file: source });
  const lookup = new Map<string, number>();
  // Own ids first, so a results file made for the ground truth's ids always reads as pycocotools would.
  gt.images.forEach((im, i) => {
    if (im.id !== undefined) lookup.set(`#${im.id}`, i);
  });
  gt.images.forEach((im, i) => {
    const ruleId = `#${cocoImageId(im.path)}`;
    if (!lookup.has(ruleId)) lookup.set(ruleId, i);
    for (const k of [im.path, imageKey(im.path), imageFileStem(im.path)]) if (!lookup.has(`=${k}`)) lookup.set(`=${k}`, i);
  });
  const classOf = new Map<number, number>(gt.classes.map((_, c) => [gt.categoryIds?.[c] ?? c + 1, c]));
  const perImage = new Map<number, PredictedBox[]>();
  results.forEach((entry: unknown, n) => {
    const field = `${source}[${n}]`;
    const r = (entry ?? {}) as Record<string, unknown>;
    const imageId = r.image_id;
    const index =
      typeof imageId === 'number' ? (lookup.get(`#${imageId}`) ?? lookup.get(`=${imageId}`)) : typeof imageId === 'string' ? lookup.get(`=${imageId}`) : undefined;
    if (index === undefined) throw new EvaluationInputError(`${field}.image_id ${JSON.stringify(imageId)} is not an image of the ground truth`, { file: source, field: `${field}.image_id` });
    const classId = typeof r.category_id === 'number' ? classOf.get(r.category_id) : undefined;
    if (classId === undefined) {
      throw new EvaluationInputError(`${field}.category_id ${JSON.stringify(r.category_id)} is not a ground-truth category`, { file: source, field: `${field}.category_id` });
    }
    const bbox = r.bbox;
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new EvaluationInputError(`${field}.bbox must be [x, y, w, h] numbers`, { file: source, field: `${field}.bbox` });
    }
    if (typeof r.score !== 'number' || Number.isNaN(r.score)) throw new EvaluationInputError(`${field}.score must be a number`, { file: source, field: `${field}.score` });
    const [x, y, w, h] = bbox as number[];
    const list = perImage.get(index) ?? [];
    list.push({ x1: x!, y1: y!, x2: x! + w!, y2: y! + h!, score: r.score, classId });
    perImage.set(index, list);
  });
  return gt.images.map((im, i) => ({ imageKey: imageKeyOf(im), detections: perImage.get(i) ?? [] }));
}

/**
 * Parses one DeepPCB result file: lines `x1,y1,x2,y2,confidence,type` (commas or spaces), `type` a class name
 * (case-insensitive) or a 1-based class id as in the DeepPCB annotations; blank lines are skipped.
 *
 * @throws EvaluationInputError `EVAL_INPUT` naming the file and the 1-based line.
 */
export function parseDeepPcbResults(text: string, classes: readonly string[], file: string): PredictedBox[] {
  const byName = new Map(classes.map((name, c) => [name.trim().toUpperCase(), c]));
  const out: PredictedBox[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const parts = line.split(/[,\s]+/);
    const fail = (why: string): never => {
      throw new EvaluationInputError(`${file}:${i + 1}: ${why} (expected x1,y1,x2,y2,confidence,type)`, { file, line: i + 1 });
    };
    if (parts.length !== 6) fail(`${parts.length} fields`);
    const numbers = parts.slice(0, 5).map(Number);
    if (numbers.some((v) => !Number.isFinite(v))) fail('a coordinate or the confidence is not a number');
    const type = parts[5]!;
    const classId = /^\d+$/.test(type) ? Number(type) - 1 : byName.get(type.toUpperCase());
    if (classId === undefined || classId < 0 || classId >= classes.length) fail(`unknown type '${type}'`);
    const [x1, y1, x2, y2, score] = numbers as [number, number, number, number, number];
    out.push({ x1, y1, x2, y2, score, classId: classId! });
  });
  return out;
}
