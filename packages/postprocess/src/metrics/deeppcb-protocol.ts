import { EvaluationInputError } from '../errors.js';

/** A DeepPCB box with its class name (ground truth) or confidence and class name (detection). */
export interface DeepPcbBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  className: string;
  /** Detections only. */
  score?: number;
}

/** One image of a DeepPCB evaluation; `det: null` means "no result file" (no detections). */
export interface DeepPcbImage {
  name: string;
  gt: readonly DeepPcbBox[];
  det: readonly DeepPcbBox[] | null;
}

/** A GT/detection pairing (detection index after sorting the image's detections by confidence). */
export interface DeepPcbPair {
  gt: number;
  det: number;
  correct: boolean;
}

/** Precision, recall, F-score (hmean) and the pooled non-interpolated AP. */
export interface DeepPcbScores {
  precision: number;
  recall: number;
  hmean: number;
  ap: number;
}

/** The result of {@link deeppcbEvaluate}. */
export interface DeepPcbResult extends DeepPcbScores {
  perSample: Record<string, DeepPcbScores & { pairs: DeepPcbPair[] }>;
}

/** The DeepPCB protocol's IoU constraint: a pair needs IoU strictly above it. */
export const DEEPPCB_IOU_CONSTRAINT = 0.33;

/**
 * The DeepPCB authors' evaluation (`evaluation/script.py`, ICDAR-2015 style) as it computes, not as its README
 * suggests: per image, detections sorted by confidence (descending, stable); each GT in file order pairs with the
 * first still-unpaired detection with IoU > 0.33 **whatever its class**; the pair is correct only if the class
 * names match (case-insensitive, trimmed). Per image recall = correct/#GT, precision = correct/#det (no GT:
 * recall 1, precision 0 with detections else 1). Global precision/recall pool the counts, hmean = F-score, and
 * "mAP" is one pooled AP over all classes: all detections by confidence, Σ precision-at-rank over correct ones / ΣGT.
 * No score threshold is applied. Coordinates are used as given (the original only accepts integers).
 *
 * @throws EvaluationInputError `EVAL_INPUT` for a detection without a numeric score or duplicate image names.
 */
export function deeppcbEvaluate(images: readonly DeepPcbImage[], iouConstraint = DEEPPCB_IOU_CONSTRAINT): DeepPcbResult {
  const perSample: DeepPcbResult['perSample'] = {};
  let matched = 0;
  let numGt = 0;
  let numDet = 0;
  const globalScores: number[] = [];
  const globalMatches: boolean[] = [];
  for (const image of images) {
    if (Object.hasOwn(perSample, image.name)) {
      throw new EvaluationInputError(`Image ${image.name} appears twice`, { field: 'name', name: image.name });
    }
    const dets = (image.det ?? []).map((d, i) => {
      if (typeof d.score !== 'number' || Number.isNaN(d.score)) {
        throw new EvaluationInputError(`Detection ${i} of image ${image.name} has no numeric confidence`, { field: 'score', image: image.name, index: i });
      }
      return { d, i };
    });
    dets.sort((a, b) => b.d.score! - a.d.score! || a.i - b.i);
    const detUsed = new Uint8Array(dets.length);
    const correctDet = new Uint8Array(dets.length);
    const pairs: DeepPcbPair[] = [];
    let correct = 0;
    image.gt.forEach((g, gi) => {
      for (let di = 0; di < dets.length; di++) {
        if (detUsed[di] === 1) continue;
        if (!(rectIou(g, dets[di]!.d) > iouConstraint)) continue;
        detUsed[di] = 1;
        const isCorrect = normalizeName(g.className) === normalizeName(dets[di]!.d.className);
        if (isCorrect) {
          correct++;
          correctDet[di] = 1;
        }
        pairs.push({ gt: gi, det: di, correct: isCorrect });
        break;
      }
    });
    const nGt = image.gt.length;
    const nDet = dets.length;
    let recall: number;
    let precision: number;
    let ap: number;
    if (nGt === 0) {
      recall = 1;
      precision = nDet > 0 ? 0 : 1;
      ap = precision;
    } else {
      recall = correct / nGt;
      precision = nDet === 0 ? 0 : correct / nDet;
      ap = pooledAp(
        dets.map((x) => x.d.score!),
        Array.from(correctDet, (c) => c === 1),
        nGt,
      );
    }
    perSample[image.name] = { precision, recall, hmean: hmean(precision, recall), ap, pairs };
    matched += correct;
    numGt += nGt;
    numDet += nDet;
    dets.forEach((x, di) => {
      globalScores.push(x.d.score!);
      globalMatches.push(correctDet[di] === 1);
    });
  }
  const recall = numGt === 0 ? 0 : matched / numGt;
  const precision = numDet === 0 ? 0 : matched / numDet;
  return { precision, recall, hmean: hmean(precision, recall), ap: pooledAp(globalScores, globalMatches, numGt), perSample };
}

/** Non-interpolated AP: detections by confidence (stable), Σ over correct ones of correct-so-far / rank, / numGt. */
function pooledAp(scores: readonly number[], matches: readonly boolean[], numGt: number): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  let correct = 0;
  let ap = 0;
  order.forEach((i, rank) => {
    if (matches[i]) {
      correct++;
      ap += correct / (rank + 1);
    }
  });
  return numGt > 0 ? ap / numGt : ap;
}

function hmean(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

function rectIou(a: DeepPcbBox, b: DeepPcbBox): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  const inter = w > 0 && h > 0 ? w * h : 0;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union === 0 ? 0 : inter / union;
}

function normalizeName(name: string): string {
  return name.trim().toUpperCase();
}
