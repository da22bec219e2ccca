import type { Detection } from '@defectkit/core';
import { describe, expect, it } from 'vitest';
import { mergeTileDetections, overlapMeasure } from './merge-tile-detections.js';
import { tileGrid } from './tile-grid.js';

const det = (x1: number, y1: number, x2: number, y2: number, score: number, classId = 0): Detection => ({ x1, y1, x2, y2, score, classId, label: `c${classId}` });

describe('tileGrid (hand-computed)', () => {
  it('1000 x 640, tile 640, overlap 0.2: step 512 would overrun, so x = 0 and 360 (flush right); one row', () => {
    expect(tileGrid(1000, 640, 640, 0.2)).toEqual([
      { x: 0, y: 0, width: 640, height: 640 },
      { x: 360, y: 0, width: 640, height: 640 },
    ]);
  });

  it('1280 x 1280, tile 640, overlap 0.25: starts 0, 480, 640 on both axes (9 tiles, row by row)', () => {
    const tiles = tileGrid(1280, 1280, 640, 0.25);
    expect(tiles.map((t) => [t.x, t.y])).toEqual([
      [0, 0], [480, 0], [640, 0],
      [0, 480], [480, 480], [640, 480],
      [0, 640], [480, 640], [640, 640],
    ]);
    expect(tiles.every((t) => t.width === 640 && t.height === 640)).toBe(true);
  });

  it('no overlap tiles exactly; a side shorter than the tile is one tile of that side; every pixel is covered', () => {
    expect(tileGrid(1280, 640, 640, 0).map((t) => t.x)).toEqual([0, 640]);
    expect(tileGrid(300, 2000, 640, 0.5)).toEqual([
      { x: 0, y: 0, width: 300, height: 640 },
      { x: 0, y: 320, width: 300, height: 640 },
      { x: 0, y: 640, width: 300, height: 640 },
      { x: 0, y: 960, width: 300, height: 640 },
      { x: 0, y: 1280, width: 300, height: 640 },
      { x: 0, y: 1360, width: 300, height: 640 },
    ]);
    const covered = new Uint8Array(777 * 555);
    for (const t of tileGrid(777, 555, 128, 0.1)) for (let y = t.y; y < t.y + t.height; y++) for (let x = t.x; x < t.x + t.width; x++) covered[y * 777 + x] = 1;
    expect(covered.every((v) => v === 1)).toBe(true);
  });

  it('refuses a bad size or overlap', () => {
    expect(() => tileGrid(100, 100, 0, 0.2)).toThrow(expect.objectContaining({ code: 'INVALID_SIZE' }));
    expect(() => tileGrid(100, 100, 64, 1)).toThrow(expect.objectContaining({ code: 'INVALID_NUMBER' }));
  });
});

describe('mergeTileDetections (hand-computed)', () => {
  // A defect cut by a tile edge: the whole box in one tile, its left part in the neighbour.
  const whole = det(100, 100, 120, 110, 0.9);
  const part = det(100, 100, 108, 110, 0.8);

  it('measures IoU and intersection over the smaller box', () => {
    expect(overlapMeasure(whole, part, 'iou')).toBeCloseTo(80 / 200, 12);
    expect(overlapMeasure(whole, part, 'ios')).toBe(1);
    expect(overlapMeasure(whole, det(200, 200, 210, 210, 1), 'iou')).toBe(0);
  });

  it('greedy NMM with IoS merges the cut-off piece into the whole box; with IoU 0.5 it keeps both', () => {
    expect(mergeTileDetections([part, whole])).toEqual([whole]);
    expect(mergeTileDetections([part, whole], { match: 'iou', threshold: 0.5 })).toEqual([whole, part]);
  });

  it('greedy NMM grows the best box to enclose its group; NMS keeps the best box as it is', () => {
    const a = det(0, 0, 10, 10, 0.9);
    const b = det(2, 0, 12, 10, 0.7); // IoU with a: 80 / 120
    const c = det(0, 3, 10, 13, 0.6); // IoU with a: 70 / 130 (matches a, not b's union)
    expect(mergeTileDetections([b, a, c], { method: 'greedy-nmm', match: 'iou', threshold: 0.5 })).toEqual([det(0, 0, 12, 13, 0.9)]);
    expect(mergeTileDetections([b, a, c], { method: 'nms', match: 'iou', threshold: 0.5 })).toEqual([a]);
    expect(mergeTileDetections([b, a, c], { method: 'nms', match: 'iou', threshold: 0.6 })).toEqual([a, c]);
  });

  it('keeps classes apart unless agnostic', () => {
    const other = { ...part, classId: 1, label: 'c1' };
    expect(mergeTileDetections([whole, other])).toEqual([whole, other]);
    expect(mergeTileDetections([whole, other], { agnostic: true })).toEqual([whole]);
  });
});
