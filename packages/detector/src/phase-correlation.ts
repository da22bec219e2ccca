import { fft2d } from './fft-2d.js';

/** A translation between two images: `image(x, y) ≈ reference(x - dx, y - dy)`. */
export interface ImageShift {
  dx: number;
  dy: number;
}

/** Options of {@link estimateShift}. */
export interface ShiftEstimateOptions {
  /** Shifts larger than this (pixels, either axis) are not considered (default 16). */
  maxShift?: number;
}

/** The largest power of two not above `n`. */
function floorPow2(n: number): number {
  return 2 ** Math.floor(Math.log2(n));
}

/**
 * A `size × size` window centred in a `width × height` plane, averaged over `factor × factor` blocks, mean removed,
 * Hann-weighted (so the window's edges do not dominate the spectrum).
 */
function window(plane: Float32Array, width: number, height: number, size: number, factor: number): Float64Array {
  const left = Math.floor((width - size * factor) / 2);
  const top = Math.floor((height - size * factor) / 2);
  const out = new Float64Array(size * size);
  let sum = 0;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let v = 0;
      for (let j = 0; j < factor; j++) for (let i = 0; i < factor; i++) v += plane[(top + y * factor + j) * width + left + x * factor + i]!;
      out[y * size + x] = v;
      sum += v;
    }
  const mean = sum / out.length;
  for (let y = 0; y < size; y++) {
    const wy = 0.5 - 0.5 * Math.cos((2 * Math.PI * (y + 0.5)) / size);
    for (let x = 0; x < size; x++) out[y * size + x] = (out[y * size + x]! - mean) * wy * (0.5 - 0.5 * Math.cos((2 * Math.PI * (x + 0.5)) / size));
  }
  return out;
}

/** Mean absolute difference of `image` and `reference` moved by (dx, dy), inside `margin`, every 2nd pixel. */
function shiftedDifference(image: Float32Array, reference: Float32Array, width: number, height: number, dx: number, dy: number, margin: number): number {
  let sum = 0;
  let n = 0;
  for (let y = margin; y < height - margin; y += 2)
    for (let x = margin; x < width - margin; x += 2) {
      sum += Math.abs(image[y * width + x]! - reference[(y - dy) * width + (x - dx)]!);
      n++;
    }
  return n === 0 ? Number.POSITIVE_INFINITY : sum / n;
}

/**
 * Estimates the integer shift between an image and its reference (greyscale planes of the same size) by phase
 * correlation: the normalised cross-power spectrum of a central power-of-two window (downsampled by 2 when the
 * window is large) peaks at the shift. A board's repeated patterns can put a false peak above the true one, so the
 * five highest peaks and (0, 0) are each refined at full resolution, and the shift with the smallest mean absolute
 * difference wins. Pure TypeScript, browser-safe.
 *
 * @example
 * const { dx, dy } = estimateShift(testPlane, templatePlane, 640, 640); // test(x, y) ≈ template(x - dx, y - dy)
 */
export function estimateShift(image: Float32Array, reference: Float32Array, width: number, height: number, options: ShiftEstimateOptions = {}): ImageShift {
  const maxShift = Math.max(0, Math.floor(options.maxShift ?? 16));
  const side = Math.min(width, height) - 2 * maxShift;
  if (maxShift === 0 || side < 16) return { dx: 0, dy: 0 };
  const factor = side >= 256 ? 2 : 1;
  const size = Math.min(256, floorPow2(side / factor));
  const aRe = window(image, width, height, size, factor);
  const bRe = window(reference, width, height, size, factor);
  const aIm = new Float64Array(size * size);
  const bIm = new Float64Array(size * size);
  fft2d(aRe, aIm, size);
  fft2d(bRe, bIm, size);
  // R = A · conj(B) / |A · conj(B)|: its inverse transform peaks at the shift of the image against the reference.
  for (let k = 0; k < aRe.length; k++) {
    const re = aRe[k]! * bRe[k]! + aIm[k]! * bIm[k]!;
    const im = aIm[k]! * bRe[k]! - aRe[k]! * bIm[k]!;
    const mag = Math.hypot(re, im) || 1;
    aRe[k] = re / mag;
    aIm[k] = im / mag;
  }
  fft2d(aRe, aIm, size, true);
  const reach = Math.ceil(maxShift / factor);
  const peaks: { v: number; shift: ImageShift }[] = [];
  for (let sy = -reach; sy <= reach; sy++)
    for (let sx = -reach; sx <= reach; sx++) peaks.push({ v: aRe[((sy + size) % size) * size + ((sx + size) % size)]!, shift: { dx: sx * factor, dy: sy * factor } });
  peaks.sort((a, b) => b.v - a.v);
  const candidates = [{ dx: 0, dy: 0 }, ...peaks.slice(0, 5).map((p) => p.shift)];
  // Refine each candidate at full resolution; the smallest difference wins (ties: the earlier candidate).
  let found: ImageShift = { dx: 0, dy: 0 };
  let lowest = Number.POSITIVE_INFINITY;
  const r = factor;
  const tried = new Set<string>();
  for (const c of candidates)
    for (let dy = c.dy - r; dy <= c.dy + r; dy++)
      for (let dx = c.dx - r; dx <= c.dx + r; dx++) {
        if (Math.abs(dx) > maxShift || Math.abs(dy) > maxShift || tried.has(`${dx},${dy}`)) continue;
        tried.add(`${dx},${dy}`);
        const d = shiftedDifference(image, reference, width, height, dx, dy, maxShift + r);
        if (d < lowest) {
          lowest = d;
          found = { dx, dy };
        }
      }
  return found;
}

/**
 * Moves `reference` (CHW planes, `channels × height × width`) by `shift` so it lines up with the image; the
 * uncovered border takes the image's own pixels, so it shows no difference. Returns a new array.
 */
export function shiftReference(reference: Float32Array, image: Float32Array, channels: number, width: number, height: number, shift: ImageShift): Float32Array {
  const out = new Float32Array(reference.length);
  const plane = width * height;
  for (let c = 0; c < channels; c++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const sx = x - shift.dx;
        const sy = y - shift.dy;
        const o = c * plane + y * width + x;
        out[o] = sx >= 0 && sx < width && sy >= 0 && sy < height ? reference[c * plane + sy * width + sx]! : image[o]!;
      }
  return out;
}
