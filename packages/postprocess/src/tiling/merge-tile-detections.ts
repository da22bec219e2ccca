import type { Detection } from '@defectkit/core';
import { InvalidArgumentError } from '../errors.js';

/** How detections found in overlapping tiles are merged into one list. */
export interface TileMergeOptions {
  /** `nms`: keep the best box of each group; `greedy-nmm` (default): the best box grows to enclose its group. */
  method?: 'nms' | 'greedy-nmm';
  /** `ios` (default): intersection over the smaller box's area (a cut-off piece matches its whole); `iou`. */
  match?: 'iou' | 'ios';
  /** Boxes match when the measure is strictly above this (default 0.5). */
  threshold?: number;
  /** Match boxes of different classes too (default false). */
  agnostic?: boolean;
}

/** Intersection over union, or over the smaller area, of two xyxy boxes (0 without positive overlap). */
export function overlapMeasure(a: Detection, b: Detection, match: 'iou' | 'ios'): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const areaA = (a.x2 - a.x1) * (a.y2 - a.y1);
  const areaB = (b.x2 - b.x1) * (b.y2 - b.y1);
  const denominator = match === 'ios' ? Math.min(areaA, areaB) : areaA + areaB - inter;
  return denominator > 0 ? inter / denominator : 0;
}

/**
 * Merges detections from overlapping tiles (already in image pixels). In descending score order (stable), each box
 * not yet taken takes every later box that matches it (same class unless `agnostic`; measure strictly above
 * `threshold`, measured against the taking box as it was detected). `nms` drops the taken boxes; `greedy-nmm`
 * (SAHI's greedy non-maximum merging) replaces the taking box by the smallest box enclosing its group, keeping its
 * score and class. Returns the kept boxes in descending score order.
 *
 * @example
 * mergeTileDetections([...tileA, ...tileB], { method: 'greedy-nmm', match: 'ios', threshold: 0.5 });
 */
export function mergeTileDetections(detections: readonly Detection[], options: TileMergeOptions = {}): Detection[] {
  const method = options.method ?? 'greedy-nmm';
  const match = options.match ?? 'ios';
  const threshold = options.threshold ?? 0.5;
  if (!Number.isFinite(threshold)) throw new InvalidArgumentError('INVALID_NUMBER', `tile merge threshold must be a number (got ${threshold})`, { field: 'threshold', value: threshold });
  const order = detections.map((d, i) => ({ d, i })).sort((a, b) => b.d.score - a.d.score || a.i - b.i);
  const taken = new Uint8Array(order.length);
  const kept: Detection[] = [];
  for (let k = 0; k < order.length; k++) {
    if (taken[k]) continue;
    const best = order[k]!.d;
    const merged = { ...best };
    for (let j = k + 1; j < order.length; j++) {
      if (taken[j]) continue;
      const other = order[j]!.d;
      if (!options.agnostic && other.classId !== best.classId) continue;
      if (overlapMeasure(best, other, match) <= threshold) continue;
      taken[j] = 1;
      if (method === 'greedy-nmm') {
        merged.x1 = Math.min(merged.x1, other.x1);
        merged.y1 = Math.min(merged.y1, other.y1);
        merged.x2 = Math.max(merged.x2, other.x2);
        merged.y2 = Math.max(merged.y2, other.y2);
      }
    }
    kept.push(merged);
  }
  return kept;
}
