import { stableDescendingOrder } from './score-order.js';
import { validateNmsInput } from './validate-nms-input.js';

/**
 * Non-maximum suppression identical to `torchvision.ops.nms` (CPU kernel, float32 boxes): boxes are visited in
 * descending score order (stable: equal scores keep index order; NaN scores first); each kept box suppresses
 * every later box whose IoU is strictly greater than `iouThreshold`. IoU uses areas without +1 and float32
 * arithmetic after every operation, so thresholds hit exactly (IoU 3/10 → 0.30000001 > 0.3) behave as in torch.
 * A NaN coordinate makes the IoU NaN: such a box is kept and suppresses nothing.
 *
 * @param boxes n·4 values `x1, y1, x2, y2`.
 * @param scores n scores.
 * @returns the kept indices, in decreasing score order.
 * @throws InvalidArgumentError `NMS_LENGTH_MISMATCH`, `INVALID_NUMBER` (NaN threshold).
 * @example nms(Float32Array.of(0,0,10,10, 1,1,10,10), Float32Array.of(0.9, 0.8), 0.5) // Int32Array [0]
 */
export function nms(boxes: Float32Array, scores: Float32Array, iouThreshold: number): Int32Array {
  validateNmsInput(boxes, scores, iouThreshold);
  const order = stableDescendingOrder(scores);
  const sorted = gather(boxes, order);
  const keptPositions = new Int32Array(order.length);
  const count = greedyRange(sorted, new Uint8Array(order.length), 0, order.length, iouThreshold, keptPositions, 0);
  const keep = new Int32Array(count);
  for (let k = 0; k < count; k++) keep[k] = order[keptPositions[k]!]!;
  return keep;
}

/**
 * Class-aware NMS identical to `torchvision.ops.batched_nms`: boxes of different `classIds` never suppress each
 * other. Runs the exact per-class NMS (no coordinate offset, so no float32 precision loss) and merges the kept
 * boxes in stable descending score order, which is the order torchvision returns.
 *
 * @throws InvalidArgumentError `NMS_LENGTH_MISMATCH`, `INVALID_NUMBER`.
 * @example batchedNms(Float32Array.of(0,0,10,10, 0,0,10,10), Float32Array.of(0.9, 0.8), Int32Array.of(0, 1), 0.5) // [0, 1]
 */
export function batchedNms(boxes: Float32Array, scores: Float32Array, classIds: Int32Array, iouThreshold: number): Int32Array {
  validateNmsInput(boxes, scores, iouThreshold, classIds);
  const n = scores.length;
  const order = stableDescendingOrder(scores);
  // Group the score-sorted positions by class (stable counting sort), so each class is a contiguous run.
  const slotOf = new Map<number, number>();
  const classSlot = new Int32Array(n);
  const counts: number[] = [];
  for (let r = 0; r < n; r++) {
    const c = classIds[order[r]!]!;
    let slot = slotOf.get(c);
    if (slot === undefined) {
      slot = counts.length;
      slotOf.set(c, slot);
      counts.push(0);
    }
    classSlot[r] = slot;
    counts[slot]!++;
  }
  const starts = new Int32Array(counts.length + 1);
  for (let s = 0; s < counts.length; s++) starts[s + 1] = starts[s]! + counts[s]!;
  const fill = starts.slice(0, counts.length);
  const rankAt = new Int32Array(n); // grouped position → rank in the global score order
  for (let r = 0; r < n; r++) rankAt[fill[classSlot[r]!]!++] = r;
  const grouped = new Int32Array(n);
  for (let p = 0; p < n; p++) grouped[p] = order[rankAt[p]!]!;
  const sorted = gather(boxes, grouped);
  const suppressed = new Uint8Array(n);
  const kept = new Int32Array(n);
  let count = 0;
  for (let s = 0; s < counts.length; s++) count = greedyRange(sorted, suppressed, starts[s]!, starts[s + 1]!, iouThreshold, kept, count);
  const ranks = new Int32Array(count);
  for (let k = 0; k < count; k++) ranks[k] = rankAt[kept[k]!]!;
  ranks.sort();
  const keep = new Int32Array(count);
  for (let k = 0; k < count; k++) keep[k] = order[ranks[k]!]!;
  return keep;
}

/** Boxes and float32 areas copied into the visiting order (contiguous reads in the inner loop). */
export interface SortedBoxes {
  x1: Float32Array;
  y1: Float32Array;
  x2: Float32Array;
  y2: Float32Array;
  area: Float32Array;
}

/** Copies boxes into `order` and computes areas as torch does: (x2 − x1)·(y2 − y1) in float32. */
export function gather(boxes: Float32Array, order: Int32Array): SortedBoxes {
  const n = order.length;
  const x1 = new Float32Array(n);
  const y1 = new Float32Array(n);
  const x2 = new Float32Array(n);
  const y2 = new Float32Array(n);
  const area = new Float32Array(n);
  const f = Math.fround;
  for (let p = 0; p < n; p++) {
    const o = order[p]! * 4;
    const a = boxes[o]!;
    const b = boxes[o + 1]!;
    const c = boxes[o + 2]!;
    const d = boxes[o + 3]!;
    x1[p] = a;
    y1[p] = b;
    x2[p] = c;
    y2[p] = d;
    area[p] = f(c - a) * f(d - b);
  }
  return { x1, y1, x2, y2, area };
}

/**
 * The greedy loop of torchvision's CPU kernel over positions [start, end) of already sorted boxes. Mirrors
 * `std::max`/`std::min` argument order (matters only for NaN) and rounds every step to float32. Appends kept
 * positions to `out` from `count` and returns the new count.
 */
export function greedyRange(
  boxes: SortedBoxes,
  suppressed: Uint8Array,
  start: number,
  end: number,
  iouThreshold: number,
  out: Int32Array,
  count: number,
): number {
  const { x1, y1, x2, y2, area } = boxes;
  const f = Math.fround;
  // With a threshold >= 0, disjoint boxes (intersection side 0) can never be suppressed: IoU is 0 or NaN.
  const skipDisjoint = iouThreshold >= 0;
  for (let i = start; i < end; i++) {
    if (suppressed[i] === 1) continue;
    out[count++] = i;
    const ix1 = x1[i]!;
    const iy1 = y1[i]!;
    const ix2 = x2[i]!;
    const iy2 = y2[i]!;
    const iarea = area[i]!;
    for (let j = i + 1; j < end; j++) {
      if (suppressed[j] === 1) continue;
      const jx1 = x1[j]!;
      const jx2 = x2[j]!;
      const xx1 = ix1 < jx1 ? jx1 : ix1;
      const xx2 = jx2 < ix2 ? jx2 : ix2;
      const dw = f(xx2 - xx1);
      const w = 0 < dw ? dw : 0;
      if (skipDisjoint && w === 0) continue;
      const jy1 = y1[j]!;
      const jy2 = y2[j]!;
      const yy1 = iy1 < jy1 ? jy1 : iy1;
      const yy2 = jy2 < iy2 ? jy2 : iy2;
      const dh = f(yy2 - yy1);
      const h = 0 < dh ? dh : 0;
      if (skipDisjoint && h === 0) continue;
      const inter = f(w * h);
      const ovr = f(inter / f(f(iarea + area[j]!) - inter));
      if (ovr > iouThreshold) suppressed[j] = 1;
    }
  }
  return count;
}
