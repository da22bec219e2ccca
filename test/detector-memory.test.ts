// Consecutive detections must not retain anything: every input buffer and every result becomes garbage once the
// caller drops it. Checked with weak references after forced garbage collections, which is exact, instead of an RSS
// threshold, which depends on the allocator, the GC's timing and the machine's load (the RSS soak is
// benchmarks/detector-memory.ts).
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import sharp from 'sharp';
import { expect, it } from 'vitest';
import { loadDetector } from '@defectkit/backend-node';
import { makeTinyModel } from '../packages/backend-node/test-fixtures/tiny-model.js';
import { systemPython } from './support/paths.js';
import { scratchFolder } from './support/scratch-folder.js';

const work = scratchFolder('dk-memory-');

// `gc()` without starting the test process with --expose-gc: a fresh context picks up the flag.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const RUNS = 300;

/** Runs the detections in a frame of its own, so nothing but the weak references outlives it. */
async function detectMany(detector: Awaited<ReturnType<typeof loadDetector>>, image: Buffer): Promise<{ refs: WeakRef<object>[]; detections: number }> {
  const refs: WeakRef<object>[] = [];
  let detections = 0;
  for (let i = 0; i < RUNS; i++) {
    const input = Buffer.from(image); // a fresh buffer per run, so a detector keeping its inputs would show
    const result = await detector.detect(input);
    detections += result.detections.length;
    refs.push(new WeakRef(input), new WeakRef(result), new WeakRef(result.detections));
  }
  return { refs, detections };
}

it(`retains no input and no result over ${RUNS} consecutive detections`, async () => {
  const detector = await loadDetector(makeTinyModel(join(work, 'model'), systemPython, { size: 64 }));
  const pixels = Buffer.alloc(256 * 256, 20);
  for (let r = 40; r < 90; r++) pixels.fill(240, r * 256 + 30, r * 256 + 80);
  const image = await sharp(pixels, { raw: { width: 256, height: 256, channels: 1 } }).jpeg().toBuffer();
  const { refs, detections } = await detectMany(detector, image);
  // WeakRef targets stay alive until the current job ends: yield between collections.
  for (let round = 0; round < 4; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  const alive = refs.flatMap((ref, i) => (ref.deref() === undefined ? [] : [i]));
  await detector.dispose();
  expect(detections).toBeGreaterThan(RUNS); // every run really detected something
  expect(alive).toEqual([]);
});
