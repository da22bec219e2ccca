import { describe, expect, it } from 'vitest';
import { rgbaToChannels } from './pixel-channels.js';

describe('rgbaToChannels', () => {
  it('keeps RGB and drops alpha for three-channel models', () => {
    expect([...rgbaToChannels(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 2, 1, 3)]).toEqual([1, 2, 3, 5, 6, 7]);
  });

  it('keeps every grey level exactly for one-channel models (greyscale JPEGs decode to R = G = B)', () => {
    const rgba = new Uint8Array(256 * 4);
    for (let v = 0; v < 256; v++) rgba.set([v, v, v, 255], v * 4);
    expect([...rgbaToChannels(rgba, 256, 1, 1)]).toEqual(Array.from({ length: 256 }, (_, v) => v));
  });

  it('weights colours as luminance in linear light', () => {
    const [red, green, blue] = rgbaToChannels(new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255]), 3, 1, 1);
    // Rec. 709 weights 0.2126 / 0.7152 / 0.0722 in linear light, encoded back to sRGB.
    expect(red).toBe(127);
    expect(green).toBe(220);
    expect(blue).toBe(76);
  });
});
