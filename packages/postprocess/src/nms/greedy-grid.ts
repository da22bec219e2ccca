import { iouExceeds, type SortedBoxes } from './sorted-boxes.js';

/** Below this many boxes the compacting quadratic loop is faster than building a grid (measured on YOLO-like inputs). */
export const GRID_MIN_BOXES = 1500;
/** Most cells per axis. */
const MAX_CELLS_PER_AXIS = 256;
/** A box covering more cells than this goes to a list every kept box scans instead. */
const MAX_CELLS_PER_BOX = 64;
/** Cell side as a fraction of the mean box side (measured: smaller cells trade duplicate entries for fewer far candidates). */
const CELL_FRACTION = 0.5;

/**
 * The greedy NMS pass of {@link greedyRange} over positions [start, end), visiting for each kept box only the boxes
 * that share a grid cell with it. Exact, not an approximation: with a threshold ≥ 0 a pair can only suppress when
 * both boxes have positive width and height and their interiors intersect, and such pairs always share a cell;
 * boxes with non-finite or inverted coordinates never interact (IoU 0 or NaN) and are left out. Each candidate
 * pair is evaluated with the very same float32 arithmetic.
 */
export function greedyGrid(
  boxes: SortedBoxes,
  suppressed: Uint8Array,
  start: number,
  end: number,
  iouThreshold: number,
  out: Int32Array,
  count: number,
): number {
  const { x1, y1, x2, y2 } = boxes;
  const n = end - start;
  const valid = new Uint8Array(n);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let sumW = 0;
  let sumH = 0;
  let validCount = 0;
  for (let p = start; p < end; p++) {
    const a = x1[p]!;
    const b = y1[p]!;
    const c = x2[p]!;
    const d = y2[p]!;
    // Positive, finite extent only (NaN fails every comparison).
    if (!(c > a && d > b && a > -Infinity && b > -Infinity && c < Infinity && d < Infinity)) continue;
    valid[p - start] = 1;
    validCount++;
    if (a < minX) minX = a;
    if (b < minY) minY = b;
    if (c > maxX) maxX = c;
    if (d > maxY) maxY = d;
    sumW += c - a;
    sumH += d - b;
  }
  if (validCount === 0) {
    // No pair can interact: every box is kept.
    for (let p = start; p < end; p++) if (suppressed[p] !== 1) out[count++] = p;
    return count;
  }
  const cellW0 = Math.max((CELL_FRACTION * sumW) / validCount, (maxX - minX) / MAX_CELLS_PER_AXIS, Number.MIN_VALUE);
  const cellH0 = Math.max((CELL_FRACTION * sumH) / validCount, (maxY - minY) / MAX_CELLS_PER_AXIS, Number.MIN_VALUE);
  let gx = Math.max(1, Math.min(MAX_CELLS_PER_AXIS, Math.ceil((maxX - minX) / cellW0)));
  let gy = Math.max(1, Math.min(MAX_CELLS_PER_AXIS, Math.ceil((maxY - minY) / cellH0)));
  // Sparse layouts (e.g. classes shifted apart) would allocate mostly empty cells: keep about 2 cells per box.
  const maxCells = Math.max(64, 2 * validCount);
  if (gx * gy > maxCells) {
    const shrink = Math.sqrt(maxCells / (gx * gy));
    gx = Math.max(1, Math.floor(gx * shrink));
    gy = Math.max(1, Math.floor(gy * shrink));
  }
  const sx = gx / (maxX - minX || 1);
  const sy = gy / (maxY - minY || 1);
  const cellX = (v: number) => {
    const c = Math.floor((v - minX) * sx);
    return c < 0 ? 0 : c >= gx ? gx - 1 : c;
  };
  const cellY = (v: number) => {
    const c = Math.floor((v - minY) * sy);
    return c < 0 ? 0 : c >= gy ? gy - 1 : c;
  };
  // Cell ranges per box, then a CSR layout of cell → positions (ascending, since positions are visited in order).
  const cx0 = new Int32Array(n);
  const cx1 = new Int32Array(n);
  const cy0 = new Int32Array(n);
  const cy1 = new Int32Array(n);
  const large: number[] = [];
  const cellCount = new Int32Array(gx * gy + 1);
  for (let k = 0; k < n; k++) {
    if (valid[k] !== 1) continue;
    const p = start + k;
    const a = cellX(x1[p]!);
    const b = cellX(x2[p]!);
    const c = cellY(y1[p]!);
    const d = cellY(y2[p]!);
    cx0[k] = a;
    cx1[k] = b;
    cy0[k] = c;
    cy1[k] = d;
    if ((b - a + 1) * (d - c + 1) > MAX_CELLS_PER_BOX) {
      valid[k] = 2;
      large.push(p);
      continue;
    }
    for (let yy = c; yy <= d; yy++) for (let xx = a; xx <= b; xx++) cellCount[yy * gx + xx + 1]!++;
  }
  for (let c = 1; c <= gx * gy; c++) cellCount[c]! += cellCount[c - 1]!;
  const cellStart = cellCount.slice();
  const entries = new Int32Array(cellCount[gx * gy]!);
  for (let k = 0; k < n; k++) {
    if (valid[k] !== 1) continue;
    for (let yy = cy0[k]!; yy <= cy1[k]!; yy++) for (let xx = cx0[k]!; xx <= cx1[k]!; xx++) entries[cellStart[yy * gx + xx]!++] = start + k;
  }
  const cellEnd = cellCount.slice(1);
  const stamp = new Int32Array(n).fill(-1);
  for (let i = start; i < end; i++) {
    if (suppressed[i] === 1) continue;
    out[count++] = i;
    const ki = i - start;
    if (valid[ki] === 0) continue; // cannot suppress anything
    for (const j of large) {
      if (j <= i || suppressed[j] === 1) continue;
      if (iouExceeds(boxes, i, j, iouThreshold)) suppressed[j] = 1;
    }
    // A large kept box scans everything valid; a normal one its cells.
    const a = valid[ki] === 2 ? 0 : cx0[ki]!;
    const b = valid[ki] === 2 ? gx - 1 : cx1[ki]!;
    const c = valid[ki] === 2 ? 0 : cy0[ki]!;
    const d = valid[ki] === 2 ? gy - 1 : cy1[ki]!;
    for (let yy = c; yy <= d; yy++) {
      for (let xx = a; xx <= b; xx++) {
        const cell = yy * gx + xx;
        // Scan the cell and compact it in place: positions <= i are done and suppressed boxes never return.
        const lo = cellCount[cell]!;
        const hi = cellEnd[cell]!;
        let w = lo;
        for (let e = lo; e < hi; e++) {
          const j = entries[e]!;
          if (j <= i || suppressed[j] === 1) continue;
          if (stamp[j - start] !== ki) {
            stamp[j - start] = ki;
            if (iouExceeds(boxes, i, j, iouThreshold)) {
              suppressed[j] = 1;
              continue;
            }
          }
          entries[w++] = j;
        }
        cellEnd[cell] = w;
      }
    }
  }
  return count;
}
