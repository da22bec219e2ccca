import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateFiles } from '@defectkit/postprocess/node';
import { formatEvalReport } from '@defectkit/postprocess';

// A YOLO folder with two defective boards and a folder of two good boards, with COCO results for all four:
//   b1_test: open at (10,10)-(30,30), found (0.9).   b2_test: short at (40,40)-(60,60), no detection (an escape).
//   g1_temp: a false open scored 0.6 (a false call up to 0.6).   g2_temp: no detection.
const root = mkdtempSync(join(tmpdir(), 'defectkit-board-eval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  const png = (): Promise<Buffer> => sharp({ create: { width: 100, height: 100, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
  for (const dir of ['yolo/images/val', 'yolo/labels/val', 'good/sub']) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'yolo', 'data.yaml'), 'path: .\ntrain: images/val\nval: images/val\nnames:\n  0: open\n  1: short\n');
  for (const name of ['b1_test', 'b2_test']) writeFileSync(join(root, 'yolo', 'images', 'val', `${name}.png`), await png());
  writeFileSync(join(root, 'yolo', 'labels', 'val', 'b1_test.txt'), '0 0.2 0.2 0.2 0.2\n');
  writeFileSync(join(root, 'yolo', 'labels', 'val', 'b2_test.txt'), '1 0.5 0.5 0.2 0.2\n');
  writeFileSync(join(root, 'good', 'g1_temp.png'), await png());
  writeFileSync(join(root, 'good', 'sub', 'g2_temp.png'), await png());
  writeFileSync(
    join(root, 'pred.json'),
    JSON.stringify([
      { image_id: 'b1_test.png', category_id: 1, bbox: [10, 10, 20, 20], score: 0.9 },
      { image_id: 'g1_temp.png', category_id: 1, bbox: [50, 50, 10, 10], score: 0.6 },
    ]),
  );
});

describe('evaluateFiles --protocol board with good boards', () => {
  it('counts escapes, false calls and false boxes per board, with the sweep', async () => {
    const report = await evaluateFiles(
      { gt: join(root, 'yolo'), gtFormat: 'yolo', pred: join(root, 'pred.json'), good: join(root, 'good') },
      { protocol: 'board', scoreThreshold: 0.25, sweep: [0.5, 0.7, 0.95] },
    );
    const json = report.json as any;
    expect(json.atRule).toMatchObject({ defectiveBoards: 2, goodBoards: 2, escapes: 1, falseCallBoards: 1, falseCallRate: 0.5, falseBoxes: 1, falseBoxesPerBoard: 0.25, falseBoxesPerGoodBoard: 0.5 });
    expect(json.escapedBoards).toEqual(['images/val/b2_test.png']);
    expect(json.falseCallBoardKeys).toEqual([join(root, 'good', 'g1_temp.png')]);
    expect(json.sweep.map((s: any) => [s.conf, s.escapes, s.falseCallBoards])).toEqual([
      [0.5, 1, 1],
      [0.7, 1, 0],
      [0.95, 2, 0],
    ]);
    expect(formatEvalReport(report)).toMatch(/escapes 1 \(50\.0% of defective boards\), false-call boards 1 \(50\.0% of good boards\)/);
  });

  it('per-class verdict thresholds; a good-board folder without images is refused', async () => {
    const sources = { gt: join(root, 'yolo'), gtFormat: 'yolo', pred: join(root, 'pred.json'), good: join(root, 'good') };
    const report = await evaluateFiles(sources, { protocol: 'board', scoreThreshold: 0.25, verdict: { classConf: { open: 0.65 } } });
    expect((report.json as any).atRule).toMatchObject({ escapes: 1, falseCallBoards: 0 });
    mkdirSync(join(root, 'empty'));
    await expect(evaluateFiles({ ...sources, good: join(root, 'empty') }, { protocol: 'board' })).rejects.toMatchObject({ code: 'EMPTY_SPLIT' });
  });
});
