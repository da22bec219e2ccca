import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchedNms, nms } from '@defectkit/postprocess';
import { goldenDir } from './support/paths.js';

interface NmsCase {
  id: string;
  op: 'nms' | 'batched_nms';
  iou_threshold: number;
  boxes: number[][];
  scores: number[];
  class_ids?: number[];
  expected_keep: number[];
  expected_keep_if_float64?: number[];
  torchvision_path?: string;
  has_score_ties: boolean;
}

const special: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };
const golden = JSON.parse(readFileSync(join(goldenDir, 'nms_torchvision.json'), 'utf8'), (_key, value: unknown) =>
  typeof value === 'string' && value in special ? special[value] : value,
) as { cases: NmsCase[] };

const flat = (boxes: number[][]) => Float32Array.from(boxes.flat());

describe('golden nms_torchvision.json', () => {
  it('has cases', () => expect(golden.cases.length).toBeGreaterThan(50));

  for (const c of golden.cases.filter((x) => x.op === 'nms')) {
    it(`nms ${c.id}: indices exactly as torchvision`, () => {
      const keep = nms(flat(c.boxes), Float32Array.from(c.scores), c.iou_threshold);
      expect(Array.from(keep)).toEqual(c.expected_keep);
    });
  }

  for (const c of golden.cases.filter((x) => x.op === 'batched_nms')) {
    it(`batchedNms ${c.id}: indices exactly as torchvision`, () => {
      const keep = batchedNms(flat(c.boxes), Float32Array.from(c.scores), Int32Array.from(c.class_ids!), c.iou_threshold);
      expect(Array.from(keep)).toEqual(c.expected_keep);
    });
  }
});
