import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '@defectkit/annotations';
import { DefectKitError } from '@defectkit/core';
import { cocoEvaluate } from './coco-eval.js';
import { deeppcbImagesFromDataset, evalInputFromDataset, type ImagePredictions } from './dataset-input.js';
import { deeppcbEvaluate } from './deeppcb-protocol.js';
import { thresholdMetrics } from './threshold-metrics.js';
import { ultralyticsMap } from './ultralytics-map.js';
import { vocEvaluate } from './voc-ap.js';

const boxArb = fc
  .tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 0, max: 2 }))
  .map(([x, y, w, h, c]) => ({ x1: x, y1: y, x2: x + w, y2: y + h, classId: c }));
/** A GT dataset and predictions near its boxes, with distinct scores (metrics are only order-free without ties). */
const caseArb = fc
  .array(fc.tuple(fc.array(boxArb, { maxLength: 5 }), fc.array(fc.tuple(boxArb, fc.integer({ min: -3, max: 3 })), { maxLength: 6 })), {
    minLength: 1,
    maxLength: 5,
  })
  .map((images) => {
    let score = 0;
    const gt: Dataset = {
      classes: ['open', 'short', 'spur'],
      images: images.map(([boxes], i) => ({ path: `img${i}.jpg`, width: 128, height: 128, boxes })),
    };
    const predictions: ImagePredictions[] = images.map(([boxes, dets], i) => ({
      imageKey: `img${i}.jpg`,
      detections: dets.map(([d, shift], j) => {
        const base = boxes[j % Math.max(boxes.length, 1)] ?? d;
        return { x1: base.x1 + shift, y1: base.y1, x2: base.x2 + shift, y2: base.y2, classId: d.classId, score: 0.01 + (score++ * 0.97) / 40 };
      }),
    }));
    return { gt, predictions };
  });

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function allMetrics(gt: Dataset, predictions: ImagePredictions[]) {
  const input = evalInputFromDataset(gt, predictions);
  const deeppcb = deeppcbEvaluate(deeppcbImagesFromDataset(gt, predictions));
  return {
    coco: cocoEvaluate(input).stats,
    voc: vocEvaluate(input),
    ultralytics: ultralyticsMap(input).perClass,
    deeppcb: [deeppcb.precision, deeppcb.recall, deeppcb.hmean, deeppcb.ap],
    threshold: thresholdMetrics(input, { scoreThreshold: 0.2 }).matrix,
  };
}

describe('metrics (fast-check)', () => {
  it('do not depend on the order of images or of detections', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 1000 }), ({ gt, predictions }, seed) => {
        const reference = allMetrics(gt, predictions);
        const shuffledGt: Dataset = { ...gt, images: shuffle(gt.images, seed) };
        const shuffledPred = shuffle(predictions, seed + 1).map((p) => ({ ...p, detections: shuffle(p.detections!, seed + 2) }));
        const other = allMetrics(shuffledGt, shuffledPred);
        expect(other.coco).toEqual(reference.coco);
        expect(other.voc).toEqual(reference.voc);
        expect(other.ultralytics).toEqual(reference.ultralytics);
        other.deeppcb.forEach((v, i) => expect(v).toBeCloseTo(reference.deeppcb[i]!, 12));
        expect(other.threshold).toEqual(reference.threshold);
      }),
      { numRuns: 60 },
    );
  });

  it('perfect predictions score COCO AP 1, VOC 1, Ultralytics 0.995 and P = R = F1 = 1', () => {
    fc.assert(
      fc.property(caseArb, ({ gt }) => {
        const hasGt = gt.images.some((im) => im.boxes.length > 0);
        fc.pre(hasGt);
        let s = 0;
        const predictions = gt.images.map((im) => ({ imageKey: im.path, detections: im.boxes.map((b) => ({ ...b, score: 0.5 + (s++ % 97) / 1000 })) }));
        const input = evalInputFromDataset(gt, predictions);
        const t = thresholdMetrics(input, { scoreThreshold: 0 });
        expect(t.overall.fn).toBe(0);
        expect(t.overall.falseAlarmRate).toBe(0);
        expect(t.overall.f1).toBe(1);
        for (const v of vocEvaluate(input)) if (v.allPoint !== null) expect(v.allPoint).toBeCloseTo(1, 12);
        const coco = cocoEvaluate(input).stats;
        expect(coco[0]).toBeCloseTo(1, 12);
        expect(coco[8]).toBeCloseTo(1, 12);
        const ultra = ultralyticsMap(input);
        expect(ultra.map50).toBeCloseTo(0.995, 12);
        expect(ultra.map50_95).toBeCloseTo(0.995, 12);
      }),
      { numRuns: 40 },
    );
  });
});

describe('thresholdMetrics', () => {
  it('builds the confusion matrix with a background row and column and the false-alarm rate', () => {
    const gt: Dataset = {
      classes: ['open', 'short'],
      images: [
        {
          path: 'a.jpg',
          width: 100,
          height: 100,
          boxes: [
            { x1: 0, y1: 0, x2: 10, y2: 10, classId: 0 },
            { x1: 50, y1: 50, x2: 60, y2: 60, classId: 1 },
            { x1: 80, y1: 80, x2: 90, y2: 90, classId: 1 },
          ],
        },
      ],
    };
    const predictions = [
      {
        imageKey: 'a.jpg',
        detections: [
          { x1: 0, y1: 0, x2: 10, y2: 10, classId: 0, score: 0.9 }, // TP open
          { x1: 50, y1: 50, x2: 60, y2: 60, classId: 0, score: 0.8 }, // short predicted as open
          { x1: 30, y1: 30, x2: 40, y2: 40, classId: 1, score: 0.7 }, // background
          { x1: 80, y1: 80, x2: 90, y2: 90, classId: 1, score: 0.1 }, // below the threshold
        ],
      },
    ];
    const r = thresholdMetrics(evalInputFromDataset(gt, predictions), { scoreThreshold: 0.25 });
    expect(r.categoryIds).toEqual([1, 2]);
    expect(r.matrix).toEqual([
      [1, 0, 0],
      [1, 0, 1],
      [0, 1, 0],
    ]);
    expect(r.perClass[0]).toMatchObject({ tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1, falseAlarmRate: 0.5 });
    expect(r.perClass[1]).toMatchObject({ tp: 0, fp: 1, fn: 2, precision: 0, recall: 0, f1: 0, falseAlarmRate: 1 });
    expect(r.overall).toMatchObject({ tp: 1, fp: 2, fn: 2, falseAlarmRate: 2 / 3 });
  });
});

describe('evaluation input errors', () => {
  const gt: Dataset = { classes: ['open'], images: [{ path: 'a.jpg', width: 10, height: 10, boxes: [{ x1: 0, y1: 0, x2: 5, y2: 5, classId: 0 }] }] };
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return DefectKitError.isInstance(error) ? error.code : 'untyped';
    }
    return 'none';
  };
  it('rejects unknown images, unknown classes and NaN scores with EVAL_INPUT', () => {
    expect(code(() => evalInputFromDataset(gt, [{ imageKey: 'b.jpg', detections: [] }]))).toBe('EVAL_INPUT');
    expect(code(() => evalInputFromDataset(gt, [{ imageKey: 'a.jpg', detections: [{ x1: 0, y1: 0, x2: 1, y2: 1, classId: 3, score: 1 }] }]))).toBe(
      'EVAL_INPUT',
    );
    expect(
      code(() => evalInputFromDataset(gt, [{ imageKey: 'a.jpg', detections: [{ x1: 0, y1: 0, x2: 1, y2: 1, classId: 0, score: Number.NaN }] }])),
    ).toBe('EVAL_INPUT');
    expect(code(() => cocoEvaluate({ imageIds: [1], categoryIds: [1], groundTruth: [], detections: [{ imageId: 2, categoryId: 1, bbox: [0, 0, 1, 1], score: 1 }] }))).toBe(
      'EVAL_INPUT',
    );
    expect(code(() => thresholdMetrics(evalInputFromDataset(gt, []), { iouThreshold: Number.NaN }))).toBe('INVALID_NUMBER');
  });
});
