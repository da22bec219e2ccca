import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS, cocoEvalInputFromJson, cocoEvaluate, ultralyticsMap, vocEvaluate } from '@defectkit/postprocess';
import { goldenDir } from './support/paths.js';

interface CocoCase {
  id: string;
  gt: unknown;
  detections: unknown[];
  derived_voc_ap50_per_class: Record<string, { all_point: number | null; eleven_point: number | null }>;
  derived_ultralytics_style: {
    per_class: Record<string, { ap50: number; ap50_95: number }>;
    map50: number;
    map50_95: number;
    ambiguous_iou_ties: boolean;
    ambiguous_score_ties: boolean;
  };
  expected: {
    stats: number[];
    per_class: Record<string, { ap50_95: number; ap50: number; ap75: number; ar100: number; precision_iou50_101pt: number[] }>;
  };
}
const golden = JSON.parse(readFileSync(join(goldenDir, 'coco_eval_pycocotools.json'), 'utf8')) as {
  meta: { coco_iou_thresholds_exact: number[]; coco_recall_thresholds_exact: number[] };
  cases: CocoCase[];
};

const close = (actual: number[], expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!), `index ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(1e-9));
};

describe('golden coco_eval_pycocotools.json', () => {
  it('uses the exact pycocotools threshold grids', () => {
    expect([...COCO_IOU_THRESHOLDS]).toEqual(golden.meta.coco_iou_thresholds_exact);
    expect([...COCO_RECALL_THRESHOLDS]).toEqual(golden.meta.coco_recall_thresholds_exact);
  });

  for (const c of golden.cases) {
    it(`${c.id}: 12 stats and per-class AP/AR`, () => {
      const result = cocoEvaluate(cocoEvalInputFromJson(c.gt, c.detections));
      close(result.stats, c.expected.stats);
      for (const [catId, expected] of Object.entries(c.expected.per_class)) {
        const actual = result.perClass.find((p) => p.categoryId === Number(catId))!;
        close([actual.ap50_95, actual.ap50, actual.ap75, actual.ar100], [expected.ap50_95, expected.ap50, expected.ap75, expected.ar100]);
        close(actual.precisionIou50, expected.precision_iou50_101pt);
      }
      expect(result.perClass.length).toBe(Object.keys(c.expected.per_class).length);
    });
  }

  for (const c of golden.cases) {
    it(`${c.id}: derived VOC all-point and 11-point AP50 per class`, () => {
      const result = vocEvaluate(cocoEvalInputFromJson(c.gt, c.detections));
      const expected = c.derived_voc_ap50_per_class;
      expect(result.length).toBe(Object.keys(expected).length);
      for (const r of result) {
        const e = expected[String(r.categoryId)]!;
        if (e.all_point === null) {
          expect(r.allPoint).toBeNull();
          expect(r.elevenPoint).toBeNull();
        } else {
          close([r.allPoint!, r.elevenPoint!], [e.all_point, e.eleven_point!]);
        }
      }
    });

    it(`${c.id}: derived Ultralytics-style mAP`, () => {
      const result = ultralyticsMap(cocoEvalInputFromJson(c.gt, c.detections));
      const e = c.derived_ultralytics_style;
      close([result.map50, result.map50_95], [e.map50, e.map50_95]);
      expect(result.perClass.map((p) => String(p.categoryId))).toEqual(Object.keys(e.per_class));
      for (const p of result.perClass) close([p.ap50, p.ap50_95], [e.per_class[String(p.categoryId)]!.ap50, e.per_class[String(p.categoryId)]!.ap50_95]);
    });
  }
});
