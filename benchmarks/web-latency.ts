// In-browser inference latency (onnxruntime-web WASM in headless Chromium, the Vision Lab's runtime) against
// onnxruntime-node on the same model, the same input tensor and the same machine, as a ratio:
//   npx tsx benchmarks/web-latency.ts [--image <jpg>] [--threads 1,2] [--runs 30] [--warmup 5] [--out benchmarks/results/web-latency.json]
// Inference only (session.run on the preprocessed 640x640 tensor of one DeepPCB board); medians and p90 in ms.
// WebGPU is measured when the headless browser offers an adapter, and the output says when it does not.
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { bundleForBrowser, sendBody } from '@defectkit/app';
import { OnnxNodeBackend, pcbDefectsModelDir, SharpPreprocessor } from '@defectkit/backend-node';
import { writeFileAtomic } from '@defectkit/core/node';
import { parseModelCardText } from '@defectkit/detector';
import { readFile } from 'node:fs/promises';
import { launchChromium } from '../test/support/chromium.js';
import { startTestApp } from '../test/support/browser-app.js';
import { deeppcbDir, repoRoot } from '../test/support/paths.js';

const { values } = parseArgs({
  options: {
    image: { type: 'string', default: join(deeppcbDir, 'PCBData', 'group13000', '13000', '13000188_test.jpg') },
    threads: { type: 'string', default: '1,2' },
    runs: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    out: { type: 'string', default: join('benchmarks', 'results', 'web-latency.json') },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const threadCounts = values.threads!.split(',').map(Number);

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const card = parseModelCardText(await readFile(join(pcbDefectsModelDir, 'model.json'), 'utf8'), 'model.json');
const prepared = await new SharpPreprocessor().prepare(resolve(values.image!), card.input);
const input = prepared.data;
const dims = [1, ...prepared.dims];

interface Row {
  runtime: string;
  setting: string;
  threads: number;
  median: number;
  p90: number;
}
const rows: Row[] = [];

/** onnxruntime-node on the same tensor; run before and after the browser, since the machine's load drifts. */
async function measureNode(when: string): Promise<void> {
  for (const threads of threadCounts) {
    const backend = new OnnxNodeBackend();
    await backend.load(join(pcbDefectsModelDir, 'model.onnx'), { device: 'cpu', threads });
    const feeds = { images: { type: 'float32' as const, data: input, dims } };
    for (let i = 0; i < warmup; i++) await backend.run(feeds);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await backend.run(feeds);
      samples.push(performance.now() - t0);
    }
    await backend.dispose();
    rows.push({ runtime: 'onnxruntime-node', setting: `cpu, graph optimisation all (${when})`, threads, median: quantile(samples, 0.5), p90: quantile(samples, 0.9) });
  }
}

await measureNode('before the browser');
const script = await bundleForBrowser(join(repoRoot, 'benchmarks', 'web-latency-page.ts'));
const html = '<!doctype html><meta charset="utf-8"><title>web latency</title><script type="module" src="/bench/page.js"></script>';
const inputBytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
const app = await startTestApp([
  { path: '/bench/page.html', handle: (req, res) => sendBody(req, res, html, 'text/html; charset=utf-8') },
  { path: '/bench/page.js', handle: (req, res) => sendBody(req, res, script, 'text/javascript; charset=utf-8') },
  { path: '/bench/input.bin', handle: (req, res) => sendBody(req, res, inputBytes, 'application/octet-stream') },
]);
const chromium = await launchChromium();
let webgpu = '';
try {
  for (const threads of threadCounts) {
    const page = await chromium.context.newPage();
    await page.goto(`${app.url}bench/page.html?threads=${threads}&runs=${runs}&warmup=${warmup}`);
    await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: 600_000 });
    const report = await page.evaluate(() => window.__bench!);
    if (report.error) throw new Error(report.error);
    webgpu = report.webgpu ?? '';
    for (const r of report.results ?? []) rows.push({ runtime: `onnxruntime-web (${r.device === 'cpu' ? 'wasm' : r.device})`, setting: r.name, threads: r.threads, median: quantile(r.samples, 0.5), p90: quantile(r.samples, 0.9) });
    await page.close();
  }
} finally {
  await chromium.close();
  await app.close();
}
await measureNode('after the browser');

declare global {
  interface Window {
    __bench?: { results?: { name: string; device: string; threads: number; samples: number[] }[]; webgpu?: string; error?: string };
  }
}

/** The node reference for a thread count: the mean of its before and after medians. */
const nodeMedian = (threads: number): number => {
  const medians = rows.filter((r) => r.runtime === 'onnxruntime-node' && r.threads === threads).map((r) => r.median);
  return medians.reduce((a, b) => a + b, 0) / medians.length;
};
console.log(`model pcb-defects, input ${dims.join('x')}, ${runs} runs after ${warmup} warm-up, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg()[0]!.toFixed(2)}`);
console.log(`WebGPU in headless Chromium: ${webgpu}`);
console.log('| runtime | setting | threads | median ms | p90 ms | ratio to node (same threads; mean of before/after) |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.runtime} | ${r.setting} | ${r.threads} | ${r.median.toFixed(1)} | ${r.p90.toFixed(1)} | ${(r.median / nodeMedian(r.threads)).toFixed(2)} |`);
await writeFileAtomic(values.out!, `${JSON.stringify({ date: new Date().toISOString(), runs, warmup, webgpu, cpus: cpus().length, loadavg: loadavg()[0], rows }, null, 2)}\n`);
