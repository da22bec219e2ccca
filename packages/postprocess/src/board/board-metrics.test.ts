import { describe, expect, it } from 'vitest';
import type { CocoEvalInput } from '../metrics/coco-eval.js';
import { boardMetrics } from './board-metrics.js';

// Hand-built fixture: three defective boards and two good ones (categories 1 open, 2 short, 3 spur).
//   B1: open at [0,0,10,10], found by an open box scored 0.9.
//   B2: short at [20,20,10,10]; the only box is a short at [50,50,5,5] scored 0.4 (a false box: the defect is missed).
//   B3: spur at [30,30,8,8]; no box (escapes at every threshold).
//   G1: no defect; an open box scored 0.3 (a false call up to 0.3).
//   G2: no defect, no box.
const input: CocoEvalInput = {
  imageIds: ['B1', 'B2', 'B3', 'G1', 'G2'],
  categoryIds: [1, 2, 3],
  groundTruth: [
    { id: 1, imageId: 'B1', categoryId: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: false },
    { id: 2, imageId: 'B2', categoryId: 2, bbox: [20, 20, 10, 10], area: 100, iscrowd: false },
    { id: 3, imageId: 'B3', categoryId: 3, bbox: [30, 30, 8, 8], area: 64, iscrowd: false },
  ],
  detections: [
    { imageId: 'B1', categoryId: 1, bbox: [0, 0, 10, 10], score: 0.9 },
    { imageId: 'B2', categoryId: 2, bbox: [50, 50, 5, 5], score: 0.4 },
    { imageId: 'G1', categoryId: 1, bbox: [5, 5, 4, 4], score: 0.3 },
  ],
};
const names = new Map([
  [1, 'open'],
  [2, 'short'],
  [3, 'spur'],
]);

describe('boardMetrics (hand-computed fixture)', () => {
  it('at conf 0.25: 1 escape of 3, 1 false call of 2, 2 false boxes, 2 missed defects', () => {
    const r = boardMetrics(input, names, { conf: 0.25 });
    expect(r.atRule).toMatchObject({
      defectiveBoards: 3,
      goodBoards: 2,
      escapes: 1,
      escapeRate: 1 / 3,
      falseCallBoards: 1,
      falseCallRate: 0.5,
      falseBoxes: 2,
      falseBoxesPerBoard: 2 / 5,
      falseBoxesPerGoodBoard: 0.5,
      missedDefects: 2,
      defects: 3,
    });
    expect(r.escapedBoards).toEqual(['B3']);
    expect(r.falseCallBoardKeys).toEqual(['G1']);
  });

  it('the sweep trades false calls for escapes; a score exactly at the threshold fails its board', () => {
    const r = boardMetrics(input, names, { conf: 0.25, sweep: [0.3, 0.35, 0.5, 0.95] });
    expect(r.sweep.map((s) => [s.conf, s.escapes, s.falseCallBoards, s.falseBoxes])).toEqual([
      [0.3, 1, 1, 2],
      [0.35, 1, 0, 1],
      [0.5, 2, 0, 0],
      [0.95, 3, 0, 0],
    ]);
  });

  it('per-class thresholds of the rule apply to verdicts and false boxes alike', () => {
    const r = boardMetrics(input, names, { conf: 0.25, verdict: { classConf: { open: 0.95 } } });
    expect(r.atRule.rule).toEqual({ conf: 0.25, classConf: { open: 0.95 } });
    expect(r.escapedBoards).toEqual(['B1', 'B3']);
    expect(r.atRule).toMatchObject({ escapes: 2, falseCallBoards: 0, falseBoxes: 1, missedDefects: 3 });
  });

  it('a detection of another class does not find a defect (and is a false box)', () => {
    const wrongClass: CocoEvalInput = { ...input, detections: [{ imageId: 'B1', categoryId: 2, bbox: [0, 0, 10, 10], score: 0.9 }] };
    const r = boardMetrics(wrongClass, names, { conf: 0.25 });
    expect(r.atRule).toMatchObject({ escapes: 2, falseBoxes: 1, missedDefects: 3 });
  });
});
