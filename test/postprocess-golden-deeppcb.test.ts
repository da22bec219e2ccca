import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cocoEvaluate, deeppcbEvaluate, type DeepPcbImage } from '@defectkit/postprocess';
import { goldenDir } from './support/paths.js';

interface Scores {
  precision: number;
  recall: number;
  hmean: number;
  AP: number;
}
interface DeepPcbCase {
  id: string;
  images: { name: string; gt: number[][]; det: [number, number, number, number, number, string][] | null }[];
  expected_derived: { method: Scores; per_sample: Record<string, Scores & { pairs_after_confidence_sort: { gt: number; det: number; correct: boolean }[] }> };
  pycocotools_stats: number[];
}
const golden = JSON.parse(readFileSync(join(goldenDir, 'deeppcb_protocol_derived.json'), 'utf8')) as {
  meta: { class_names: Record<string, string> };
  cases: DeepPcbCase[];
};
const names = golden.meta.class_names;

function toImages(c: DeepPcbCase): DeepPcbImage[] {
  return c.images.map((im) => ({
    name: im.name,
    gt: im.gt.map(([x1, y1, x2, y2, cls]) => ({ x1: x1!, y1: y1!, x2: x2!, y2: y2!, className: names[String(cls)]! })),
    det: im.det === null ? null : im.det.map(([x1, y1, x2, y2, score, className]) => ({ x1, y1, x2, y2, score, className })),
  }));
}

const close = (a: number, b: number) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(1e-9);

describe('golden deeppcb_protocol_derived.json', () => {
  for (const c of golden.cases) {
    it(`${c.id}: global and per-image precision, recall, hmean, AP and pairs`, () => {
      const result = deeppcbEvaluate(toImages(c));
      const m = c.expected_derived.method;
      close(result.precision, m.precision);
      close(result.recall, m.recall);
      close(result.hmean, m.hmean);
      close(result.ap, m.AP);
      for (const [name, e] of Object.entries(c.expected_derived.per_sample)) {
        const s = result.perSample[name]!;
        close(s.precision, e.precision);
        close(s.recall, e.recall);
        close(s.hmean, e.hmean);
        close(s.ap, e.AP);
        expect(s.pairs).toEqual(e.pairs_after_confidence_sort);
      }
    });

    it(`${c.id}: pycocotools stats on the same boxes`, () => {
      let annId = 0;
      const imageIds = c.images.map((_, i) => i + 1);
      const result = cocoEvaluate({
        imageIds,
        categoryIds: Object.keys(names).map(Number),
        groundTruth: c.images.flatMap((im, i) =>
          im.gt.map(([x1, y1, x2, y2, cls]) => ({
            id: ++annId,
            imageId: i + 1,
            categoryId: cls!,
            bbox: [x1!, y1!, x2! - x1!, y2! - y1!] as [number, number, number, number],
            area: (x2! - x1!) * (y2! - y1!),
            iscrowd: false,
          })),
        ),
        detections: c.images.flatMap((im, i) =>
          (im.det ?? []).map(([x1, y1, x2, y2, score, name]) => ({
            imageId: i + 1,
            categoryId: Number(Object.entries(names).find(([, n]) => n.toUpperCase() === name.toUpperCase())![0]),
            bbox: [x1, y1, x2 - x1, y2 - y1] as [number, number, number, number],
            score,
          })),
        ),
      });
      result.stats.forEach((v, i) => close(v, c.pycocotools_stats[i]!));
    });
  }
});
