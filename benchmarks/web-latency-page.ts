/// <reference lib="dom" />
import * as ort from 'onnxruntime-web';
import { configureOnnxRuntimeWeb, OnnxWebBackend, webGpuMissingReason, type OnnxWebBackendOptions } from '@defectkit/backend-web';

// The browser half of benchmarks/web-latency.ts: runs the served model on the served input tensor with
// onnxruntime-web in this page and reports the run times (ms) of each session setting in `window.__bench`.

interface Setting {
  name: string;
  device: 'cpu' | 'webgpu';
  session: OnnxWebBackendOptions;
}

declare global {
  interface Window {
    __bench?: { results?: { name: string; device: string; threads: number; samples: number[] }[]; webgpu?: string; error?: string };
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const threads = Number(params.get('threads') ?? '1');
  const runs = Number(params.get('runs') ?? '30');
  const warmup = Number(params.get('warmup') ?? '5');
  const setup = configureOnnxRuntimeWeb({ wasmPaths: new URL('/ort/', location.href).href, threads });
  const input = new Float32Array(await (await fetch('/bench/input.bin')).arrayBuffer());
  const model = new Uint8Array(await (await fetch('/models/default/model.onnx')).arrayBuffer());
  const webgpu = await webGpuMissingReason();
  const settings: Setting[] = [
    { name: 'graph optimisation all', device: 'cpu', session: { graphOptimizationLevel: 'all' } },
    { name: 'graph optimisation all, batch fixed to 1', device: 'cpu', session: { graphOptimizationLevel: 'all', freeDimensionOverrides: { batch: 1 } } },
    { name: 'graph optimisation extended, batch fixed to 1', device: 'cpu', session: { graphOptimizationLevel: 'extended', freeDimensionOverrides: { batch: 1 } } },
    { name: 'graph optimisation basic', device: 'cpu', session: { graphOptimizationLevel: 'basic' } },
  ];
  if (!webgpu) settings.push({ name: 'webgpu, batch fixed to 1', device: 'webgpu', session: { freeDimensionOverrides: { batch: 1 } } });
  const results: NonNullable<Window['__bench']>['results'] = [];
  for (const setting of settings) {
    const backend = new OnnxWebBackend(setting.session);
    await backend.load(model, { device: setting.device });
    const feeds = { images: { type: 'float32' as const, data: input, dims: [1, 1, 640, 640] } };
    for (let i = 0; i < warmup; i++) await backend.run(feeds);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await backend.run(feeds);
      samples.push(performance.now() - t0);
    }
    await backend.dispose();
    results.push({ name: setting.name, device: setting.device, threads: setup.threads, samples });
  }
  window.__bench = { results, webgpu: webgpu ?? `available (${ort.env.versions.web})` };
}

main().catch((error: unknown) => {
  window.__bench = { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
});
