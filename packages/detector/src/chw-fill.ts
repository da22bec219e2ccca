import type { ModelInputSpec } from './model-card.js';

/**
 * Writes `pixels` (HWC, 8-bit, `width × height`) into `out` (CHW float32 of `outWidth × outHeight`)
 * at (`left`, `top`), applying `scale` and the optional per-channel mean / std; everything else
 * is the normalised pad value. Every image preprocessor (sharp in Node, canvas in the browser) ends
 * here, so the same pixels give the same tensor on every platform.
 */
export function fillChw(
  out: Float32Array,
  outWidth: number,
  outHeight: number,
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  left: number,
  top: number,
  input: Pick<ModelInputSpec, 'scale' | 'mean' | 'std' | 'padValue'>,
): void {
  const plane = outWidth * outHeight;
  for (let c = 0; c < channels; c++) {
    const mean = input.mean?.[c] ?? 0;
    const std = input.std?.[c] ?? 1;
    // One lookup table per channel: 256 values replace a multiply-add per pixel.
    const lut = new Float32Array(256);
    for (let v = 0; v < 256; v++) lut[v] = (v * input.scale - mean) / std;
    const pad = (input.padValue * input.scale - mean) / std;
    const base = c * plane;
    if (width !== outWidth || height !== outHeight) out.fill(pad, base, base + plane);
    for (let y = 0; y < height; y++) {
      let o = base + (y + top) * outWidth + left;
      let p = y * width * channels + c;
      for (let x = 0; x < width; x++, p += channels) out[o++] = lut[pixels[p]!]!;
    }
  }
}
