import { describe, expect, it } from 'vitest';
import type { Dataset } from '@defectkit/annotations';
import { cocoImageId } from '@defectkit/core';
import { parseDeepPcbResults, predictionsFromCocoResults } from './prediction-files.js';
import { errorOfCall } from '../../../../test/support/errors.js';

const gt: Dataset = {
  classes: ['open', 'short', 'pin-hole'],
  images: [
    { path: 'group1/1/100_test.jpg', width: 640, height: 640, boxes: [] },
    { path: 'group1/1/101_test.jpg', width: 640, height: 640, boxes: [] },
  ],
};

describe('predictionsFromCocoResults', () => {
  it('matches image_id to paths, file names or stems and category_id to index + 1', () => {
    const preds = predictionsFromCocoResults(
      [
        { image_id: '101_test', category_id: 3, bbox: [1, 2, 3, 4], score: 0.5 },
        { image_id: 'group1/1/100_test.jpg', category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 },
      ],
      gt,
    );
    expect(preds).toEqual([
      { imageKey: 'group1/1/100_test.jpg', detections: [{ x1: 0, y1: 0, x2: 10, y2: 10, score: 0.9, classId: 0 }] },
      { imageKey: 'group1/1/101_test.jpg', detections: [{ x1: 1, y1: 2, x2: 4, y2: 6, score: 0.5, classId: 2 }] },
    ]);
  });

  it('matches the image_id of the image-identity rule (what the detector writes), numeric or hashed', () => {
    const named: Dataset = { ...gt, images: [...gt.images, { path: 'g/board_a.png', width: 9, height: 9, boxes: [] }] };
    const hashed = predictionsFromCocoResults([{ image_id: cocoImageId('other/folder/board_a.png'), category_id: 1, bbox: [0, 0, 1, 1], score: 0.3 }], named);
    expect(hashed[2]!.detections).toHaveLength(1);
    const preds = predictionsFromCocoResults([{ image_id: 101, category_id: 2, bbox: [0, 0, 2, 2], score: 0.4 }], gt);
    expect(preds[1]!.detections).toEqual([{ x1: 0, y1: 0, x2: 2, y2: 2, score: 0.4, classId: 1 }]);
    expect(preds[0]!.detections).toEqual([]);
  });

  it('uses COCO ids and categoryIds when the dataset has them', () => {
    const withIds: Dataset = { ...gt, categoryIds: [7, 8, 9], images: gt.images.map((im, i) => ({ ...im, id: 10 + i })) };
    const preds = predictionsFromCocoResults([{ image_id: 11, category_id: 8, bbox: [0, 0, 1, 1], score: 1 }], withIds);
    expect(preds[1]).toEqual({ imageKey: 11, detections: [{ x1: 0, y1: 0, x2: 1, y2: 1, score: 1, classId: 1 }] });
    // Own ids win; the rule's id (from the file name) still finds an image whose own id is different.
    const byRule = predictionsFromCocoResults([{ image_id: 100, category_id: 8, bbox: [0, 0, 1, 1], score: 1 }], withIds);
    expect(byRule[0]!.detections).toHaveLength(1);
  });

  it('names the entry of unknown images, categories and malformed boxes', () => {
    expect(errorOfCall(() => predictionsFromCocoResults([{ image_id: 'nope', category_id: 1, bbox: [0, 0, 1, 1], score: 1 }], gt, 'r.json')).details).toMatchObject({
      file: 'r.json',
      field: 'r.json[0].image_id',
    });
    expect(errorOfCall(() => predictionsFromCocoResults([{ image_id: '100_test', category_id: 4, bbox: [0, 0, 1, 1], score: 1 }], gt)).code).toBe('EVAL_INPUT');
    expect(errorOfCall(() => predictionsFromCocoResults([{ image_id: '100_test', category_id: 1, bbox: [0, 0, 1], score: 1 }], gt)).code).toBe('EVAL_INPUT');
    expect(errorOfCall(() => predictionsFromCocoResults({}, gt)).code).toBe('EVAL_INPUT');
  });
});

describe('parseDeepPcbResults', () => {
  it('reads comma or space separated lines with names or 1-based ids', () => {
    expect(parseDeepPcbResults('1,2,3,4,0.5,open\r\n\n5 6 7 8 0.25 3\n10,10,20,20,0.1,PIN-HOLE', gt.classes, 'a.txt')).toEqual([
      { x1: 1, y1: 2, x2: 3, y2: 4, score: 0.5, classId: 0 },
      { x1: 5, y1: 6, x2: 7, y2: 8, score: 0.25, classId: 2 },
      { x1: 10, y1: 10, x2: 20, y2: 20, score: 0.1, classId: 2 },
    ]);
  });

  it('names the file and line of a bad line', () => {
    const error = errorOfCall(() => parseDeepPcbResults('1,2,3,4,0.5,open\n1,2,3,x,0.5,open', gt.classes, 'b.txt'));
    expect(error.code).toBe('EVAL_INPUT');
    expect(error.details).toEqual({ file: 'b.txt', line: 2 });
    expect(error.message).toContain('b.txt:2');
    expect(errorOfCall(() => parseDeepPcbResults('1,2,3,4,0.5,scratch', gt.classes, 'c.txt')).details).toEqual({ file: 'c.txt', line: 1 });
    expect(errorOfCall(() => parseDeepPcbResults('1,2,3,4,0.5', gt.classes, 'd.txt')).code).toBe('EVAL_INPUT');
  });
});
