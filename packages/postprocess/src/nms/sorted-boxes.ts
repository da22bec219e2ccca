/** Boxes in visiting order and torchvision's float32 IoU test, shared by the greedy NMS passes. */

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

/** True when box j's IoU with box i (torchvision float32 arithmetic, `std::max`/`std::min` order) exceeds t. */
export function iouExceeds(boxes: SortedBoxes, i: number, j: number, iouThreshold: number): boolean {
  const { x1, y1, x2, y2, area } = boxes;
  const ix1 = x1[i]!;
  const iy1 = y1[i]!;
  const ix2 = x2[i]!;
  const iy2 = y2[i]!;
  const jx1 = x1[j]!;
  const jy1 = y1[j]!;
  const jx2 = x2[j]!;
  const jy2 = y2[j]!;
  const dw = (jx2 < ix2 ? jx2 : ix2) - (ix1 < jx1 ? jx1 : ix1);
  const dh = (jy2 < iy2 ? jy2 : iy2) - (iy1 < jy1 ? jy1 : iy1);
  return exceeds(dw, dh, area[i]!, area[j]!, iouThreshold);
}

/** Below this distance from the threshold the float64 estimate defers to the exact float32 computation. */
const FAST_MARGIN = 1e-5;

/**
 * torchvision's test `IoU > t` from the intersection sides (exact doubles: differences of float32 values) and the
 * float32 areas. The IoU is first estimated in float64; its float32 value differs by far less than 1e-5, so only
 * estimates within that margin of t (or NaN) take the exact path that rounds every operation to float32.
 */
export function exceeds(dw: number, dh: number, areaI: number, areaJ: number, t: number): boolean {
  const w = 0 < dw ? dw : 0;
  const h = 0 < dh ? dh : 0;
  const inter = w * h;
  const union = areaI + areaJ - inter;
  if (union > 0 && inter >= 0 && inter <= union) {
    if (inter > (t + FAST_MARGIN) * union) return true;
    if (inter < (t - FAST_MARGIN) * union) return false;
  }
  const f = Math.fround;
  const fw = f(0 < dw ? f(dw) : 0);
  const fh = f(0 < dh ? f(dh) : 0);
  const finter = f(fw * fh);
  return f(finter / f(f(areaI + areaJ) - finter)) > t;
}
