import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DefectKitError } from '@defectkit/core';
import { letterbox } from '../geometry/letterbox.js';
import { decodeClassifier } from './classifier-decode.js';
import { decodeDetections } from './decode-detections.js';
import { detectLayout } from './output-layout.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return DefectKitError.isInstance(error) ? error.code : `untyped: ${String(error)}`;
  }
  return 'no error';
}

/** Transposes [1, C, A] data to [1, A, C]. */
function transpose(data: Float32Array, c: number, a: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < c; i++) for (let j = 0; j < a; j++) out[j * c + i] = data[i * a + j]!;
  return out;
}

const anchorArb = (nc: number) =>
  fc.tuple(
    fc.integer({ min: 0, max: 64 }),
    fc.integer({ min: 0, max: 64 }),
    fc.integer({ min: 1, max: 30 }),
    fc.integer({ min: 1, max: 30 }),
    fc.array(fc.integer({ min: 0, max: 100 }).map((s) => s / 100), { minLength: nc, maxLength: nc }),
  );

describe('decodeDetections', () => {
  it('gives the same detections for [B, 4+nc, A] and its transpose [B, A, 4+nc] (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((nc) => fc.tuple(fc.constant(nc), fc.array(anchorArb(nc), { minLength: 1, maxLength: 40 }))),
        fc.boolean(),
        fc.boolean(),
        ([nc, anchors], multiLabel, agnostic) => {
          const a = anchors.length;
          const c = 4 + nc;
          const bnc = Float32Array.from(anchors.flatMap(([x, y, w, h, s]) => [x, y, w, h, ...s]));
          const bcn = transpose(bnc, a, c);
          const options = { conf: 0.2, iou: 0.5, multiLabel, agnostic };
          const fromBcn = decodeDetections([{ data: bcn, dims: [1, c, a] }], { ...options, layout: 'ultralytics-bcn' });
          const fromBnc = decodeDetections([{ data: bnc, dims: [1, a, c] }], { ...options, layout: 'ultralytics-bnc' });
          expect(fromBnc).toEqual(fromBcn);
        },
      ),
    );
  });

  it('decodes a batch, maps boxes through each letterbox and names classes', () => {
    // Two images, one anchor each, [2, 4+2, 1]: cx, cy, w, h, s0, s1.
    const data = Float32Array.of(320, 320, 64, 32, 0.1, 0.9, 100, 200, 20, 20, 0.8, 0.3);
    const lbs = [letterbox(480, 640, 640, 640), letterbox(640, 640, 640, 640)];
    const out = decodeDetections([{ data, dims: [2, 6, 1] }], { names: ['open', 'short'], letterbox: lbs, layout: 'ultralytics-bcn' });
    expect(out).toEqual([
      [{ x1: 288, y1: 224, x2: 352, y2: 256, score: Math.fround(0.9), classId: 1, label: 'short' }],
      [{ x1: 90, y1: 190, x2: 110, y2: 210, score: Math.fround(0.8), classId: 0, label: 'open' }],
    ]);
  });

  it('reads end-to-end rows and drops rows at or below conf', () => {
    const data = Float32Array.of(1, 2, 3, 4, 0.9, 2, 5, 6, 7, 8, 0.25, 0, 0, 0, 0, 0, 0, 0);
    const [dets] = decodeDetections([{ data, dims: [1, 3, 6] }], { names: ['a', 'b', 'c'] });
    expect(dets).toEqual([{ x1: 1, y1: 2, x2: 3, y2: 4, score: Math.fround(0.9), classId: 2, label: 'c' }]);
  });

  it('reads torchvision Faster R-CNN (boxes, labels 1-based, scores) and RetinaNet (boxes, scores, labels) order', () => {
    const boxes = { data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), dims: [2, 4] };
    const labels = { data: BigInt64Array.of(1n, 3n), dims: [2] };
    const scores = { data: Float32Array.of(0.75, 0.5), dims: [2] };
    const names = ['bg-free-0', 'one', 'two'];
    expect(detectLayout([boxes, labels, scores])).toBe('torchvision-rcnn');
    expect(detectLayout([boxes, scores, labels])).toBe('torchvision-retinanet');
    expect(decodeDetections([boxes, labels, scores], { names })).toEqual([
      [
        { x1: 1, y1: 2, x2: 3, y2: 4, score: 0.75, classId: 0, label: 'bg-free-0' },
        { x1: 5, y1: 6, x2: 7, y2: 8, score: 0.5, classId: 2, label: 'two' },
      ],
    ]);
    expect(decodeDetections([boxes, scores, labels], { names, conf: 0.6 })).toEqual([
      [{ x1: 1, y1: 2, x2: 3, y2: 4, score: 0.75, classId: 1, label: 'one' }],
    ]);
    const empty = decodeDetections(
      [
        { data: new Float32Array(0), dims: [0, 4] },
        { data: new BigInt64Array(0), dims: [0] },
        { data: new Float32Array(0), dims: [0] },
      ],
      {},
    );
    expect(empty).toEqual([[]]);
  });

  it('raises typed errors for unknown layouts, shapes that fit nothing, length mismatch and bad options', () => {
    const t = { data: new Float32Array(2 * 7 * 30), dims: [2, 7, 30] };
    expect(codeOf(() => decodeDetections([t], { layout: 'yolo-unknown' as never }))).toBe('UNKNOWN_LAYOUT');
    expect(codeOf(() => decodeDetections([{ data: new Float32Array(24), dims: [2, 3, 4] }]))).toBe('OUTPUT_LAYOUT_UNKNOWN');
    expect(codeOf(() => decodeDetections([t], { layout: 'end2end-bn6' }))).toBe('OUTPUT_SHAPE_MISMATCH');
    expect(codeOf(() => decodeDetections([t], { layout: 'ultralytics-bcn', names: ['a', 'b'] }))).toBe('OUTPUT_SHAPE_MISMATCH');
    expect(codeOf(() => decodeDetections([{ data: new Float32Array(5), dims: [1, 6, 1] }], { layout: 'ultralytics-bcn' }))).toBe(
      'OUTPUT_SHAPE_MISMATCH',
    );
    expect(codeOf(() => decodeDetections([t], { conf: Number.NaN }))).toBe('INVALID_NUMBER');
    expect(codeOf(() => decodeDetections([t], { maxDet: -1 }))).toBe('INVALID_SIZE');
    expect(codeOf(() => decodeDetections([t], { letterbox: [letterbox(1, 1, 2, 2), letterbox(1, 1, 2, 2), letterbox(1, 1, 2, 2)] }))).toBe(
      'LETTERBOX_COUNT_MISMATCH',
    );
    expect(codeOf(() => letterbox(-1, 10, 640, 640))).toBe('INVALID_SIZE');
    expect(codeOf(() => letterbox(Number.NaN, 10, 640, 640))).toBe('INVALID_SIZE');
    try {
      decodeDetections([{ data: new Float32Array(24), dims: [2, 3, 4] }]);
    } catch (error) {
      expect((error as Error).message).toContain('[2, 3, 4]');
      expect((error as Error).message).toContain('[B, 4+nc, A]');
    }
  });
});

describe('decodeClassifier', () => {
  it('applies softmax / sigmoid / none and returns the top-k, ties by class id', () => {
    const output = { data: Float32Array.of(2, 0, 2, -1, 1, 1, 1, 1), dims: [2, 4] };
    const [first, second] = decodeClassifier(output, { topK: 2, names: ['a', 'b', 'c', 'd'] });
    const e = Math.exp(2);
    const sum = 2 * e + 1 + Math.exp(-1);
    expect(first!.map((c) => c.classId)).toEqual([0, 2]);
    expect(first![0]!.score).toBeCloseTo(e / sum, 12);
    expect(second!.map((c) => [c.label, c.score])).toEqual([
      ['a', 0.25],
      ['b', 0.25],
    ]);
    expect(decodeClassifier({ data: Float32Array.of(0), dims: [1, 1] }, { activation: 'sigmoid' })[0]![0]!.score).toBe(0.5);
    expect(decodeClassifier({ data: Float32Array.of(0.25, 0.75), dims: [1, 2] }, { activation: 'none', topK: 1 })[0]).toEqual([
      { classId: 1, label: '1', score: 0.75 },
    ]);
    expect(codeOf(() => decodeClassifier({ data: new Float32Array(3), dims: [1, 3] }, { topK: -1 }))).toBe('INVALID_SIZE');
    expect(codeOf(() => decodeClassifier({ data: new Float32Array(3), dims: [1, 3] }, { activation: 'relu' as never }))).toBe('UNKNOWN_ACTIVATION');
    expect(codeOf(() => decodeClassifier({ data: new Float32Array(3), dims: [3] }))).toBe('OUTPUT_SHAPE_MISMATCH');
  });
});
