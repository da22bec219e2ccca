/** One output pixel's source taps along an axis: first index and weights. */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  stride: number;
}

/**
 * Triangle-filter (linear) taps mapping `inSize` to `outSize` with pixel centres aligned; the filter widens by
 * the reduction factor when shrinking, so every source pixel contributes (no aliasing), as libvips' linear
 * kernel does.
 */
function linearTaps(inSize: number, outSize: number): Taps {
  const scale = outSize / inSize;
  const support = scale < 1 ? 1 / scale : 1;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * stride);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) / scale - 0.5;
    const first = Math.max(0, Math.floor(centre - support) + 1);
    const last = Math.min(inSize - 1, Math.ceil(centre + support) - 1);
    let total = 0;
    let n = 0;
    for (let i = first; i <= last && n < stride; i++, n++) {
      const w = Math.max(0, 1 - Math.abs(i - centre) / support);
      weights[o * stride + n] = w;
      total += w;
    }
    if (total === 0) {
      // The centre falls outside the image: take the nearest edge pixel.
      start[o] = Math.min(inSize - 1, Math.max(0, Math.round(centre)));
      count[o] = 1;
      weights[o * stride] = 1;
      continue;
    }
    for (let k = 0; k < n; k++) weights[o * stride + k]! /= total;
    start[o] = first;
    count[o] = n;
  }
  return { start, count, weights, stride };
}

/**
 * Resizes interleaved 8-bit pixels (`channels` per pixel) with a separable linear filter: horizontal pass in
 * floating point, vertical pass rounded to 8 bits. Pure arithmetic, so every browser gives the same bytes
 * (canvas resampling differs between browsers and GPUs).
 */
export function resizeLinear(pixels: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number): Uint8Array {
  if (outWidth === width && outHeight === height) return pixels;
  const h = linearTaps(width, outWidth);
  const v = linearTaps(height, outHeight);
  const rows = new Float64Array(height * outWidth * channels);
  for (let y = 0; y < height; y++) {
    const rowIn = y * width * channels;
    const rowOut = y * outWidth * channels;
    for (let x = 0; x < outWidth; x++) {
      const s = h.start[x]!;
      const n = h.count[x]!;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += h.weights[x * h.stride + k]! * pixels[rowIn + (s + k) * channels + c]!;
        rows[rowOut + x * channels + c] = acc;
      }
    }
  }
  const out = new Uint8Array(outWidth * outHeight * channels);
  const rowLength = outWidth * channels;
  for (let y = 0; y < outHeight; y++) {
    const s = v.start[y]!;
    const n = v.count[y]!;
    for (let i = 0; i < rowLength; i++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += v.weights[y * v.stride + k]! * rows[(s + k) * rowLength + i]!;
      const value = Math.round(acc);
      out[y * rowLength + i] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
  }
  return out;
}
