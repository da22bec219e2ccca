import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { estimateShift } from '@defectkit/detector';
import { deeppcbDir } from './support/paths.js';

// Phase correlation on real DeepPCB boards: a template moved by a known shift (edges repeated, as a misaligned
// scan would be) is found again, exactly, against the test board of the same pair.
const folder = join(deeppcbDir, 'PCBData', 'group00041', '00041');

async function plane(input: string | Buffer, shift = { dx: 0, dy: 0 }): Promise<Float32Array> {
  const pad = 16;
  // Two pipelines: within one, sharp extracts before it extends.
  const extended = await sharp(input).greyscale().extend({ top: pad, bottom: pad, left: pad, right: pad, extendWith: 'copy' }).png().toBuffer();
  const { data } = await sharp(extended)
    .extract({ left: pad - shift.dx, top: pad - shift.dy, width: 640, height: 640 })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Float32Array.from(data, (v) => v / 255);
}

describe('estimateShift on DeepPCB pairs', () => {
  it('finds (0, 0) on a registered pair and recovers known shifts of its template', async () => {
    const test = await plane(join(folder, '00041000_test.jpg'));
    const template = join(folder, '00041000_temp.jpg');
    expect(estimateShift(test, await plane(template), 640, 640)).toEqual({ dx: 0, dy: 0 });
    for (const shift of [{ dx: 5, dy: -3 }, { dx: -12, dy: 7 }, { dx: 1, dy: 1 }]) {
      // The image is the reference moved by (dx, dy); the reference is the template as it is.
      const moved = await plane(template, shift);
      expect(estimateShift(moved, await plane(template), 640, 640)).toEqual(shift);
      // And the other way round: a test board against a moved template needs the opposite shift.
      expect(estimateShift(test, moved, 640, 640)).toEqual({ dx: -shift.dx, dy: -shift.dy });
    }
  });
});
