/**
 * The one in-memory dataset model every reader produces and every writer consumes.
 * Coordinates are absolute pixels, floats, corners `x1 y1 x2 y2` (x to the right, y down).
 */

/** One labelled (or predicted) box. */
export interface Box {
  /** The left edge in pixels. */
  x1: number;
  /** The top edge in pixels. */
  y1: number;
  /** The right edge in pixels. */
  x2: number;
  /** The bottom edge in pixels. */
  y2: number;
  /** The 0-based index into `Dataset.classes`. */
  classId: number;
  /** The confidence, for predictions. */
  score?: number;
  /** COCO `iscrowd`, preserved through conversions. */
  iscrowd?: boolean;
  /** COCO `area` as given by the source (COCO evaluation uses it instead of w·h), preserved. */
  area?: number;
  /** A source annotation id (COCO), preserved. */
  id?: number;
  /** Where the box was read from (label file and 1-based line), so validation findings can name them. */
  source?: BoxSource;
}

/** The file (dataset-relative) and 1-based line a box was read from. */
export interface BoxSource {
  file: string;
  line?: number;
}

/** The split an image belongs to. */
export type Split = 'train' | 'val' | 'test';

/** One image and its boxes. */
export interface ImageRecord {
  /** The image file, relative to the dataset root (forward slashes) or absolute. */
  path: string;
  /** The width in pixels (from the file header). */
  width: number;
  /** The height in pixels (from the file header). */
  height: number;
  /** The defect-free template image (DeepPCB `_temp`), relative like `path`. */
  templatePath?: string;
  /** The split the image belongs to, when the dataset has splits. */
  split?: Split;
  /** A source image id (COCO), preserved. */
  id?: number;
  /** The boxes on this image (may be empty). */
  boxes: Box[];
}

/** A dataset: ordered class names and images with their boxes. */
export interface Dataset {
  /** The class names; a box's `classId` indexes this array. */
  classes: string[];
  /**
   * The COCO category id of each class (same order as `classes`), kept so sparse or 1-based ids are never
   * silently renumbered. Absent for formats without ids (then COCO writers use `index + 1`).
   */
  categoryIds?: number[];
  /** The images, in a stable order. */
  images: ImageRecord[];
}

/** The DeepPCB classes in the order of their 1-based type ids (type 1 = `open`). */
export const DEEPPCB_CLASSES = ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'] as const;
