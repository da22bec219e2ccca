/**
 * Dataset statistics: images, boxes per class, boxes per image and box size distribution.
 */
import type { Dataset } from './model.js';

/** Minimum, median and maximum of a list of numbers (all 0 for an empty list). */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** What `datasetStats` reports. */
export interface DatasetStats {
  images: number;
  boxes: number;
  /** Class name -> number of boxes (every class listed, zeros included). */
  boxesPerClass: Record<string, number>;
  /** Boxes per image: spread and mean. */
  boxesPerImage: Spread & { mean: number };
  /** Box width and height in pixels. */
  boxWidth: Spread;
  boxHeight: Spread;
  /** Images per split (`none` for images without a split). */
  imagesPerSplit: Record<string, number>;
}

/** The spread of `values` (the median of an even count is the mean of the two middle values). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: 0, median: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/**
 * Computes a dataset's statistics.
 * @example datasetStats(dataset).boxesPerClass // { open: 1283, short: 1028, ... }
 */
export function datasetStats(dataset: Dataset): DatasetStats {
  const boxesPerClass: Record<string, number> = Object.fromEntries(dataset.classes.map((c) => [c, 0]));
  const widths: number[] = [];
  const heights: number[] = [];
  const perImage: number[] = [];
  const imagesPerSplit: Record<string, number> = {};
  for (const image of dataset.images) {
    perImage.push(image.boxes.length);
    imagesPerSplit[image.split ?? 'none'] = (imagesPerSplit[image.split ?? 'none'] ?? 0) + 1;
    for (const box of image.boxes) {
      const name = dataset.classes[box.classId] ?? String(box.classId);
      boxesPerClass[name] = (boxesPerClass[name] ?? 0) + 1;
      widths.push(box.x2 - box.x1);
      heights.push(box.y2 - box.y1);
    }
  }
  const boxes = widths.length;
  return {
    images: dataset.images.length,
    boxes,
    boxesPerClass,
    boxesPerImage: { ...spread(perImage), mean: perImage.length === 0 ? 0 : boxes / perImage.length },
    boxWidth: spread(widths),
    boxHeight: spread(heights),
    imagesPerSplit,
  };
}
