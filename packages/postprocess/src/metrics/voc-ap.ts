import type { CocoEvalInput } from './coco-eval.js';
import { groupByImage } from './group-by-image.js';
import { xywhIou } from './xywh-iou.js';

/** VOC AP of one category; `null` when it has no countable (non-crowd) ground truth. */
export interface VocClassResult {
  categoryId: number;
  /** VOC2010+ area under the precision envelope. */
  allPoint: number | null;
  /** VOC2007 mean of the maximum precision at recall ≥ 0, 0.1, …, 1. */
  elevenPoint: number | null;
}

/**
 * PASCAL VOC AP per category at an IoU threshold (default 0.5, matched with IoU ≥ threshold, no +1). Per class,
 * detections in descending score order (stable) look only at the GT of their image and class with the highest
 * IoU (first on ties): crowd ("difficult") → ignored, unused → TP, already used → FP; below threshold → FP.
 */
export function vocEvaluate(input: CocoEvalInput, iouThreshold = 0.5): VocClassResult[] {
  const images = groupByImage(input);
  const categories = [...new Set(input.categoryIds)].sort((a, b) => a - b);
  const imageIndex = new Map(input.imageIds.map((id, i) => [id, i]));
  return categories.map((categoryId) => {
    let npos = 0;
    const dets: { image: number; score: number; bbox: readonly number[]; order: number }[] = [];
    for (const im of images) for (const g of im.gt) if (g.categoryId === categoryId && !g.iscrowd) npos++;
    if (npos === 0) return { categoryId, allPoint: null, elevenPoint: null };
    // Stable by score over the input order of the detections.
    input.detections.forEach((d, order) => {
      if (d.categoryId === categoryId) dets.push({ image: imageIndex.get(d.imageId)!, score: d.score, bbox: d.bbox, order });
    });
    dets.sort((a, b) => b.score - a.score || a.order - b.order);
    const used = images.map((im) => new Uint8Array(im.gt.length));
    const recall: number[] = [];
    const precision: number[] = [];
    let tp = 0;
    let fp = 0;
    for (const det of dets) {
      const gts = images[det.image]!.gt;
      let best = -Infinity;
      let bestIndex = -1;
      gts.forEach((g, j) => {
        if (g.categoryId !== categoryId) return;
        const iou = xywhIou(det.bbox, g.bbox);
        if (iou > best) {
          best = iou;
          bestIndex = j;
        }
      });
      if (bestIndex >= 0 && best >= iouThreshold) {
        if (gts[bestIndex]!.iscrowd) continue;
        if (used[det.image]![bestIndex] === 0) {
          used[det.image]![bestIndex] = 1;
          tp++;
        } else fp++;
      } else fp++;
      recall.push(tp / npos);
      precision.push(tp / (tp + fp));
    }
    return { categoryId, allPoint: allPointAp(recall, precision), elevenPoint: elevenPointAp(recall, precision) };
  });
}

/** VOC2010+ AP: sentinels (0, 0) and (1, 0), right-to-left max envelope, Σ Δrecall · precision. */
export function allPointAp(recall: readonly number[], precision: readonly number[]): number {
  const mrec = [0, ...recall, 1];
  const mpre = [0, ...precision, 0];
  for (let i = mpre.length - 2; i >= 0; i--) mpre[i] = Math.max(mpre[i]!, mpre[i + 1]!);
  let ap = 0;
  for (let i = 0; i < mrec.length - 1; i++) if (mrec[i + 1] !== mrec[i]) ap += (mrec[i + 1]! - mrec[i]!) * mpre[i + 1]!;
  return ap;
}

/** VOC2007 11-point AP: mean over r = i/10 (i = 0…10) of the max precision at recall ≥ r (0 if none). */
export function elevenPointAp(recall: readonly number[], precision: readonly number[]): number {
  let ap = 0;
  for (let i = 0; i < 11; i++) {
    const t = i / 10;
    let p = 0;
    for (let j = 0; j < recall.length; j++) if (recall[j]! >= t && precision[j]! > p) p = precision[j]!;
    ap += p / 11;
  }
  return ap;
}
