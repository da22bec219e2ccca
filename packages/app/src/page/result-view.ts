import type { Detection } from '@defectkit/core';

/** What the Vision Lab shows of one result: the detections above the slider's confidence, of the classes switched on. */
export interface ResultView {
  detections: Detection[];
  /** Shown detections per class label (every class of the model, zero included). */
  counts: Record<string, number>;
  /** `pass` when nothing is shown, else `fail`. */
  verdict: 'pass' | 'fail';
}

/**
 * The detections scoring above `conf` (strictly, as the decoders' own threshold) whose class is not hidden.
 * Re-filtering a result run at a lower threshold gives what a run at `conf` gives: NMS is greedy by score, so a
 * box below `conf` never suppresses one above it.
 */
export function filterDetections(detections: readonly Detection[], conf: number, hiddenClasses: ReadonlySet<number> = new Set()): Detection[] {
  return detections.filter((d) => d.score > conf && !hiddenClasses.has(d.classId));
}

/** Detections per class label, listing every class of the model (zero included) in the model's order. */
export function classCounts(detections: readonly Detection[], classes: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(classes.map((name) => [name, 0]));
  for (const d of detections) counts[d.label] = (counts[d.label] ?? 0) + 1;
  return counts;
}

/** A board passes when no defect is shown. */
export function verdictOf(detections: readonly Detection[]): 'pass' | 'fail' {
  return detections.length === 0 ? 'pass' : 'fail';
}

/** The whole view of a result at a confidence and a set of hidden classes. */
export function resultView(detections: readonly Detection[], classes: readonly string[], conf: number, hiddenClasses: ReadonlySet<number> = new Set()): ResultView {
  const shown = filterDetections(detections, conf, hiddenClasses);
  return { detections: shown, counts: classCounts(shown, classes), verdict: verdictOf(shown) };
}
