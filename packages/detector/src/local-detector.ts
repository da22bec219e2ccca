import { InvalidArgumentError, type Detection } from '@defectkit/core';
import { decodeClassifier, decodeDetections, mergeTileDetections, mergeVerdictRule, tileGrid, type BoxPlacement } from '@defectkit/postprocess';
import type { Backend } from './backend.js';
import { createDetector, type CoreOutcome, type CoreResult, type DetectorCore } from './create-detector.js';
import type { DetectionResult } from './detection-result.js';
import type { DetectAllOptions, DetectionThresholds, DetectOptions, Detector, DetectorInput, TileOptions } from './detector-contract.js';
import { BackendError, ImageReferenceError, ModelSpecError } from './errors.js';
import type { ImagePreprocessor, PreparedImage } from './image-preprocessor.js';
import type { ModelInputSpec } from './model-card.js';
import { checkOutputDims, type ModelSpec } from './model-spec.js';
import { cutTile } from './tile-tensor.js';
import { estimateShift, shiftReference, type ImageShift } from './phase-correlation.js';
import type { DetectorEvents, DetectorListener } from './progress.js';
import type { Tensor } from './tensor.js';

const now = (): number => performance.now();

/** How many classes a classifier result lists (the handler's `TOP_K`; all of them when the model has fewer). */
const CLASSIFIER_TOP_K = 5;

/** Where the decoder maps an image's boxes back to: its letterbox placement, or its own pixels (clipped). */
function placementOf(p: PreparedImage): BoxPlacement {
  return { originalWidth: p.width, originalHeight: p.height, gain: p.placement?.gain ?? 1, padLeft: p.placement?.padLeft ?? 0, padTop: p.placement?.padTop ?? 0 };
}

/** Options of a {@link LocalDetector}: default thresholds, and how a reference is lined up with its image. */
export interface LocalDetectorOptions extends DetectOptions {
  /**
   * `shift`: before comparing, move each reference by the integer shift phase correlation finds between it and
   * its image (at most `maxShift` pixels, default 16); `none` (default): use the reference as given.
   */
  align?: 'none' | 'shift';
  maxShift?: number;
}

/** The image tensor with the reference's planes after it (same size), optionally lined up first. */
function stackReference(image: PreparedImage, reference: PreparedImage, align: 'none' | 'shift', maxShift: number): { prepared: PreparedImage; shift: ImageShift | null } {
  const [c, h, w] = image.dims;
  let ref = reference.data;
  let shift: ImageShift | null = null;
  if (align === 'shift') {
    shift = estimateShift(image.data.subarray(0, h * w), reference.data.subarray(0, h * w), w, h, { maxShift });
    if (shift.dx !== 0 || shift.dy !== 0) ref = shiftReference(reference.data, image.data, c, w, h, shift);
  }
  const data = new Float32Array(2 * c * h * w);
  data.set(image.data, 0);
  data.set(ref, c * h * w);
  const timings = { decode: image.timings.decode + reference.timings.decode, preprocess: image.timings.preprocess + reference.timings.preprocess };
  return { prepared: { ...image, data, dims: [2 * c, h, w], timings }, shift };
}

/**
 * The {@link Detector} that runs a model on this machine: model spec → preprocess → backend run →
 * `decodeDetections` from `@defectkit/postprocess` → detections in original-image pixels. Backend-agnostic
 * and browser-safe: the platform supplies the {@link Backend} and the {@link ImagePreprocessor}. A model
 * whose batch axis is dynamic runs a batch in one call; otherwise one call per image.
 *
 * @example
 * const detector = new LocalDetector(backend, preprocessor, spec);
 * detector.on('image', (e) => console.log(e.image, e.result?.detections.length));
 * const { detections } = await detector.detect('board.jpg');
 */
export class LocalDetector<TImage> implements Detector<TImage> {
  private readonly defaults: DetectionThresholds;
  private readonly detector: Detector<TImage>;
  private readonly align: 'none' | 'shift';
  private readonly maxShift: number;
  /** Model runs in flight, and those waiting for a slot (at most `backend.info.concurrentRuns` run at once). */
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    /** The loaded backend (its `info` must be set). */
    readonly backend: Backend,
    readonly preprocessor: ImagePreprocessor<TImage>,
    readonly spec: ModelSpec,
    options: LocalDetectorOptions = {},
  ) {
    this.defaults = {
      conf: options.conf ?? spec.thresholds.conf,
      iou: options.iou ?? spec.thresholds.iou,
      maxDet: options.maxDet ?? spec.thresholds.maxDet,
      ...(options.classFilter ? { classFilter: options.classFilter } : {}),
      ...(options.agnostic !== undefined ? { agnostic: options.agnostic } : {}),
    };
    this.align = options.align ?? 'none';
    this.maxShift = options.maxShift ?? 16;
    const core: DetectorCore<TImage> = {
      describe: (image) => preprocessor.describe(image),
      runBatch: (images, o, references) => this.runBatch(images, o, references),
      references: spec.input.reference ? 'required' : 'unsupported',
      verdict: mergeVerdictRule(spec.verdict, options.verdict),
      tiling: true,
      dispose: () => backend.dispose(),
    };
    this.detector = createDetector(core);
  }

  /** Subscribes to progress events (`start`, `image`, `done`); returns the unsubscribe function. */
  on<K extends keyof DetectorEvents>(type: K, listener: DetectorListener<K>): () => void {
    return this.detector.on(type, listener);
  }

  /** Detects defects in one image (or `{ image, reference }`); a bad image throws a typed error naming it. */
  detect(image: DetectorInput<TImage>, options?: DetectOptions): Promise<DetectionResult> {
    return this.detector.detect(image, options);
  }

  /** Detects in several images (one model run when the batch axis is dynamic); failures become `ok: false` outcomes. */
  detectBatch(images: readonly DetectorInput<TImage>[], options?: DetectOptions): ReturnType<Detector<TImage>['detectBatch']> {
    return this.detector.detectBatch(images, options);
  }

  /** Streams outcomes in input order while keeping `concurrency` batches in flight. */
  detectAll(
    images: Iterable<DetectorInput<TImage>> | AsyncIterable<DetectorInput<TImage>>,
    options?: DetectAllOptions & DetectOptions,
  ): ReturnType<Detector<TImage>['detectAll']> {
    return this.detector.detectAll(images, options);
  }

  /** Releases the backend; later calls reject with `DETECTOR_DISPOSED`. */
  dispose(): Promise<void> {
    return this.detector.dispose();
  }

  /** One image as the network takes it: the image alone, or the image with its reference's planes stacked after it. */
  private async prepare(image: TImage, reference: TImage | undefined, input: ModelInputSpec = this.spec.input): Promise<PreparedImage> {
    if (reference === undefined) return this.preprocessor.prepare(image, input);
    const [a, b] = await Promise.all([this.preprocessor.prepare(image, input), this.preprocessor.prepare(reference, input)]);
    if (a.width !== b.width || a.height !== b.height || a.dims.some((d, i) => d !== b.dims[i])) {
      const name = this.preprocessor.describe(image);
      const ref = this.preprocessor.describe(reference);
      throw new ImageReferenceError('REFERENCE_SIZE', `${name}: ${a.width}x${a.height}, but its reference ${ref} is ${b.width}x${b.height}`, { file: name, reference: ref });
    }
    return stackReference(a, b, this.align, this.maxShift).prepared;
  }

  /** The core batch: prepares every image (failures stay per image), runs the good ones, decodes each. */
  private async runBatch(images: readonly TImage[], options: DetectOptions, references?: readonly TImage[]): Promise<CoreOutcome[]> {
    if (options.tile) {
      const outcomes: CoreOutcome[] = [];
      for (const [i, image] of images.entries()) {
        try {
          outcomes.push({ ok: true, result: await this.runTiled(image, references?.[i], options, options.tile) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
      return outcomes;
    }
    if (!this.spec.dynamicBatch || images.length === 1) {
      const outcomes: CoreOutcome[] = [];
      for (const [i, image] of images.entries()) {
        try {
          const prepared = await this.prepare(image, references?.[i]);
          outcomes.push({ ok: true, result: (await this.runPrepared([prepared], options))[0]! });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
      return outcomes;
    }
    const settled = await Promise.allSettled(images.map((image, i) => this.prepare(image, references?.[i])));
    const ready: { i: number; prepared: PreparedImage }[] = [];
    const outcomes: (CoreOutcome | undefined)[] = settled.map((s, i) => {
      if (s.status === 'rejected') return { ok: false, error: s.reason };
      ready.push({ i, prepared: s.value });
      return undefined;
    });
    if (ready.length > 0) {
      try {
        const results = await this.runPrepared(ready.map((r) => r.prepared), options);
        ready.forEach((r, k) => (outcomes[r.i] = { ok: true, result: results[k]! }));
      } catch (error) {
        for (const r of ready) outcomes[r.i] = { ok: false, error };
      }
    }
    return outcomes as CoreOutcome[];
  }

  /**
   * One large image as tiles: prepared once at its own size (with its reference, lined up, stacked), cut into
   * overlapping tiles at scale 1, `batch` tiles per model run, detections moved to image pixels and merged, then
   * `maxDet` by score.
   */
  private async runTiled(image: TImage, reference: TImage | undefined, options: DetectOptions, tile: TileOptions): Promise<CoreResult> {
    const { width: inW, height: inH } = this.spec.input;
    if (this.spec.input.resize !== 'letterbox') throw new InvalidArgumentError('INVALID_OPTION', 'tiling needs a model with a letterbox input', { field: 'tile' });
    if (this.spec.layout === 'classifier') throw new InvalidArgumentError('INVALID_OPTION', 'tiling needs a detection model, not a classifier', { field: 'tile' });
    if (!Number.isInteger(tile.size) || tile.size < 1 || tile.size > Math.min(inW, inH))
      throw new InvalidArgumentError('INVALID_OPTION', `tile size must be an integer from 1 to the network input (${Math.min(inW, inH)}), got ${tile.size}`, { field: 'tile', value: tile.size });
    const full = await this.prepare(image, reference, { ...this.spec.input, resize: 'none' });
    const tiles = tileGrid(full.width, full.height, tile.size, tile.overlap);
    const batch = Math.max(1, Math.floor(tile.batch ?? (this.spec.dynamicBatch ? 8 : 1)));
    let inference = 0;
    let postprocess = 0;
    let preprocess = 0;
    const perTile = { ...options, maxDet: options.maxDet ?? this.defaults.maxDet };
    const margin = Math.max(0, tile.edgeMargin ?? Math.floor((tile.size * tile.overlap) / 8));
    // A box near an edge this tile shares with a neighbour is left to the neighbour, which sees that area whole.
    const inner = (t: (typeof tiles)[number], d: Detection): boolean =>
      (t.x > 0 && d.x1 < margin) ||
      (t.y > 0 && d.y1 < margin) ||
      (t.x + t.width < full.width && d.x2 > t.width - margin) ||
      (t.y + t.height < full.height && d.y2 > t.height - margin);
    // Tile groups run as the backend allows (one at a time, or one per worker); each group is cut only when a run slot
    // is about to take it, so a huge scan never holds all its tiles at once. Results are kept per group and joined in
    // grid order, so the merge sees the same boxes in the same order however the runs interleave.
    const groups: (typeof tiles)[] = [];
    for (let s = 0; s < tiles.length; s += batch) groups.push(tiles.slice(s, s + batch));
    const perGroup: Detection[][] = [];
    let nextGroup = 0;
    const lane = async (): Promise<void> => {
      while (nextGroup < groups.length) {
        const g = nextGroup++;
        const group = groups[g]!;
        const tc = now();
        const prepared = group.map((t) => cutTile(full, t, this.spec.input));
        preprocess += now() - tc;
        const results = await this.runPrepared(prepared, perTile);
        const kept: Detection[] = [];
        results.forEach((r, k) => {
          const t = group[k]!;
          inference += r.timings.inference;
          postprocess += r.timings.postprocess;
          for (const d of r.detections) if (!inner(t, d)) kept.push({ ...d, x1: d.x1 + t.x, y1: d.y1 + t.y, x2: d.x2 + t.x, y2: d.y2 + t.y });
        });
        perGroup[g] = kept;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.runSlots(), groups.length) }, lane));
    const found = perGroup.flat();
    const tm = now();
    const merged = mergeTileDetections(found, tile).slice(0, options.maxDet ?? this.defaults.maxDet);
    postprocess += now() - tm;
    return {
      detections: merged,
      width: full.width,
      height: full.height,
      timings: { decode: full.timings.decode, preprocess: full.timings.preprocess + preprocess, inference, postprocess },
    };
  }

  /**
   * Runs `fn` when a run slot is free: one at a time unless the backend says it runs more side by side
   * (`info.concurrentRuns`). Concurrent batches (`detectAll`'s `concurrency`) then decode and preprocess on sharp's / the
   * platform's threads while the model runs, instead of more runs than the backend serves competing for the same cores.
   */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.runSlots()) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      // Hand free slots to waiters, counted against the backend's current slots (a reload may change them).
      while (this.waiting.length > 0 && this.running < this.runSlots()) {
        this.running++;
        this.waiting.shift()!();
      }
    }
  }

  private runSlots(): number {
    return Math.max(1, this.backend.info?.concurrentRuns ?? 1);
  }

  /** Stacks prepared images into one input, runs the backend once and decodes the batch with the one decoder. */
  private async runPrepared(prepared: readonly PreparedImage[], options: DetectOptions): Promise<CoreResult[]> {
    const n = prepared.length;
    const [c, h, w] = prepared[0]!.dims;
    let data: Float32Array;
    if (n === 1) data = prepared[0]!.data;
    else {
      data = new Float32Array(n * c * h * w);
      prepared.forEach((p, i) => {
        if (p.dims[1] !== h || p.dims[2] !== w)
          throw new BackendError('BACKEND_BATCH_SHAPE', `images of one batch must share the input size (${w}x${h} vs ${p.dims[2]}x${p.dims[1]})`, {});
        data.set(p.data, i * c * h * w);
      });
    }
    const dims = this.spec.input.batchAxis ? [n, c, h, w] : [c, h, w];
    let inference = 0;
    const outputs = await this.exclusive(async () => {
      const t0 = now();
      // The tensor is this detector's (a batch it stacked, or a prepared image, which a preprocessor makes fresh per call).
      const out = await this.backend.run({ [this.spec.input.name]: { type: 'float32', data, dims } }, { handOver: true });
      inference = (now() - t0) / n;
      return out;
    });
    const t1 = now();
    const ordered = this.spec.outputNames.map((name) => outputs[name]);
    if (ordered.some((t) => t === undefined)) {
      const missing = this.spec.outputNames.find((name) => outputs[name] === undefined);
      throw new ModelSpecError('MODEL_OUTPUT_SHAPE', `the model returned no output "${missing}"`, { output: missing });
    }
    const tensors = ordered as Tensor[];
    checkOutputDims(this.spec, tensors.map((t) => t.dims));
    if (this.spec.layout === 'classifier') return this.classify(prepared, tensors[0]!, inference, t1);
    const o: DetectionThresholds = { ...this.defaults, ...options };
    const perImage = decodeDetections(tensors, {
      layout: this.spec.layout,
      names: this.spec.classes,
      conf: o.conf,
      iou: o.iou,
      maxDet: o.maxDet,
      classes: o.classFilter ?? null,
      agnostic: o.agnostic ?? false,
      letterbox: prepared.map(placementOf),
    });
    const postprocess = (now() - t1) / n;
    return prepared.map((p, i) => ({
      detections: perImage[i] ?? [],
      width: p.width,
      height: p.height,
      timings: { decode: p.timings.decode, preprocess: p.timings.preprocess, inference, postprocess },
    }));
  }

  /**
   * A classifier batch: the top-5 classes per image, best first, exactly as the logged Python handler answers
   * `LABELS` (`top_labels` of defectkit_handler.py: the output row taken as probabilities, no activation, since the
   * classifier recipe's graph ends in a softmax; ties to the lower class id), so local and remote agree.
   */
  private classify(prepared: readonly PreparedImage[], output: Tensor, inference: number, t1: number): CoreResult[] {
    const labels = decodeClassifier({ data: output.data as Float32Array, dims: output.dims }, { activation: 'none', topK: CLASSIFIER_TOP_K, names: this.spec.classes });
    const postprocess = (now() - t1) / prepared.length;
    return prepared.map((p, i) => ({
      detections: [],
      labels: labels[i] ?? [],
      width: p.width,
      height: p.height,
      timings: { decode: p.timings.decode, preprocess: p.timings.preprocess, inference, postprocess },
    }));
  }
}
