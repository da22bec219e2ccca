import { cocoImageId, imageFileStem, type Detection } from '@defectkit/core';
import type { ClassScore } from '../decode/classifier-decode.js';
import type { Verdict } from '../board/board-verdict.js';

// The writers of detection result files; their readers (for evaluation) are in prediction-files.ts beside this.

/** One image's detections as the writers take them. */
export interface ImageDetections {
  /** The image path (or name) the detections belong to. */
  image: string;
  width: number;
  height: number;
  detections: Detection[];
  /** The board's verdict, when the detector gave one (`defectkit detect` does). */
  verdict?: Verdict;
  /** A classifier's top-k classes, best first, when the model is one. */
  labels?: ClassScore[];
}

/** The JSON array entry of `defectkit detect --format json`. */
export function toJsonRecord(item: ImageDetections): ImageDetections {
  return { image: item.image, width: item.width, height: item.height, ...(item.verdict ? { verdict: item.verdict } : {}), ...(item.labels ? { labels: item.labels } : {}), detections: item.detections };
}

/** The whole JSON output: an array of `{ image, width, height, detections }`. */
export function formatJson(items: readonly ImageDetections[]): string {
  return `${JSON.stringify(items.map(toJsonRecord), null, 2)}\n`;
}

/** The file stem of an image (`boards/00041000_test.jpg` → `00041000_test`). */
export function imageStem(image: string): string {
  return imageFileStem(image);
}

/**
 * YOLO txt with confidences: one line per box, `class cx cy w h conf` with the centre and size as
 * fractions of the image size (6 decimals), as Ultralytics writes with `save_txt` and `save_conf`.
 */
export function formatYoloTxt(item: ImageDetections): string {
  return item.detections
    .map((d) => {
      const cx = (d.x1 + d.x2) / 2 / item.width;
      const cy = (d.y1 + d.y2) / 2 / item.height;
      const w = (d.x2 - d.x1) / item.width;
      const h = (d.y2 - d.y1) / item.height;
      return `${d.classId} ${cx.toFixed(6)} ${cy.toFixed(6)} ${w.toFixed(6)} ${h.toFixed(6)} ${d.score.toFixed(6)}\n`;
    })
    .join('');
}

/**
 * DeepPCB result txt: `x1,y1,x2,y2,confidence,type` per line, integer pixel corners (the DeepPCB
 * evaluation only reads integers) and the class name as type.
 */
export function formatDeepPcbTxt(item: ImageDetections): string {
  return item.detections.map((d) => `${Math.round(d.x1)},${Math.round(d.y1)},${Math.round(d.x2)},${Math.round(d.y2)},${d.score.toFixed(6)},${d.label}\n`).join('');
}

/** The DeepPCB result file name of an image: its stem without the `_test` suffix, `.txt`. */
export function deepPcbResultName(image: string): string {
  return `${imageStem(image).replace(/_test$/, '')}.txt`;
}

/** One COCO results entry. */
export interface CocoResult {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

/** Options of {@link formatCocoResults}. */
export interface CocoResultOptions {
  /** Image id per image path; default `cocoImageId(image)`, the one image-identity rule of `@defectkit/core`. */
  imageIds?: ReadonlyMap<string, number>;
  /** Added to `classId` to make `category_id` (default 1: COCO category ids start at 1). */
  categoryIdOffset?: number;
}

/** COCO results JSON (`[{ image_id, category_id, bbox: [x, y, w, h], score }]`), the input of COCOeval's `loadRes`. */
export function formatCocoResults(items: readonly ImageDetections[], options: CocoResultOptions = {}): string {
  const offset = options.categoryIdOffset ?? 1;
  const results: CocoResult[] = [];
  items.forEach((item) => {
    // convert and eval derive ids by the same rule, so these results score against their ground truth.
    const imageId = options.imageIds?.get(item.image) ?? cocoImageId(item.image);
    for (const d of item.detections)
      results.push({ image_id: imageId, category_id: d.classId + offset, bbox: [d.x1, d.y1, d.x2 - d.x1, d.y2 - d.y1], score: d.score });
  });
  return `${JSON.stringify(results)}\n`;
}
