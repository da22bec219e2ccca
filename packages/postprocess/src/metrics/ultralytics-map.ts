import type { CocoEvalInput } from './coco-eval.js';
import { COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS } from './coco-params.js';
import { groupByImage } from './group-by-image.js';
import { interp, trapezoid } from './numpy-interp.js';
import { xywhIou } from './xywh-iou.js';

/** Ultralytics-style AP of one category present in the ground truth. */
export interface UltralyticsClassResult {
  categoryId: number;
  /** Ground-truth instances. */
  instances: number;
  /** Images with at least one instance. */
  images: number;
  ap50: number;
  ap50_95: number;
  /** AP at each of the 10 IoU thresholds 0.5 … 0.95. */
  ap: number[];
}

/** Ultralytics-style metrics (labelled as such: they are not COCO's). */
export interface UltralyticsMapResult {
  perClass: UltralyticsClassResult[];
  map50: number;
  map50_95: number;
  /** 0.1 · mAP50 + 0.9 · mAP50-95. */
  fitness: number;
}

/**
 * The Ultralytics validator's mAP (`match_predictions` + `ap_per_class` + `compute_ap`): per image, detections in
 * descending confidence order (as NMS returns them), GT × detection IoU (float64, no +1) zeroed across classes; for
 * each threshold 0.5…0.95 pairs with IoU ≥ t, ordered by IoU descending, first pair per detection (then in
 * detection-index order, as `np.unique` returns them) then first per GT → TP. Then per GT class:
 * detections by descending confidence (stable), recall = tp / n, precision = tp / (tp + fp); AP = trapezoid
 * integral of the linearly interpolated precision envelope (sentinels (0, 1), (1, 0)) at 101 recalls, so a
 * perfect detector scores 0.995. Crowd GT counts as ordinary GT; classes without GT are ignored; classes with GT
 * but no detections score 0.
 */
export function ultralyticsMap(input: CocoEvalInput): UltralyticsMapResult {
  const images = groupByImage(input);
  const T = COCO_IOU_THRESHOLDS.length;
  const preds: { score: number; categoryId: number; tp: Uint8Array; order: number }[] = [];
  const instances = new Map<number, number>();
  const imageCount = new Map<number, number>();
  const detOrder = new Map(input.detections.map((d, n) => [d, n]));
  for (const { gt, dt: given } of images) {
    // Ultralytics matches the NMS output of each image, which is in descending confidence order; the
    // detection index breaks ties between pairs in match_predictions, so that order matters.
    const dt = given
      .map((d) => [d, detOrder.get(d)!] as const)
      .sort((a, b) => b[0].score - a[0].score || a[1] - b[1])
      .map(([d]) => d);
    const seen = new Set<number>();
    for (const g of gt) {
      instances.set(g.categoryId, (instances.get(g.categoryId) ?? 0) + 1);
      seen.add(g.categoryId);
    }
    for (const c of seen) imageCount.set(c, (imageCount.get(c) ?? 0) + 1);
    const iou = gt.map((g) => dt.map((d) => (d.categoryId === g.categoryId ? xywhIou(g.bbox, d.bbox) : 0)));
    const correct = dt.map(() => new Uint8Array(T));
    COCO_IOU_THRESHOLDS.forEach((threshold, t) => {
      const pairs: [number, number][] = [];
      gt.forEach((_, g) => dt.forEach((_, d) => iou[g]![d]! >= threshold && pairs.push([g, d])));
      if (pairs.length === 0) return;
      // argsort ascending (stable) then reversed: IoU descending, later pairs first among equal IoU.
      const sorted = pairs
        .map((p, k) => [p, k] as const)
        .sort((a, b) => iou[a[0][0]]![a[0][1]]! - iou[b[0][0]]![b[0][1]]! || a[1] - b[1])
        .map(([p]) => p)
        .reverse();
      const byDet = firstPerKey(sorted, (p) => p[1]); // np.unique(..., return_index) → ordered by detection index
      const byGt = firstPerKey(byDet, (p) => p[0]);
      for (const [, d] of byGt) correct[d]![t] = 1;
    });
    dt.forEach((d, j) => preds.push({ score: d.score, categoryId: d.categoryId, tp: correct[j]!, order: detOrder.get(d)! }));
  }
  preds.sort((a, b) => b.score - a.score || a.order - b.order);
  const classes = [...instances.keys()].sort((a, b) => a - b);
  const perClass = classes.map((categoryId) => {
    const n = instances.get(categoryId)!;
    const mine = preds.filter((p) => p.categoryId === categoryId);
    const ap = COCO_IOU_THRESHOLDS.map((_, t) => {
      if (mine.length === 0) return 0;
      const recall: number[] = [];
      const precision: number[] = [];
      let tp = 0;
      let fp = 0;
      for (const p of mine) {
        if (p.tp[t]) tp++;
        else fp++;
        recall.push(tp / (n + 1e-16));
        precision.push(tp / (tp + fp));
      }
      return computeAp(recall, precision);
    });
    return {
      categoryId,
      instances: n,
      images: imageCount.get(categoryId) ?? 0,
      ap50: ap[0]!,
      ap50_95: mean(ap),
      ap,
    };
  });
  const map50 = perClass.length ? mean(perClass.map((c) => c.ap50)) : 0;
  const map50_95 = perClass.length ? mean(perClass.map((c) => c.ap50_95)) : 0;
  return { perClass, map50, map50_95, fitness: 0.1 * map50 + 0.9 * map50_95 };
}

/** Ultralytics `compute_ap` ("interp" method): 101-point linear interpolation of the envelope, trapezoid rule. */
export function computeAp(recall: readonly number[], precision: readonly number[]): number {
  const mrec = [0, ...recall, 1];
  const mpre = [1, ...precision, 0];
  for (let i = mpre.length - 2; i >= 0; i--) mpre[i] = Math.max(mpre[i]!, mpre[i + 1]!);
  const x = COCO_RECALL_THRESHOLDS;
  return trapezoid(
    x.map((v) => interp(v, mrec, mpre)),
    x,
  );
}

function firstPerKey<T>(items: readonly T[], key: (item: T) => number): T[] {
  const first = new Map<number, T>();
  for (const item of items) if (!first.has(key(item))) first.set(key(item), item);
  return [...first.entries()].sort((a, b) => a[0] - b[0]).map(([, item]) => item);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
