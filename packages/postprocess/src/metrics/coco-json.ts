import { EvaluationInputError } from '../errors.js';
import type { CocoDetection, CocoEvalInput, CocoGroundTruth } from './coco-eval.js';

/**
 * Builds {@link CocoEvalInput} from a parsed COCO ground-truth object and a parsed COCO results list, with
 * pycocotools' `loadRes` rules (detection area = w·h, GT `ignore` := `iscrowd`, the GT `area` field kept).
 * Reading boxes straight from `[x, y, w, h]` keeps IoU bit-identical to pycocotools (no x2 − x1 round trip).
 * Unlike `loadRes`, an empty results list is allowed (every category with GT then scores 0).
 *
 * @param source names the inputs in error messages (e.g. the file paths).
 * @throws EvaluationInputError `EVAL_INPUT` naming the field that is missing or malformed.
 */
export function cocoEvalInputFromJson(gt: unknown, results: unknown, source: { gt?: string; results?: string } = {}): CocoEvalInput {
  const gtName = source.gt ?? 'ground truth';
  const resName = source.results ?? 'results';
  const root = asObject(gt, gtName);
  const images = asArray(root.images, `${gtName}: images`);
  const categories = asArray(root.categories, `${gtName}: categories`);
  const annotations = asArray(root.annotations ?? [], `${gtName}: annotations`);
  const imageIds = images.map((im, i) => asId(asObject(im, `${gtName}: images[${i}]`).id, `${gtName}: images[${i}].id`));
  const categoryIds = categories.map((c, i) => asNumber(asObject(c, `${gtName}: categories[${i}]`).id, `${gtName}: categories[${i}].id`));
  const groundTruth: CocoGroundTruth[] = annotations.map((value, i) => {
    const field = `${gtName}: annotations[${i}]`;
    const a = asObject(value, field);
    const bbox = asBbox(a.bbox, `${field}.bbox`);
    return {
      id: asNumber(a.id, `${field}.id`),
      imageId: asId(a.image_id, `${field}.image_id`),
      categoryId: asNumber(a.category_id, `${field}.category_id`),
      bbox,
      area: a.area === undefined ? bbox[2] * bbox[3] : asNumber(a.area, `${field}.area`),
      iscrowd: Boolean(a.iscrowd),
    };
  });
  const detections: CocoDetection[] = asArray(results, resName).map((value, i) => {
    const field = `${resName}: [${i}]`;
    const d = asObject(value, field);
    return {
      imageId: asId(d.image_id, `${field}.image_id`),
      categoryId: asNumber(d.category_id, `${field}.category_id`),
      bbox: asBbox(d.bbox, `${field}.bbox`),
      score: asNumber(d.score, `${field}.score`),
    };
  });
  return { imageIds, categoryIds, groundTruth, detections };
}

function fail(field: string, expected: string, value: unknown): never {
  throw new EvaluationInputError(`${field} must be ${expected}, got ${JSON.stringify(value)?.slice(0, 80)}`, { field });
}
function asObject(value: unknown, field: string): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : fail(field, 'an object', value);
}
function asArray(value: unknown, field: string): unknown[] {
  return Array.isArray(value) ? value : fail(field, 'a list', value);
}
function asNumber(value: unknown, field: string): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fail(field, 'a finite number', value);
}
function asId(value: unknown, field: string): number | string {
  return typeof value === 'string' ? value : asNumber(value, field);
}
function asBbox(value: unknown, field: string): [number, number, number, number] {
  const list = asArray(value, field);
  if (list.length !== 4) fail(field, '[x, y, w, h]', value);
  return list.map((v) => asNumber(v, field)) as [number, number, number, number];
}
