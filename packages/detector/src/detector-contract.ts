import type { TileMergeOptions, VerdictRule } from '@defectkit/postprocess';
import type { DetectionOutcome, DetectionResult } from './detection-result.js';
import type { DetectorEvents, DetectorListener } from './progress.js';

/** Thresholds for turning raw outputs into detections. */
export interface DetectionThresholds {
  /** Keep scores strictly above this. */
  conf: number;
  /** Suppress boxes whose IoU with a better box of the same class is above this. */
  iou: number;
  /** At most this many detections per image. */
  maxDet: number;
  /** Keep only these class ids. */
  classFilter?: number[];
  /** Suppress across classes. */
  agnostic?: boolean;
  /** Overrides of the verdict rule (the card's `verdict`); class thresholds are merged over the card's. */
  verdict?: Partial<VerdictRule>;
  /** Run large images as overlapping tiles at scale 1 (references tiled identically), then merge. Local detectors only: a remote one refuses it with `INVALID_OPTION`. */
  tile?: TileOptions;
}

/**
 * Tiling of a large image: `size × size` tiles (at most the network input) overlapping by `overlap` (a fraction),
 * `batch` tiles per model run (default 8 for a dynamic batch axis, else 1), merged by `method` / `match` /
 * `threshold` (default greedy non-maximum merging, intersection over the smaller box, 0.5).
 */
export interface TileOptions extends TileMergeOptions {
  size: number;
  overlap: number;
  batch?: number;
  /**
   * Detections reaching within this many pixels of a tile edge shared with a neighbour are dropped, since the
   * neighbour sees that area whole (a trace cut by a tile edge can look like a defect). Default: an eighth of the
   * overlap in pixels (0 without overlap); image edges never drop anything.
   */
  edgeMargin?: number;
}

/** An image with its golden reference (a defect-free board of the same design, same size and framing). */
export interface ImagePair<TImage> {
  image: TImage;
  reference: TImage;
}

/** What a detector takes: an image, or an image with its reference (for a model whose card has `input.reference`). */
export type DetectorInput<TImage> = TImage | ImagePair<TImage>;

/** True for `{ image, reference }` (encoded bytes and other typed arrays never are). */
export function isImagePair<TImage>(input: DetectorInput<TImage>): input is ImagePair<TImage> {
  return typeof input === 'object' && input !== null && !ArrayBuffer.isView(input) && 'image' in input && 'reference' in input;
}

/** Per-call thresholds; anything left out comes from the detector's defaults (the model spec). */
export type DetectOptions = Partial<DetectionThresholds>;

/** Options for {@link Detector.detectAll}. */
export interface DetectAllOptions {
  /** Batches prepared and run at the same time (default 2). */
  concurrency?: number;
  /** Images per model run; default the detector's own (1 for a local model, the statement size remotely). */
  batchSize?: number;
}

/**
 * The one detector contract of DefectKit, whatever runs the model (onnxruntime on this machine, a
 * Snowflake warehouse, a browser). Implementations supply a {@link DetectorCore} to
 * {@link createDetector}, which provides these methods with one behaviour everywhere;
 * `describeDetectorConformance` from `@defectkit/detector/testing` checks an implementation.
 *
 * - `detect` resolves with one result or throws a typed `DefectKitError` naming the image; it emits no events.
 * - `detectBatch` and `detectAll` never throw for a bad image: its outcome is `ok: false` with a typed error,
 *   and the other images still run. Outcomes come in input order with `index` = position in the input.
 * - Both emit `start` once, `image` once per outcome (in input order), then `done` once.
 * - After `dispose` (idempotent) every call rejects with `DETECTOR_DISPOSED`.
 *
 * @example
 * const detector: Detector<string> = await loadDetector('models/pcb-defects');
 * const off = detector.on('image', (e) => console.log(e.image, e.error?.code ?? e.result!.detections.length));
 * const outcomes = await detector.detectBatch(['a.jpg', 'b.jpg']);
 * off();
 * await detector.dispose();
 */
export interface Detector<TImage> {
  /** Detects defects in one image (or `{ image, reference }`); a bad image throws a typed error naming it. */
  detect(image: DetectorInput<TImage>, options?: DetectOptions): Promise<DetectionResult>;
  /** Detects in several images or pairs; a failing image becomes an `ok: false` outcome in its place. */
  detectBatch(images: readonly DetectorInput<TImage>[], options?: DetectOptions): Promise<DetectionOutcome<TImage>[]>;
  /** Streams outcomes in input order, keeping `concurrency` batches in flight. */
  detectAll(
    images: Iterable<DetectorInput<TImage>> | AsyncIterable<DetectorInput<TImage>>,
    options?: DetectAllOptions & DetectOptions,
  ): AsyncGenerator<DetectionOutcome<TImage>>;
  /** Subscribes to progress events (`start`, `image`, `done`); returns the unsubscribe function. */
  on<K extends keyof DetectorEvents>(type: K, listener: DetectorListener<K>): () => void;
  /** Releases what the detector holds; calling it again is harmless. */
  dispose(): Promise<void>;
}
