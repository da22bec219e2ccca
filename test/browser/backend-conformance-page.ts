/// <reference lib="dom" />
import { describeBackendConformance, describeDetectorConformance } from '@defectkit/detector/testing';
import { configureOnnxRuntimeWeb, loadWebDetector, OnnxWebBackend, type WebImageInput } from '@defectkit/backend-web';
import type { DetectionResult } from '@defectkit/detector';
import { runRegistered, type BrowserTestOutcome } from './vitest-in-browser.js';

// The shared Backend and Detector conformance suites, run in Chromium against onnxruntime-web. The Node side
// serves the model, the fixture (an input tensor and onnxruntime-node's outputs for it) and the reference results.

interface Fixture {
  input: { name: string; dims: number[]; data: number[] };
  expected: Record<string, { dims: number[]; data: number[] }>;
  tolerance: number;
  images: string[];
  badImages: string[];
  reference: DetectionResult[];
}

declare global {
  interface Window {
    __conformance?: { outcomes?: BrowserTestOutcome[]; maxOutputDifference?: number; error?: string };
  }
}

async function main(): Promise<void> {
  configureOnnxRuntimeWeb({ wasmPaths: new URL('/ort/', location.href).href });
  const fixture = (await (await fetch('/test/fixture.json')).json()) as Fixture;
  const modelUrl = new URL('/models/default/model.onnx', location.href).href;
  const modelBytes = new Uint8Array(await (await fetch(modelUrl)).arrayBuffer());
  const inputs = { [fixture.input.name]: { type: 'float32' as const, data: Float32Array.from(fixture.input.data), dims: fixture.input.dims } };
  const expected = fixture.expected;

  describeBackendConformance('onnxruntime-web in Chromium (wasm, model URL)', () => new OnnxWebBackend(), () => ({ model: modelUrl, inputs, expected, tolerance: fixture.tolerance }));
  describeBackendConformance('onnxruntime-web in Chromium (wasm, model bytes)', () => new OnnxWebBackend(), () => ({ model: modelBytes, inputs, expected, tolerance: fixture.tolerance }));
  describeDetectorConformance<WebImageInput>('web detector in Chromium (wasm)', () => ({
    create: async () => (await loadWebDetector(new URL('/models/default/', location.href).href, { device: 'cpu' })).detector,
    images: fixture.images,
    badImages: [...fixture.badImages, new Blob([new Uint8Array([1, 2, 3, 4])], { type: 'image/jpeg' })],
    describe: (image) => (typeof image === 'string' ? image : `<blob ${(image as Blob).size} bytes>`),
    reference: async () => fixture.reference,
  }));
  const outcomes = await runRegistered();
  // The measured distance to onnxruntime-node's outputs, reported beside the pass/fail of the tolerance.
  const backend = new OnnxWebBackend();
  await backend.load(modelBytes, { device: 'cpu' });
  const got = await backend.run(inputs);
  await backend.dispose();
  let maxOutputDifference = 0;
  for (const [name, want] of Object.entries(expected)) {
    const data = got[name]!.data as Float32Array;
    for (let i = 0; i < want.data.length; i++) maxOutputDifference = Math.max(maxOutputDifference, Math.abs(data[i]! - want.data[i]!));
  }
  window.__conformance = { outcomes, maxOutputDifference };
}

main().catch((error: unknown) => {
  window.__conformance = { error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error) };
});
