import { DefectKitError, InvalidArgumentError } from '@defectkit/core';
import { boardVerdict, mergeVerdictRule, type VerdictRule } from '@defectkit/postprocess';
import type { DetectionOutcome, DetectionResult } from './detection-result.js';
import { isImagePair, type DetectAllOptions, type DetectOptions, type Detector, type DetectorInput } from './detector-contract.js';
import { ImageReferenceError } from './errors.js';
import { ProgressEmitter } from './progress.js';

/** A core's result for one image; {@link createDetector} adds the verdict when the core leaves it out. */
export type CoreResult = Omit<DetectionResult, 'verdict'> & { verdict?: DetectionResult['verdict'] };

/** What one image of a core batch came to: a result, or whatever that image threw. */
export type CoreOutcome = { ok: true; result: CoreResult } | { ok: false; error: unknown };

/** Without a rule from the core, any detection fails its board. */
const ANY_DETECTION_FAILS: VerdictRule = { conf: 0, classConf: {} };

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
   * image must become its own `ok: false` outcome; a rejection fails every image of the batch. With
   * `references: 'required'`, `references[i]` is the golden reference of `images[i]`.
   */
  runBatch(images: readonly TImage[], options: DetectOptions, references?: readonly TImage[]): Promise<CoreOutcome[]>;
  /**
   * `required`: every image comes with a golden reference (an image without one fails with `REFERENCE_MISSING`);
   * default `unsupported`: an image given with a reference fails with `REFERENCE_UNSUPPORTED`.
   */
  readonly references?: 'required' | 'unsupported';
  /** The verdict rule (the model card's); per-call `verdict` options are merged over it. Default: any detection fails. */
  readonly verdict?: VerdictRule;
  /**
   * True when `runBatch` honours the `tile` option. Default false: a call with `tile` is refused with
   * `INVALID_OPTION` before any image runs, since silently detecting untiled would miss small defects on a large scan.
   */
  readonly tiling?: boolean;
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

  const needsReference = core.references === 'required';

  /** Refuses per-call options this core cannot honour (a whole-call error, not one image's). */
  const assertSupported = (options: DetectOptions): void => {
    if (options.tile !== undefined && core.tiling !== true)
      throw new InvalidArgumentError('INVALID_OPTION', 'this detector cannot tile images (tiling runs only where the model runs in this process); detect tiles with a local detector', {
        field: 'tile',
      });
  };

  /** The pairing problem of one input, if any: a reference model without a reference, or the reverse. */
  const referenceProblem = (image: TImage, reference: TImage | undefined, name: string): DefectKitError | undefined => {
    if (needsReference && reference === undefined)
      return new ImageReferenceError('REFERENCE_MISSING', `${name}: the model compares each image with a golden reference; give { image, reference }`, { file: name });
    if (!needsReference && reference !== undefined)
      return new ImageReferenceError('REFERENCE_UNSUPPORTED', `${name}: the model takes the image alone; a reference was given (${core.describe(reference)})`, {
        file: name,
        reference: core.describe(reference),
      });
    return undefined;
  };

  /** Runs `inputs` (one core batch) and turns each into a typed outcome with its input index and verdict. */
  const run = async (inputs: readonly DetectorInput<TImage>[], firstIndex: number, options: DetectOptions): Promise<DetectionOutcome<TImage>[]> => {
    const rule = mergeVerdictRule(core.verdict ?? ANY_DETECTION_FAILS, options.verdict);
    const images = inputs.map((input) => (isImagePair(input) ? input.image : input));
    const references = inputs.map((input) => (isImagePair(input) ? input.reference : undefined));
    const names = images.map((image) => core.describe(image));
    const raw: CoreOutcome[] = images.map((image, i) => {
      const problem = referenceProblem(image, references[i], names[i]!);
      return problem ? { ok: false, error: problem } : { ok: true, result: undefined as never };
    });
    const ready = raw.flatMap((o, i) => (o.ok ? [i] : []));
    if (ready.length > 0) {
      let ran: CoreOutcome[];
      try {
        const refs = needsReference ? ready.map((i) => references[i]!) : undefined;
        ran = await core.runBatch(
          ready.map((i) => images[i]!),
          options,
          ...(refs ? [refs] : []),
        );
        if (ran.length !== ready.length) throw new Error(`the detector returned ${ran.length} outcomes for ${ready.length} images`);
      } catch (error) {
        ran = ready.map(() => ({ ok: false, error }));
      }
      ready.forEach((i, k) => (raw[i] = ran[k]!));
    }
    return raw.map((o, i): DetectionOutcome<TImage> => {
      const reference = references[i];
      const base = { index: firstIndex + i, input: images[i]!, ...(reference === undefined ? {} : { reference }), image: names[i]! };
      if (!o.ok) return { ...base, ok: false, error: asTypedError(o.error, names[i]!) };
      const verdict = o.result.verdict ?? boardVerdict(o.result.detections, rule);
      return { ...base, ok: true, result: { ...o.result, verdict } };
    });
  };

  const emitImage = (o: DetectionOutcome<TImage>): void => {
    events.emit('image', o.ok ? { index: o.index, image: o.image, result: o.result } : { index: o.index, image: o.image, error: o.error });
  };

  return {
    on: (type, listener) => events.on(type, listener),

    async detect(image, options = {}) {
      assertOpen();
      assertSupported(options);
      const [outcome] = await run([image], 0, options);
      if (!outcome!.ok) throw outcome!.error;
      return outcome!.result;
    },

    async detectBatch(images, options = {}) {
      assertOpen();
      assertSupported(options);
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
      assertSupported(thresholds);
      const concurrency = Math.max(1, Math.floor(c ?? 2));
      const batchSize = Math.min(maxBatch, Math.max(1, Math.floor(b ?? core.defaultBatchSize ?? 1)));
      const started = now();
      events.emit('start', { total: Array.isArray(images) ? images.length : undefined });
      let count = 0;
      let failed = 0;
      let next = 0;
      let chunk: DetectorInput<TImage>[] = [];
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
