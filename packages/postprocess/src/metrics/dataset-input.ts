import type { Dataset, ImageRecord } from '@defectkit/annotations';
import { EvaluationInputError } from '../errors.js';
import type { CocoEvalInput, ImageKey } from './coco-eval.js';
import type { DeepPcbBox, DeepPcbImage } from './deeppcb-protocol.js';

/** A predicted box: corners in image pixels, score and class id (an index into the GT dataset's `classes`). */
export interface PredictedBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classId: number;
}

/** The predictions of one image, keyed like {@link imageKeyOf} (the COCO id, else the image path). */
export interface ImagePredictions {
  imageKey: ImageKey;
  /** `null` = no result for this image (DeepPCB: no result file); otherwise the detections (may be empty). */
  detections: readonly PredictedBox[] | null;
}

/** How an image is identified between ground truth and predictions: its COCO id when it has one, else its path. */
export function imageKeyOf(image: ImageRecord): ImageKey {
  return image.id ?? image.path;
}

/** The COCO category id of a class index: `categoryIds[i]` when the dataset has them, else i + 1. */
export function categoryIdOf(dataset: Dataset, classId: number): number {
  return dataset.categoryIds?.[classId] ?? classId + 1;
}

/**
 * Converts a ground-truth dataset and predictions into the COCO evaluation input (boxes as `[x, y, w, h]`, GT area =
 * the box's `area` when the source had one, else w·h; annotation ids = the boxes' ids when every box has one,
 * else 1, 2, …). Also the input of {@link vocEvaluate} and {@link ultralyticsMap}.
 *
 * @throws EvaluationInputError `EVAL_INPUT` for predictions on an image the ground truth does not have, a class id
 *   outside the GT classes, duplicate image keys or non-numeric values.
 */
export function evalInputFromDataset(gt: Dataset, predictions: readonly ImagePredictions[]): CocoEvalInput {
  const keys = gt.images.map(imageKeyOf);
  checkUniqueKeys(keys);
  const known = new Set(keys);
  const allHaveIds = gt.images.every((im) => im.boxes.every((b) => typeof b.id === 'number' && b.id >= 1));
  let nextId = 0;
  const groundTruth = gt.images.flatMap((im, i) =>
    im.boxes.map((b, j) => {
      checkClass(gt, b.classId, `ground truth ${im.path} box ${j}`);
      const w = b.x2 - b.x1;
      const h = b.y2 - b.y1;
      return {
        id: allHaveIds ? b.id! : ++nextId,
        imageId: keys[i]!,
        categoryId: categoryIdOf(gt, b.classId),
        bbox: [b.x1, b.y1, w, h] as [number, number, number, number],
        area: b.area ?? w * h,
        iscrowd: b.iscrowd === true,
      };
    }),
  );
  const detections = predictions.flatMap((p) => {
    if (!known.has(p.imageKey)) {
      throw new EvaluationInputError(`Predictions are given for image ${String(p.imageKey)}, which is not in the ground truth`, {
        field: 'imageKey',
        imageKey: p.imageKey,
      });
    }
    return (p.detections ?? []).map((d, j) => {
      checkClass(gt, d.classId, `prediction ${String(p.imageKey)} box ${j}`);
      if (![d.x1, d.y1, d.x2, d.y2, d.score].every((v) => typeof v === 'number' && !Number.isNaN(v))) {
        throw new EvaluationInputError(`Prediction ${String(p.imageKey)} box ${j} has a non-numeric coordinate or score`, {
          field: `detections[${j}]`,
          imageKey: p.imageKey,
        });
      }
      return {
        imageId: p.imageKey,
        categoryId: categoryIdOf(gt, d.classId),
        bbox: [d.x1, d.y1, d.x2 - d.x1, d.y2 - d.y1] as [number, number, number, number],
        score: d.score,
      };
    });
  });
  return { imageIds: keys, categoryIds: gt.classes.map((_, c) => categoryIdOf(gt, c)), groundTruth, detections };
}

/**
 * Converts a dataset and predictions into DeepPCB protocol images (names = image keys as text, classes by name).
 * Images without an entry in `predictions` get `det: null` (no result file).
 */
export function deeppcbImagesFromDataset(gt: Dataset, predictions: readonly ImagePredictions[]): DeepPcbImage[] {
  const keys = gt.images.map(imageKeyOf);
  checkUniqueKeys(keys);
  const byKey = new Map<ImageKey, ImagePredictions>();
  for (const p of predictions) {
    if (!keys.includes(p.imageKey)) {
      throw new EvaluationInputError(`Predictions are given for image ${String(p.imageKey)}, which is not in the ground truth`, {
        field: 'imageKey',
        imageKey: p.imageKey,
      });
    }
    byKey.set(p.imageKey, p);
  }
  return gt.images.map((im, i) => {
    const p = byKey.get(keys[i]!);
    return {
      name: String(keys[i]),
      gt: im.boxes.map((b, j) => {
        checkClass(gt, b.classId, `ground truth ${im.path} box ${j}`);
        return { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, className: gt.classes[b.classId]! };
      }),
      det:
        p?.detections == null
          ? null
          : p.detections.map((d, j) => {
              checkClass(gt, d.classId, `prediction ${im.path} box ${j}`);
              return { x1: d.x1, y1: d.y1, x2: d.x2, y2: d.y2, score: d.score, className: gt.classes[d.classId]! };
            }),
    };
  });
}

function checkClass(gt: Dataset, classId: number, where: string): void {
  if (!Number.isInteger(classId) || classId < 0 || classId >= gt.classes.length) {
    throw new EvaluationInputError(`${where}: class id ${classId} is not one of the ${gt.classes.length} ground-truth classes`, {
      field: 'classId',
      where,
      classId,
    });
  }
}

function checkUniqueKeys(keys: readonly ImageKey[]): void {
  const seen = new Set<ImageKey>();
  for (const key of keys) {
    if (seen.has(key)) throw new EvaluationInputError(`Image ${String(key)} appears twice in the ground truth`, { field: 'images', imageKey: key });
    seen.add(key);
  }
}

/**
 * DeepPCB protocol images from a COCO evaluation input (e.g. read from COCO files): one image per image id, class
 * names from `names` (category id → name, the id as text when missing); every image counts as having a result.
 */
export function deeppcbImagesFromEvalInput(input: CocoEvalInput, names: ReadonlyMap<number, string>): DeepPcbImage[] {
  const nameOf = (c: number) => names.get(c) ?? String(c);
  const byImage = new Map<ImageKey, { name: string; gt: DeepPcbBox[]; det: DeepPcbBox[] }>(
    input.imageIds.map((id) => [id, { name: String(id), gt: [], det: [] }]),
  );
  const get = (id: ImageKey, what: string) => {
    const image = byImage.get(id);
    if (!image) throw new EvaluationInputError(`${what} is on image ${String(id)}, which is not in the ground truth`, { field: 'image_id', imageId: id });
    return image;
  };
  for (const g of input.groundTruth) {
    const [x, y, w, h] = g.bbox;
    get(g.imageId, `Ground truth ${g.id}`).gt.push({ x1: x, y1: y, x2: x + w, y2: y + h, className: nameOf(g.categoryId) });
  }
  input.detections.forEach((d, n) => {
    const [x, y, w, h] = d.bbox;
    get(d.imageId, `Detection ${n}`).det.push({ x1: x, y1: y, x2: x + w, y2: y + h, score: d.score, className: nameOf(d.categoryId) });
  });
  return [...byImage.values()];
}
