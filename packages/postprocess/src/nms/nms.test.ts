import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DefectKitError } from '@defectkit/core';
import { batchedNms, nms } from './nms.js';

/** Float32 IoU exactly as the kernel computes it (reference for the properties). */
function iou32(b: Float32Array, i: number, j: number): number {
  const f = Math.fround;
  const area = (k: number) => f(f(b[k * 4 + 2]! - b[k * 4]!) * f(b[k * 4 + 3]! - b[k * 4 + 1]!));
  const w = Math.max(0, f(Math.min(b[i * 4 + 2]!, b[j * 4 + 2]!) - Math.max(b[i * 4]!, b[j * 4]!)));
  const h = Math.max(0, f(Math.min(b[i * 4 + 3]!, b[j * 4 + 3]!) - Math.max(b[i * 4 + 1]!, b[j * 4 + 1]!)));
  const inter = f(w * h);
  return f(inter / f(f(area(i) + area(j)) - inter));
}

const boxArb = fc
  .tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 80 }))
  .map(([x, y, w, h]) => [x, y, x + w, y + h]);
const caseArb = fc.array(fc.tuple(boxArb, fc.integer({ min: 0, max: 20 }).map((s) => s / 20), fc.integer({ min: 0, max: 3 })), {
  maxLength: 60,
});

describe('nms properties (fast-check)', () => {
  it('returns a subset in descending score order with no kept pair above the threshold, and every dropped box is covered', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom(0, 0.3, 0.5, 0.7, 1), (rows, t) => {
        const boxes = Float32Array.from(rows.flatMap((r) => r[0]));
        const scores = Float32Array.from(rows.map((r) => r[1]));
        const keep = Array.from(nms(boxes, scores, t));
        expect(new Set(keep).size).toBe(keep.length);
        keep.forEach((k) => expect(k).toBeGreaterThanOrEqual(0));
        for (let a = 1; a < keep.length; a++) expect(scores[keep[a - 1]!]!).toBeGreaterThanOrEqual(scores[keep[a]!]!);
        for (let a = 0; a < keep.length; a++) for (let b = a + 1; b < keep.length; b++) expect(iou32(boxes, keep[a]!, keep[b]!) > t).toBe(false);
        const kept = new Set(keep);
        for (let i = 0; i < scores.length; i++) {
          if (!kept.has(i)) expect(keep.some((k) => iou32(boxes, k, i) > t)).toBe(true);
        }
      }),
    );
  });

  it('batchedNms equals per-class nms merged by score', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom(0.3, 0.5, 0.7), (rows, t) => {
        const boxes = Float32Array.from(rows.flatMap((r) => r[0]));
        const scores = Float32Array.from(rows.map((r) => r[1]));
        const classes = Int32Array.from(rows.map((r) => r[2]));
        const keep = Array.from(batchedNms(boxes, scores, classes, t));
        const expected: number[] = [];
        for (const c of new Set(classes)) {
          const members = [...classes.keys()].filter((i) => classes[i] === c);
          const sub = nms(Float32Array.from(members.flatMap((i) => [...boxes.subarray(i * 4, i * 4 + 4)])), Float32Array.from(members.map((i) => scores[i]!)), t);
          expected.push(...Array.from(sub, (k) => members[k]!));
        }
        expected.sort((a, b) => scores[b]! - scores[a]! || a - b);
        expect(keep).toEqual(expected);
      }),
    );
  });
});

describe('nms special values (torchvision rules)', () => {
  const box = [0, 0, 10, 10];
  it('NaN scores sort first; NaN coordinates keep the box and suppress nothing', () => {
    expect(Array.from(nms(Float32Array.from([...box, ...box]), Float32Array.of(0.5, Number.NaN), 0.5))).toEqual([1]);
    const boxes = Float32Array.from([Number.NaN, 0, 10, 10, ...box, ...box]);
    expect(Array.from(nms(boxes, Float32Array.of(0.9, 0.8, 0.7), 0.5))).toEqual([0, 1]);
  });
  it('±Infinity scores order normally; equal scores keep index order', () => {
    const boxes = Float32Array.from([0, 0, 1, 1, 5, 5, 6, 6, 10, 10, 11, 11, 20, 20, 21, 21]);
    expect(Array.from(nms(boxes, Float32Array.of(-Infinity, Infinity, 0.5, 0.5), 0.5))).toEqual([1, 2, 3, 0]);
    expect(Array.from(nms(boxes, Float32Array.of(0, -0, 0, -0), 0.5))).toEqual([0, 1, 2, 3]);
  });
  it('zero-area duplicates never suppress each other; threshold 1 suppresses nothing; touching edges survive threshold 0', () => {
    expect(Array.from(nms(Float32Array.of(5, 5, 5, 5, 5, 5, 5, 5), Float32Array.of(0.9, 0.8), 0.5))).toEqual([0, 1]);
    expect(Array.from(nms(Float32Array.from([...box, ...box]), Float32Array.of(0.9, 0.8), 1))).toEqual([0, 1]);
    expect(Array.from(nms(Float32Array.from([...box, 10, 0, 20, 10]), Float32Array.of(0.9, 0.8), 0))).toEqual([0, 1]);
    expect(Array.from(nms(Float32Array.from([...box, 9, 0, 20, 10]), Float32Array.of(0.9, 0.8), 0))).toEqual([0]);
  });
  it('exact IoU 0.3 is suppressed in float32 (0.30000001 > 0.3), 0.5 is kept', () => {
    const a = [0, 0, 10, 1];
    const b = [0, 0, 10, 0.5]; // IoU = 5/10 = 0.5 exactly → kept at 0.5
    expect(Array.from(nms(Float32Array.from([...a, ...b]), Float32Array.of(0.9, 0.8), 0.5))).toEqual([0, 1]);
    const c = [0, 0, 10, 0.3]; // 0.3 as float32 → IoU 0.30000001 > 0.3 → suppressed
    expect(Array.from(nms(Float32Array.from([...a, ...c]), Float32Array.of(0.9, 0.8), 0.3))).toEqual([0]);
  });
});

describe('nms bad input', () => {
  it('throws typed errors for a length mismatch and a NaN threshold', () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return DefectKitError.isInstance(error) ? error.code : 'untyped';
      }
      return 'none';
    };
    expect(err(() => nms(new Float32Array(7), new Float32Array(2), 0.5))).toBe('NMS_LENGTH_MISMATCH');
    expect(err(() => batchedNms(new Float32Array(8), new Float32Array(2), new Int32Array(3), 0.5))).toBe('NMS_LENGTH_MISMATCH');
    expect(err(() => nms(new Float32Array(8), new Float32Array(2), Number.NaN))).toBe('INVALID_NUMBER');
    expect(nms(new Float32Array(0), new Float32Array(0), 0.5)).toEqual(new Int32Array(0));
  });
});

/** The textbook loop (torchvision's kernel without any shortcut), as the reference for the grid path. */
function referenceNms(boxes: Float32Array, scores: Float32Array, t: number): number[] {
  const n = scores.length;
  const order = [...Array(n).keys()].sort((a, b) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    if (Number.isNaN(sa) || Number.isNaN(sb)) return Number.isNaN(sa) && Number.isNaN(sb) ? a - b : Number.isNaN(sa) ? -1 : 1;
    return sb - sa || a - b;
  });
  const f = Math.fround;
  const area = (k: number) => f(f(boxes[k * 4 + 2]! - boxes[k * 4]!) * f(boxes[k * 4 + 3]! - boxes[k * 4 + 1]!));
  const suppressed = new Uint8Array(n);
  const keep: number[] = [];
  for (let a = 0; a < n; a++) {
    const i = order[a]!;
    if (suppressed[i]) continue;
    keep.push(i);
    for (let b = a + 1; b < n; b++) {
      const j = order[b]!;
      if (suppressed[j]) continue;
      const xx1 = boxes[i * 4]! < boxes[j * 4]! ? boxes[j * 4]! : boxes[i * 4]!;
      const yy1 = boxes[i * 4 + 1]! < boxes[j * 4 + 1]! ? boxes[j * 4 + 1]! : boxes[i * 4 + 1]!;
      const xx2 = boxes[j * 4 + 2]! < boxes[i * 4 + 2]! ? boxes[j * 4 + 2]! : boxes[i * 4 + 2]!;
      const yy2 = boxes[j * 4 + 3]! < boxes[i * 4 + 3]! ? boxes[j * 4 + 3]! : boxes[i * 4 + 3]!;
      const dw = f(xx2 - xx1);
      const dh = f(yy2 - yy1);
      const inter = f((0 < dw ? dw : 0) * (0 < dh ? dh : 0));
      if (f(inter / f(f(area(i) + area(j)) - inter)) > t) suppressed[j] = 1;
    }
  }
  return keep;
}

describe('nms on large inputs (grid path) equals the plain loop', () => {
  const coord = fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: -20, max: 700 }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e30, -1e30) },
  );
  const bigCase = fc.array(fc.tuple(coord, coord, fc.integer({ min: -5, max: 300 }), fc.integer({ min: -5, max: 300 }), fc.integer({ min: 0, max: 50 })), {
    minLength: 1500,
    maxLength: 1700,
  });
  it('for random, degenerate, inverted, huge and non-finite boxes (fast-check)', () => {
    fc.assert(
      fc.property(bigCase, fc.constantFrom(0, 0.3, 0.5, 0.9), (rows, t) => {
        const boxes = Float32Array.from(rows.flatMap(([x, y, w, h]) => [x, y, x + w, y + h]));
        const scores = Float32Array.from(rows.map((r) => r[4] / 50));
        expect(Array.from(nms(boxes, scores, t))).toEqual(referenceNms(boxes, scores, t));
      }),
      { numRuns: 10 },
    );
  });
});

describe('batchedNms up to 1000 boxes equals torchvision coordinate trick', () => {
  /** torchvision's `_batched_nms_coordinate_trick` written out literally, on the textbook loop. */
  function referenceTrick(boxes: Float32Array, scores: Float32Array, classes: Int32Array, t: number): number[] {
    const f = Math.fround;
    let max = -Infinity;
    for (const v of boxes) max = Number.isNaN(v) || Number.isNaN(max) ? Number.NaN : Math.max(max, v);
    const shifted = Float32Array.from(boxes, (v, k) => v + f(f(classes[k >> 2]!) * f(max + 1)));
    return referenceNms(shifted, scores, t);
  }
  const rowArb = fc.tuple(
    fc.integer({ min: -150, max: 700 }),
    fc.integer({ min: -150, max: 700 }),
    fc.integer({ min: 1, max: 200 }),
    fc.integer({ min: 1, max: 200 }),
    fc.integer({ min: 0, max: 30 }),
    fc.integer({ min: 0, max: 4 }),
  );
  it('on boxes reaching outside the image, with few and many classes (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 400 }), fc.constantFrom(0, 0.3, 0.5, 0.7), (rows, t) => {
        const boxes = Float32Array.from(rows.flatMap(([x, y, w, h]) => [x, y, x + w, y + h]));
        const scores = Float32Array.from(rows.map((r) => r[4] / 30));
        const classes = Int32Array.from(rows.map((r) => r[5]));
        expect(Array.from(batchedNms(boxes, scores, classes, t))).toEqual(referenceTrick(boxes, scores, classes, t));
      }),
      { numRuns: 40 },
    );
  });
});
