import { describe, expect, it } from 'vitest';
import type { Dataset } from './model.js';
import { BOUNDS_TOLERANCE, validateDataset } from './validate-dataset.js';

const image = (boxes: Dataset['images'][number]['boxes']): Dataset => ({ classes: ['a'], images: [{ path: 'i.jpg', width: 640, height: 480, boxes }] });

describe('validateDataset', () => {
  it('accepts boxes touching the border and YOLO rounding within the tolerance, flags anything beyond', () => {
    const t = BOUNDS_TOLERANCE * 640;
    expect(validateDataset(image([{ x1: 0, y1: 0, x2: 640, y2: 480, classId: 0 }])).errors).toBe(0);
    expect(validateDataset(image([{ x1: -0.9 * t, y1: 1, x2: 5, y2: 5, classId: 0 }])).errors).toBe(0);
    const report = validateDataset(image([{ x1: -1.1 * t, y1: 1, x2: 5, y2: 5, classId: 0, source: { file: 'l.txt', line: 7 } }]));
    expect(report.findings).toMatchObject([{ rule: 'out-of-bounds', file: 'l.txt', line: 7, image: 'i.jpg' }]);
  });

  it('names the image file when a box has no source, counts by rule and merges reader findings first', () => {
    const report = validateDataset(image([{ x1: 5, y1: 5, x2: 5, y2: 9, classId: 0 }]), [{ rule: 'missing-label', severity: 'warning', file: 'x.txt', message: 'm' }]);
    expect(report.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['missing-label', 'x.txt', undefined],
      ['zero-size', 'i.jpg', undefined],
    ]);
    expect(report).toMatchObject({ images: 1, boxes: 1, errors: 1, warnings: 1, byRule: { 'missing-label': 1, 'zero-size': 1 } });
  });

  it('reports inverted corners and a non-finite coordinate', () => {
    const report = validateDataset(image([{ x1: 9, y1: 1, x2: 2, y2: 5, classId: 0 }, { x1: Number.NaN, y1: 1, x2: 2, y2: 5, classId: 0 }]));
    expect(report.findings.map((f) => f.rule)).toEqual(['inverted-corners', 'bad-number']);
  });
});
