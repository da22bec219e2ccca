import { readFile } from 'node:fs/promises';
import { DefectKitError, describeImageInput as describe, type Detection } from '@defectkit/core';
import {
  createDetector,
  type CoreOutcome,
  type DetectAllOptions,
  type DetectionOutcome,
  type DetectionResult,
  type DetectOptions,
  type Detector,
  type DetectorEvents,
  type DetectorListener,
} from '@defectkit/detector';
import { SnowflakeError, type SnowflakeSession } from '@defectkit/snowflake';

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

function num(value: unknown, field: string, row: number): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new SnowflakeError('SNOWFLAKE_PREDICT_OUTPUT', `PREDICT result row ${row}: field ${field} is not a number`, { field, row });
  }
  return n;
}

/** JSON text in a PREDICT result (the OBJECT, or a field of it) parsed; malformed text is `SNOWFLAKE_PREDICT_OUTPUT` naming the field. */
function parsePredictJson(text: string, field: string, row: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SnowflakeError('SNOWFLAKE_PREDICT_OUTPUT', `PREDICT result row ${row}: ${field} is not valid JSON (${(error as Error).message})`, { row, field }, { cause: error });
  }
}

/** Maps the OBJECT one PREDICT call returns to the local detector's result shape. */
export function mapPredictObject(value: unknown, classes: readonly string[], row: number): Omit<DetectionResult, 'timings' | 'verdict'> {
  const object = (typeof value === 'string' ? parsePredictJson(value, 'OBJECT', row) : value) as Record<string, unknown> | null;
  if (typeof object !== 'object' || object === null) {
    throw new SnowflakeError('SNOWFLAKE_PREDICT_OUTPUT', `PREDICT result row ${row} is not an OBJECT`, { row });
  }
  const pick = (record: Record<string, unknown>, ...keys: string[]): unknown => keys.map((key) => record[key]).find((v) => v !== undefined);
  let items = pick(object, 'DETECTIONS', 'detections');
  if (typeof items === 'string') items = parsePredictJson(items, 'DETECTIONS', row);
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
  const result: Omit<DetectionResult, 'timings' | 'verdict'> = { detections, width: num(pick(object, 'WIDTH', 'width'), 'WIDTH', row), height: num(pick(object, 'HEIGHT', 'height'), 'HEIGHT', row) };
  // A classifier's top-k: a list from a `registry log` package, JSON text from a notebook-logged model; a detector
  // logged from a notebook answers an empty list, which is no top-k.
  let labels = pick(object, 'LABELS', 'labels');
  if (typeof labels === 'string') labels = parsePredictJson(labels, 'LABELS', row);
  if (labels !== undefined && labels !== null && !Array.isArray(labels)) throw new SnowflakeError('SNOWFLAKE_PREDICT_OUTPUT', `PREDICT result row ${row}: LABELS is not an array`, { row, field: 'LABELS' });
  if (Array.isArray(labels) && labels.length > 0) {
    result.labels = labels.map((item: Record<string, unknown>) => {
      const classId = num(pick(item, 'classId', 'class_id', 'CLASS_ID'), 'LABELS.class_id', row);
      const label = pick(item, 'label', 'LABEL');
      return { classId, label: typeof label === 'string' ? label : (classes[classId] ?? String(classId)), score: num(pick(item, 'score', 'SCORE'), 'LABELS.score', row) };
    });
  }
  return result;
}

/**
 * Applies the per-call thresholds that can be applied to finished detections: `conf` (scores strictly above),
 * `classFilter` and `maxDet` (highest scores first). `iou` and `agnostic` are fixed by the logged handler.
 */
function filterDetections(detections: Detection[], options: DetectOptions): Detection[] {
  let kept = detections;
  if (options.conf !== undefined) kept = kept.filter((d) => d.score > options.conf!);
  if (options.classFilter) kept = kept.filter((d) => options.classFilter!.includes(d.classId));
  if (options.maxDet !== undefined && kept.length > options.maxDet) kept = [...kept].sort((a, b) => b.score - a.score).slice(0, options.maxDet);
  return kept;
}

/**
 * The remote {@link Detector}: the same contract as the local one (built by the same `createDetector`),
 * but each image is sent as base64 text, `batchSize` per statement, to `MODEL(<fqn>, <version>)!PREDICT(...)`
 * and the returned OBJECT is mapped to the same detections. Only the batch call is remote-specific.
 *
 * @example
 * const detector = await (await registry.model('PCB_DEFECTS')).version('V1').then((v) => v.detector());
 * const { detections } = await detector.detect('board.jpg');
 */
export class RemoteDetector implements Detector<RemoteImageInput> {
  private readonly detector: Detector<RemoteImageInput>;

  constructor(
    private readonly session: SnowflakeSession,
    /** Where it runs. */
    readonly options: RemoteDetectorOptions,
  ) {
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? 8));
    this.detector = createDetector<RemoteImageInput>({
      describe,
      runBatch: (images, o) => this.runBatch(images, o),
      maxBatch: batchSize,
      defaultBatchSize: batchSize,
      // Nothing to release: the session belongs to the registry.
      dispose: async () => undefined,
    });
  }

  /** Subscribes to progress events (`start`, `image`, `done`); returns the unsubscribe function. */
  on<K extends keyof DetectorEvents>(type: K, listener: DetectorListener<K>): () => void {
    return this.detector.on(type, listener);
  }

  /** Detects defects in one image remotely; a bad image throws a typed error naming it. */
  detect(image: RemoteImageInput, options?: DetectOptions): Promise<DetectionResult> {
    return this.detector.detect(image, options);
  }

  /** Detects in several images, `batchSize` per statement; a failing image (or statement) becomes an `ok: false` outcome. */
  detectBatch(images: readonly RemoteImageInput[], options?: DetectOptions): Promise<DetectionOutcome<RemoteImageInput>[]> {
    return this.detector.detectBatch(images, options);
  }

  /** Streams outcomes in input order, one statement per `batchSize` images. */
  detectAll(images: Iterable<RemoteImageInput> | AsyncIterable<RemoteImageInput>, options?: DetectAllOptions & DetectOptions): AsyncGenerator<DetectionOutcome<RemoteImageInput>> {
    return this.detector.detectAll(images, options);
  }

  /** Marks the detector disposed (the session stays open: it belongs to the registry). */
  dispose(): Promise<void> {
    return this.detector.dispose();
  }

  /** One statement for the readable images of the batch; an unreadable file fails alone. */
  private async runBatch(images: readonly RemoteImageInput[], options: DetectOptions): Promise<CoreOutcome[]> {
    const outcomes: CoreOutcome[] = new Array(images.length);
    const ready: { i: number; base64: string; decode: number }[] = [];
    for (let i = 0; i < images.length; i++) {
      const image = images[i]!;
      const started = performance.now();
      try {
        const bytes = typeof image === 'string' ? await readFile(image) : image;
        ready.push({ i, base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), decode: performance.now() - started });
      } catch (error) {
        outcomes[i] = { ok: false, error: new SnowflakeError('IMAGE_NOT_FOUND', `${describe(image)}: cannot read the image file`, { file: describe(image) }, { cause: error }) };
      }
    }
    if (ready.length === 0) return outcomes;
    const started = performance.now();
    const selects = ready.map((_, k) => (k === 0 ? 'SELECT ? AS "IDX", ? AS "IMAGE"' : 'SELECT ?, ?')).join(' UNION ALL ');
    const sql = `SELECT "IDX", MODEL(${this.options.model}, ${this.options.version})!PREDICT(TO_BINARY("IMAGE", 'BASE64')) AS "RESULT" FROM (${selects}) ORDER BY "IDX"`;
    let rows: Record<string, unknown>[];
    try {
      rows = await this.session.execute(sql, ready.flatMap((entry) => [entry.i, entry.base64]));
    } catch (error) {
      // One image the handler cannot read fails the whole statement (as in Snowflake): run each image alone so
      // only the bad ones fail. A failure that is not the statement's (connection, auth) fails them all at once.
      const statementFailed = DefectKitError.isInstance(error) && error.code === 'SNOWFLAKE_SQL';
      if (!statementFailed || images.length === 1) {
        for (const entry of ready) outcomes[entry.i] = { ok: false, error: images.length === 1 ? this.named(error, images[entry.i]!) : error };
        return outcomes;
      }
      for (const entry of ready) outcomes[entry.i] = (await this.runBatch([images[entry.i]!], options))[0]!;
      return outcomes;
    }
    const inference = (performance.now() - started) / ready.length;
    const byIndex = new Map(rows.map((row) => [Number(row.IDX ?? row.idx), row.RESULT ?? row.result]));
    for (const entry of ready) {
      try {
        if (!byIndex.has(entry.i)) throw new SnowflakeError('SNOWFLAKE_PREDICT_OUTPUT', `PREDICT returned no row for image ${entry.i}`, { row: entry.i });
        const mapped = mapPredictObject(byIndex.get(entry.i), this.options.classes ?? [], entry.i);
        const result = { ...mapped, detections: filterDetections(mapped.detections, options), timings: { decode: entry.decode, preprocess: 0, inference, postprocess: 0 } };
        outcomes[entry.i] = { ok: true, result };
      } catch (error) {
        outcomes[entry.i] = { ok: false, error };
      }
    }
    return outcomes;
  }

  /** A statement error of a one-image batch, with the image named in the message and details. */
  private named(error: unknown, image: RemoteImageInput): unknown {
    if (!DefectKitError.isInstance(error) || error.code !== 'SNOWFLAKE_SQL') return error;
    const name = describe(image);
    return new SnowflakeError('SNOWFLAKE_SQL', `${name}: ${error.message}`, { ...error.details, file: name }, { cause: error });
  }
}
