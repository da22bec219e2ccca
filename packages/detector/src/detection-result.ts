import type { DefectKitError, Detection } from '@defectkit/core';
import type { ClassScore, Verdict } from '@defectkit/postprocess';

/** Milliseconds per stage for one image (in a batch, `inference` is the batch run divided by its size). */
export interface DetectionTimings {
  /** Decoding the image file. */
  decode: number;
  /** Orientation, colour conversion, letterbox and tensor building. */
  preprocess: number;
  inference: number;
  /** Decoding outputs, NMS and mapping boxes back to the image. */
  postprocess: number;
}

/** The detections for one image, in its original pixels. */
export interface DetectionResult {
  detections: Detection[];
  width: number;
  height: number;
  /** `fail` when a detection reaches its class's verdict threshold (the model card's `verdict`, overridable per call). */
  verdict: Verdict;
  /**
   * Classifier models only (`output.layout: "classifier"`): the top-k classes, best first (k = 5, all when fewer;
   * ties: lower class id first), as the logged Python handler answers them in `LABELS`.
   */
  labels?: ClassScore[];
  timings: DetectionTimings;
}

/** The outcome for one image of a batch or a stream: a result, or the typed error that image raised. */
export type DetectionOutcome<TImage> =
  | { index: number; input: TImage; reference?: TImage; image: string; ok: true; result: DetectionResult }
  | { index: number; input: TImage; reference?: TImage; image: string; ok: false; error: DefectKitError };
