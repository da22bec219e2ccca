/**
 * NMS benchmark: our `nms` / `batchedNms` against torchvision.ops (Debian's /usr/bin/python3, CPU kernel) on the
 * identical float32 inputs, n = 1 000, 5 000 and 30 000 boxes. Each side reports the median of several runs after a
 * warm-up; the ratio per size comes from this one run. Also checks that the kept indices are identical.
 *
 * Run: npx tsx benchmarks/nms.ts   (DEFECTKIT_PYTHON overrides the interpreter)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchedNms, nms } from '../packages/postprocess/src/index.js';
import { systemPython } from '../test/support/paths.js';

const SIZES = [1000, 5000, 30000];
const IOU = 0.5;
const CLASSES = 20;

/** Deterministic 32-bit generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** YOLO-like candidates: ~20 jittered boxes around each object in a 640×640 image, random classes and scores. */
function makeInputs(n: number, seed: number): { boxes: Float32Array; scores: Float32Array; classes: Int32Array } {
  const rnd = random(seed);
  const boxes = new Float32Array(n * 4);
  const scores = new Float32Array(n);
  const classes = new Int32Array(n);
  const objects = Math.max(1, Math.round(n / 20));
  const centres = Array.from({ length: objects }, () => [rnd() * 640, rnd() * 640, 10 + rnd() * 150, 10 + rnd() * 150, Math.floor(rnd() * CLASSES)]);
  for (let i = 0; i < n; i++) {
    const [cx, cy, w, h, c] = centres[Math.floor(rnd() * objects)]!;
    const jx = (rnd() - 0.5) * 0.3 * w!;
    const jy = (rnd() - 0.5) * 0.3 * h!;
    const sw = w! * (0.8 + rnd() * 0.4);
    const sh = h! * (0.8 + rnd() * 0.4);
    boxes.set([cx! + jx - sw / 2, cy! + jy - sh / 2, cx! + jx + sw / 2, cy! + jy + sh / 2], i * 4);
    scores[i] = rnd();
    classes[i] = rnd() < 0.8 ? c! : Math.floor(rnd() * CLASSES);
  }
  return { boxes, scores, classes };
}

function medianSeconds(fn: () => unknown, repeats: number): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
}

const dir = mkdtempSync(join(tmpdir(), 'defectkit-nms-bench-'));
const helper = join(fileURLToPath(new URL('.', import.meta.url)), 'nms_torchvision.py');
const rows: string[] = [];
try {
  for (const n of SIZES) {
    const repeats = n >= 30000 ? 9 : 25;
    const { boxes, scores, classes } = makeInputs(n, n);
    const file = join(dir, `n${n}.bin`);
    const bytes = new Uint8Array(n * 24);
    bytes.set(new Uint8Array(boxes.buffer), 0);
    bytes.set(new Uint8Array(scores.buffer), n * 16);
    bytes.set(new Uint8Array(classes.buffer), n * 20);
    writeFileSync(file, bytes);
    const py = spawnSync(systemPython, [helper, file, String(n), String(IOU), String(repeats)], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (py.status !== 0) throw new Error(`torchvision helper failed: ${py.stderr}`);
    const tv = JSON.parse(py.stdout) as { nms_s: number; batched_nms_s: number; keep: number[]; keep_batched: number[]; torchvision: string };
    const keep = Array.from(nms(boxes, scores, IOU));
    const keepBatched = Array.from(batchedNms(boxes, scores, classes, IOU));
    const same = JSON.stringify(keep) === JSON.stringify(tv.keep);
    const sameBatched = JSON.stringify(keepBatched) === JSON.stringify(tv.keep_batched);
    const oursNms = medianSeconds(() => nms(boxes, scores, IOU), repeats);
    const oursBatched = medianSeconds(() => batchedNms(boxes, scores, classes, IOU), repeats);
    const ms = (s: number) => (s * 1000).toFixed(3);
    rows.push(
      `| ${n} | nms | ${ms(oursNms)} | ${ms(tv.nms_s)} | ${(oursNms / tv.nms_s).toFixed(2)} | ${keep.length} | ${same ? 'yes' : 'NO'} |`,
      `| ${n} | batchedNms | ${ms(oursBatched)} | ${ms(tv.batched_nms_s)} | ${(oursBatched / tv.batched_nms_s).toFixed(2)} | ${keepBatched.length} | ${sameBatched ? 'yes' : 'NO'} |`,
    );
    if (n === SIZES[0]) console.log(`torchvision ${tv.torchvision}, node ${process.version}, IoU ${IOU}, ${CLASSES} classes, median of ${repeats}/${9} runs`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('| n | op | ours (ms) | torchvision (ms) | ours / torchvision | kept | same indices |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
