import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SplitSpecError } from './errors.js';
import type { Dataset, ImageRecord } from './model.js';
import { parseSplitSpec, splitDataset } from './split-dataset.js';
import { seededRandom, shuffled } from './seeded-random.js';

function dataset(perClassImages: number[]): Dataset {
  const images: ImageRecord[] = [];
  perClassImages.forEach((count, classId) => {
    for (let i = 0; i < count; i++) images.push({ path: `c${classId}/${i}.jpg`, width: 10, height: 10, boxes: [{ x1: 1, y1: 1, x2: 2, y2: 2, classId }] });
  });
  for (let i = 0; i < 7; i++) images.push({ path: `empty/${i}.jpg`, width: 10, height: 10, boxes: [] });
  return { classes: perClassImages.map((_, i) => `c${i}`), images };
}

describe('parseSplitSpec', () => {
  it('parses upstream and fractions', () => {
    expect(parseSplitSpec('upstream')).toBe('upstream');
    expect(parseSplitSpec('train=0.9,val=0.1')).toEqual({ train: 0.9, val: 0.1 });
    expect(parseSplitSpec('train=0.7, val=0.2, test=0.1')).toEqual({ train: 0.7, val: 0.2, test: 0.1 });
  });

  it('rejects unknown names, repeats, bad numbers and sums other than 1', () => {
    for (const bad of ['train=0.9,dev=0.1', 'train=0.5,train=0.5', 'train=abc', 'train=0.9,val=0.2', '', 'train']) {
      expect(() => parseSplitSpec(bad)).toThrow(SplitSpecError);
    }
  });
});

describe('splitDataset', () => {
  const data = dataset([100, 40, 9, 3]);

  it('is deterministic for a seed and independent of the input order', () => {
    const a = splitDataset(data, { train: 0.9, val: 0.1 }, 0);
    const reversed = splitDataset({ ...data, images: [...data.images].reverse() }, { train: 0.9, val: 0.1 }, 0);
    const key = (d: Dataset) => Object.fromEntries(d.images.map((i) => [i.path, i.split]));
    expect(key(a)).toEqual(key(reversed));
    expect(key(splitDataset(data, { train: 0.9, val: 0.1 }, 1))).not.toEqual(key(a));
    expect(data.images.every((i) => i.split === undefined)).toBe(true);
  });

  it('keeps each class within one image of its share in every split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.constantFrom({ train: 0.9, val: 0.1 }, { train: 0.7, val: 0.2, test: 0.1 }), (seed, ratios) => {
        const out = splitDataset(data, ratios, seed);
        for (let c = 0; c < 4; c++) {
          const members = out.images.filter((i) => i.boxes[0]?.classId === c);
          for (const [split, share] of Object.entries(ratios)) {
            const n = members.filter((i) => i.split === split).length;
            expect(Math.abs(n - share * members.length)).toBeLessThanOrEqual(1);
          }
        }
        for (const [split, share] of Object.entries(ratios)) {
          expect(Math.abs(out.images.filter((i) => i.split === split).length - share * out.images.length)).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('does not let many one-image groups all round into the largest split', () => {
    const out = splitDataset(dataset([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), { train: 0.7, val: 0.3 }, 0);
    expect(out.images.filter((i) => i.boxes.length > 0 && i.split === 'val').length).toBeGreaterThanOrEqual(2);
  });

  it('groups multi-class images by their rarest class', () => {
    const d: Dataset = {
      classes: ['common', 'rare'],
      images: Array.from({ length: 20 }, (_, i) => ({
        path: `${i}.jpg`, width: 10, height: 10,
        boxes: [{ x1: 0, y1: 0, x2: 1, y2: 1, classId: 0 }, ...(i < 10 ? [{ x1: 0, y1: 0, x2: 1, y2: 1, classId: 1 }] : [])],
      })),
    };
    const out = splitDataset(d, { train: 0.5, val: 0.5 }, 3);
    expect(out.images.slice(0, 10).filter((i) => i.split === 'val')).toHaveLength(5);
  });
});

describe('seededRandom', () => {
  it('repeats for a seed, stays in [0, 1) and shuffles to a permutation', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const items = Array.from({ length: 50 }, (_, i) => i);
    expect([...shuffled(items, seededRandom(1))].sort((p, q) => p - q)).toEqual(items);
  });
});
