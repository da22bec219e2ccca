import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDetector, type NodeDetector } from '@defectkit/backend-node';
import type { Detection } from '@defectkit/core';
import { deeppcbDir, repoRoot } from './support/paths.js';

// A 2 x 2 mosaic of four DeepPCB boards (1280 x 1280) detected as 640-pixel tiles overlapping by a quarter
// (tiles at 0, 480 and 640 on each axis) must find the defects the boards give one by one. A defect near a seam
// is also seen by a straddling tile with other context, so its box and score may differ a little (one spur here:
// IoU 0.85 with the board's own box); matching is the detection criterion, same class and IoU >= 0.5. The seams
// themselves are not board content: traces cut off where two boards meet look like opens and copper to a
// straddling tile, which a real continuous scan never shows. So boxes reaching into a 16-pixel band around a seam
// are left out on both sides (the test counts them and checks that they are few).
const folder = join(deeppcbDir, 'PCBData', 'group00041', '00041');
const boards = ['00041000', '00041001', '00041002', '00041003'];
const offset = (i: number): [number, number] => [(i % 2) * 640, Math.floor(i / 2) * 640];

let detector: NodeDetector;
let mosaic: Buffer;
beforeAll(async () => {
  detector = await loadDetector(join(repoRoot, 'models', 'pcb-defects'));
  mosaic = await sharp({ create: { width: 1280, height: 1280, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(boards.map((b, i) => ({ input: join(folder, `${b}_test.jpg`), left: offset(i)[0], top: offset(i)[1] })))
    .greyscale()
    .png()
    .toBuffer();
});
afterAll(() => detector?.dispose());

function iou(a: Detection, b: Detection): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - w * h);
}

describe('tiling a mosaic of DeepPCB boards', () => {
  it('finds the same defects as the boards one by one (away from the seams: same class, IoU >= 0.5, both ways, same count)', async () => {
    const single: Detection[] = [];
    for (const [i, b] of boards.entries()) {
      const [dx, dy] = offset(i);
      const r = await detector.detect(join(folder, `${b}_test.jpg`));
      for (const d of r.detections) single.push({ ...d, x1: d.x1 + dx, y1: d.y1 + dy, x2: d.x2 + dx, y2: d.y2 + dy });
    }
    const tiled = await detector.detect(mosaic, { tile: { size: 640, overlap: 0.25 } });
    expect(tiled.width).toBe(1280);
    const band = 16;
    const awayFromSeams = (d: Detection): boolean => (d.x2 < 640 - band || d.x1 > 640 + band) && (d.y2 < 640 - band || d.y1 > 640 + band);
    const seamCount = single.length - single.filter(awayFromSeams).length + tiled.detections.length - tiled.detections.filter(awayFromSeams).length;
    expect(seamCount).toBeLessThanOrEqual(8);
    const boardsAway = single.filter(awayFromSeams);
    const tiledAway = tiled.detections.filter(awayFromSeams);
    const unmatched = (from: Detection[], to: Detection[]): Detection[] => from.filter((d) => !to.some((e) => e.classId === d.classId && iou(d, e) >= 0.5));
    expect(boardsAway.length).toBeGreaterThan(20);
    expect(unmatched(boardsAway, tiledAway)).toEqual([]);
    expect(unmatched(tiledAway, boardsAway)).toEqual([]);
    expect(tiledAway.length).toBe(boardsAway.length);
  });

  it('gives the same merged detections when the tile batches run side by side in worker threads (one tile per run)', async () => {
    const pooled = await loadDetector(join(repoRoot, 'models', 'pcb-defects'), { workers: 2 });
    try {
      const tile = { size: 640, overlap: 0.25, batch: 1 };
      const inProcess = await detector.detect(mosaic, { tile });
      const parallel = await pooled.detect(mosaic, { tile });
      expect(inProcess.detections.length).toBeGreaterThan(20);
      expect(parallel.detections.map((d) => d.classId)).toEqual(inProcess.detections.map((d) => d.classId));
      parallel.detections.forEach((d, k) => {
        for (const key of ['x1', 'y1', 'x2', 'y2', 'score'] as const) expect(Math.abs(d[key] - inProcess.detections[k]![key])).toBeLessThanOrEqual(1e-4);
      });
    } finally {
      await pooled.dispose();
    }
  });
});
