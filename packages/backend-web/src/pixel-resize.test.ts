import { describe, expect, it } from 'vitest';
import { resizeLinear } from './pixel-resize.js';

describe('resizeLinear', () => {
  it('returns the same pixels when the size does not change', () => {
    const pixels = new Uint8Array([1, 2, 3, 4]);
    expect(resizeLinear(pixels, 2, 2, 1, 2, 2)).toBe(pixels);
  });

  it('keeps a flat image flat at any size, per channel', () => {
    const rgb = new Uint8Array(7 * 5 * 3);
    for (let i = 0; i < rgb.length; i += 3) rgb.set([10, 128, 250], i);
    for (const [w, h] of [[3, 2], [14, 10], [7, 9], [1, 1]] as const) {
      const out = resizeLinear(rgb, 7, 5, 3, w, h);
      expect(out.length).toBe(w * h * 3);
      for (let i = 0; i < out.length; i += 3) expect([out[i], out[i + 1], out[i + 2]]).toEqual([10, 128, 250]);
    }
  });

  it('halves a 2-pixel stripe pattern to its mean (every source pixel counts when shrinking)', () => {
    const width = 8;
    const row = Array.from({ length: width }, (_, x) => (x % 2 === 0 ? 0 : 200));
    const pixels = new Uint8Array([...row, ...row]);
    const out = resizeLinear(pixels, width, 2, 1, 4, 1);
    // Interior outputs see the same number of dark and bright pixels: the mean, 100, within rounding.
    for (const value of out.slice(1, 3)) expect(Math.abs(value - 100)).toBeLessThanOrEqual(1);
  });

  it('interpolates linearly between pixel centres when enlarging', () => {
    const out = resizeLinear(new Uint8Array([0, 100]), 2, 1, 1, 4, 1);
    // Centres of the output pixels fall at -0.25, 0.25, 0.75 and 1.25 source pixels.
    expect([...out]).toEqual([0, 25, 75, 100]);
  });
});
