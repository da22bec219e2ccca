import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DefectKitError } from '@defectkit/core';
import { cxcywhToXyxy, normalizedCxcywhToXyxy, xyxyToCxcywh, xyxyToNormalizedCxcywh, xyxyToXywh, xywhToXyxy } from './box-format.js';
import { letterbox, letterboxBox, unletterboxBox } from './letterbox.js';
import { roundHalfEven } from './python-round.js';

describe('roundHalfEven', () => {
  it('matches Python round on halves and non-halves', () => {
    expect([0.5, 1.5, 2.5, 360.5, 361.5, -0.5, -1.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 360, 362, 0, -2, 2, 3]);
  });
});

describe('letterbox', () => {
  it('round-trips boxes inside the image for any shape (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4000 }),
        fc.integer({ min: 1, max: 4000 }),
        fc.constantFrom(320, 640),
        fc.boolean(),
        fc.float({ min: 0, max: 1, noNaN: true }),
        (h, w, size, auto, t) => {
          const lb = letterbox(h, w, size, size, { auto });
          expect(lb.outputWidth).toBeLessThanOrEqual(size);
          expect(lb.padLeft + lb.resizedWidth + lb.padRight).toBe(lb.outputWidth);
          const box = [w * t * 0.5, h * t * 0.5, w * (0.5 + t * 0.5), h * (0.5 + t * 0.5)];
          unletterboxBox(letterboxBox(box, lb), lb).forEach((v, i) => expect(v).toBeCloseTo(box[i]!, 6));
        },
      ),
    );
  });

  it('rejects negative, zero and NaN sizes with INVALID_SIZE', () => {
    for (const args of [
      [-1, 10, 640, 640],
      [10, 0, 640, 640],
      [10, 10, Number.NaN, 640],
    ] as const) {
      try {
        letterbox(args[0], args[1], args[2], args[3]);
        expect.unreachable();
      } catch (error) {
        expect(DefectKitError.isInstance(error) && error.code).toBe('INVALID_SIZE');
      }
    }
  });
});

describe('box formats', () => {
  it('converts between named formats and back', () => {
    expect(xyxyToXywh([10, 20, 30, 60])).toEqual([10, 20, 20, 40]);
    expect(xywhToXyxy([10, 20, 20, 40])).toEqual([10, 20, 30, 60]);
    expect(xyxyToCxcywh([10, 20, 30, 60])).toEqual([20, 40, 20, 40]);
    expect(cxcywhToXyxy([20, 40, 20, 40])).toEqual([10, 20, 30, 60]);
    expect(xyxyToNormalizedCxcywh([0, 0, 64, 48], 640, 480)).toEqual([0.05, 0.05, 0.1, 0.1]);
    expect(normalizedCxcywhToXyxy([0.5, 0.5, 0.5, 0.5], 640, 480)).toEqual([160, 120, 480, 360]);
  });
});
