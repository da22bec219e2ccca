// Detection latency per stage, CPU and CUDA, batch 1 and 8, and folder throughput against the bare model:
//   npx tsx benchmarks/latency.ts [--model models/pcb-defects] [--images <dir>] [--runs 40] [--warmup 5] [--folder-rounds 3] [--out benchmarks/results/latency.json]
// Folder throughput: `detectAll` over the images (decode, preprocess, run, decode outputs; in-process, with worker
// threads, and with one inference thread so a core is left for decoding) against a loop of bare backend runs (one
// `session.run` each, the same inference threads) on tensors prepared beforehand, interleaved in the same process,
// rounds alternating, so load on the machine hits both alike; ratio = bare time / folder time.
// Prints a table, writes the JSON and, for the shipped model (or with --readme), rewrites the "Latency" section of
// benchmarks/README.md (other sections are left alone). Images default to DeepPCB test images under DEEPPCB_DIR.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, hostname, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cudaMissingReason, defaultModelDir, expandImageInputs, loadDetector, type NodeDetector } from '@defectkit/backend-node';
import { writeFileAtomic } from '@defectkit/core/node';
import type { DefectKitError } from '@defectkit/core';
import type { DetectionTimings } from '@defectkit/detector';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    images: { type: 'string' },
    runs: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '5' },
    devices: { type: 'string', default: 'cpu,cuda' },
    batches: { type: 'string', default: '1,8' },
    out: { type: 'string', default: join('benchmarks', 'results', 'latency.json') },
    readme: { type: 'boolean', default: false },
    'folder-rounds': { type: 'string', default: '3' },
  },
});

const STAGES = ['decode', 'preprocess', 'inference', 'postprocess', 'total'] as const;
type Stage = (typeof STAGES)[number];
type Sample = Record<Stage, number>;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function summarise(samples: Sample[]): Record<Stage, { median: number; p90: number }> {
  const out = {} as Record<Stage, { median: number; p90: number }>;
  for (const stage of STAGES) {
    const sorted = samples.map((s) => s[stage]).sort((a, b) => a - b);
    out[stage] = { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
  }
  return out;
}

/** Per-image samples: stage timings from the detector, `total` = wall time of the call divided by the images in it. */
async function measure(detector: NodeDetector, images: string[], batch: number, runs: number, warmup: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  let cursor = 0;
  const next = (): string[] => Array.from({ length: batch }, () => images[cursor++ % images.length]!);
  for (let run = 0; run < warmup + runs; run++) {
    const chunk = next();
    const t0 = performance.now();
    let timings: DetectionTimings[];
    if (batch === 1) timings = [(await detector.detect(chunk[0]!)).timings];
    else {
      const outcomes = await detector.detectBatch(chunk);
      const failed = outcomes.find((o) => !o.ok) as { error: DefectKitError } | undefined;
      if (failed) throw failed.error;
      timings = outcomes.map((o) => (o.ok ? o.result.timings : (undefined as never)));
    }
    const total = (performance.now() - t0) / chunk.length;
    if (run < warmup) continue;
    for (const t of timings) samples.push({ ...t, total });
  }
  return samples;
}

const runs = Number(values.runs);
const warmup = Number(values.warmup);
const modelDir = resolve(values.model ?? defaultModelDir());
const deeppcb = resolve(process.env.DEEPPCB_DIR ?? resolve('..', 'shared', 'data', 'deeppcb'));
const images = values.images
  ? await expandImageInputs([values.images])
  : (await expandImageInputs([join(deeppcb, 'PCBData')])).filter((p) => p.endsWith('_test.jpg')).slice(0, 64);
if (images.length === 0) throw new Error(`no images found (give --images or set DEEPPCB_DIR; looked in ${deeppcb})`);

const card = (() => {
  try {
    return JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as { name?: string };
  } catch {
    return {};
  }
})();

interface Row {
  device: string;
  provider?: string;
  batch: number;
  realBatch?: boolean;
  unavailable?: string;
  images?: number;
  stats?: Record<Stage, { median: number; p90: number }>;
  overhead?: number;
}
const rows: Row[] = [];
const loadBefore = loadavg()[0]!;
for (const device of values.devices!.split(',') as ('cpu' | 'cuda')[]) {
  let detector: NodeDetector;
  try {
    detector = await loadDetector(modelDir, { device });
  } catch (error) {
    const reason = device === 'cuda' ? (cudaMissingReason() ?? (error as Error).message) : (error as Error).message;
    console.log(`${device}: unavailable: ${reason}`);
    for (const batch of values.batches!.split(',').map(Number)) rows.push({ device, batch, unavailable: reason });
    continue;
  }
  for (const batch of values.batches!.split(',').map(Number)) {
    const samples = await measure(detector, images, batch, runs, warmup);
    const stats = summarise(samples);
    const overhead = (stats.total.median - stats.inference.median) / stats.inference.median;
    rows.push({ device, provider: detector.backend.info!.provider, batch, realBatch: batch > 1 && detector.spec.dynamicBatch, images: samples.length, stats, overhead });
  }
  await detector.dispose();
}

/** Folder throughput: ms per image of detectAll (in-process and with worker threads) and of bare backend runs, rounds interleaved. */
interface FolderRow {
  /** `in-process`: one session on the main thread; `workers`: `loadDetector(..., { workers })`. */
  mode: 'in-process' | 'workers';
  workers: number;
  /** Intra-op threads of each session (0: onnxruntime's default, all cores). */
  threads: number;
  concurrency: number;
  folderMs: number;
  /** The baseline: a loop of bare `session.run` in-process on tensors prepared beforehand, with `bareThreads` intra-op threads (0: all cores). */
  bareMs: number;
  bareThreads: number;
  ratio: number;
}
const FOLDER_WORKERS = 2;
async function folderThroughput(rounds: number): Promise<{ rows: FolderRow[]; barePooledMs: number | undefined }> {
  const perWorker = Math.max(1, Math.floor(cpus().length / FOLDER_WORKERS));
  const detector = await loadDetector(modelDir, { device: 'cpu' });
  const single = await loadDetector(modelDir, { device: 'cpu', threads: 1 });
  const pooled = await loadDetector(modelDir, { device: 'cpu', workers: FOLDER_WORKERS, threads: perWorker });
  const pooledSingle = await loadDetector(modelDir, { device: 'cpu', workers: 1, threads: 1 });
  try {
    const { spec, preprocessor } = detector;
    if (spec.input.reference) return { rows: [], barePooledMs: undefined };
    const tensors = await Promise.all(images.map((i) => preprocessor.prepare(i, spec.input)));
    const feed = (t: (typeof tensors)[number]) => ({ [spec.input.name]: { type: 'float32' as const, data: t.data, dims: spec.input.batchAxis ? [1, ...t.dims] : [...t.dims] } });
    const bare = async (d: NodeDetector): Promise<number> => {
      const t0 = performance.now();
      for (const t of tensors) await d.backend.run(feed(t));
      return (performance.now() - t0) / tensors.length;
    };
    // The most the workers' sessions give on prepared tensors: one run in flight per worker.
    const barePooled = async (): Promise<number> => {
      const t0 = performance.now();
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < tensors.length) await pooled.backend.run(feed(tensors[next++]!));
      };
      await Promise.all(Array.from({ length: FOLDER_WORKERS }, lane));
      return (performance.now() - t0) / tensors.length;
    };
    const folder = async (d: NodeDetector, concurrency: number): Promise<number> => {
      const t0 = performance.now();
      for await (const o of d.detectAll(images, { concurrency, batchSize: 1 })) if (!o.ok) throw o.error;
      return (performance.now() - t0) / images.length;
    };
    // Each folder mode against the bare loop with the same inference threads. The last pair leaves a core free for
    // decoding (one inference thread), which shows what the pipeline costs when it does not compete for the cores.
    const modes = [
      { mode: 'in-process' as const, workers: 0, threads: 0, concurrency: 1, run: () => folder(detector, 1), bareThreads: 0, bare: () => bare(detector) },
      { mode: 'in-process' as const, workers: 0, threads: 0, concurrency: 2, run: () => folder(detector, 2), bareThreads: 0, bare: () => bare(detector) },
      { mode: 'workers' as const, workers: FOLDER_WORKERS, threads: perWorker, concurrency: 2 * FOLDER_WORKERS, run: () => folder(pooled, 2 * FOLDER_WORKERS), bareThreads: 0, bare: () => bare(detector) },
      { mode: 'workers' as const, workers: 1, threads: 1, concurrency: 2, run: () => folder(pooledSingle, 2), bareThreads: 1, bare: () => bare(single) },
    ];
    await barePooled(); // warm-up
    for (const m of modes) {
      await m.bare();
      await m.run();
    }
    const samples = modes.map(() => ({ folder: [] as number[], bare: [] as number[] }));
    const pooledSamples: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const [i, m] of modes.entries()) {
        samples[i]!.bare.push(await m.bare());
        samples[i]!.folder.push(await m.run());
      }
      pooledSamples.push(await barePooled());
    }
    const med = (v: number[]): number => quantile([...v].sort((a, b) => a - b), 0.5);
    return {
      rows: modes.map((m, i) => ({ mode: m.mode, workers: m.workers, threads: m.threads, concurrency: m.concurrency, folderMs: med(samples[i]!.folder), bareMs: med(samples[i]!.bare), bareThreads: m.bareThreads, ratio: med(samples[i]!.bare) / med(samples[i]!.folder) })),
      barePooledMs: med(pooledSamples),
    };
  } finally {
    for (const d of [detector, single, pooled, pooledSingle]) await d.dispose();
  }
}
const { rows: folderRows, barePooledMs } = values.devices!.split(',').includes('cpu') ? await folderThroughput(Number(values['folder-rounds'])) : { rows: [], barePooledMs: undefined };

const f = (n: number): string => n.toFixed(2).padStart(8);
console.log(`\nmodel ${card.name ?? modelDir}, ${images.length} distinct images, ${runs} runs after ${warmup} warm-up, ${cpus().length} CPU(s): ${cpus()[0]?.model ?? '?'}`);
console.log('ms per image, median / p90');
console.log(`${'device'.padEnd(7)}${'batch'.padStart(6)}${STAGES.map((s) => `${s.padStart(11)} med     p90`).join('')}   overhead`);
for (const r of rows) {
  if (r.unavailable) {
    console.log(`${r.device.padEnd(7)}${String(r.batch).padStart(6)}  unavailable: ${r.unavailable}`);
    continue;
  }
  console.log(`${r.device.padEnd(7)}${`${r.batch}${r.batch > 1 && !r.realBatch ? 's' : ''}`.padStart(6)}${STAGES.map((s) => `${f(r.stats![s].median)}${f(r.stats![s].p90)}`).join('')}   ${(r.overhead! * 100).toFixed(1)}%`);
}
console.log('overhead = (total - inference) / inference on the medians; batch "8s" = sequential (fixed batch axis)');
const threadsLabel = (r: FolderRow): string => (r.threads === 0 ? 'all cores' : `${r.threads} inference thread${r.threads === 1 ? '' : 's'}${r.workers > 1 ? ' each' : ''}`);
const folderLabel = (r: FolderRow): string =>
  `${r.mode === 'workers' ? `${r.workers} worker thread${r.workers === 1 ? '' : 's'}` : 'in-process'}, ${threadsLabel(r)}, concurrency ${r.concurrency}`;
for (const r of folderRows)
  console.log(`folder (detectAll, ${folderLabel(r)}): ${r.folderMs.toFixed(2)} ms/image; bare session.run on prepared tensors: ${r.bareMs.toFixed(2)} ms/image; ratio ${r.ratio.toFixed(3)}`);
if (barePooledMs !== undefined) console.log(`bare runs on the ${FOLDER_WORKERS} workers' sessions, prepared tensors, ${FOLDER_WORKERS} in flight: ${barePooledMs.toFixed(2)} ms/image`);

await writeFileAtomic(
  values.out!,
  `${JSON.stringify({ date: new Date().toISOString(), host: hostname(), cpu: cpus()[0]?.model, cpus: cpus().length, node: process.version, model: modelDir, images: images.length, runs, warmup, rows, folder: folderRows, barePooledMs }, null, 2)}\n`,
);
console.log(`written ${values.out}`);

if (values.readme || values.model === undefined) {
  const cell = (r: Row, s: Stage): string => `${r.stats![s].median.toFixed(1)} / ${r.stats![s].p90.toFixed(1)}`;
  const table = [
    `| device | batch | ${STAGES.join(' | ')} | overhead |`,
    `| --- | ---: | ${STAGES.map(() => '---:').join(' | ')} | ---: |`,
    ...rows.map((r) =>
      r.unavailable
        ? `| ${r.device} | ${r.batch} | unavailable: ${r.unavailable.replaceAll(`${process.cwd()}/`, '')} ${'| '.repeat(STAGES.length)}|`
        : `| ${r.device} (${r.provider}) | ${r.batch}${r.batch > 1 && !r.realBatch ? ' (sequential)' : ''} | ${STAGES.map((s) => cell(r, s)).join(' | ')} | ${(r.overhead! * 100).toFixed(1)}% |`,
    ),
  ].join('\n');
  const machine = `${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, 1-min load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after`;
  const section = [
    '## Latency',
    '',
    `\`defectkit detect\` stages per image for model \`${card.name ?? relative(process.cwd(), modelDir)}\` on ${images.length} DeepPCB test images (640x640, 1 channel),`,
    `milliseconds, median / p90 over ${runs} runs after ${warmup} warm-up runs (batch 8: ${runs} batches, per-image figures).`,
    '`total` is the wall time of the `detect` / `detectBatch` call per image; overhead = (total − inference) / inference on the medians.',
    'In a batch the images are decoded concurrently, so their decode/preprocess times overlap and exceed their share of `total`.',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; run it again with \`npx tsx benchmarks/latency.ts\`.`,
    '',
    table,
    '',
    ...rows
      .filter((r) => r.device === 'cpu' && r.overhead !== undefined)
      .map((r) => `- CPU batch ${r.batch}: overhead ${(r.overhead! * 100).toFixed(1)}% against the aim of 10%: ${r.overhead! < 0.1 ? 'met' : 'not met'} (decode ${r.stats!.decode.median.toFixed(1)} ms + preprocess ${r.stats!.preprocess.median.toFixed(1)} ms + postprocess ${r.stats!.postprocess.median.toFixed(1)} ms beside ${r.stats!.inference.median.toFixed(1)} ms of inference).`),
    ...folderRows.map(
      (r) =>
        `- Folder throughput, CPU, \`detectAll\` ${folderLabel(r)}: ${r.folderMs.toFixed(1)} ms per image against ${r.bareMs.toFixed(1)} ms for a loop of bare \`session.run\` (${r.bareThreads === 1 ? '1 inference thread' : 'all cores'}) on tensors prepared beforehand (same run, rounds interleaved): ratio ${r.ratio.toFixed(3)} (aim 0.95: ${r.ratio >= 0.95 ? 'met' : 'not met'}).`,
    ),
    ...(barePooledMs === undefined
      ? []
      : [`- The ${FOLDER_WORKERS} workers' sessions alone (bare runs on prepared tensors, ${FOLDER_WORKERS} in flight): ${barePooledMs.toFixed(1)} ms per image, the ceiling for a folder with workers.`]),
    ...(rows.some((r) => r.device === 'cuda' && r.unavailable)
      ? ['- CUDA: not measured: the machine that ran this has no usable CUDA provider (see the reason above); no GPU machine was available to this run.']
      : []),
    '',
  ].join('\n');
  const readme = resolve(import.meta.dirname, 'README.md');
  let text = await readFile(readme, 'utf8').catch(() => '# Benchmarks\n\nEach section is written by its benchmark script in this folder.\n\n');
  const start = text.indexOf('## Latency');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + section + (next >= 0 ? `\n${text.slice(next + 1)}` : '');
  } else text = `${text.trimEnd()}\n\n${section}`;
  await writeFileAtomic(readme, text);
  console.log(`wrote the Latency section of ${readme}`);
}
