/**
 * Conversions between the model's absolute corners and the box encodings of the formats.
 * Pure arithmetic: no validation here (the validator reports bad boxes; these functions never clamp).
 */
import type { BoxCXCYWHNormalized, BoxXYWH, BoxXYXY } from '@defectkit/core';

/**
 * Corners in pixels to a YOLO box (centre and size as fractions of the image size).
 * @example toYoloBox([10, 20, 30, 60], 100, 200) // [0.2, 0.2, 0.2, 0.2]
 */
export function toYoloBox([x1, y1, x2, y2]: BoxXYXY, width: number, height: number): BoxCXCYWHNormalized {
  return [(x1 + x2) / 2 / width, (y1 + y2) / 2 / height, (x2 - x1) / width, (y2 - y1) / height];
}

/**
 * A YOLO box (normalised centre and size) to corners in pixels.
 * @example fromYoloBox([0.2, 0.2, 0.2, 0.2], 100, 200) // [10, 20, 30, 60]
 */
export function fromYoloBox([cx, cy, w, h]: BoxCXCYWHNormalized, width: number, height: number): BoxXYXY {
  const pcx = cx * width;
  const pcy = cy * height;
  const pw = w * width;
  const ph = h * height;
  return [pcx - pw / 2, pcy - ph / 2, pcx + pw / 2, pcy + ph / 2];
}

/**
 * Corners to a COCO box (top-left corner and size).
 * @example toCocoBox([10, 20, 30, 60]) // [10, 20, 20, 40]
 */
export function toCocoBox([x1, y1, x2, y2]: BoxXYXY): BoxXYWH {
  return [x1, y1, x2 - x1, y2 - y1];
}

/**
 * A COCO box (top-left corner and size) to corners.
 * @example fromCocoBox([10, 20, 20, 40]) // [10, 20, 30, 60]
 */
export function fromCocoBox([x, y, w, h]: BoxXYWH): BoxXYXY {
  return [x, y, x + w, y + h];
}
