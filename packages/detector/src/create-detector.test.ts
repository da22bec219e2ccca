import { DefectKitError } from '@defectkit/core';
import { describe, expect, it } from 'vitest';
import { createDetector, type CoreOutcome, type CoreResult, type DetectorCore } from './create-detector.js';
import { describeDetectorConformance } from './testing/detector-conformance.js';

/** Images are numbers: n > 0 gives one box scored n / 10, class n % 2; n < 0 fails to decode; 0 has no box. */
function result(n: number): CoreResult {
  const detections = n > 0 ? [{ x1: 1, y1: 2, x2: 3 + n, y2: 4, score: n / 10, classId: n % 2, label: n % 2 ? 'b' : 'a' }] : [];
  return { detections, width: 20, height: 10, timings: { decode: 0, preprocess: 0, inference: 0, postprocess: 0 } };
}

function fakeCore(overrides: Partial<DetectorCore<number>> = {}): DetectorCore<number> & { batches: number[][]; disposed: number } {
  const core = {
    batches: [] as number[][],
    disposed: 0,
    describe: (n: number) => `image-${n}`,
    async runBatch(images: readonly number[], options: { conf?: number; maxDet?: number; classFilter?: number[] }): Promise<CoreOutcome[]> {
      core.batches.push([...images]);
      return images.map((n): CoreOutcome => {
        if (n < 0) return { ok: false, error: new DefectKitError('IMAGE_DECODE', `image-${n}: corrupt`, { file: `image-${n}` }) };
        const r = result(n);
        r.detections = r.detections.filter((d) => (options.conf === undefined || d.score > options.conf) && (!options.classFilter || options.classFilter.includes(d.classId))).slice(0, options.maxDet);
        return { ok: true, result: r };
      });
    },
    async dispose() {
      core.disposed++;
    },
    ...overrides,
  };
  return core;
}

describe('createDetector', () => {
  it('splits detectBatch into core batches of at most maxBatch, keeping input order and indices', async () => {
    const core = fakeCore({ maxBatch: 2 });
    const detector = createDetector(core);
    const outcomes = await detector.detectBatch([1, 2, 3, 4, 5]);
    expect(core.batches).toEqual([[1, 2], [3, 4], [5]]);
    expect(outcomes.map((o) => [o.index, o.input, o.image])).toEqual([1, 2, 3, 4, 5].map((n, i) => [i, n, `image-${n}`]));
  });

  it('detectAll uses the core default batch size, capped by maxBatch', async () => {
    const core = fakeCore({ maxBatch: 3, defaultBatchSize: 2 });
    const detector = createDetector(core);
    for await (const _ of detector.detectAll([1, 2, 3, 4, 5])) void _;
    expect(core.batches).toEqual([[1, 2], [3, 4], [5]]);
    core.batches.length = 0;
    for await (const _ of detector.detectAll([1, 2, 3, 4, 5], { batchSize: 10 })) void _;
    expect(core.batches).toEqual([[1, 2, 3], [4, 5]]);
  });

  it('a rejected core batch or a wrong outcome count fails every image of that batch with a typed error naming it', async () => {
    const rejecting = createDetector(fakeCore({ maxBatch: 2, runBatch: async () => Promise.reject(new Error('socket closed')) }));
    const outcomes = await rejecting.detectBatch([1, 2]);
    expect(outcomes.map((o) => !o.ok && [o.error.code, o.error.details.file])).toEqual([
      ['DETECTION_FAILED', 'image-1'],
      ['DETECTION_FAILED', 'image-2'],
    ]);
    const short = createDetector(fakeCore({ runBatch: async () => [{ ok: true, result: result(1) }] }));
    expect((await short.detectBatch([1, 2])).every((o) => !o.ok && o.error.code === 'DETECTION_FAILED')).toBe(true);
    await expect(short.detect(1)).resolves.toMatchObject({ width: 20 });
  });

  it('disposes the core once and refuses later calls with DETECTOR_DISPOSED', async () => {
    const core = fakeCore();
    const detector = createDetector(core);
    await Promise.all([detector.dispose(), detector.dispose()]);
    expect(core.disposed).toBe(1);
    await expect(detector.detect(1)).rejects.toMatchObject({ code: 'DETECTOR_DISPOSED' });
  });

  it('a core without tiling refuses the tile option with INVALID_OPTION before running anything; a tiling core gets it', async () => {
    const plain = fakeCore();
    const detector = createDetector(plain);
    const tile = { size: 320, overlap: 0.2 };
    await expect(detector.detect(1, { tile })).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { field: 'tile' } });
    await expect(detector.detectBatch([1, 2], { tile })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(detector.detectAll([1, 2], { tile }).next()).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    expect(plain.batches).toEqual([]);
    const seen: unknown[] = [];
    const tiling = fakeCore({ tiling: true });
    const run = tiling.runBatch.bind(tiling);
    tiling.runBatch = async (images, options) => (seen.push(options.tile), run(images, options));
    await createDetector(tiling).detect(1, { tile });
    expect(seen).toEqual([tile]);
  });

  it('a reference core gets each image with its reference; an image without one fails with REFERENCE_MISSING naming it', async () => {
    const seen: { images: number[]; references: number[] | undefined }[] = [];
    const base = fakeCore({ references: 'required' });
    const core = { ...base, runBatch: async (images: readonly number[], o: object, references?: readonly number[]) => (seen.push({ images: [...images], references: references && [...references] }), base.runBatch(images, o)) };
    const detector = createDetector(core);
    const outcomes = await detector.detectBatch([{ image: 1, reference: 11 }, 2, { image: 3, reference: 13 }]);
    expect(seen).toEqual([{ images: [1, 3], references: [11, 13] }]);
    expect(outcomes.map((o) => [o.index, o.input, o.reference, o.ok])).toEqual([
      [0, 1, 11, true],
      [1, 2, undefined, false],
      [2, 3, 13, true],
    ]);
    const missing = outcomes[1]!;
    expect(!missing.ok && [missing.error.code, missing.error.details.file]).toEqual(['REFERENCE_MISSING', 'image-2']);
    await expect(detector.detect(2)).rejects.toMatchObject({ code: 'REFERENCE_MISSING', message: /image-2/ });
  });

  it('a single-image core refuses a pair with REFERENCE_UNSUPPORTED naming the image and the reference', async () => {
    const detector = createDetector(fakeCore());
    await expect(detector.detect({ image: 4, reference: 14 })).rejects.toMatchObject({ code: 'REFERENCE_UNSUPPORTED', details: { file: 'image-4', reference: 'image-14' } });
    const outcomes = [];
    for await (const o of detector.detectAll([{ image: 4, reference: 14 }, 5])) outcomes.push(o.ok);
    expect(outcomes).toEqual([false, true]);
  });

  it('verdict: fail when a detection reaches its class threshold (core rule, then per-call overrides); any detection without a rule', async () => {
    // Image n has one detection scored n / 10 of class "b" (n odd) or "a" (n even).
    const plain = createDetector(fakeCore());
    expect((await plain.detect(0)).verdict).toBe('pass');
    expect((await plain.detect(1)).verdict).toBe('fail');
    const ruled = createDetector(fakeCore({ verdict: { conf: 0.5, classConf: { b: 0.3 } } }));
    expect((await ruled.detect(4)).verdict).toBe('pass'); // a at 0.4 < 0.5
    expect((await ruled.detect(6)).verdict).toBe('fail'); // a at 0.6 >= 0.5
    expect((await ruled.detect(3)).verdict).toBe('fail'); // b at 0.3 >= 0.3 (at the threshold fails)
    expect((await ruled.detect(1)).verdict).toBe('pass'); // b at 0.1
    expect((await ruled.detect(4, { verdict: { conf: 0.4 } })).verdict).toBe('fail');
    expect((await ruled.detect(3, { verdict: { classConf: { b: 0.35 } } })).verdict).toBe('pass');
    const batch = await ruled.detectBatch([4, 6], { verdict: { conf: 0.9 } });
    expect(batch.map((o) => o.ok && o.result.verdict)).toEqual(['pass', 'pass']);
  });
});

// The conformance suite itself, run on the fake: fast, and it shows the suite passes a conforming detector.
describeDetectorConformance('createDetector over a fake core', () => ({
  create: async () => createDetector(fakeCore({ maxBatch: 3, defaultBatchSize: 2 })),
  images: [3, 0, 5, 8],
  badImages: [-1],
  describe: (n: number) => `image-${n}`,
}));
