import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DefectKitError } from '@defectkit/core';
import { softNms } from './soft-nms.js';
import { weightedBoxFusion } from './weighted-box-fusion.js';

const rowsArb = fc.array(
  fc.tuple(
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 1, max: 50 }),
    fc.integer({ min: 1, max: 50 }),
    fc.integer({ min: 1, max: 100 }).map((s) => s / 100),
    fc.integer({ min: 0, max: 2 }),
  ),
  { maxLength: 40 },
);
const unpack = (rows: [number, number, number, number, number, number][]) => ({
  boxes: Float32Array.from(rows.flatMap(([x, y, w, h]) => [x, y, x + w, y + h])),
  scores: Float32Array.from(rows.map((r) => r[4])),
  classIds: Int32Array.from(rows.map((r) => r[5])),
});

describe('softNms', () => {
  it('keeps distinct boxes, scores never grow and come out non-increasing (fast-check)', () => {
    fc.assert(
      fc.property(rowsArb, fc.constantFrom('linear' as const, 'gaussian' as const), (rows, method) => {
        const { boxes, scores } = unpack(rows);
        const result = softNms(boxes, scores, { method, scoreThreshold: 0.001 });
        expect(new Set(result.indices).size).toBe(result.indices.length);
        result.indices.forEach((i, k) => expect(result.scores[k]!).toBeLessThanOrEqual(scores[i]!));
        for (let k = 1; k < result.scores.length; k++) expect(result.scores[k]!).toBeLessThanOrEqual(result.scores[k - 1]!);
        result.scores.forEach((s) => expect(s).toBeGreaterThanOrEqual(Math.fround(0.001)));
        // The best box is always kept untouched.
        if (scores.length > 0) expect(result.scores[0]).toBe(Math.max(...scores));
      }),
    );
  });

  it('applies the linear and Gaussian decay formulas', () => {
    const boxes = Float32Array.of(0, 0, 10, 10, 0, 0, 10, 5, 50, 50, 60, 60);
    const scores = Float32Array.of(0.9, 0.8, 0.7);
    const linear = softNms(boxes, scores, { method: 'linear', iouThreshold: 0.3 });
    expect(Array.from(linear.indices)).toEqual([0, 2, 1]);
    expect(linear.scores[2]).toBe(Math.fround(0.8 * 0.5));
    const gaussian = softNms(boxes, scores, { method: 'gaussian', sigma: 0.5 });
    expect(Array.from(gaussian.indices)).toEqual([0, 2, 1]);
    expect(gaussian.scores[2]).toBe(Math.fround(Math.fround(0.8) * Math.exp(-0.25 / 0.5)));
    expect(softNms(boxes, scores, { method: 'linear', iouThreshold: 0.5 }).scores[1]).toBe(Math.fround(0.8));
  });

  it('rejects bad options with typed errors', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return DefectKitError.isInstance(e) ? e.code : 'untyped';
      }
      return 'none';
    };
    expect(code(() => softNms(new Float32Array(4), new Float32Array(1), { method: 'cubic' as never }))).toBe('UNKNOWN_METHOD');
    expect(code(() => softNms(new Float32Array(4), new Float32Array(1), { sigma: 0 }))).toBe('INVALID_NUMBER');
    expect(code(() => softNms(new Float32Array(5), new Float32Array(1)))).toBe('NMS_LENGTH_MISMATCH');
    expect(code(() => weightedBoxFusion(new Float32Array(4), new Float32Array(1), new Int32Array(1), { modelCount: 0 }))).toBe('INVALID_SIZE');
  });
});

describe('weightedBoxFusion', () => {
  it('fused boxes lie inside the hull of their class, scores stay within input range, sizes add up (fast-check)', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const { boxes, scores, classIds } = unpack(rows);
        const r = weightedBoxFusion(boxes, scores, classIds);
        expect(r.clusterSizes.reduce((a, b) => a + b, 0)).toBe(scores.length);
        for (let k = 0; k < r.scores.length; k++) {
          const members = [...classIds.keys()].filter((i) => classIds[i] === r.classIds[k]);
          const lo = (c: number) => Math.min(...members.map((i) => boxes[i * 4 + c]!));
          const hi = (c: number) => Math.max(...members.map((i) => boxes[i * 4 + c]!));
          for (let c = 0; c < 4; c++) {
            expect(r.boxes[k * 4 + c]!).toBeGreaterThanOrEqual(lo(c) - 1e-3);
            expect(r.boxes[k * 4 + c]!).toBeLessThanOrEqual(hi(c) + 1e-3);
          }
          expect(r.scores[k]!).toBeLessThanOrEqual(Math.max(...members.map((i) => scores[i]!)) + 1e-6);
          if (k > 0) expect(r.scores[k]!).toBeLessThanOrEqual(r.scores[k - 1]!);
        }
      }),
    );
  });

  it('averages overlapping boxes weighted by score and scales by the model count', () => {
    const boxes = Float32Array.of(0, 0, 10, 10, 2, 0, 12, 10, 100, 100, 110, 110);
    const scores = Float32Array.of(0.75, 0.25, 0.5);
    const r = weightedBoxFusion(boxes, scores, Int32Array.of(0, 0, 0), { iouThreshold: 0.5, modelCount: 2 });
    expect(Array.from(r.clusterSizes)).toEqual([2, 1]);
    expect(Array.from(r.boxes.subarray(0, 4))).toEqual([0.5, 0, 10.5, 10]);
    expect(r.scores[0]).toBe(0.5); // mean 0.5 × min(2, 2)/2
    expect(r.scores[1]).toBe(0.25); // 0.5 × 1/2
  });
});
