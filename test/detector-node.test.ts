import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDetector, type NodeDetector } from '@defectkit/backend-node';
import { makeTinyModel } from '../packages/backend-node/test-fixtures/tiny-model.js';
import { systemPython } from './support/paths.js';
import { scratchFolder } from './support/scratch-folder.js';

const work = scratchFolder('dk-detector-');

/** A dark `width × height` grey PNG with a bright square at (x, y). */
async function board(width: number, height: number, x: number, y: number, side = 16): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height, 10);
  for (let r = y; r < y + side; r++) pixels.fill(250, r * width + x, r * width + x + side);
  return sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

let dynamicDir: string;
let staticDir: string;
beforeAll(() => {
  dynamicDir = makeTinyModel(join(work, 'dynamic'), systemPython);
  staticDir = makeTinyModel(join(work, 'static'), systemPython, { staticBatch: true });
});

describe('Detector on a tiny ONNX model (onnxruntime-node + sharp)', () => {
  let detector: NodeDetector;
  beforeAll(async () => {
    detector = await loadDetector(dynamicDir, { device: 'cpu' });
  });
  afterAll(async () => detector?.dispose());

  it('reads the card and sees the dynamic batch axis', () => {
    expect(detector.spec.source).toBe('card');
    expect(detector.spec.dynamicBatch).toBe(true);
    expect(detector.backend.info?.provider).toBe('cpu');
  });

  it('finds the bright square in original-image pixels through the letterbox', async () => {
    // 128x64 into a 64x64 input: gain 0.5, 16 px of padding on top and bottom.
    const result = await detector.detect(await board(128, 64, 64, 16, 32), { conf: 0.5 });
    expect([result.width, result.height]).toEqual([128, 64]);
    expect(result.detections.length).toBeGreaterThan(0);
    for (const d of result.detections) {
      const cx = (d.x1 + d.x2) / 2;
      const cy = (d.y1 + d.y2) / 2;
      expect(cx).toBeGreaterThanOrEqual(64);
      expect(cx).toBeLessThanOrEqual(96);
      expect(cy).toBeGreaterThanOrEqual(16);
      expect(cy).toBeLessThanOrEqual(48);
      expect(d.label).toBe(`c${d.classId}`);
    }
    for (const key of ['decode', 'preprocess', 'inference', 'postprocess'] as const) expect(result.timings[key]).toBeGreaterThanOrEqual(0);
  });

  it('detectBatch runs one real batch and agrees with detect to 1e-4', async () => {
    const images = await Promise.all([board(64, 64, 8, 8), board(64, 64, 40, 24), board(100, 60, 20, 30), board(64, 64, 0, 48)]);
    const single = await Promise.all(images.map((image) => detector.detect(image)));
    const run = vi.spyOn(detector.backend, 'run');
    const batch = await detector.detectBatch(images);
    expect(run).toHaveBeenCalledTimes(1);
    expect(run.mock.calls[0]![0].images!.dims).toEqual([4, 1, 64, 64]);
    run.mockRestore();
    batch.forEach((outcome, i) => {
      expect(outcome.ok).toBe(true);
      if (!outcome.ok) return;
      const a = single[i]!.detections;
      const b = outcome.result.detections;
      expect(b.length).toBe(a.length);
      b.forEach((d, k) => {
        for (const key of ['x1', 'y1', 'x2', 'y2', 'score'] as const) expect(Math.abs(d[key] - a[k]![key])).toBeLessThanOrEqual(1e-4);
        expect(d.classId).toBe(a[k]!.classId);
      });
    });
  });

  it('keeps processing a batch past bad images and reports each failure with its code and file', async () => {
    const good = join(work, 'good.png');
    writeFileSync(good, await board(64, 64, 8, 8));
    const corrupt = join(work, 'corrupt.jpg');
    const jpeg = await sharp(await board(64, 64, 8, 8)).jpeg().toBuffer();
    writeFileSync(corrupt, jpeg.subarray(0, jpeg.length >> 1));
    const empty = join(work, 'empty.png');
    writeFileSync(empty, '');
    const text = join(work, 'readme.png');
    writeFileSync(text, 'not an image');
    const huge = join(work, 'huge.png');
    writeFileSync(huge, await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#000' } }).png().toBuffer());
    const limited = await loadDetector(dynamicDir, { maxPixels: 1_000_000 });
    const events: string[] = [];
    limited.on('start', (e) => events.push(`start ${e.total}`));
    limited.on('image', (e) => events.push(`${e.index} ${e.error ? e.error.code : 'ok'}`));
    limited.on('done', (e) => events.push(`done ${e.images} ${e.failed}`));
    const outcomes = await limited.detectBatch([good, corrupt, empty, text, huge, good]);
    await limited.dispose();
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual(['ok', 'IMAGE_DECODE', 'IMAGE_DECODE', 'IMAGE_DECODE', 'IMAGE_TOO_LARGE', 'ok']);
    outcomes.forEach((o) => !o.ok && expect(o.error.details.file).toBe(o.image));
    expect(events).toEqual(['start 6', '0 ok', '1 IMAGE_DECODE', '2 IMAGE_DECODE', '3 IMAGE_DECODE', '4 IMAGE_TOO_LARGE', '5 ok', 'done 6 4']);
  });

  it('detectAll streams outcomes in input order with concurrency and batches', async () => {
    const paths: string[] = [];
    for (let i = 0; i < 7; i++) {
      const path = join(work, `stream-${i}.png`);
      writeFileSync(path, await board(64, 64, (i * 7) % 48, (i * 5) % 48));
      paths.push(path);
    }
    paths.splice(3, 0, join(work, 'missing.png'));
    for (const options of [{ concurrency: 3 }, { concurrency: 2, batchSize: 3 }]) {
      const seen: string[] = [];
      for await (const outcome of detector.detectAll(paths, options)) seen.push(outcome.ok ? outcome.image : `fail ${outcome.error.code}`);
      expect(seen).toEqual(paths.map((p) => (p.endsWith('missing.png') ? 'fail IMAGE_NOT_FOUND' : p)));
    }
  });
});

describe('Detector model checks', () => {
  it('runs a static-batch model image by image', async () => {
    const detector = await loadDetector(staticDir);
    expect(detector.spec.dynamicBatch).toBe(false);
    const run = vi.spyOn(detector.backend, 'run');
    const outcomes = await detector.detectBatch([await board(64, 64, 8, 8), await board(64, 64, 30, 30)]);
    expect(run).toHaveBeenCalledTimes(2);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    await detector.dispose();
  });

  it('refuses a class-count mismatch between the model and its card', async () => {
    const dir = makeTinyModel(join(work, 'mismatch'), systemPython, { cardClasses: ['a', 'b', 'c', 'd', 'e'] });
    await expect(loadDetector(dir)).rejects.toMatchObject({ code: 'MODEL_CLASS_COUNT', details: { modelClasses: 6, specClasses: 5, source: 'card' } });
  });

  it('refuses a model with an unexpected output shape', async () => {
    const dir = makeTinyModel(join(work, 'rank2'), systemPython, { shape: 'rank2' });
    await expect(loadDetector(dir)).rejects.toMatchObject({ code: 'MODEL_OUTPUT_SHAPE', message: expect.stringMatching(/output0/) });
  });

  it('reads a torchvision-style graph fed at the image size (int64 labels, 1-based)', async () => {
    const detector = await loadDetector(makeTinyModel(join(work, 'rcnn'), systemPython, { shape: 'rcnn', channels: 3, classes: 2 }), { conf: 0.5 });
    expect([detector.spec.layout, detector.spec.input.resize, detector.spec.dynamicBatch]).toEqual(['torchvision-rcnn', 'none', false]);
    const result = await detector.detect(await board(72, 40, 16, 8, 16));
    expect([result.width, result.height]).toEqual([72, 40]);
    // The bright 16x16 square covers cells (16..32, 8..24): four cells, brightness ~0.98 → label 2 → class 1.
    expect(result.detections.map((d) => [d.x1, d.y1, d.x2, d.y2, d.classId, d.label])).toEqual([
      [16, 8, 24, 16, 1, 'c1'],
      [24, 8, 32, 16, 1, 'c1'],
      [16, 16, 24, 24, 1, 'c1'],
      [24, 16, 32, 24, 1, 'c1'],
    ]);
    await detector.dispose();
  });

  it('refuses a missing model with its path', async () => {
    await expect(loadDetector(join(work, 'no-such-model'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});
