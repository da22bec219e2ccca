import { describe, expect, it } from 'vitest';
import { datasetStats, spread } from './dataset-stats.js';

describe('datasetStats', () => {
  it('counts images, boxes per class (zeros included), boxes per image and box sizes', () => {
    const stats = datasetStats({
      classes: ['a', 'b', 'c'],
      images: [
        { path: '1', width: 10, height: 10, split: 'train', boxes: [{ x1: 0, y1: 0, x2: 2, y2: 4, classId: 0 }, { x1: 0, y1: 0, x2: 6, y2: 1, classId: 1 }] },
        { path: '2', width: 10, height: 10, split: 'val', boxes: [{ x1: 1, y1: 1, x2: 5, y2: 3, classId: 0 }] },
        { path: '3', width: 10, height: 10, boxes: [] },
      ],
    });
    expect(stats).toEqual({
      images: 3,
      boxes: 3,
      boxesPerClass: { a: 2, b: 1, c: 0 },
      boxesPerImage: { min: 0, median: 1, max: 2, mean: 1 },
      boxWidth: { min: 2, median: 4, max: 6 },
      boxHeight: { min: 1, median: 2, max: 4 },
      imagesPerSplit: { train: 1, val: 1, none: 1 },
    });
  });

  it('spread takes the mean of the middle pair for even counts and zeros for no values', () => {
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
    expect(spread([])).toEqual({ min: 0, median: 0, max: 0 });
  });
});
