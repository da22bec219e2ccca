import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ModelInputSpec } from '@defectkit/detector';
import { SharpPreprocessor } from './sharp-preprocessor.js';

const input = (channels: 1 | 3): ModelInputSpec => ({ name: 'images', width: 64, height: 64, channels, resize: 'letterbox', batchAxis: true, stride: 32, padValue: 114, scale: 1 / 255, mean: null, std: null });
const png = (channels: 1 | 3 | 4): Promise<Buffer> =>
  sharp({ create: { width: 40, height: 30, channels: channels === 1 ? 3 : channels, background: { r: 200, g: 40, b: 10, alpha: 1 } } })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .png()
    .toBuffer();

describe('colour input to a single-channel model', () => {
  it('is said once per preprocessor (one per detector), naming the expected input, and still converted', async () => {
    const warnings: string[] = [];
    const prep = new SharpPreprocessor({ onWarning: (m) => warnings.push(m) });
    const colour = await png(3);
    const first = await prep.prepare(colour, input(1));
    await prep.prepare(await png(4), input(1));
    await prep.prepare(colour, input(1));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/colour image, but the model expects single-channel 64x64 input/);
    expect(first.dims).toEqual([1, 64, 64]);
    // A second detector (preprocessor) says it again.
    const other: string[] = [];
    await new SharpPreprocessor({ onWarning: (m) => other.push(m) }).prepare(colour, input(1));
    expect(other).toHaveLength(1);
  });

  it('is not said for greyscale images, nor for a three-channel model', async () => {
    const warnings: string[] = [];
    const prep = new SharpPreprocessor({ onWarning: (m) => warnings.push(m) });
    await prep.prepare(await png(1), input(1));
    await prep.prepare(await png(3), input(3));
    expect(warnings).toEqual([]);
  });
});
