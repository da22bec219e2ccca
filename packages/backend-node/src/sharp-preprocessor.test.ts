import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type CreateRaw } from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ModelInputSpec } from '@defectkit/detector';
import { goldenDir } from '../../../test/support/paths.js';
import { SharpPreprocessor } from './sharp-preprocessor.js';
import { scratchFolder } from '../../../test/support/scratch-folder.js';

const dir = scratchFolder('dk-prep-');

function input(width: number, height: number, channels: 1 | 3 = 3, extra: Partial<ModelInputSpec> = {}): ModelInputSpec {
  return { name: 'images', width, height, channels, resize: 'letterbox', batchAxis: true, stride: 32, padValue: 114, scale: 1 / 255, mean: null, std: null, ...extra };
}

const prep = new SharpPreprocessor();
const at = (data: Float32Array, dims: number[], c: number, y: number, x: number): number => Math.round(data[c * dims[1]! * dims[2]! + y * dims[2]! + x]! * 255);

interface LetterboxCase {
  original_hw: [number, number];
  target_hw: [number, number];
  flags: { auto: boolean; scaleup: boolean; center: boolean };
  expected: { resized_wh: [number, number]; pad_left: number; pad_top: number; pad_right: number; pad_bottom: number; output_hw: [number, number] };
}
const cases = (JSON.parse(readFileSync(join(goldenDir, 'letterbox_derived.json'), 'utf8')) as { cases: LetterboxCase[] }).cases.filter(
  (c) => !c.flags.auto && c.flags.scaleup && c.flags.center,
);

describe('SharpPreprocessor letterbox (golden cases end to end through sharp)', () => {
  it('covers the golden cases with the predict flags', () => expect(cases.length).toBeGreaterThanOrEqual(8));

  it.each(cases.flatMap((c) => ([1, 3] as const).map((ch) => [`${c.original_hw.join('x')} -> ${c.target_hw.join('x')}, ${ch} channel(s)`, c, ch] as const)))('%s: size and pad placement', async (_, c, channels) => {
    const [h0, w0] = c.original_hw;
    const [H, W] = c.target_hw;
    const png = await sharp({ create: { width: w0, height: h0, channels: 3, background: { r: 200, g: 200, b: 200 } } }).png().toBuffer();
    const p = await prep.prepare(png, input(W, H, channels));
    const e = c.expected;
    expect(p.dims).toEqual([channels, ...e.output_hw]);
    expect([p.width, p.height]).toEqual([w0, h0]);
    expect(p.placement).toMatchObject({ padLeft: e.pad_left, padTop: e.pad_top });
    const [rw, rh] = e.resized_wh;
    const midY = e.pad_top + Math.floor(rh / 2);
    const midX = e.pad_left + Math.floor(rw / 2);
    // Content starts exactly at the pad and ends exactly before the far pad, on every channel.
    for (let ch = 0; ch < channels; ch++) {
      expect(at(p.data, p.dims, ch, midY, e.pad_left)).toBe(200);
      expect(at(p.data, p.dims, ch, midY, e.pad_left + rw - 1)).toBe(200);
      expect(at(p.data, p.dims, ch, e.pad_top, midX)).toBe(200);
      expect(at(p.data, p.dims, ch, e.pad_top + rh - 1, midX)).toBe(200);
      if (e.pad_left > 0) expect(at(p.data, p.dims, ch, midY, e.pad_left - 1)).toBe(114);
      if (e.pad_right > 0) expect(at(p.data, p.dims, ch, midY, e.pad_left + rw)).toBe(114);
      if (e.pad_top > 0) expect(at(p.data, p.dims, ch, e.pad_top - 1, midX)).toBe(114);
      if (e.pad_bottom > 0) expect(at(p.data, p.dims, ch, e.pad_top + rh, midX)).toBe(114);
    }
  });
});

describe('SharpPreprocessor decoding', () => {
  it.each(['jpeg', 'png', 'webp', 'tiff'] as const)('reads %s from a path and from a Buffer', async (format) => {
    const bytes = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 100, g: 100, b: 100 } } })
      .toFormat(format)
      .toBuffer();
    const path = join(dir, `grey.${format}`);
    writeFileSync(path, bytes);
    for (const source of [path, bytes]) {
      const p = await prep.prepare(source, input(64, 64));
      expect([p.width, p.height]).toEqual([64, 48]);
      expect(Math.abs(at(p.data, p.dims, 1, 32, 32) - 100)).toBeLessThanOrEqual(2);
    }
  });

  it('turns 1-channel images into RGB planes and RGB into greyscale, dropping alpha', async () => {
    const grey = await sharp(Buffer.alloc(16 * 16, 90), { raw: { width: 16, height: 16, channels: 1 } }).png().toBuffer();
    const asRgb = await prep.prepare(grey, input(16, 16, 3));
    expect([0, 1, 2].map((c) => at(asRgb.data, asRgb.dims, c, 5, 5))).toEqual([90, 90, 90]);
    const rgba = await sharp({ create: { width: 16, height: 16, channels: 4, background: { r: 50, g: 50, b: 50, alpha: 0.2 } } }).png().toBuffer();
    const fromRgba = await prep.prepare(rgba, input(16, 16, 3));
    expect(fromRgba.dims).toEqual([3, 16, 16]);
    expect(at(fromRgba.data, fromRgba.dims, 0, 3, 3)).toBe(50);
    const asGrey = await prep.prepare(rgba, input(16, 16, 1));
    expect(asGrey.dims).toEqual([1, 16, 16]);
    expect(Math.abs(at(asGrey.data, asGrey.dims, 0, 3, 3) - 50)).toBeLessThanOrEqual(1);
  });

  it('scales 16-bit images to 8-bit levels', async () => {
    const raw16 = new Uint16Array(8 * 8).fill(32896); // 128.5 * 256: level 128 in 8 bits
    const png16 = await sharp(Buffer.from(raw16.buffer), { raw: { width: 8, height: 8, channels: 1, depth: 'ushort' } as CreateRaw }).toColourspace('grey16').png().toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const p = await prep.prepare(png16, input(8, 8, 1));
    expect(at(p.data, p.dims, 0, 4, 4)).toBe(128);
  });

  it('applies the EXIF orientation before letterboxing', async () => {
    // 40 wide x 20 high: left half black, right half white; orientation 6 shows it rotated 90° clockwise.
    const pixels = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++) for (let x = 20; x < 40; x++) pixels.fill(255, (y * 40 + x) * 3, (y * 40 + x) * 3 + 3);
    const jpeg = await sharp(pixels, { raw: { width: 40, height: 20, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const p = await prep.prepare(jpeg, input(40, 40, 1));
    expect([p.width, p.height]).toEqual([20, 40]);
    // Rotated clockwise, the left (black) half is on top.
    const x = (p.placement?.padLeft ?? 0) + 10;
    expect(at(p.data, p.dims, 0, 5, x)).toBeLessThan(30);
    expect(at(p.data, p.dims, 0, 35, x)).toBeGreaterThan(225);
  });

  it('applies mean and std after scale', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 255, g: 0, b: 51 } } }).png().toBuffer();
    const p = await prep.prepare(png, input(4, 4, 3, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.25, 0.2] }));
    expect(p.data[0]).toBeCloseTo(1, 6);
    expect(p.data[16]).toBeCloseTo(-2, 6);
    expect(p.data[32]).toBeCloseTo(-1.5, 5);
  });

  it('feeds the image at its own size for resize "none"', async () => {
    const png = await sharp({ create: { width: 30, height: 10, channels: 3, background: '#000' } }).png().toBuffer();
    const p = await prep.prepare(png, input(640, 640, 3, { resize: 'none', batchAxis: false }));
    expect(p.dims).toEqual([3, 10, 30]);
    expect(p.placement).toBeNull();
  });
});

describe('SharpPreprocessor bad input', () => {
  const expectError = async (source: string | Uint8Array, code: string, name: RegExp, limit?: number) => {
    const p = limit ? new SharpPreprocessor({ maxPixels: limit }) : prep;
    await expect(p.prepare(source, input(64, 64))).rejects.toMatchObject({ code, message: expect.stringMatching(name), details: { file: expect.stringMatching(name) } });
  };

  it('names a zero-byte file', async () => {
    const path = join(dir, 'empty.jpg');
    writeFileSync(path, '');
    await expectError(path, 'IMAGE_DECODE', /empty\.jpg/);
    await expectError(new Uint8Array(0), 'IMAGE_DECODE', /buffer 0 bytes/);
  });

  it('names a file that is not an image', async () => {
    const path = join(dir, 'notes.png');
    writeFileSync(path, 'these are not pixels');
    await expectError(path, 'IMAGE_DECODE', /notes\.png/);
  });

  it('names a corrupt (truncated) JPEG', async () => {
    const jpeg = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const path = join(dir, 'truncated.jpg');
    writeFileSync(path, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    await expectError(path, 'IMAGE_DECODE', /truncated\.jpg/);
  });

  it('names a missing file', async () => {
    await expectError(join(dir, 'nope.jpg'), 'IMAGE_NOT_FOUND', /nope\.jpg/);
  });

  it('names a folder given as an image', async () => {
    const folder = join(dir, 'boards.jpg');
    mkdirSync(folder, { recursive: true });
    await expectError(folder, 'IMAGE_DECODE', /boards\.jpg/);
  });

  it('refuses an image over the pixel limit', async () => {
    const path = join(dir, 'huge.png');
    writeFileSync(path, await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#000' } }).png().toBuffer());
    await expectError(path, 'IMAGE_TOO_LARGE', /huge\.png/, 5_000_000);
  });
});
