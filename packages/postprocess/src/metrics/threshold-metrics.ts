import { InvalidArgumentError } from '../errors.js';
import type { CocoEvalInput } from './coco-eval.js';
import { groupByImage } from './group-by-image.js';
import { xywhIou } from './xywh-iou.js';

/** Options of {@link thresholdMetrics}. */
export interface ThresholdMetricsOptions {
  /** Detections count only when their score is strictly above this; default 0.25. */
  scoreThreshold?: number;
  /** A detection and a GT box pair when IoU ≥ this; default 0.5. */
  iouThreshold?: number;
}

/** Counts and rates of one category (or of all, `categoryId` null). */
export interface ClassCounts {
  categoryId: number | null;
  tp: number;
  /** Detections of this category that are not a TP (wrong class or background). */
  fp: number;
  /** GT boxes of this category that are not a TP. */
  fn: number;
  /** tp / (tp + fp), 0 without detections. */
  precision: number;
  /** tp / (tp + fn), 0 without GT. */
  recall: number;
  /** 2PR / (P + R), 0 when both are 0. */
  f1: number;
  /** False detections / all detections = fp / (tp + fp), 0 without detections. */
  falseAlarmRate: number;
}

/** The result of {@link thresholdMetrics}. */
export interface ThresholdMetricsResult {
  /** Category ids in matrix order; index `categoryIds.length` is the background. */
  categoryIds: number[];
  /**
   * (K+1)×(K+1) counts, rows = ground truth, columns = prediction, last row/column = background:
   * `matrix[g][p]` pairs of GT class g predicted as p, `matrix[g][K]` missed GT, `matrix[K][p]` detections
   * matching no GT.
   */
  matrix: number[][];
  perClass: ClassCounts[];
  overall: ClassCounts;
}

/**
 * Precision, recall, F1, false-alarm rate and the confusion matrix at one score threshold. Per image, detections
 * above the threshold in descending score order (stable) take the unpaired GT box with the highest IoU ≥
 * `iouThreshold`, of any class (so wrong-class detections show up off the diagonal); crowd GT counts as ordinary.
 */
export function thresholdMetrics(input: CocoEvalInput, options: ThresholdMetricsOptions = {}): ThresholdMetricsResult {
  const { scoreThreshold = 0.25, iouThreshold = 0.5 } = options;
  for (const [field, value] of [
    ['scoreThreshold', scoreThreshold],
    ['iouThreshold', iouThreshold],
  ] as const) {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new InvalidArgumentError('INVALID_NUMBER', `${field} must be a number, got ${String(value)}`, { field, value });
    }
  }
  const categoryIds = [...new Set(input.categoryIds)].sort((a, b) => a - b);
  const K = categoryIds.length;
  const index = new Map(categoryIds.map((c, k) => [c, k]));
  const matrix = Array.from({ length: K + 1 }, () => new Array<number>(K + 1).fill(0));
  const order = new Map(input.detections.map((d, n) => [d, n]));
  for (const { gt, dt } of groupByImage(input)) {
    const dets = dt
      .filter((d) => d.score > scoreThreshold)
      .sort((a, b) => b.score - a.score || order.get(a)! - order.get(b)!);
    const used = new Uint8Array(gt.length);
    for (const d of dets) {
      let best = -1;
      let bestIou = -Infinity;
      gt.forEach((g, j) => {
        if (used[j] === 1) return;
        const iou = xywhIou(d.bbox, g.bbox);
        if (iou >= iouThreshold && iou > bestIou) {
          bestIou = iou;
          best = j;
        }
      });
      const p = index.get(d.categoryId)!;
      if (best < 0) matrix[K]![p]!++;
      else {
        used[best] = 1;
        matrix[index.get(gt[best]!.categoryId)!]![p]!++;
      }
    }
    gt.forEach((g, j) => {
      if (used[j] === 0) matrix[index.get(g.categoryId)!]![K]!++;
    });
  }
  const perClass = categoryIds.map((categoryId, k) => {
    const tp = matrix[k]![k]!;
    const predicted = matrix.reduce((sum, row) => sum + row[k]!, 0);
    const actual = matrix[k]!.reduce((a, b) => a + b, 0);
    return counts(categoryId, tp, predicted - tp, actual - tp);
  });
  const sum = (f: (c: ClassCounts) => number) => perClass.reduce((a, c) => a + f(c), 0);
  return { categoryIds, matrix, perClass, overall: counts(null, sum((c) => c.tp), sum((c) => c.fp), sum((c) => c.fn)) };
}

function counts(categoryId: number | null, tp: number, fp: number, fn: number): ClassCounts {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    categoryId,
    tp,
    fp,
    fn,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    falseAlarmRate: tp + fp === 0 ? 0 : fp / (tp + fp),
  };
}
