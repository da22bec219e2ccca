/// <reference lib="dom" />
import { configureOnnxRuntimeWeb, OnnxWebBackend, webGpuMissingReason, type OnnxWebBackendOptions } from '@defectkit/backend-web';

// The browser half of benchmarks/web-latency.ts: loads the served model once per session setting, then runs one
// inference on the served input tensor per call of `window.__benchRun(index)` and answers its time in ms, so the
// Node side can interleave browser and onnxruntime-node samples under the same machine load.

interface Setting {
  name: string;
  device: 'cpu' | 'webgpu';
  session: OnnxWebBackendOptions;
}

declare global {
  interface Window {
    __bench?: { settings?: { name: string; device: string }[]; threads?: number; webgpu?: string; error?: string };
    __benchRun?: (index: number) => Promise<number>;
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  // `wasmPaths` comes from the driver: /ort/ for the JSEP build (WASM + WebGPU, what the app ships), /ort-plain/ for
  // the WASM-only build when the page was bundled with it.
  const setup = configureOnnxRuntimeWeb({ wasmPaths: new URL(params.get('wasmPaths') ?? '/ort/', location.href).href, threads: Number(params.get('threads') ?? '1') });
  const input = new Float32Array(await (await fetch('/bench/input.bin')).arrayBuffer());
  const model = new Uint8Array(await (await fetch('/models/default/model.onnx')).arrayBuffer());
  const webgpu = await webGpuMissingReason();
  const settings: Setting[] = [
    { name: 'graph optimisation all (the default)', device: 'cpu', session: { graphOptimizationLevel: 'all' } },
    { name: 'graph optimisation all, batch fixed to 1', device: 'cpu', session: { graphOptimizationLevel: 'all', freeDimensionOverrides: { batch: 1 } } },
  ];
  if (!webgpu) settings.push({ name: 'webgpu, batch fixed to 1', device: 'webgpu', session: { freeDimensionOverrides: { batch: 1 } } });
  const backends: OnnxWebBackend[] = [];
  for (const setting of settings) {
    const backend = new OnnxWebBackend(setting.session);
    await backend.load(model, { device: setting.device });
    backends.push(backend);
  }
  const feeds = { images: { type: 'float32' as const, data: input, dims: [1, 1, 640, 640] } };
  window.__benchRun = async (index) => {
    const t0 = performance.now();
    await backends[index]!.run(feeds);
    return performance.now() - t0;
  };
  window.__bench = { settings: settings.map((s) => ({ name: s.name, device: s.device })), threads: setup.threads, webgpu: webgpu ?? 'offered (measured below)' };
}

main().catch((error: unknown) => {
  window.__bench = { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
});
