import { readFile } from 'node:fs/promises';
import { DefectKitError, type Detection } from '@defectkit/core';
import type { DetectionOutcome, DetectionResult, DetectorEvents, DetectorListener } from '@defectkit/detector';
import { SnowflakeError } from '../errors.js';
import type { SnowflakeSession } from './snowflake-session.js';

/** An image for remote inference: a file path or the encoded file bytes (as for the local Node detector). */
export type RemoteImageInput = string | Uint8Array;

/** Options of {@link RemoteDetector}. */
export interface RemoteDetectorOptions {
  /** The quoted, fully qualified model name. */
  model: string;
  /** The quoted version name or alias. */
  version: string;
  /** Class names, for results whose rows carry only a class id. */
  classes?: string[];
  /** Images per statement (default 8): each is a base64 text bind. */
  batchSize?: number;
}

type Listeners = { [K in keyof DetectorEvents]: Set<DetectorListener<K>> };

function describe(image: RemoteImageInput): string {
  return typeof image === 'string' ? image : `<buffer ${image.byteLength} bytes>`;
}

function num(value: unknown, field: string, row: number): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new SnowflakeError('SNOWFLAKE_PREDICT_OUTPUT', `PREDICT result row ${row}: field ${field} is not a number`, { field, row });
  }
  return n;
}

/** Maps the OBJECT one PREDICT call returns to the local detector's result shape. */
export function mapPredictObject(value: unknown, classes: readonly string[], row: number): Omit<DetectionResult, 'timings'> {
  const object = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown> | null;
  if (typeof object !== 'object' || object === null) {
    throw new SnowflakeError('SNOWFLAKE_PREDICT_OUTPUT', `PREDICT result row ${row} is not an OBJECT`, { row });
  }
  const pick = (record: Record<string, unknown>, ...keys: string[]): unknown => keys.map((key) => record[key]).find((v) => v !== undefined);
  let items = pick(object, 'DETECTIONS', 'detections');
  if (typeof items === 'string') items = JSON.parse(items);
  if (!Array.isArray(items)) throw new SnowflakeError('SNOWFLAKE_PREDICT_OUTPUT', `PREDICT result row ${row} has no DETECTIONS array`, { row, field: 'DETECTIONS' });
  const detections: Detection[] = items.map((item: Record<string, unknown>) => {
    const classId = num(pick(item, 'classId', 'class_id', 'CLASS_ID'), 'classId', row);
    const label = pick(item, 'label', 'LABEL');
    return {
      x1: num(pick(item, 'x1', 'X1'), 'x1', row),
      y1: num(pick(item, 'y1', 'Y1'), 'y1', row),
      x2: num(pick(item, 'x2', 'X2'), 'x2', row),
      y2: num(pick(item, 'y2', 'Y2'), 'y2', row),
      score: num(pick(item, 'score', 'SCORE', 'confidence'), 'score', row),
      classId,
      label: typeof label === 'string' ? label : (classes[classId] ?? String(classId)),
    };
  });
  return { detections, width: num(pick(object, 'WIDTH', 'width'), 'WIDTH', row), height: num(pick(object, 'HEIGHT', 'height'), 'HEIGHT', row) };
}

/**
 * The `snowflake` backend: the same detection API as the local `Detector` (`detect`, `detectBatch`,
 * `detectAll`, progress events), but each image is sent as base64 text, batched, to
 * `MODEL(<fqn>, <version>)!PREDICT(...)` and the returned OBJECT is mapped to the same detections.
 *
 * @example
 * const detector = await (await registry.model('PCB_DEFECTS')).version('V1').then((v) => v.detector());
 * const { detections } = await detector.detect('board.jpg');
 */
export class RemoteDetector {
  private readonly listeners: Listeners = { start: new Set(), image: new Set(), done: new Set() };
  private readonly batchSize: number;

  constructor(
    private readonly session: SnowflakeSession,
    /** Where it runs. */
    readonly options: RemoteDetectorOptions,
  ) {
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? 8));
  }

  /** Subscribes to progress events (`start`, `image`, `done`); returns the unsubscribe function. */
  on<K extends keyof DetectorEvents>(type: K, listener: DetectorListener<K>): () => void {
    const set = this.listeners[type] as Set<DetectorListener<K>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit<K extends keyof DetectorEvents>(type: K, event: DetectorEvents[K]): void {
    for (const listener of this.listeners[type] as Set<DetectorListener<K>>) listener(event);
  }

  /** Detects defects in one image remotely. */
  async detect(image: RemoteImageInput): Promise<DetectionResult> {
    const [outcome] = await this.run([image], 0);
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.result;
  }

  /** Detects in several images, `batchSize` per statement; a failing image (or batch) becomes an `ok: false` outcome. */
  async detectBatch(images: readonly RemoteImageInput[]): Promise<DetectionOutcome<RemoteImageInput>[]> {
    const outcomes: DetectionOutcome<RemoteImageInput>[] = [];
    for await (const outcome of this.detectAll(images)) outcomes.push(outcome);
    return outcomes;
  }

  /** Streams outcomes in input order, one statement per `batchSize` images. */
  async *detectAll(images: Iterable<RemoteImageInput> | AsyncIterable<RemoteImageInput>): AsyncGenerator<DetectionOutcome<RemoteImageInput>> {
    const started = performance.now();
    this.emit('start', { total: Array.isArray(images) ? images.length : undefined });
    let count = 0;
    let failed = 0;
    let chunk: RemoteImageInput[] = [];
    const flush = async function* (this: RemoteDetector): AsyncGenerator<DetectionOutcome<RemoteImageInput>> {
      for (const outcome of await this.run(chunk, count)) {
        count++;
        if (!outcome.ok) failed++;
        this.emit('image', outcome.ok ? { index: outcome.index, image: outcome.image, result: outcome.result } : { index: outcome.index, image: outcome.image, error: outcome.error });
        yield outcome;
      }
      chunk = [];
    }.bind(this);
    for await (const image of images) {
      chunk.push(image);
      if (chunk.length === this.batchSize) yield* flush();
    }
    if (chunk.length > 0) yield* flush();
    this.emit('done', { images: count, failed, elapsedMs: performance.now() - started });
  }

  /** Nothing to release: the session belongs to the registry. */
  async dispose(): Promise<void> {}

  private async run(images: readonly RemoteImageInput[], firstIndex: number): Promise<DetectionOutcome<RemoteImageInput>[]> {
    const outcomes: (DetectionOutcome<RemoteImageInput> | undefined)[] = new Array(images.length);
    const ready: { i: number; base64: string; decode: number }[] = [];
    for (let i = 0; i < images.length; i++) {
      const image = images[i]!;
      const started = performance.now();
      try {
        const bytes = typeof image === 'string' ? await readFile(image) : image;
        ready.push({ i, base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), decode: performance.now() - started });
      } catch (error) {
        outcomes[i] = this.fail(images, firstIndex, i, new SnowflakeError('IMAGE_NOT_FOUND', `${describe(image)}: cannot read the image file`, { file: describe(image) }, { cause: error }));
      }
    }
    if (ready.length > 0) {
      const started = performance.now();
      try {
        const selects = ready.map((_, k) => (k === 0 ? 'SELECT ? AS "IDX", ? AS "IMAGE"' : 'SELECT ?, ?')).join(' UNION ALL ');
        const sql = `SELECT "IDX", MODEL(${this.options.model}, ${this.options.version})!PREDICT(TO_BINARY("IMAGE", 'BASE64')) AS "RESULT" FROM (${selects}) ORDER BY "IDX"`;
        const rows = await this.session.execute(sql, ready.flatMap((entry) => [entry.i, entry.base64]));
        const inference = (performance.now() - started) / ready.length;
        const byIndex = new Map(rows.map((row) => [Number(row.IDX ?? row.idx), row.RESULT ?? row.result]));
        for (const entry of ready) {
          try {
            if (!byIndex.has(entry.i)) throw new SnowflakeError('SNOWFLAKE_PREDICT_OUTPUT', `PREDICT returned no row for image ${entry.i}`, { row: entry.i });
            const mapped = mapPredictObject(byIndex.get(entry.i), this.options.classes ?? [], entry.i);
            outcomes[entry.i] = { index: firstIndex + entry.i, input: images[entry.i]!, image: describe(images[entry.i]!), ok: true, result: { ...mapped, timings: { decode: entry.decode, preprocess: 0, inference, postprocess: 0 } } };
          } catch (error) {
            outcomes[entry.i] = this.fail(images, firstIndex, entry.i, error);
          }
        }
      } catch (error) {
        for (const entry of ready) outcomes[entry.i] = this.fail(images, firstIndex, entry.i, error);
      }
    }
    return outcomes as DetectionOutcome<RemoteImageInput>[];
  }

  private fail(images: readonly RemoteImageInput[], firstIndex: number, i: number, error: unknown): DetectionOutcome<RemoteImageInput> {
    const name = describe(images[i]!);
    const typed = DefectKitError.isInstance(error) ? error : new SnowflakeError('SNOWFLAKE_PREDICT_OUTPUT', `${name}: ${error instanceof Error ? error.message : String(error)}`, { file: name }, { cause: error });
    return { index: firstIndex + i, input: images[i]!, image: name, ok: false, error: typed };
  }
}
