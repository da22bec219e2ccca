import type { BoxCXCYWH, BoxCXCYWHNormalized, BoxXYWH, BoxXYXY } from '@defectkit/core';
import { assertPositiveSize } from './validate.js';

/** Corners → top-left and size (COCO). */
export function xyxyToXywh([x1, y1, x2, y2]: readonly number[]): BoxXYWH {
  return [x1!, y1!, x2! - x1!, y2! - y1!];
}

/** Top-left and size (COCO) → corners. */
export function xywhToXyxy([x, y, w, h]: readonly number[]): BoxXYXY {
  return [x!, y!, x! + w!, y! + h!];
}

/** Corners → centre and size (pixels). */
export function xyxyToCxcywh([x1, y1, x2, y2]: readonly number[]): BoxCXCYWH {
  return [(x1! + x2!) / 2, (y1! + y2!) / 2, x2! - x1!, y2! - y1!];
}

/** Centre and size (pixels) → corners: x1 = cx − w/2, x2 = cx + w/2. */
export function cxcywhToXyxy([cx, cy, w, h]: readonly number[]): BoxXYXY {
  return [cx! - w! / 2, cy! - h! / 2, cx! + w! / 2, cy! + h! / 2];
}

/**
 * Centre and size in pixels → the same as fractions of the image (YOLO label files).
 * @example cxcywhToNormalized([320, 240, 64, 48], 640, 480) // [0.5, 0.5, 0.1, 0.1]
 */
export function cxcywhToNormalized([cx, cy, w, h]: readonly number[], width: number, height: number): BoxCXCYWHNormalized {
  assertPositiveSize(width, 'width');
  assertPositiveSize(height, 'height');
  return [cx! / width, cy! / height, w! / width, h! / height];
}

/** Normalised centre and size → pixels. */
export function normalizedToCxcywh([cx, cy, w, h]: readonly number[], width: number, height: number): BoxCXCYWH {
  assertPositiveSize(width, 'width');
  assertPositiveSize(height, 'height');
  return [cx! * width, cy! * height, w! * width, h! * height];
}

/** Corners in pixels → normalised centre and size. */
export function xyxyToNormalizedCxcywh(box: readonly number[], width: number, height: number): BoxCXCYWHNormalized {
  return cxcywhToNormalized(xyxyToCxcywh(box), width, height);
}

/** Normalised centre and size → corners in pixels. */
export function normalizedCxcywhToXyxy(box: readonly number[], width: number, height: number): BoxXYXY {
  return cxcywhToXyxy(normalizedToCxcywh(box, width, height));
}

/**
 * Float32 centre/size → corners exactly like torch on a float32 tensor (x1 = fround(cx − fround(w/2))).
 * Writes into `out` at `offset`.
 */
export function cxcywhToXyxyFloat32(cx: number, cy: number, w: number, h: number, out: Float32Array, offset: number): void {
  const f = Math.fround;
  const hw = f(w / 2);
  const hh = f(h / 2);
  out[offset] = cx - hw;
  out[offset + 1] = cy - hh;
  out[offset + 2] = cx + hw;
  out[offset + 3] = cy + hh;
}
