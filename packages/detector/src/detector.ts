import { DefectKitError } from '@defectkit/core';
import type { Backend } from './backend.js';
import { decodeImageOutputs, type DetectionThresholds } from './decode-outputs.js';
import type { DetectionOutcome, DetectionResult } from './detection-result.js';
import { BackendError } from './errors.js';
import type { ImagePreprocessor, PreparedImage } from './image-preprocessor.js';
import type { ModelSpec } from './model-spec.js';
import { ProgressEmitter, type DetectorEvents, type DetectorListener } from './progress.js';
import { elementCount, type Tensor } from './tensor.js';

/** Per-call thresholds; anything left out comes from the model spec. */
export type DetectOptions = Partial<DetectionThresholds>;

/** Options for {@link Detector.detectAll}. */
export interface DetectAllOptions {
  /** Images prepared and run at the same time (default 2). */
  concurrency?: number;
  /** Images per model run (default 1); > 1 uses {@link Detector.detectBatch}. */
  batchSize?: number;
}

const now = (): number => performance.now();

function asTypedError(error: unknown, image: string): DefectKitError {
  if (DefectKitError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DefectKitError('DETECTION_FAILED', `${image}: ${message}`, { file: image }, { cause: error });
}

/** Takes image `index` out of a batched output (a view, no copy) when the output has that batch size. */
function sliceBatch(tensor: Tensor, index: number, batch: number): Tensor {
  if (batch === 1 || tensor.dims[0] !== batch) return tensor;
  const per = elementCount(tensor.dims) / batch;
  const dims = [1, ...tensor.dims.slice(1)];
  const start = index * per;
  switch (tensor.type) {
    case 'float32':
      return { type: 'float32', data: tensor.data.subarray(start, start + per), dims };
    case 'int32':
      return { type: 'int32', data: tensor.data.subarray(start, start + per), dims };
    case 'int64':
      return { type: 'int64', data: tensor.data.subarray(start, start + per), dims };
    case 'uint8':
      return { type: 'uint8', data: tensor.data.subarray(start, start + per), dims };
  }
}

/**
 * The detection pipeline: model spec → preprocess → backend run → decode → NMS → detections in
 * original-image pixels. Backend-agnostic and browser-safe: the platform supplies the {@link Backend}
 * and the {@link ImagePreprocessor}.
 *
 * @example
 * const detector = new Detector(backend, preprocessor, spec);
 * detector.on('image', (e) => console.log(e.image, e.result?.detections.length));
 * const { detections } = await detector.detect('board.jpg');
 */
export class Detector<TImage> {
  private readonly events = new ProgressEmitter();
  private readonly defaults: DetectionThresholds;

  constructor(
    /** The loaded backend (its `info` must be set). */
    readonly backend: Backend,
    readonly preprocessor: ImagePreprocessor<TImage>,
    readonly spec: ModelSpec,
    options: DetectOptions = {},
  ) {
    this.defaults = {
      conf: options.conf ?? spec.thresholds.conf,
      iou: options.iou ?? spec.thresholds.iou,
      maxDet: options.maxDet ?? spec.thresholds.maxDet,
      ...(options.classFilter ? { classFilter: options.classFilter } : {}),
      ...(options.agnostic !== undefined ? { agnostic: options.agnostic } : {}),
    };
  }

  /** Subscribes to progress events (`start`, `image`, `done`); returns the unsubscribe function. */
  on<K extends keyof DetectorEvents>(type: K, listener: DetectorListener<K>): () => void {
    return this.events.on(type, listener);
  }

  /** Detects defects in one image; a bad image throws a typed error naming it. */
  async detect(image: TImage, options: DetectOptions = {}): Promise<DetectionResult> {
    const name = this.preprocessor.describe(image);
    try {
      const prepared = await this.preprocessor.prepare(image, this.spec.input);
      const [result] = await this.runPrepared([prepared], options);
      return result!;
    } catch (error) {
      throw asTypedError(error, name);
    }
  }

  /**
   * Detects in several images: one model run with a real batch when the model's batch axis is
   * dynamic, otherwise one run per image. A failing image becomes an `ok: false` outcome; the others
   * are still processed. Emits `start`, `image` per outcome and `done`.
   */
  async detectBatch(images: readonly TImage[], options: DetectOptions = {}): Promise<DetectionOutcome<TImage>[]> {
    const started = now();
    this.events.emit('start', { total: images.length });
    const outcomes = await this.batchOutcomes(images, 0, options);
    for (const outcome of outcomes) this.emitImage(outcome);
    this.events.emit('done', { images: outcomes.length, failed: outcomes.filter((o) => !o.ok).length, elapsedMs: now() - started });
    return outcomes;
  }

  /**
   * Streams outcomes in input order while keeping `concurrency` images (or batches) in flight.
   *
   * @example
   * for await (const outcome of detector.detectAll(paths, { concurrency: 4 }))
   *   if (outcome.ok) console.log(outcome.image, outcome.result.detections.length);
   */
  async *detectAll(
    images: Iterable<TImage> | AsyncIterable<TImage>,
    options: DetectAllOptions & DetectOptions = {},
  ): AsyncGenerator<DetectionOutcome<TImage>> {
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 2));
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1));
    const started = now();
    this.events.emit('start', { total: Array.isArray(images) ? images.length : undefined });
    let count = 0;
    let failed = 0;
    const pending: Promise<DetectionOutcome<TImage>[]>[] = [];
    let chunk: TImage[] = [];
    let next = 0;
    const launch = (): void => {
      pending.push(this.batchOutcomes(chunk, next, options));
      next += chunk.length;
      chunk = [];
    };
    const drain = async function* (this: Detector<TImage>, keep: number): AsyncGenerator<DetectionOutcome<TImage>> {
      while (pending.length > keep) {
        for (const outcome of await pending.shift()!) {
          count++;
          if (!outcome.ok) failed++;
          this.emitImage(outcome);
          yield outcome;
        }
      }
    }.bind(this);
    for await (const image of images) {
      chunk.push(image);
      if (chunk.length === batchSize) {
        launch();
        yield* drain(concurrency - 1);
      }
    }
    if (chunk.length > 0) launch();
    yield* drain(0);
    this.events.emit('done', { images: count, failed, elapsedMs: now() - started });
  }

  /** Releases the backend. */
  async dispose(): Promise<void> {
    await this.backend.dispose();
  }

  private emitImage(outcome: DetectionOutcome<TImage>): void {
    this.events.emit('image', outcome.ok ? { index: outcome.index, image: outcome.image, result: outcome.result } : { index: outcome.index, image: outcome.image, error: outcome.error });
  }

  private async batchOutcomes(images: readonly TImage[], firstIndex: number, options: DetectOptions): Promise<DetectionOutcome<TImage>[]> {
    const names = images.map((image) => this.preprocessor.describe(image));
    const fail = (i: number, error: unknown): DetectionOutcome<TImage> => ({ index: firstIndex + i, input: images[i]!, image: names[i]!, ok: false, error: asTypedError(error, names[i]!) });
    const succeed = (i: number, result: DetectionResult): DetectionOutcome<TImage> => ({ index: firstIndex + i, input: images[i]!, image: names[i]!, ok: true, result });
    if (!this.spec.dynamicBatch || images.length === 1) {
      const outcomes: DetectionOutcome<TImage>[] = [];
      for (let i = 0; i < images.length; i++) {
        try {
          outcomes.push(succeed(i, await this.detect(images[i]!, options)));
        } catch (error) {
          outcomes.push(fail(i, error));
        }
      }
      return outcomes;
    }
    const settled = await Promise.allSettled(images.map((image) => this.preprocessor.prepare(image, this.spec.input)));
    const ready: { i: number; prepared: PreparedImage }[] = [];
    const outcomes: (DetectionOutcome<TImage> | undefined)[] = settled.map((s, i) => {
      if (s.status === 'rejected') return fail(i, s.reason);
      ready.push({ i, prepared: s.value });
      return undefined;
    });
    if (ready.length > 0) {
      try {
        const results = await this.runPrepared(ready.map((r) => r.prepared), options);
        ready.forEach((r, k) => (outcomes[r.i] = succeed(r.i, results[k]!)));
      } catch (error) {
        for (const r of ready) outcomes[r.i] = fail(r.i, error);
      }
    }
    return outcomes as DetectionOutcome<TImage>[];
  }

  /** Stacks prepared images into one input, runs the backend once and decodes each image. */
  private async runPrepared(prepared: readonly PreparedImage[], options: DetectOptions): Promise<DetectionResult[]> {
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
    const t0 = now();
    const outputs = await this.backend.run({ [this.spec.input.name]: { type: 'float32', data, dims } });
    const inference = (now() - t0) / n;
    const decodeOptions: DetectionThresholds = { ...this.defaults, ...options };
    return prepared.map((p, i) => {
      const t1 = now();
      const mine: Record<string, Tensor> = {};
      for (const [name, tensor] of Object.entries(outputs)) mine[name] = sliceBatch(tensor, i, n);
      const detections = decodeImageOutputs(this.spec, mine, p, decodeOptions);
      const postprocess = now() - t1;
      return { detections, width: p.width, height: p.height, timings: { decode: p.timings.decode, preprocess: p.timings.preprocess, inference, postprocess } };
    });
  }
}
