import { cocoImageId, type Detection } from '@defectkit/core';
import { describe, expect, it } from 'vitest';
import { deepPcbResultName, formatCocoResults, formatDeepPcbTxt, formatJson, formatYoloTxt, type ImageDetections } from './result-formats.js';

const d = (x1: number, y1: number, x2: number, y2: number, score: number, classId: number, label: string): Detection => ({ x1, y1, x2, y2, score, classId, label });
const item: ImageDetections = { image: 'boards/00041000_test.jpg', width: 640, height: 320, detections: [d(10.4, 20.6, 110.5, 60, 0.91234567, 2, 'mousebite'), d(0, 0, 640, 320, 0.5, 0, 'open')] };

describe('result writers', () => {
  it('JSON keeps image, size and detections', () => {
    expect(JSON.parse(formatJson([item]))).toEqual([item]);
  });

  it('JSON includes a classifier\'s top-k labels when the result has them', () => {
    const labels = [{ classId: 1, label: 'BOARD', score: 0.75 }, { classId: 0, label: 'TEMPLATE', score: 0.25 }];
    expect(JSON.parse(formatJson([{ ...item, detections: [], labels }]))[0].labels).toEqual(labels);
    expect(JSON.parse(formatJson([item]))[0]).not.toHaveProperty('labels');
  });

  it('YOLO txt: class, normalised centre and size, confidence', () => {
    expect(formatYoloTxt(item)).toBe('2 0.094453 0.125937 0.156406 0.123125 0.912346\n0 0.500000 0.500000 1.000000 1.000000 0.500000\n');
  });

  it('DeepPCB txt: integer corners, confidence and the class name; file named after the pair id', () => {
    expect(formatDeepPcbTxt(item)).toBe('10,21,111,60,0.912346,mousebite\n0,0,640,320,0.500000,open\n');
    expect(deepPcbResultName(item.image)).toBe('00041000.txt');
  });

  it('COCO results: xywh boxes, 1-based categories, image ids by the image-identity rule (numeric DeepPCB stems, hashed other names)', () => {
    const results = JSON.parse(formatCocoResults([item, { image: 'x/board.png', width: 10, height: 10, detections: [d(1, 2, 4, 8, 0.7, 5, 'pin-hole')] }]));
    expect(results).toEqual([
      { image_id: 41000, category_id: 3, bbox: [10.4, 20.6, 100.1, 39.4], score: 0.91234567 },
      { image_id: 41000, category_id: 1, bbox: [0, 0, 640, 320], score: 0.5 },
      { image_id: cocoImageId('board.png'), category_id: 6, bbox: [1, 2, 3, 6], score: 0.7 },
    ].map((r) => ({ ...r, bbox: r.bbox.map((v) => expect.closeTo(v, 9)) })));
    expect(JSON.parse(formatCocoResults([item], { categoryIdOffset: 0, imageIds: new Map([[item.image, 7]]) }))[0]).toMatchObject({ image_id: 7, category_id: 2 });
  });
});
