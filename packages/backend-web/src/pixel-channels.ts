// sRGB <-> linear light, for greyscale conversion in linear light as libvips (sharp's 'b-w') does it.
const TO_LINEAR = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  const c = v / 255;
  TO_LINEAR[v] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function toSrgb8(linear: number): number {
  const c = linear <= 0.0031308 ? linear * 12.92 : 1.055 * linear ** (1 / 2.4) - 0.055;
  const v = Math.round(c * 255);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Interleaved 8-bit pixels with the model's channel count from RGBA (what a canvas gives): alpha is dropped
 * (as sharp's `removeAlpha`), `channels` 3 keeps RGB, `channels` 1 is the Rec. 709 luminance computed in
 * linear light and encoded back to sRGB. A grey pixel (R = G = B) keeps its exact value.
 */
export function rgbaToChannels(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: 1 | 3): Uint8Array {
  const count = width * height;
  const out = new Uint8Array(count * channels);
  if (channels === 3) {
    for (let i = 0, p = 0, o = 0; i < count; i++, p += 4, o += 3) {
      out[o] = rgba[p]!;
      out[o + 1] = rgba[p + 1]!;
      out[o + 2] = rgba[p + 2]!;
    }
    return out;
  }
  for (let i = 0, p = 0; i < count; i++, p += 4) {
    const r = rgba[p]!;
    const g = rgba[p + 1]!;
    const b = rgba[p + 2]!;
    // Grey pixels (every greyscale JPEG, e.g. DeepPCB) skip the round trip, so they stay bit-exact.
    out[i] = r === g && g === b ? r : toSrgb8(0.2126 * TO_LINEAR[r]! + 0.7152 * TO_LINEAR[g]! + 0.0722 * TO_LINEAR[b]!);
  }
  return out;
}
