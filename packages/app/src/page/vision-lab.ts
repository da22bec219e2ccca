/// <reference lib="dom" />
import { DefectKitError, type Detection } from '@defectkit/core';
import { formatJson } from '@defectkit/postprocess';
import { configureOnnxRuntimeWeb, describeWebImage, loadWebDetector, type LoadedWebDetector, type WebImageInput } from '@defectkit/backend-web';
import type { DetectionResult, DeviceRequest } from '@defectkit/detector';
import { classColour, drawDetections } from './draw-detections.js';
import { resultView } from './result-view.js';

// The Vision Lab page: inference runs here, in the browser; no image leaves the machine.

/** The lowest confidence the slider offers: the page runs at this threshold once and re-filters without re-running. */
const FLOOR_CONF = 0.05;

type PageState = 'loading' | 'ready' | 'running' | 'done' | 'error';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

interface Shown {
  name: string;
  bitmap: ImageBitmap;
  result: DetectionResult;
}

let loaded: LoadedWebDetector | undefined;
let shown: Shown | undefined;
const hidden = new Set<number>();

function setState(state: PageState): void {
  document.body.dataset.state = state;
}

function showError(error: unknown): void {
  const typed = DefectKitError.isInstance(error) ? error : new DefectKitError('INTERNAL', String((error as Error)?.message ?? error));
  $('error-code').textContent = typed.code;
  $('error-message').textContent = typed.message;
  $('error').hidden = false;
  setState('error');
}

function clearError(): void {
  $('error').hidden = true;
  $('error-code').textContent = '';
  $('error-message').textContent = '';
}

function conf(): number {
  return Number(($('conf-slider') as HTMLInputElement).value);
}

/** The result JSON: the same shape as `defectkit detect --format json` for one image. */
function resultJson(name: string, result: DetectionResult, detections: Detection[]): string {
  return formatJson([{ image: name, width: result.width, height: result.height, detections }]);
}

function render(): void {
  if (!shown || !loaded) return;
  const classes = loaded.detector.spec.classes;
  const view = resultView(shown.result.detections, classes, conf(), hidden);
  drawDetections($('view') as HTMLCanvasElement, shown.bitmap, view.detections);
  $('view-caption').textContent = `${shown.name}: ${view.detections.length} detection${view.detections.length === 1 ? '' : 's'} shown`;
  const verdict = $('verdict');
  verdict.textContent = view.verdict === 'pass' ? 'PASS: no defect above the threshold' : `FAIL: ${view.detections.length} defect${view.detections.length === 1 ? '' : 's'}`;
  verdict.className = `verdict ${view.verdict}`;
  for (const [index, name] of classes.entries()) {
    const count = document.querySelector<HTMLElement>(`[data-count-for="${index}"]`);
    if (count) count.textContent = String(view.counts[name] ?? 0);
  }
  $('detections').textContent = resultJson(shown.name, shown.result, view.detections);
}

function renderTimings(result: DetectionResult): void {
  const body = document.querySelector('#timings tbody')!;
  body.replaceChildren(
    ...Object.entries(result.timings).map(([stage, ms]) => {
      const row = document.createElement('tr');
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = stage;
      const value = document.createElement('td');
      value.textContent = ms.toFixed(1);
      row.append(name, value);
      return row;
    }),
  );
}

function buildClassToggles(classes: readonly string[]): void {
  const fieldset = $('class-toggles');
  const legend = fieldset.querySelector('legend')!;
  fieldset.replaceChildren(
    legend,
    ...classes.map((name, index) => {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = !hidden.has(index);
      box.dataset.classId = String(index);
      box.addEventListener('change', () => {
        if (box.checked) hidden.delete(index);
        else hidden.add(index);
        render();
      });
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = classColour(index);
      const count = document.createElement('span');
      count.dataset.countFor = String(index);
      count.className = 'count';
      count.textContent = '0';
      label.append(box, swatch, document.createTextNode(name), count);
      return label;
    }),
  );
}

async function loadModel(device: DeviceRequest): Promise<void> {
  setState('loading');
  clearError();
  await loaded?.detector.dispose();
  loaded = undefined;
  loaded = await loadWebDetector(new URL('/models/default/', location.href).href, { device, conf: FLOOR_CONF });
  const { spec } = loaded.detector;
  // One run on a blank input warms the runtime up (kernels, memory), so the first board's timings are its own.
  const [c, h, w] = [spec.input.channels, spec.input.height, spec.input.width];
  if (spec.input.resize !== 'none') await loaded.backend.run({ [spec.input.name]: { type: 'float32', data: new Float32Array(c * h * w), dims: [1, c, h, w] } });
  const setup = configureOnnxRuntimeWeb({ wasmPaths: new URL('/ort/', location.href).href });
  $('model-line').textContent = `${spec.name}: ${spec.classes.length} classes, input ${spec.input.width}x${spec.input.height}x${spec.input.channels}`;
  const provider = loaded.backend.info?.provider ?? '?';
  const runtime = provider === 'cpu' ? `WASM, SIMD, ${setup.threads} thread${setup.threads === 1 ? '' : 's'}${setup.crossOriginIsolated ? ' (cross-origin isolated)' : ''}` : provider;
  $('device-line').textContent = `Device: ${device} → ${runtime}${loaded.backend.fallbackReason ? ` (fell back: ${loaded.backend.fallbackReason})` : ''}`;
  const slider = $('conf-slider') as HTMLInputElement;
  slider.value = String(spec.thresholds.conf);
  $('conf-value').textContent = spec.thresholds.conf.toFixed(2);
  buildClassToggles(spec.classes);
  setState('ready');
}

async function showReference(image: WebImageInput | undefined): Promise<void> {
  const figure = $('reference-figure');
  if (image === undefined) {
    figure.hidden = true;
    return;
  }
  const source = typeof image === 'string' ? await (await fetch(image)).blob() : image;
  const bitmap = await createImageBitmap(source as Blob);
  const canvas = $('reference-view') as HTMLCanvasElement;
  drawDetections(canvas, bitmap, []);
  figure.hidden = false;
}

async function detect(image: WebImageInput): Promise<void> {
  if (!loaded) return;
  setState('running');
  clearError();
  try {
    const name = describeWebImage(image);
    const result = await loaded.detector.detect(image);
    // Decoded again for display only (the detector keeps no pixels); a URL is fetched again, from the browser cache.
    const source = typeof image === 'string' ? await (await fetch(image)).blob() : image;
    const bitmap = await createImageBitmap(source as ImageBitmapSource, { imageOrientation: 'from-image' });
    shown?.bitmap.close();
    shown = { name, bitmap, result };
    renderTimings(result);
    render();
    ($('download-json') as HTMLButtonElement).disabled = false;
    ($('download-png') as HTMLButtonElement).disabled = false;
    setState('done');
  } catch (error) {
    showError(error);
  }
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function stem(name: string): string {
  const base = name.split(/[\\/?#]/).filter(Boolean).pop() ?? 'result';
  return base.replace(/\.[^.]*$/, '') || 'result';
}

function wire(): void {
  const input = $('image-input') as HTMLInputElement;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void detect(file);
  });
  const reference = $('reference-input') as HTMLInputElement;
  reference.addEventListener('change', () => void showReference(reference.files?.[0]).catch(showError));
  const drop = $('drop-zone');
  $('choose-image').addEventListener('click', () => input.click());
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) void detect(file);
  });
  const slider = $('conf-slider') as HTMLInputElement;
  slider.min = String(FLOOR_CONF);
  slider.addEventListener('input', () => {
    $('conf-value').textContent = conf().toFixed(2);
    render();
  });
  const device = $('device-select') as HTMLSelectElement;
  device.addEventListener('change', () => void loadModel(device.value as DeviceRequest).catch(showError));
  $('download-json').addEventListener('click', () => {
    if (shown) download(`${stem(shown.name)}.json`, new Blob([$('detections').textContent ?? ''], { type: 'application/json' }));
  });
  $('download-png').addEventListener('click', () => {
    if (!shown) return;
    const name = `${stem(shown.name)}.png`;
    ($('view') as HTMLCanvasElement).toBlob((blob) => blob && download(name, blob), 'image/png');
  });
}

async function main(): Promise<void> {
  configureOnnxRuntimeWeb({ wasmPaths: new URL('/ort/', location.href).href });
  wire();
  const params = new URLSearchParams(location.search);
  const device = (params.get('device') ?? 'auto') as DeviceRequest;
  ($('device-select') as HTMLSelectElement).value = device;
  await loadModel(device);
  const image = params.get('image');
  const reference = params.get('reference');
  if (reference) await showReference(new URL(reference, location.href).href);
  if (image) await detect(new URL(image, location.href).href);
}

main().catch(showError);
