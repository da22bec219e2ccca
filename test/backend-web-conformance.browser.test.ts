import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleForBrowser, sendBody } from '@defectkit/app';
import { loadDetector, OnnxNodeBackend, pcbDefectsModelDir } from '@defectkit/backend-node';
import type { BrowserTestOutcome } from './browser/vitest-in-browser.js';
import { launchChromium } from './support/chromium.js';
import { imageRoutes, startTestApp } from './support/browser-app.js';
import { deeppcbDir, repoRoot } from './support/paths.js';

// The shared Backend and Detector conformance suites run INSIDE Chromium: test/browser/backend-conformance-page.ts
// (the suites + backend-web, bundled with esbuild, `vitest` replaced by a small in-page runner) reports its
// outcomes, and each becomes a test here.

const boards = ['group00041/00041/00041000_test.jpg', 'group13000/13000/13000188_test.jpg', 'group20085/20085/20085000_test.jpg'].map((p) => join(deeppcbDir, 'PCBData', p));
const INPUT = { name: 'images', dims: [1, 1, 640, 640] };
// WASM SIMD and native MLAS kernels sum in different orders, so raw outputs (box coordinates up to 640, class
// scores) differ slightly; the test prints the measured largest difference.
const OUTPUT_TOLERANCE = 1e-3;

/** A deterministic input both sides build identically (float32 of small integers / 255). */
function syntheticInput(): Float32Array {
  const data = new Float32Array(640 * 640);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 256) / 255;
  return data;
}

const input = syntheticInput();
const node = new OnnxNodeBackend();
await node.load(join(pcbDefectsModelDir, 'model.onnx'), { device: 'cpu' });
const outputs = await node.run({ images: { type: 'float32', data: input, dims: INPUT.dims } });
await node.dispose();
const nodeDetector = await loadDetector(pcbDefectsModelDir);
const reference = [];
for (const board of boards) reference.push(await nodeDetector.detect(board));
await nodeDetector.dispose();

const images = await imageRoutes(boards);
const fixture = JSON.stringify({
  input: { ...INPUT, data: Array.from(input) },
  expected: Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, { dims: [...t.dims], data: Array.from(t.data as Float32Array) }])),
  tolerance: OUTPUT_TOLERANCE,
  images: images.urls.map((u) => `http://__origin__${u}`),
  badImages: ['http://__origin__/test/images/missing.jpg'],
  reference,
});
const script = await bundleForBrowser(join(repoRoot, 'test', 'browser', 'backend-conformance-page.ts'), { vitest: join(repoRoot, 'test', 'browser', 'vitest-in-browser.ts') });
const html = '<!doctype html><meta charset="utf-8"><title>conformance</title><script type="module" src="/test/conformance.js"></script>';
let origin = '';
const app = await startTestApp([
  ...images.routes,
  { path: '/test/conformance.html', handle: (req, res) => sendBody(req, res, html, 'text/html; charset=utf-8') },
  { path: '/test/conformance.js', handle: (req, res) => sendBody(req, res, script, 'text/javascript; charset=utf-8') },
  { path: '/test/fixture.json', handle: (req, res) => sendBody(req, res, fixture.replaceAll('http://__origin__', origin), 'application/json') },
]);
origin = app.url.replace(/\/$/, '');
const chromium = await launchChromium();
let outcomes: BrowserTestOutcome[] = [];
let pageError: string | undefined;
let maxOutputDifference: number | undefined;
try {
  const page = await chromium.context.newPage();
  await page.goto(`${app.url}test/conformance.html`);
  await page.waitForFunction(() => window.__conformance !== undefined, null, { timeout: 600_000 });
  const report = await page.evaluate(() => window.__conformance!);
  outcomes = report.outcomes ?? [];
  pageError = report.error;
  maxOutputDifference = report.maxOutputDifference;
} finally {
  await chromium.close();
  await app.close();
}

declare global {
  interface Window {
    __conformance?: { outcomes?: BrowserTestOutcome[]; maxOutputDifference?: number; error?: string };
  }
}

describe('conformance suites inside Chromium', () => {
  it('the page ran both suites (no error before the first test)', () => {
    expect(pageError).toBeUndefined();
    expect(outcomes.filter((o) => o.name.startsWith('Backend conformance')).length).toBeGreaterThanOrEqual(12);
    expect(outcomes.filter((o) => o.name.startsWith('Detector conformance')).length).toBeGreaterThanOrEqual(6);
  });
  it('onnxruntime-web outputs stay within the tolerance of onnxruntime-node on the same input', () => {
    console.log(`largest raw-output difference, onnxruntime-web (WASM, Chromium) vs onnxruntime-node: ${maxOutputDifference?.toExponential(2)}`);
    expect(maxOutputDifference).toBeLessThanOrEqual(OUTPUT_TOLERANCE);
  });
  for (const outcome of outcomes) {
    it(`[chromium] ${outcome.name}`, () => {
      if (outcome.state === 'failed') throw new Error(outcome.error);
    });
  }
});
