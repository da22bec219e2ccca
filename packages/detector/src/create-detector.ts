import { DefectKitError } from '@defectkit/core';
import type { DetectionOutcome, DetectionResult } from './detection-result.js';
import type { DetectAllOptions, DetectOptions, Detector } from './detector-contract.js';
import { ProgressEmitter } from './progress.js';

/** What one image of a core batch came to: a result, or whatever that image threw. */
export type CoreOutcome = { ok: true; result: DetectionResult } | { ok: false; error: unknown };

/**
 * The small part a detector implementation supplies; {@link createDetector} builds the full
 * {@link Detector} (single images, batches, streams, progress, dispose) around it, so every
 * implementation behaves the same.
 */
export interface DetectorCore<TImage> {
  /** A short name for the image in outcomes, events and errors (a file path, say). */
  describe(image: TImage): string;
  /**
   * Runs one batch (at most {@link maxBatch} images) and returns one outcome per image, in order. A bad
   * image must become its own `ok: false` outcome; a rejection fails every image of the batch.
   */
  runBatch(images: readonly TImage[], options: DetectOptions): Promise<CoreOutcome[]>;
  /** The most images one `runBatch` call takes (default unlimited). */
  readonly maxBatch?: number;
  /** Images per `runBatch` call in `detectAll` when the caller gives no `batchSize` (default 1). */
  readonly defaultBatchSize?: number;
  /** Releases the resources; called once, by the first `dispose()`. */
  dispose(): Promise<void>;
}

const now = (): number => performance.now();

/** Any failure as a typed error naming the image (a `DefectKitError` passes through unchanged). */
export function asTypedError(error: unknown, image: string): DefectKitError {
  if (DefectKitError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DefectKitError('DETECTION_FAILED', `${image}: ${message}`, { file: image }, { cause: error });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Builds the full {@link Detector} from a {@link DetectorCore}: the one implementation of `detect`,
 * `detectBatch`, `detectAll`, progress events and dispose semantics that local and remote detectors share.
 *
 * @example
 * const detector = createDetector({ describe: String, runBatch: async (images) => images.map(run), dispose: async () => {} });
 */
export function createDetector<TImage>(core: DetectorCore<TImage>): Detector<TImage> {
  const events = new ProgressEmitter();
  const maxBatch = Math.max(1, Math.floor(core.maxBatch ?? Number.POSITIVE_INFINITY));
  let disposed = false;

  const assertOpen = (): void => {
    if (disposed) throw new DefectKitError('DETECTOR_DISPOSED', 'the detector was disposed; create a new one', {});
  };

  /** Runs `images` (one core batch) and turns each into a typed outcome with its input index. */
  const run = async (images: readonly TImage[], firstIndex: number, options: DetectOptions): Promise<DetectionOutcome<TImage>[]> => {
    const names = images.map((image) => core.describe(image));
    let raw: CoreOutcome[];
    try {
      raw = await core.runBatch(images, options);
      if (raw.length !== images.length) throw new Error(`the detector returned ${raw.length} outcomes for ${images.length} images`);
    } catch (error) {
      raw = images.map(() => ({ ok: false, error }));
    }
    return raw.map((o, i): DetectionOutcome<TImage> => {
      const base = { index: firstIndex + i, input: images[i]!, image: names[i]! };
      return o.ok ? { ...base, ok: true, result: o.result } : { ...base, ok: false, error: asTypedError(o.error, names[i]!) };
    });
  };

  const emitImage = (o: DetectionOutcome<TImage>): void => {
    events.emit('image', o.ok ? { index: o.index, image: o.image, result: o.result } : { index: o.index, image: o.image, error: o.error });
  };

  return {
    on: (type, listener) => events.on(type, listener),

    async detect(image, options = {}) {
      assertOpen();
      const [outcome] = await run([image], 0, options);
      if (!outcome!.ok) throw outcome!.error;
      return outcome!.result;
    },

    async detectBatch(images, options = {}) {
      assertOpen();
      const started = now();
      events.emit('start', { total: images.length });
      const outcomes: DetectionOutcome<TImage>[] = [];
      for (const chunk of chunks(images, maxBatch)) outcomes.push(...(await run(chunk, outcomes.length, options)));
      for (const outcome of outcomes) emitImage(outcome);
      events.emit('done', { images: outcomes.length, failed: outcomes.filter((o) => !o.ok).length, elapsedMs: now() - started });
      return outcomes;
    },

    async *detectAll(images, options: DetectAllOptions & DetectOptions = {}) {
      assertOpen();
      const { concurrency: c, batchSize: b, ...thresholds } = options;
      const concurrency = Math.max(1, Math.floor(c ?? 2));
      const batchSize = Math.min(maxBatch, Math.max(1, Math.floor(b ?? core.defaultBatchSize ?? 1)));
      const started = now();
      events.emit('start', { total: Array.isArray(images) ? images.length : undefined });
      let count = 0;
      let failed = 0;
      let next = 0;
      let chunk: TImage[] = [];
      // Each batch is started at once; its promise is caught here so a slow consumer never sees an unhandled rejection.
      const pending: Promise<DetectionOutcome<TImage>[]>[] = [];
      const launch = (): void => {
        pending.push(run(chunk, next, thresholds));
        next += chunk.length;
        chunk = [];
      };
      async function* drain(keep: number): AsyncGenerator<DetectionOutcome<TImage>> {
        while (pending.length > keep) {
          for (const outcome of await pending.shift()!) {
            count++;
            if (!outcome.ok) failed++;
            emitImage(outcome);
            yield outcome;
          }
        }
      }
      for await (const image of images) {
        chunk.push(image);
        if (chunk.length === batchSize) {
          launch();
          yield* drain(concurrency - 1);
        }
      }
      if (chunk.length > 0) launch();
      yield* drain(0);
      events.emit('done', { images: count, failed, elapsedMs: now() - started });
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      await core.dispose();
    },
  };
}
