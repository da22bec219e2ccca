// RSS soak of the detector: growth of the resident set between detection 100 and detection 1 100 on a tiny model.
//   npx tsx benchmarks/detector-memory.ts
// A measurement, not a test (RSS depends on the allocator, the GC's timing and the machine's load); the test that
// nothing is retained is test/detector-memory.test.ts (weak references after forced collections).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadDetector } from '@defectkit/backend-node';
import { makeTinyModel } from '../packages/backend-node/test-fixtures/tiny-model.js';
import { systemPython } from '../test/support/paths.js';

const WARMUP = 100;
const RUNS = 1000;
const work = mkdtempSync(join(tmpdir(), 'dk-bench-memory-'));
try {
  const detector = await loadDetector(makeTinyModel(join(work, 'model'), systemPython, { size: 64 }));
  const pixels = Buffer.alloc(256 * 256, 20);
  for (let r = 40; r < 90; r++) pixels.fill(240, r * 256 + 30, r * 256 + 80);
  const image = await sharp(pixels, { raw: { width: 256, height: 256, channels: 1 } }).jpeg().toBuffer();
  for (let i = 0; i < WARMUP; i++) await detector.detect(image);
  const before = process.memoryUsage().rss;
  let peak = before;
  for (let i = 0; i < RUNS; i++) {
    await detector.detect(image);
    if (i % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const after = process.memoryUsage().rss;
  await detector.dispose();
  const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
  console.log(
    `detector memory: RSS ${mb(before)} MB after ${WARMUP} warm-up detections, ${mb(after)} MB after ${RUNS} more (peak ${mb(peak)} MB, growth ${mb(Math.max(after, peak) - before)} MB); ` +
      `Node ${process.version}, 1-min load average ${loadavg()[0]!.toFixed(1)}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
