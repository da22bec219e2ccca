import { InvalidArgumentError } from '../errors.js';
import { boxIou } from './box-iou.js';
import { stableDescendingOrder } from './score-order.js';
import { validateNmsInput } from './validate-nms-input.js';

/** Options of {@link weightedBoxFusion}. */
export interface WeightedBoxFusionOptions {
  /** A box joins a cluster of its class when its IoU with the cluster's fused box is > this; default 0.55. */
  iouThreshold?: number;
  /** Boxes scoring below this are ignored; default 0. */
  skipBoxThreshold?: number;
  /** How many models contributed the boxes (scores of clusters with fewer members are scaled down); default 1. */
  modelCount?: number;
}

/** Fused boxes, best first. */
export interface WeightedBoxFusionResult {
  boxes: Float32Array;
  scores: Float32Array;
  classIds: Int32Array;
  /** How many input boxes each fused box averages. */
  clusterSizes: Int32Array;
}

/**
 * Weighted box fusion (Solovyev et al., 2021): per class, boxes in descending score order join the cluster whose
 * fused box overlaps them most (IoU > threshold) or start a new one. A fused box is the score-weighted mean of its
 * members' corners; its score is the mean member score × min(members, modelCount) / modelCount. Unlike NMS every
 * box contributes to the final position.
 *
 * @example weightedBoxFusion(boxes, scores, classIds, { iouThreshold: 0.55, modelCount: 2 })
 */
export function weightedBoxFusion(
  boxes: Float32Array,
  scores: Float32Array,
  classIds: Int32Array,
  options: WeightedBoxFusionOptions = {},
): WeightedBoxFusionResult {
  const { iouThreshold = 0.55, skipBoxThreshold = 0, modelCount = 1 } = options;
  validateNmsInput(boxes, scores, iouThreshold, classIds);
  if (!Number.isInteger(modelCount) || modelCount < 1) {
    throw new InvalidArgumentError('INVALID_SIZE', `modelCount must be an integer >= 1, got ${modelCount}`, { field: 'modelCount', value: modelCount });
  }
  interface Cluster {
    classId: number;
    fused: number[];
    weighted: number[];
    scoreSum: number;
    count: number;
  }
  const clusters: Cluster[] = [];
  const byClass = new Map<number, Cluster[]>();
  for (const i of stableDescendingOrder(scores)) {
    const s = scores[i]!;
    if (!(s >= skipBoxThreshold)) continue;
    const classId = classIds[i]!;
    const own = byClass.get(classId) ?? [];
    byClass.set(classId, own);
    let best: Cluster | undefined;
    let bestIou = iouThreshold;
    for (const cluster of own) {
      const iou = boxIou(cluster.fused, 0, boxes, i);
      if (iou > bestIou) {
        bestIou = iou;
        best = cluster;
      }
    }
    if (best === undefined) {
      best = { classId, fused: [0, 0, 0, 0], weighted: [0, 0, 0, 0], scoreSum: 0, count: 0 };
      own.push(best);
      clusters.push(best);
    }
    best.count++;
    best.scoreSum += s;
    for (let k = 0; k < 4; k++) {
      best.weighted[k]! += s * boxes[i * 4 + k]!;
      best.fused[k] = best.scoreSum > 0 ? best.weighted[k]! / best.scoreSum : boxes[i * 4 + k]!;
    }
  }
  const fusedScores = clusters.map((c) => (c.scoreSum / c.count) * (Math.min(c.count, modelCount) / modelCount));
  const order = stableDescendingOrder(Float32Array.from(fusedScores));
  const result: WeightedBoxFusionResult = {
    boxes: new Float32Array(clusters.length * 4),
    scores: new Float32Array(clusters.length),
    classIds: new Int32Array(clusters.length),
    clusterSizes: new Int32Array(clusters.length),
  };
  order.forEach((c, k) => {
    const cluster = clusters[c]!;
    result.boxes.set(cluster.fused, k * 4);
    result.scores[k] = fusedScores[c]!;
    result.classIds[k] = cluster.classId;
    result.clusterSizes[k] = cluster.count;
  });
  return result;
}
