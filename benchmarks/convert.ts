// DeepPCB trainval -> YOLO conversion wall time (median of 5), against a raw copy of the same files as the baseline.
//   npx tsx benchmarks/convert.ts            (DEEPPCB_DIR overrides where DeepPCB is read from)
// Prints a table and rewrites the "Convert" section of benchmarks/README.md (other sections are left alone).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { convertDataset } from '@defectkit/annotations/node';
import { deeppcbDir } from '../test/support/paths.js';

const RUNS = 5;

async function timeRuns(run: (out: string) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'dk-bench-convert-'));
    const start = performance.now();
    await run(join(dir, 'out'));
    times.push(performance.now() - start);
    await rm(dir, { recursive: true, force: true });
  }
  return times;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const cases: { name: string; run: (out: string) => Promise<unknown> }[] = [
  { name: 'baseline: raw copy of PCBData (fs.cp)', run: (out) => cp(join(deeppcbDir, 'PCBData'), out, { recursive: true }) },
  { name: 'convert deeppcb -> yolo, split 0.9/0.1, images linked', run: (output) => convertDataset({ from: 'deeppcb', to: 'yolo', input: deeppcbDir, output, split: { train: 0.9, val: 0.1 }, seed: 0 }) },
  { name: 'convert deeppcb -> yolo, split 0.9/0.1, images copied', run: (output) => convertDataset({ from: 'deeppcb', to: 'yolo', input: deeppcbDir, output, split: { train: 0.9, val: 0.1 }, seed: 0, images: 'copy' }) },
];

const loadBefore = loadavg()[0]!;
const rows: { name: string; median: number; min: number; max: number }[] = [];
for (const c of cases) {
  const times = await timeRuns(c.run);
  rows.push({ name: c.name, median: median(times), min: Math.min(...times), max: Math.max(...times) });
}
const base = rows[0]!.median;
const header = `| case | median ms | min ms | max ms | × baseline |\n| --- | ---: | ---: | ---: | ---: |`;
const table = [header, ...rows.map((r) => `| ${r.name} | ${r.median.toFixed(0)} | ${r.min.toFixed(0)} | ${r.max.toFixed(0)} | ${(r.median / base).toFixed(2)} |`)].join('\n');
// The machine may be shared: the load average says how busy it was, which explains noisy figures.
const machine = `${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, 1-min load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after`;
const section = [
  '## Convert',
  '',
  `DeepPCB trainval (1,000 image pairs, 6,873 boxes) converted to YOLO in-process with \`convertDataset\`, median of ${RUNS} runs`,
  `each into a fresh temporary folder (read, validate, stratified split, write, atomic rename). Baseline: copying the raw`,
  `\`PCBData\` folder with \`fs.cp\` in the same run. Measured ${new Date().toISOString().slice(0, 10)} on ${machine};`,
  'run it again with `npx tsx benchmarks/convert.ts`.',
  '',
  table,
  '',
].join('\n');
console.log(table);

const readme = resolve(import.meta.dirname, 'README.md');
let text = await readFile(readme, 'utf8').catch(() => '# Benchmarks\n\nEach section is written by its benchmark script in this folder.\n\n');
const start = text.indexOf('## Convert');
if (start >= 0) {
  const next = text.indexOf('\n## ', start + 1);
  text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : '');
} else text = `${text.trimEnd()}\n\n${section}`;
const temp = `${readme}.tmp-${process.pid}`;
await writeFile(temp, text);
await (await import('node:fs/promises')).rename(temp, readme);
console.log(`wrote the Convert section of ${readme}`);
