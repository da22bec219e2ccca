import { InvalidArgumentError } from '../errors.js';
import { boxIou } from './box-iou.js';
import { validateNmsInput } from './validate-nms-input.js';

/** Options of {@link softNms}. */
export interface SoftNmsOptions {
  /** `linear`: s ← s·(1 − IoU) when IoU > `iouThreshold`; `gaussian` (default): s ← s·exp(−IoU²/σ) for every box. */
  method?: 'linear' | 'gaussian';
  /** Linear method only: overlaps at or below this leave scores unchanged; default 0.3. */
  iouThreshold?: number;
  /** Gaussian method only: σ; default 0.5. */
  sigma?: number;
  /** Boxes whose decayed score falls below this are dropped; default 0.001. */
  scoreThreshold?: number;
}

/** The kept boxes of {@link softNms} and their decayed scores, best first. */
export interface SoftNmsResult {
  indices: Int32Array;
  scores: Float32Array;
}

/**
 * Soft-NMS (Bodla et al., 2017): repeatedly keeps the box with the highest current score and decays the scores
 * of the remaining boxes by their overlap with it instead of removing them; boxes below `scoreThreshold` go.
 * Ties pick the lower index. IoU in float64 without +1. O(n²).
 *
 * @example softNms(boxes, scores, { method: 'linear', iouThreshold: 0.3 }) // { indices, scores }
 */
export function softNms(boxes: Float32Array, scores: Float32Array, options: SoftNmsOptions = {}): SoftNmsResult {
  const { method = 'gaussian', iouThreshold = 0.3, sigma = 0.5, scoreThreshold = 0.001 } = options;
  validateNmsInput(boxes, scores, iouThreshold);
  if (method !== 'linear' && method !== 'gaussian') {
    throw new InvalidArgumentError('UNKNOWN_METHOD', `Soft-NMS method must be 'linear' or 'gaussian', got '${String(method)}'`, {
      field: 'method',
      value: method,
    });
  }
  if (!(sigma > 0)) throw new InvalidArgumentError('INVALID_NUMBER', `sigma must be > 0, got ${sigma}`, { field: 'sigma', value: sigma });
  if (Number.isNaN(scoreThreshold)) {
    throw new InvalidArgumentError('INVALID_NUMBER', 'scoreThreshold must be a number, got NaN', { field: 'scoreThreshold' });
  }
  const n = scores.length;
  const current = Float64Array.from(scores);
  const alive = new Uint8Array(n);
  let remaining = 0;
  for (let i = 0; i < n; i++) {
    if (current[i]! >= scoreThreshold) {
      alive[i] = 1;
      remaining++;
    }
  }
  const indices: number[] = [];
  const kept: number[] = [];
  while (remaining > 0) {
    let best = -1;
    for (let i = 0; i < n; i++) if (alive[i] === 1 && (best < 0 || current[i]! > current[best]!)) best = i;
    alive[best] = 0;
    remaining--;
    indices.push(best);
    kept.push(current[best]!);
    for (let j = 0; j < n; j++) {
      if (alive[j] !== 1) continue;
      const iou = boxIou(boxes, best, boxes, j);
      const weight = method === 'linear' ? (iou > iouThreshold ? 1 - iou : 1) : Math.exp(-(iou * iou) / sigma);
      current[j] = current[j]! * weight;
      if (current[j]! < scoreThreshold) {
        alive[j] = 0;
        remaining--;
      }
    }
  }
  return { indices: Int32Array.from(indices), scores: Float32Array.from(kept) };
}
