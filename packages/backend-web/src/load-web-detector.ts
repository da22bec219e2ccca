import { detectorFromBackend, parseModelCard, type DetectOptions, type DeviceRequest, type LocalDetector, type ModelCard, type ModelSpecOverrides } from '@defectkit/detector';
import { BrowserPreprocessor } from './browser-preprocessor.js';
import { WebModelError } from './errors.js';
import { OnnxWebBackend, type OnnxWebBackendOptions } from './onnx-web-backend.js';
import type { WebImageInput } from './web-image.js';

/** The detector the browser backend builds: images are URLs, Blobs, bitmaps, image elements or ImageData. */
export type WebDetector = LocalDetector<WebImageInput>;

/** A model for {@link loadWebDetector}: a folder URL (`model.onnx` + optional `model.json` inside), or the parts. */
export type WebModelSource = string | { onnx: Uint8Array | string; card?: unknown };

/** Options of {@link loadWebDetector}. */
export interface LoadWebDetectorOptions extends DetectOptions {
  /** `cpu` (WASM), `webgpu` or `auto` (default `cpu`). */
  device?: DeviceRequest;
  /** Pixel limit per image (see `BrowserPreprocessor`). */
  maxPixels?: number;
  /** Overrides of the model card / metadata. */
  spec?: ModelSpecOverrides;
  /** onnxruntime session settings. */
  session?: OnnxWebBackendOptions;
}

/** A loaded web detector with the backend it runs on (for `info.provider` and `fallbackReason`). */
export interface LoadedWebDetector {
  detector: WebDetector;
  backend: OnnxWebBackend;
  card: ModelCard | undefined;
}

async function fetchCard(url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new WebModelError('MODEL_NOT_FOUND', `cannot fetch model card ${url}: ${(error as Error).message}`, { file: url }, { cause: error });
  }
  if (response.status === 404) return undefined; // no card: the ONNX metadata must say how to run the model
  if (!response.ok) throw new WebModelError('MODEL_NOT_FOUND', `cannot fetch model card ${url}: HTTP ${response.status}`, { file: url, status: response.status });
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The one card parser reports it, naming the file and the field.
    return text;
  }
}

/**
 * Loads a model into a ready {@link LocalDetector} in the browser: onnxruntime-web on the requested device,
 * browser decoding and letterboxing, and the model spec resolved from options > `model.json` > ONNX metadata
 * (the same `resolveModelSpec` and card parser as on Node).
 *
 * @example
 * configureOnnxRuntimeWeb({ wasmPaths: '/ort/' });
 * const { detector } = await loadWebDetector('/models/default/', { device: 'auto' });
 * const { detections } = await detector.detect(file);
 */
export async function loadWebDetector(model: WebModelSource, options: LoadWebDetectorOptions = {}): Promise<LoadedWebDetector> {
  let onnx: Uint8Array | string;
  let cardValue: unknown;
  let cardName: string;
  if (typeof model === 'string') {
    const folder = model.endsWith('/') ? model : `${model}/`;
    onnx = `${folder}model.onnx`;
    cardName = `${folder}model.json`;
    cardValue = await fetchCard(cardName);
  } else {
    onnx = model.onnx;
    cardValue = model.card;
    cardName = typeof model.onnx === 'string' ? model.onnx.replace(/[^/]*$/, 'model.json') : 'model.json';
  }
  const card = cardValue === undefined ? undefined : parseModelCard(typeof cardValue === 'string' ? cardValue : cardValue, cardName);
  const backend = new OnnxWebBackend(options.session);
  await backend.load(onnx, { device: options.device ?? 'cpu' });
  const preprocessor = new BrowserPreprocessor(options.maxPixels ? { maxPixels: options.maxPixels } : {});
  const detector = await detectorFromBackend(backend, { card, preprocessor, spec: options.spec, detect: options });
  return { detector, backend, card };
}
