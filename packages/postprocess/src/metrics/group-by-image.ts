import { EvaluationInputError } from '../errors.js';
import type { CocoDetection, CocoEvalInput, CocoGroundTruth, ImageKey } from './coco-eval.js';

/** Ground truth and detections of one image. */
export interface ImageBoxes {
  gt: CocoGroundTruth[];
  dt: CocoDetection[];
}

/**
 * Groups boxes by image (in `imageIds` order); detections of categories outside `categoryIds` are dropped.
 * @throws EvaluationInputError `EVAL_INPUT` for a box on an unknown image or a NaN score.
 */
export function groupByImage(input: CocoEvalInput): ImageBoxes[] {
  const index = new Map<ImageKey, number>(input.imageIds.map((id, i) => [id, i]));
  const categories = new Set(input.categoryIds);
  const out: ImageBoxes[] = input.imageIds.map(() => ({ gt: [], dt: [] }));
  input.groundTruth.forEach((g, n) => {
    const i = index.get(g.imageId);
    if (i === undefined) throw new EvaluationInputError(`Ground truth ${n} is on unknown image ${g.imageId}`, { field: `groundTruth[${n}]` });
    out[i]!.gt.push(g);
  });
  input.detections.forEach((d, n) => {
    const i = index.get(d.imageId);
    if (i === undefined) throw new EvaluationInputError(`Detection ${n} is on image ${d.imageId}, which is not in the ground truth`, { field: `detections[${n}]` });
    if (Number.isNaN(d.score)) throw new EvaluationInputError(`Detection ${n} has a NaN score`, { field: `detections[${n}].score` });
    if (categories.has(d.categoryId)) out[i]!.dt.push(d);
  });
  return out;
}
