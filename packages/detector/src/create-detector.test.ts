import { DefectKitError } from '@defectkit/core';
import { describe, expect, it } from 'vitest';
import { createDetector, type CoreOutcome, type DetectorCore } from './create-detector.js';
import type { DetectionResult } from './detection-result.js';
import { describeDetectorConformance } from './testing/detector-conformance.js';

/** Images are numbers: n > 0 gives one box scored n / 10, class n % 2; n < 0 fails to decode; 0 has no box. */
function result(n: number): DetectionResult {
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
});

// The conformance suite itself, run on the fake: fast, and it shows the suite passes a conforming detector.
describeDetectorConformance('createDetector over a fake core', () => ({
  create: async () => createDetector(fakeCore({ maxBatch: 3, defaultBatchSize: 2 })),
  images: [3, 0, 5, 8],
  badImages: [-1],
  describe: (n: number) => `image-${n}`,
}));
