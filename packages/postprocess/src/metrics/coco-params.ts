/**
 * numpy `linspace(start, stop, num)` exactly: start + i·((stop − start)/(num − 1)), the last value forced to
 * `stop`. pycocotools builds its grids this way, so e.g. the 9th IoU threshold is 0.8999999999999999.
 */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/** pycocotools IoU thresholds: linspace(0.5, 0.95, 10). */
export const COCO_IOU_THRESHOLDS: readonly number[] = Object.freeze(linspace(0.5, 0.95, 10));
/** pycocotools recall thresholds: linspace(0, 1, 101) (index 35 is 0.35000000000000003). */
export const COCO_RECALL_THRESHOLDS: readonly number[] = Object.freeze(linspace(0, 1, 101));
/** pycocotools maxDets. */
export const COCO_MAX_DETS: readonly number[] = Object.freeze([1, 10, 100]);
/** pycocotools area ranges (inclusive at both ends): all, small, medium, large. */
export const COCO_AREA_RANGES: readonly (readonly [number, number])[] = Object.freeze([
  [0, 1e10],
  [0, 32 * 32],
  [32 * 32, 96 * 96],
  [96 * 96, 1e10],
]);
/** Labels of the 12 `COCOeval.stats`, in order. */
export const COCO_STATS_LABELS: readonly string[] = Object.freeze([
  'AP@[.5:.95] all 100',
  'AP@.5 all 100',
  'AP@.75 all 100',
  'AP small 100',
  'AP medium 100',
  'AP large 100',
  'AR all 1',
  'AR all 10',
  'AR all 100',
  'AR small 100',
  'AR medium 100',
  'AR large 100',
]);
