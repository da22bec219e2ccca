import { GRID_MIN_BOXES, greedyGrid } from './greedy-grid.js';
import { exceeds, gather, type SortedBoxes } from './sorted-boxes.js';
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
  return nmsUnchecked(boxes, scores, iouThreshold, GRID_MIN_BOXES);
}

/** {@link nms} without validation; the grid pass is used from `gridMinBoxes` boxes on. */
function nmsUnchecked(boxes: Float32Array, scores: Float32Array, iouThreshold: number, gridMinBoxes: number): Int32Array {
  const order = stableDescendingOrder(scores);
  const sorted = gather(boxes, order);
  const keptPositions = new Int32Array(order.length);
  const count = greedyRange(sorted, new Uint8Array(order.length), 0, order.length, iouThreshold, keptPositions, 0, gridMinBoxes);
  const keep = new Int32Array(count);
  for (let k = 0; k < count; k++) keep[k] = order[keptPositions[k]!]!;
  return keep;
}

/**
 * Class-aware NMS identical to `torchvision.ops.batched_nms` (0.14, CPU): boxes of different `classIds` never
 * suppress each other. Like torchvision it picks a strategy by size: up to 1 000 boxes the coordinate trick (every
 * box shifted by class × (max coordinate + 1) in float32, then one {@link nms}, bit-exact also for NaN / huge
 * coordinates, where the shift makes boxes of other classes degenerate); above that the exact per-class NMS,
 * merged in stable descending score order (torchvision merges with a non-stable sort, so only the order of
 * equal scores can differ there).
 *
 * @throws InvalidArgumentError `NMS_LENGTH_MISMATCH`, `INVALID_NUMBER`.
 * @example batchedNms(Float32Array.of(0,0,10,10, 0,0,10,10), Float32Array.of(0.9, 0.8), Int32Array.of(0, 1), 0.5) // [0, 1]
 */
export function batchedNms(boxes: Float32Array, scores: Float32Array, classIds: Int32Array, iouThreshold: number): Int32Array {
  validateNmsInput(boxes, scores, iouThreshold, classIds);
  if (scores.length === 0) return new Int32Array(0);
  return boxes.length > COORDINATE_TRICK_MAX_VALUES
    ? perClassNms(boxes, scores, classIds, iouThreshold)
    : coordinateTrickNms(boxes, scores, classIds, iouThreshold);
}

/** torchvision uses the coordinate trick on CPU while `boxes.numel()` is at most 4000. */
const COORDINATE_TRICK_MAX_VALUES = 4000;

/**
 * torchvision's `_batched_nms_coordinate_trick` in float32: offset = class × (max(boxes) + 1) with a NaN-propagating
 * max, then one NMS over the shifted boxes. When every shift is exact (so the float32 arithmetic of each pair is
 * unchanged), the threshold is ≥ 0 and no two shifted boxes of different classes intersect, classes cannot interact
 * and the cheaper per-class NMS gives the very same result, so it is used instead.
 */
function coordinateTrickNms(boxes: Float32Array, scores: Float32Array, classIds: Int32Array, iouThreshold: number): Int32Array {
  const f = Math.fround;
  const n = scores.length;
  let max = -Infinity;
  let min = Infinity;
  for (let k = 0; k < boxes.length; k++) {
    const v = boxes[k]!;
    if (v !== v) {
      max = Number.NaN;
      break;
    }
    if (v > max) max = v;
    if (v < min) min = v;
  }
  const step = f(max + 1);
  const shifted = new Float32Array(boxes.length);
  // Differences of float32 values are exact in float64, so `shifted − offset === coordinate` proves a shift exact.
  let exact = iouThreshold >= 0 && Number.isFinite(min) && Number.isFinite(step) && step - max === 1;
  for (let i = 0; i < n; i++) {
    const c = classIds[i]!;
    const offset = f(f(c) * step);
    if (exact && (Math.abs(c) > 0xffffff || offset !== c * step)) exact = false;
    for (let k = 0; k < 4; k++) {
      const v = boxes[i * 4 + k]!;
      const moved = f(v + offset);
      shifted[i * 4 + k] = moved;
      if (moved - offset !== v) exact = false;
    }
  }
  if (exact && !shiftedClassesIntersect(boxes, shifted, classIds, min, max, step)) return perClassNms(boxes, scores, classIds, iouThreshold);
  return nmsUnchecked(shifted, scores, iouThreshold, SHIFTED_GRID_MIN_BOXES);
}

/** Classes shifted apart are spread out, so the grid pays off from far fewer boxes than for one dense class. */
const SHIFTED_GRID_MIN_BOXES = 128;

/**
 * Whether two shifted boxes of different classes intersect. Shifted by k·step, a box can only reach into another
 * class band if its far corner passes min + step (x2 and y2) and the other's near corner lies below max − step,
 * so only those few boxes are paired up.
 */
function shiftedClassesIntersect(boxes: Float32Array, shifted: Float32Array, classIds: Int32Array, min: number, max: number, step: number): boolean {
  if (min + step >= max) return false; // the bands cannot even touch
  const reachOut: number[] = [];
  const reachIn: number[] = [];
  for (let i = 0; i < classIds.length; i++) {
    if (boxes[i * 4 + 2]! > min + step && boxes[i * 4 + 3]! > min + step) reachOut.push(i);
    if (boxes[i * 4]! < max - step && boxes[i * 4 + 1]! < max - step) reachIn.push(i);
  }
  if (reachOut.length * reachIn.length > 4 * classIds.length) return true; // too many to check: take the exact slow path
  for (const a of reachOut) {
    for (const b of reachIn) {
      if (classIds[a] === classIds[b]) continue;
      const w = Math.min(shifted[a * 4 + 2]!, shifted[b * 4 + 2]!) - Math.max(shifted[a * 4]!, shifted[b * 4]!);
      const h = Math.min(shifted[a * 4 + 3]!, shifted[b * 4 + 3]!) - Math.max(shifted[a * 4 + 1]!, shifted[b * 4 + 1]!);
      if (w > 0 && h > 0) return true;
    }
  }
  return false;
}

/** Exact per-class NMS (what torchvision's `_batched_nms_vanilla` computes), merged in stable score order. */
function perClassNms(boxes: Float32Array, scores: Float32Array, classIds: Int32Array, iouThreshold: number): Int32Array {
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
  gridMinBoxes = GRID_MIN_BOXES,
): number {
  // With a threshold >= 0 only overlapping boxes can suppress each other, so large runs use a grid.
  if (iouThreshold >= 0 && end - start >= gridMinBoxes) return greedyGrid(boxes, suppressed, start, end, iouThreshold, out, count);
  const { x1, y1, x2, y2, area } = boxes;
  // With a threshold >= 0, disjoint boxes (intersection side 0) can never be suppressed: IoU is 0 or NaN.
  const skipDisjoint = iouThreshold >= 0;
  // The boxes not yet kept or suppressed, in visiting order; each pass drops the ones the kept box suppresses,
  // so later passes only scan survivors (same decisions as scanning everything and skipping suppressed boxes).
  const active = new Int32Array(end - start);
  let m = 0;
  for (let p = start; p < end; p++) if (suppressed[p] !== 1) active[m++] = p;
  while (m > 0) {
    const i = active[0]!;
    out[count++] = i;
    const ix1 = x1[i]!;
    const iy1 = y1[i]!;
    const ix2 = x2[i]!;
    const iy2 = y2[i]!;
    const iarea = area[i]!;
    let w = 0;
    for (let k = 1; k < m; k++) {
      const j = active[k]!;
      const jx1 = x1[j]!;
      const jx2 = x2[j]!;
      const dw = (jx2 < ix2 ? jx2 : ix2) - (ix1 < jx1 ? jx1 : ix1);
      if (!skipDisjoint || dw > 0) {
        const jy1 = y1[j]!;
        const jy2 = y2[j]!;
        const dh = (jy2 < iy2 ? jy2 : iy2) - (iy1 < jy1 ? jy1 : iy1);
        if ((!skipDisjoint || dh > 0) && exceeds(dw, dh, iarea, area[j]!, iouThreshold)) {
          suppressed[j] = 1;
          continue;
        }
      }
      active[w++] = j;
    }
    m = w;
  }
  return count;
}
