/**
 * One detected object, in pixels of the original image. This single type flows from the decoders
 * through the detector and CLI to the registry.
 */
export interface Detection {
  /** The left edge, in original-image pixels. */
  x1: number;
  /** The top edge, in original-image pixels. */
  y1: number;
  /** The right edge, in original-image pixels. */
  x2: number;
  /** The bottom edge, in original-image pixels. */
  y2: number;
  /** The confidence in [0, 1]. */
  score: number;
  /** The 0-based index into the model's class names. */
  classId: number;
  /** The class name (the class index as text when the model has no names). */
  label: string;
}

/** A box as its corners `[x1, y1, x2, y2]`. */
export type BoxXYXY = [x1: number, y1: number, x2: number, y2: number];
/** A box as its top-left corner and size `[x, y, width, height]` (COCO). */
export type BoxXYWH = [x: number, y: number, width: number, height: number];
/** A box as its centre and size `[cx, cy, width, height]` (YOLO, in pixels). */
export type BoxCXCYWH = [cx: number, cy: number, width: number, height: number];
/** A YOLO box: centre and size as fractions of the image width and height. */
export type BoxCXCYWHNormalized = [cx: number, cy: number, width: number, height: number];
