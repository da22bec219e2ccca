import { describe, expect, it } from 'vitest';
import { boardIdOf, boardsFromDetections } from './board-inspections.js';

const detection = { x1: 1, y1: 2, x2: 30, y2: 40, score: 0.9, classId: 1, label: 'short' };
const context = { modelName: 'pcb-defects', modelVersion: 'v1', at: new Date('2026-11-30T06:00:00Z') };

describe('boardsFromDetections', () => {
  it('makes one board per image (clean ones too) and one call per detection, with line, shift and box', () => {
    const [clean, defective] = boardsFromDetections(
      [
        { image: 'g/00041000_temp.jpg', width: 640, height: 640, detections: [] },
        { image: 'g/00041000_test.jpg', width: 640, height: 640, detections: [detection], inferenceMs: 12.5 },
      ],
      { ...context, line: 'L1', shift: 'night' },
    );
    expect(clean).toMatchObject({ boardId: '00041000_temp', verdict: 'pass', defects: [], factoryLineId: 'L1', shift: 'night', inferenceMs: null });
    expect(defective).toMatchObject({ boardId: '00041000_test', verdict: 'fail', inferenceMs: 12.5, defects: [{ detectedClass: 'short', confidenceScore: 0.9, boundingBox: [1, 2, 30, 40] }] });
  });

  it("keeps the detector's verdict (its thresholds) over the any-call rule", () => {
    const [board] = boardsFromDetections([{ image: 'a.jpg', width: 8, height: 8, detections: [{ ...detection, score: 0.1 }], verdict: 'pass' }], context);
    expect([board!.verdict, board!.defects.length]).toEqual(['pass', 1]);
  });

  it('gives the same ids to the same results at the same time, other ids at another time', () => {
    const results = [{ image: 'a.jpg', width: 8, height: 8, detections: [detection, detection] }];
    const once = boardsFromDetections(results, context)[0]!;
    const again = boardsFromDetections(results, context)[0]!;
    const later = boardsFromDetections(results, { ...context, at: new Date('2026-11-30T06:00:01Z') })[0]!;
    expect(again.inferenceId).toBe(once.inferenceId);
    expect(again.defects.map((d) => d.defectId)).toEqual(once.defects.map((d) => d.defectId));
    expect(new Set(once.defects.map((d) => d.defectId)).size).toBe(2);
    expect(later.inferenceId).not.toBe(once.inferenceId);
  });

  it('refuses a bad time or manufacturing date with INSPECTION_INPUT', () => {
    expect(() => boardsFromDetections([], { ...context, at: new Date('nope') })).toThrow(expect.objectContaining({ code: 'INSPECTION_INPUT' }));
    expect(() => boardsFromDetections([], { ...context, manufacturingDate: '30/11/2026' })).toThrow(expect.objectContaining({ code: 'INSPECTION_INPUT', details: expect.objectContaining({ field: 'manufacturingDate' }) }));
  });
});

describe('boardIdOf', () => {
  it('reads the board id from the file name or the folder name', () => {
    expect(boardIdOf('line1/B-0042/top.png')).toBe('top');
    expect(boardIdOf('line1/B-0042/top.png', 'folder')).toBe('B-0042');
    expect(boardIdOf('C:\\scans\\B-7\\front.jpg', 'folder')).toBe('B-7');
    expect(() => boardIdOf('top.png', 'folder')).toThrow(expect.objectContaining({ code: 'INSPECTION_INPUT' }));
  });
});
