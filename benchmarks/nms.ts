/**
 * NMS benchmark: our `nms` / `batchedNms` against torchvision.ops (Debian's /usr/bin/python3, CPU kernel) on the
 * identical float32 inputs, n = 1 000, 5 000 and 30 000 boxes. Each side reports the median of several runs after a
 * warm-up; the ratio per size comes from this one run. Also checks that the kept indices are identical.
 *
 * Run: npx tsx benchmarks/nms.ts   (DEFECTKIT_PYTHON overrides the interpreter)
 * Prints a table and rewrites the "NMS" section of benchmarks/README.md (other sections are left alone).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchedNms, nms } from '../packages/postprocess/src/index.js';
import { seededRandom } from '../packages/annotations/src/index.js';
import { systemPython } from '../test/support/paths.js';

const SIZES = [1000, 5000, 30000];
const IOU = 0.5;
const CLASSES = 20;

/** YOLO-like candidates: ~20 jittered boxes around each object in a 640×640 image, random classes and scores. */
function makeInputs(n: number, seed: number): { boxes: Float32Array; scores: Float32Array; classes: Int32Array } {
  const rnd = seededRandom(seed);
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

/**
 * "identical", or "same set, ties reordered" when only boxes of equal score swap places (torchvision's batched_nms
 * merges its per-class results with a non-stable sort for n > 1000), or "DIFFERENT".
 */
function agreement(ours: number[], theirs: number[], scores: Float32Array): string {
  if (JSON.stringify(ours) === JSON.stringify(theirs)) return 'identical';
  const sameSet = ours.length === theirs.length && [...ours].sort((a, b) => a - b).join() === [...theirs].sort((a, b) => a - b).join();
  const sameScores = ours.every((i, k) => scores[i] === scores[theirs[k]!]);
  return sameSet && sameScores ? 'same set, equal-score ties reordered' : 'DIFFERENT';
}

/** [median, min] seconds over `repeats` runs after 20 warm-up runs (steady state: the JIT has optimised the code). */
function timings(fn: () => unknown, repeats: number): [number, number] {
  for (let w = 0; w < 20; w++) fn();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return [times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2, times[0]!];
}

const dir = mkdtempSync(join(tmpdir(), 'defectkit-nms-bench-'));
const helper = join(fileURLToPath(new URL('.', import.meta.url)), 'nms_torchvision.py');
const rows: string[] = [];
const loadBefore = loadavg()[0]!;
let versions = '';
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
    const tv = JSON.parse(py.stdout) as { nms_s: [number, number]; batched_nms_s: [number, number]; keep: number[]; keep_batched: number[]; torch: string; torchvision: string };
    const keep = Array.from(nms(boxes, scores, IOU));
    const keepBatched = Array.from(batchedNms(boxes, scores, classes, IOU));
    const same = agreement(keep, tv.keep, scores);
    const sameBatched = agreement(keepBatched, tv.keep_batched, scores);
    const oursNms = timings(() => nms(boxes, scores, IOU), repeats);
    const oursBatched = timings(() => batchedNms(boxes, scores, classes, IOU), repeats);
    const ms = (s: number) => (s * 1000).toFixed(3);
    const row = (op: string, ours: [number, number], theirs: [number, number], kept: number, check: string) =>
      `| ${n} | ${op} | ${ms(ours[0])} | ${ms(theirs[0])} | ${(ours[0] / theirs[0]).toFixed(2)} | ${ms(ours[1])} | ${ms(theirs[1])} | ${(ours[1] / theirs[1]).toFixed(2)} | ${kept} | ${check} |`;
    rows.push(row('nms', oursNms, tv.nms_s, keep.length, same), row('batchedNms', oursBatched, tv.batched_nms_s, keepBatched.length, sameBatched));
    versions = `torch ${tv.torch} / torchvision ${tv.torchvision} (CPU, 1 thread)`;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const table = [
  '| n | op | ours median ms | torchvision median ms | ratio (median) | ours min ms | torchvision min ms | ratio (min) | kept | kept indices vs torchvision |',
  '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ...rows,
].join('\n');
console.log(table);
// The machine may be shared: the load average says how busy it was, which explains noisy figures.
const machine = `${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${versions}, 1-min load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after`;
const section = [
  '## NMS',
  '',
  `\`nms\` / \`batchedNms\` from @defectkit/postprocess against \`torchvision.ops.nms\` / \`batched_nms\` on identical float32`,
  `inputs: YOLO-like candidates (about 20 jittered boxes per object in a 640×640 image, random scores, ${CLASSES} classes),`,
  `IoU ${IOU}. Each side: median and minimum of 25 runs (9 for n = 30 000) after 20 warm-up runs (steady state, as in a detector processing many images), in one run of the script;`,
  'ratios are ours / torchvision (below 1 = faster). On a shared, loaded machine the minimum is the steadier figure.',
  'The last column checks the kept indices: torchvision\'s batched_nms merges its',
  'per-class results with a non-stable sort for n > 1000, so only boxes of equal score may swap places.',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; run it again with \`npx tsx benchmarks/nms.ts\`.`,
  '',
  table,
  '',
].join('\n');
const readme = join(fileURLToPath(new URL('.', import.meta.url)), 'README.md');
let text: string;
try {
  text = readFileSync(readme, 'utf8');
} catch {
  text = '# Benchmarks\n\nEach section is written by its benchmark script in this folder.\n\n';
}
const start = text.indexOf('## NMS');
if (start >= 0) {
  const next = text.indexOf('\n## ', start + 1);
  text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : '');
} else text = `${text.trimEnd()}\n\n${section}`;
const temp = `${readme}.tmp-${process.pid}`;
writeFileSync(temp, text);
renameSync(temp, readme);
console.log(`wrote the NMS section of ${readme}`);
