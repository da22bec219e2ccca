import { describe, expect, it } from 'vitest';
import { fft1d } from './fft-2d.js';
import { estimateShift, shiftReference } from './phase-correlation.js';

/** A deterministic board-like plane: bright rectangles (tracks and pads) on a dark background. */
function board(width: number, height: number, seed: number): Float32Array {
  const plane = new Float32Array(width * height);
  let s = seed;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let k = 0; k < 80; k++) {
    const x0 = Math.floor(rand() * width);
    const y0 = Math.floor(rand() * height);
    const w = 2 + Math.floor(rand() * 40);
    const h = 2 + Math.floor(rand() * 40);
    for (let y = y0; y < Math.min(height, y0 + h); y++) for (let x = x0; x < Math.min(width, x0 + w); x++) plane[y * width + x] = 1;
  }
  return plane;
}

/** `plane` moved by (dx, dy): out(x, y) = plane(x - dx, y - dy), zero outside. */
function moved(plane: Float32Array, width: number, height: number, dx: number, dy: number): Float32Array {
  const out = new Float32Array(plane.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < width && sy >= 0 && sy < height) out[y * width + x] = plane[sy * width + sx]!;
    }
  return out;
}

describe('fft1d', () => {
  it('matches a direct DFT and inverts', () => {
    const n = 16;
    const x = Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) + (i % 3));
    const re = Float64Array.from(x);
    const im = new Float64Array(n);
    fft1d(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        sr += x[t]! * Math.cos((-2 * Math.PI * k * t) / n);
        si += x[t]! * Math.sin((-2 * Math.PI * k * t) / n);
      }
      expect(re[k]).toBeCloseTo(sr, 9);
      expect(im[k]).toBeCloseTo(si, 9);
    }
    fft1d(re, im, true);
    for (let t = 0; t < n; t++) expect(re[t]! / n).toBeCloseTo(x[t]!, 9);
    expect(() => fft1d(new Float64Array(12), new Float64Array(12))).toThrow(/not a power of two/);
  });
});

describe('estimateShift', () => {
  it.each([
    [5, -3],
    [-7, 11],
    [0, 0],
    [1, 0],
    [-16, 16],
  ])('recovers a known shift of (%i, %i) on a 640x640 board', (dx, dy) => {
    const ref = board(640, 640, 7);
    const image = moved(ref, 640, 640, dx, dy);
    expect(estimateShift(image, ref, 640, 640)).toEqual({ dx, dy });
  });

  it('recovers a shift on a small non-square image (no downsampling) and ignores shifts beyond maxShift', () => {
    const ref = board(160, 120, 3);
    expect(estimateShift(moved(ref, 160, 120, 3, 2), ref, 160, 120, { maxShift: 8 })).toEqual({ dx: 3, dy: 2 });
    const far = estimateShift(moved(ref, 160, 120, 12, 0), ref, 160, 120, { maxShift: 4 });
    expect(Math.abs(far.dx)).toBeLessThanOrEqual(4);
    expect(estimateShift(ref, ref, 160, 120, { maxShift: 0 })).toEqual({ dx: 0, dy: 0 });
  });
});

describe('shiftReference', () => {
  it('moves every channel and fills the uncovered border from the image', () => {
    // 2 channels of 3x2: reference values 1..12, image values 100+.
    const reference = Float32Array.from({ length: 12 }, (_, i) => i + 1);
    const image = Float32Array.from({ length: 12 }, (_, i) => 100 + i);
    const out = shiftReference(reference, image, 2, 3, 2, { dx: 1, dy: 0 });
    // Row 0 of channel 0: x=0 uncovered (image 100), then reference (0,0)=1, (1,0)=2.
    expect([...out.subarray(0, 6)]).toEqual([100, 1, 2, 103, 4, 5]);
    expect([...out.subarray(6, 12)]).toEqual([106, 7, 8, 109, 10, 11]);
  });
});
