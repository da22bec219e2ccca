// In-browser inference latency (onnxruntime-web WASM in headless Chromium, the Vision Lab's runtime) against
// onnxruntime-node on the same model, the same input tensor and the same machine, as a ratio:
//   npx tsx benchmarks/web-latency.ts [--image <jpg>] [--threads 1,2] [--runs 30] [--warmup 5] [--out benchmarks/results/web-latency.json]
// Inference only (session.run on the preprocessed 640x640 tensor of one DeepPCB board), for two onnxruntime-web
// builds (JSEP: WASM + WebGPU, what the app ships; and the WASM-only build). Samples are interleaved: each round
// runs onnxruntime-node once, then every browser setting once, so both see the same machine load (this machine is
// shared, and its load drifts by several times within a minute). Reported per setting: wall-clock median and min
// (ms), the ratio of medians, the median of per-round ratios, and CPU time per inference (Node: process.cpuUsage;
// Chromium: the renderer's ProcessTime from the DevTools protocol), which the load of other processes does not
// inflate. WebGPU is measured when headless Chromium offers an adapter; the output says when it does not.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CDPSession, Page } from 'playwright-core';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleForBrowser, sendBody } from '@defectkit/app';
import { onnxRuntimeWebDistDir } from '@defectkit/backend-web/node';
import { OnnxNodeBackend, pcbDefectsModelDir, SharpPreprocessor } from '@defectkit/backend-node';
import { writeFileAtomic } from '@defectkit/core/node';
import { parseModelCardText } from '@defectkit/detector';
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

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2;
}

declare global {
  interface Window {
    __bench?: { settings?: { name: string; device: string }[]; threads?: number; webgpu?: string; error?: string };
    __benchRun?: (index: number) => Promise<number>;
  }
}

const card = parseModelCardText(await readFile(join(pcbDefectsModelDir, 'model.json'), 'utf8'), 'model.json');
const prepared = await new SharpPreprocessor().prepare(resolve(values.image!), card.input);
const input = prepared.data;
const dims = [1, ...prepared.dims];
// Two onnxruntime-web builds: JSEP (WASM + WebGPU in one binary, what the app ships) and the WASM-only build.
const page = join(repoRoot, 'benchmarks', 'web-latency-page.ts');
const builds = [
  { name: 'jsep', script: await bundleForBrowser(page), wasmPaths: '/ort/' },
  { name: 'wasm-only', script: await bundleForBrowser(page, { 'onnxruntime-web': join(onnxRuntimeWebDistDir(), 'ort.wasm.min.mjs') }), wasmPaths: '/ort-plain/' },
];
const inputBytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
const plainFiles = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'].map((name) => ({
  path: `/ort-plain/${name}`,
  handle: async (req: IncomingMessage, res: ServerResponse) => sendBody(req, res, await readFile(join(onnxRuntimeWebDistDir(), name)), name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript'),
}));
const app = await startTestApp([
  ...builds.flatMap((b) => [
    { path: `/bench/${b.name}.html`, handle: (req: IncomingMessage, res: ServerResponse) => sendBody(req, res, `<!doctype html><meta charset="utf-8"><title>web latency</title><script type="module" src="/bench/${b.name}.js"></script>`, 'text/html; charset=utf-8') },
    { path: `/bench/${b.name}.js`, handle: (req: IncomingMessage, res: ServerResponse) => sendBody(req, res, b.script, 'text/javascript; charset=utf-8') },
  ]),
  ...plainFiles,
  { path: '/bench/input.bin', handle: (req, res) => sendBody(req, res, inputBytes, 'application/octet-stream') },
]);
const chromium = await launchChromium();

interface Row {
  threads: number;
  runtime: string;
  setting: string;
  median: number;
  min: number;
  ratioOfMedians: number;
  medianRatio: number;
  /** Median CPU milliseconds per inference (all threads of the process). */
  cpu: number;
  cpuRatio: number;
}
const rows: Row[] = [];
let webgpu = '';
const loads: number[] = [loadavg()[0]!];
try {
  for (const threads of threadCounts) {
    const node = new OnnxNodeBackend();
    await node.load(join(pcbDefectsModelDir, 'model.onnx'), { device: 'cpu', threads });
    const feeds = { images: { type: 'float32' as const, data: input, dims } };
    const pages: { build: (typeof builds)[number]; page: Page; cdp: CDPSession; info: NonNullable<Window['__bench']>; settings: { name: string; device: string }[] }[] = [];
    for (const build of builds) {
      const page = await chromium.context.newPage();
      await page.goto(`${app.url}bench/${build.name}.html?threads=${threads}&wasmPaths=${build.wasmPaths}`);
      await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: 600_000 });
      const info = await page.evaluate(() => window.__bench!);
      if (info.error) throw new Error(`${build.name}: ${info.error}`);
      webgpu = build.name === 'jsep' ? (info.webgpu ?? '') : webgpu;
      const cdp = await chromium.context.newCDPSession(page);
      await cdp.send('Performance.enable');
      pages.push({ build, page, cdp, info, settings: info.settings ?? [] });
    }
    const processTime = async (cdp: CDPSession): Promise<number> => {
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      return (metrics.find((m) => m.name === 'ProcessTime')?.value ?? NaN) * 1000;
    };
    const nodeSamples: number[] = [];
    const nodeCpu: number[] = [];
    const webSamples = pages.map((p) => p.settings.map((): number[] => []));
    const webCpu = pages.map((p) => p.settings.map((): number[] => []));
    for (let round = 0; round < warmup + runs; round++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await node.run(feeds);
      const nodeMs = performance.now() - t0;
      const used = process.cpuUsage(c0);
      const webMs: number[][] = [];
      const webCpuMs: number[][] = [];
      for (const p of pages) {
        const times: number[] = [];
        const cpu: number[] = [];
        for (let s = 0; s < p.settings.length; s++) {
          const before = await processTime(p.cdp);
          times.push(await p.page.evaluate((index) => window.__benchRun!(index), s));
          cpu.push((await processTime(p.cdp)) - before);
        }
        webMs.push(times);
        webCpuMs.push(cpu);
      }
      if (round < warmup) continue;
      nodeSamples.push(nodeMs);
      nodeCpu.push((used.user + used.system) / 1000);
      webMs.forEach((times, b) => times.forEach((ms, s) => webSamples[b]![s]!.push(ms)));
      webCpuMs.forEach((times, b) => times.forEach((ms, s) => webCpu[b]![s]!.push(ms)));
    }
    await node.dispose();
    const nodeMedian = median(nodeSamples);
    const nodeCpuMedian = median(nodeCpu);
    rows.push({ threads, runtime: 'onnxruntime-node', setting: 'cpu, graph optimisation all', median: nodeMedian, min: Math.min(...nodeSamples), ratioOfMedians: 1, medianRatio: 1, cpu: nodeCpuMedian, cpuRatio: 1 });
    pages.forEach((p, b) =>
      p.settings.forEach((setting, s) => {
        const samples = webSamples[b]![s]!;
        rows.push({
          threads: p.info.threads ?? threads,
          runtime: `onnxruntime-web ${p.build.name} (${setting.device === 'cpu' ? 'wasm' : setting.device})`,
          setting: setting.name,
          median: median(samples),
          min: Math.min(...samples),
          ratioOfMedians: median(samples) / nodeMedian,
          medianRatio: median(samples.map((ms, k) => ms / nodeSamples[k]!)),
          cpu: median(webCpu[b]![s]!),
          cpuRatio: median(webCpu[b]![s]!) / nodeCpuMedian,
        });
      }),
    );
    for (const p of pages) await p.page.close();
    loads.push(loadavg()[0]!);
  }
} finally {
  await chromium.close();
  await app.close();
}

console.log(`model pcb-defects, input ${dims.join('x')}, ${runs} interleaved rounds after ${warmup} warm-up, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), 1-min load average ${loads.map((l) => l.toFixed(1)).join(' → ')}`);
console.log(`WebGPU in headless Chromium: ${webgpu}`);
console.log('| threads | runtime | setting | wall median ms | wall min ms | ratio of medians | median of per-round ratios | CPU ms per run (median) | CPU ratio |');
console.log('|---:|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows)
  console.log(
    `| ${r.threads} | ${r.runtime} | ${r.setting} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.ratioOfMedians.toFixed(2)} | ${r.medianRatio.toFixed(2)} | ${r.cpu.toFixed(1)} | ${r.cpuRatio.toFixed(2)} |`,
  );
await writeFileAtomic(values.out!, `${JSON.stringify({ date: new Date().toISOString(), runs, warmup, webgpu, cpus: cpus().length, loads, rows }, null, 2)}\n`);
