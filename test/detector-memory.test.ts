// 1 000 consecutive detections must not leak: native tensors (onnxruntime) and sharp buffers are released.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, expect, it } from 'vitest';
import { loadDetector } from '@defectkit/backend-node';
import { makeTinyModel } from '../packages/backend-node/test-fixtures/tiny-model.js';
import { systemPython } from './support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'dk-memory-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The bound on RSS growth between detection 100 and detection 1 100 (a leak of one input tensor per run would be 16 MB; one decoded 256x256 image per run, 64 MB). */
const RSS_GROWTH_LIMIT_MB = 24;

it(`keeps RSS within ${RSS_GROWTH_LIMIT_MB} MB over 1 000 consecutive detections`, async () => {
  const detector = await loadDetector(makeTinyModel(join(work, 'model'), systemPython, { size: 64 }));
  const pixels = Buffer.alloc(256 * 256, 20);
  for (let r = 40; r < 90; r++) pixels.fill(240, r * 256 + 30, r * 256 + 80);
  const image = await sharp(pixels, { raw: { width: 256, height: 256, channels: 1 } }).jpeg().toBuffer();
  let detections = 0;
  for (let i = 0; i < 100; i++) detections += (await detector.detect(image)).detections.length;
  const before = process.memoryUsage().rss;
  let peak = before;
  for (let i = 0; i < 1000; i++) {
    detections += (await detector.detect(image)).detections.length;
    if (i % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const after = process.memoryUsage().rss;
  await detector.dispose();
  const growthMb = (Math.max(after, peak) - before) / 2 ** 20;
  expect(detections).toBeGreaterThan(1100); // every run really detected something
  expect(growthMb).toBeLessThan(RSS_GROWTH_LIMIT_MB);
});
