import { DefectKitError, type Detection } from '@defectkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectionOutcome, DetectionResult } from '../detection-result.js';
import type { Detector } from '../detector-contract.js';
import { expectTypedRejection } from './typed-rejection.js';

/** What {@link describeDetectorConformance} runs a detector on. */
export interface DetectorConformanceFixture<TImage> {
  /** Makes a fresh, ready detector (the suite disposes every detector it makes). */
  create(): Promise<Detector<TImage>>;
  /** At least three readable images; together they must give at least one detection. */
  images: readonly TImage[];
  /** Inputs the detector cannot use (a missing file, bytes that are not an image); at least one. */
  badImages: readonly TImage[];
  /** The name the detector gives each image in outcomes and errors (default `String(image)`). */
  describe?(image: TImage): string;
  /** Absolute tolerance on coordinates and scores between calls of the same detector (default 0: identical). */
  tolerance?: number;
  /**
   * Optional reference results, one per image of `images` (e.g. the local detector's, to check a remote one);
   * compared with `referenceTolerance` (default 1e-3).
   */
  reference?: () => Promise<readonly DetectionResult[]>;
  referenceTolerance?: number;
}

function expectSameDetections(actual: readonly Detection[], expected: readonly Detection[], tolerance: number, what: string): void {
  expect(actual.length, `${what}: detection count`).toBe(expected.length);
  actual.forEach((d, k) => {
    const e = expected[k]!;
    for (const key of ['x1', 'y1', 'x2', 'y2', 'score'] as const) {
      expect(Math.abs(d[key] - e[key]), `${what}: detection ${k} ${key} ${d[key]} vs ${e[key]}`).toBeLessThanOrEqual(tolerance);
    }
    expect([d.classId, d.label], `${what}: detection ${k} class`).toEqual([e.classId, e.label]);
  });
}

function expectResultShape(result: DetectionResult, what: string): void {
  expect(Number.isInteger(result.width) && result.width > 0, `${what}: width ${result.width}`).toBe(true);
  expect(Number.isInteger(result.height) && result.height > 0, `${what}: height ${result.height}`).toBe(true);
  for (const stage of ['decode', 'preprocess', 'inference', 'postprocess'] as const) {
    expect(Number.isFinite(result.timings[stage]) && result.timings[stage] >= 0, `${what}: timings.${stage}`).toBe(true);
  }
  result.detections.forEach((d, k) => {
    const where = `${what}: detection ${k} ${JSON.stringify(d)}`;
    expect(Object.keys(d).sort(), where).toEqual(['classId', 'label', 'score', 'x1', 'x2', 'y1', 'y2']);
    expect(0 <= d.x1 && d.x1 <= d.x2 && d.x2 <= result.width, `${where}: x inside the image`).toBe(true);
    expect(0 <= d.y1 && d.y1 <= d.y2 && d.y2 <= result.height, `${where}: y inside the image`).toBe(true);
    expect(d.score >= 0 && d.score <= 1, `${where}: score in [0, 1]`).toBe(true);
    expect(Number.isInteger(d.classId) && d.classId >= 0, `${where}: classId`).toBe(true);
    expect(typeof d.label === 'string' && d.label.length > 0, `${where}: label`).toBe(true);
  });
  for (let k = 1; k < result.detections.length; k++) {
    expect(result.detections[k - 1]!.score >= result.detections[k]!.score, `${what}: detections sorted by score`).toBe(true);
  }
}

function resultOf<T>(outcome: DetectionOutcome<T>): DetectionResult {
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

/**
 * Registers the vitest suite every {@link Detector} must pass, whatever runs the model: the result shape
 * (boxes inside the image, scores in [0, 1], sorted), `detect` / `detectBatch` / `detectAll` agreeing on the
 * same images (any batch size and concurrency), progress events (`start`, one `image` per outcome in input
 * order, `done` with the counts; none from `detect`), typed errors for a bad image while the rest of its batch
 * still runs, per-call thresholds, and dispose (idempotent; `DETECTOR_DISPOSED` afterwards). With `reference`
 * it also checks the results against another detector's (local versus remote).
 *
 * @example
 * describeDetectorConformance('local pcb-defects', async () => ({
 *   create: () => loadDetector('models/pcb-defects'), images: boards, badImage: 'missing.jpg',
 * }));
 */
export function describeDetectorConformance<TImage>(name: string, fixture: () => DetectorConformanceFixture<TImage> | Promise<DetectorConformanceFixture<TImage>>): void {
  describe(`Detector conformance: ${name}`, () => {
    let fx: DetectorConformanceFixture<TImage>;
    let detector: Detector<TImage>;
    let single: DetectionResult[];
    const made: Detector<TImage>[] = [];
    const create = async (): Promise<Detector<TImage>> => {
      const d = await fx.create();
      made.push(d);
      return d;
    };
    const nameOf = (image: TImage): string => (fx.describe ? fx.describe(image) : String(image));
    const tol = (): number => fx.tolerance ?? 0;

    beforeAll(async () => {
      fx = await fixture();
      if (fx.images.length < 3) throw new Error('the conformance fixture needs at least three images');
      if (fx.badImages.length < 1) throw new Error('the conformance fixture needs at least one bad image');
      detector = await create();
      single = [];
      for (const image of fx.images) single.push(await detector.detect(image));
    });
    afterAll(async () => {
      for (const d of made) await d.dispose();
    });

    it('detect returns detections in image pixels with the Detection shape (and the reference results, when given)', async () => {
      single.forEach((result, i) => expectResultShape(result, nameOf(fx.images[i]!)));
      expect(single.reduce((n, r) => n + r.detections.length, 0), 'the fixture images give at least one detection').toBeGreaterThan(0);
      if (!fx.reference) return;
      const reference = await fx.reference();
      expect(reference.length).toBe(fx.images.length);
      reference.forEach((r, i) => {
        expect([single[i]!.width, single[i]!.height]).toEqual([r.width, r.height]);
        expectSameDetections(single[i]!.detections, r.detections, fx.referenceTolerance ?? 1e-3, `${nameOf(fx.images[i]!)} against the reference`);
      });
    });

    it('detect is repeatable', async () => {
      for (const [i, image] of fx.images.entries()) expectSameDetections((await detector.detect(image)).detections, single[i]!.detections, tol(), `${nameOf(image)} again`);
    });

    it('detectBatch and detectAll (any batch size and concurrency) agree with detect, in input order', async () => {
      const check = (outcomes: DetectionOutcome<TImage>[], what: string): void => {
        expect(outcomes.map((o) => o.index), what).toEqual(fx.images.map((_, i) => i));
        outcomes.forEach((o, i) => {
          expect(o.input, `${what}: input ${i}`).toBe(fx.images[i]);
          expect(o.image, `${what}: image ${i}`).toBe(nameOf(fx.images[i]!));
          const r = resultOf(o);
          expectResultShape(r, `${what}: ${o.image}`);
          expect([r.width, r.height]).toEqual([single[i]!.width, single[i]!.height]);
          expectSameDetections(r.detections, single[i]!.detections, tol(), `${what}: ${o.image}`);
        });
      };
      check(await detector.detectBatch(fx.images), 'detectBatch');
      for (const [batchSize, concurrency] of [[undefined, undefined], [1, 1], [2, 3], [fx.images.length, 1]] as const) {
        const seen: DetectionOutcome<TImage>[] = [];
        for await (const o of detector.detectAll(fx.images, { ...(batchSize ? { batchSize } : {}), ...(concurrency ? { concurrency } : {}) })) seen.push(o);
        check(seen, `detectAll batchSize ${batchSize ?? 'default'} concurrency ${concurrency ?? 'default'}`);
      }
      async function* source(images: readonly TImage[]): AsyncGenerator<TImage> {
        yield* images;
      }
      const fromAsync: DetectionOutcome<TImage>[] = [];
      for await (const o of detector.detectAll(source(fx.images), { batchSize: 2 })) fromAsync.push(o);
      check(fromAsync, 'detectAll from an async source');
    });

    it('emits start, one image event per outcome in input order, then done; detect emits none; unsubscribe works', async () => {
      const d = await create();
      const events: string[] = [];
      const offs = [
        d.on('start', (e) => events.push(`start ${e.total}`)),
        d.on('image', (e) => events.push(`image ${e.index} ${e.image} ${e.error ? e.error.code : `ok ${e.result!.detections.length}`}`)),
        d.on('done', (e) => events.push(`done ${e.images} ${e.failed}`)),
      ];
      const inputs = [fx.images[0]!, fx.badImages[0]!, fx.images[1]!];
      const outcomes = await d.detectBatch(inputs);
      const expected = (total: string): string[] => [
        `start ${total}`,
        ...outcomes.map((o, i) => `image ${i} ${nameOf(inputs[i]!)} ${o.ok ? `ok ${o.result.detections.length}` : o.error.code}`),
        'done 3 1',
      ];
      expect(events).toEqual(expected('3'));
      events.length = 0;
      for await (const _ of d.detectAll(inputs, { batchSize: 2 })) void _;
      expect(events).toEqual(expected('3'));
      events.length = 0;
      async function* source(): AsyncGenerator<TImage> {
        yield* inputs;
      }
      for await (const _ of d.detectAll(source())) void _;
      expect(events).toEqual(expected('undefined'));
      events.length = 0;
      await d.detect(fx.images[0]!);
      expect(events).toEqual([]);
      for (const off of offs) off();
      await d.detectBatch([fx.images[0]!]);
      expect(events).toEqual([]);
    });

    it('a bad image is a typed error naming it; the rest of its batch still runs', async () => {
      for (const badImage of fx.badImages) {
        const error = await expectTypedRejection(detector.detect(badImage));
        const named = `${error.message} ${JSON.stringify(error.details)}`;
        expect(named, 'the error names the image').toContain(nameOf(badImage));
        const inputs = [fx.images[0]!, badImage, fx.images[1]!, fx.images[2]!];
        for (const outcomes of [await detector.detectBatch(inputs), await collect(detector.detectAll(inputs, { batchSize: inputs.length }))]) {
          expect(outcomes.map((o) => o.ok), `batch with ${nameOf(badImage)}`).toEqual([true, false, true, true]);
          const bad = outcomes[1]!;
          expect(!bad.ok && DefectKitError.isInstance(bad.error) && bad.error.code).toBe(error.code);
          [0, 2, 3].forEach((i, k) => expectSameDetections(resultOf(outcomes[i]!).detections, single[k]!.detections, tol(), `batch beside ${nameOf(badImage)}, ${i}`));
        }
      }
    });

    it('an empty batch or stream gives no outcome, with start and done', async () => {
      const d = await create();
      const events: string[] = [];
      d.on('start', (e) => events.push(`start ${e.total}`));
      d.on('image', () => events.push('image'));
      d.on('done', (e) => events.push(`done ${e.images} ${e.failed}`));
      expect(await d.detectBatch([])).toEqual([]);
      expect(await collect(d.detectAll([]))).toEqual([]);
      expect(events).toEqual(['start 0', 'done 0 0', 'start 0', 'done 0 0']);
    });

    it('applies per-call thresholds (conf, maxDet, classFilter)', async () => {
      const i = single.findIndex((r) => r.detections.length > 0);
      const all = single[i]!.detections;
      const image = fx.images[i]!;
      const median = [...all].sort((a, b) => a.score - b.score)[Math.floor(all.length / 2)]!.score;
      const high = await detector.detect(image, { conf: median });
      expect(high.detections.every((d) => d.score > median)).toBe(true);
      expect(high.detections.length).toBeLessThanOrEqual(all.length);
      expect((await detector.detect(image, { maxDet: 1 })).detections.length).toBe(1);
      const cls = all[0]!.classId;
      const filtered = await detector.detect(image, { classFilter: [cls] });
      expect(filtered.detections.length).toBeGreaterThan(0);
      expect(filtered.detections.every((d) => d.classId === cls)).toBe(true);
      const [outcome] = await detector.detectBatch([image], { maxDet: 1 });
      expect(resultOf(outcome!).detections.length).toBe(1);
    });

    it('dispose is idempotent and every later call rejects with DETECTOR_DISPOSED', async () => {
      const d = await create();
      await d.detect(fx.images[0]!);
      await d.dispose();
      await d.dispose();
      expect((await expectTypedRejection(d.detect(fx.images[0]!))).code).toBe('DETECTOR_DISPOSED');
      expect((await expectTypedRejection(d.detectBatch([fx.images[0]!]))).code).toBe('DETECTOR_DISPOSED');
      expect((await expectTypedRejection(collect(d.detectAll([fx.images[0]!])))).code).toBe('DETECTOR_DISPOSED');
    });

  });
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}
