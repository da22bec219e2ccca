import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pcbDefectsModelDir } from '@defectkit/model-pcb-defects';
import { detectorFromBackend, parseModelCardText, type DeviceRequest, type LocalDetector, type LocalDetectorOptions, type ModelCard, type ModelSpecOverrides } from '@defectkit/detector';
import { ModelLoadError } from './errors.js';
import { OnnxNodeBackend } from './onnx-node-backend.js';
import { SharpPreprocessor, type ImageInput } from './sharp-preprocessor.js';

/** The detector the Node backend builds: images are paths or encoded bytes. */
export type NodeDetector = LocalDetector<ImageInput>;

/** Options of {@link loadDetector}. */
export interface LoadDetectorOptions extends LocalDetectorOptions {
  device?: DeviceRequest;
  /** Intra-op threads of the session (of each worker's session with `workers`). */
  threads?: number;
  /** CPU inference in this many worker threads (see `OnnxNodeBackendOptions.workers`); default 0, in-process. */
  workers?: number;
  /** Pixel limit per image (see `SharpPreprocessor`). */
  maxPixels?: number;
  /** Overrides of the model card / metadata (class names, input, layout, thresholds). */
  spec?: ModelSpecOverrides;
}

/** The model files found for a `--model` argument. */
export interface ModelFiles {
  onnx: string;
  /** The `model.json` card beside it, when there is one. */
  card: string | undefined;
}

/** The package that ships the default model (installed with this one). */
export const DEFAULT_MODEL = '@defectkit/model-pcb-defects';

/** How to choose a model, for errors that cannot find one. */
export const CHOOSE_MODEL_HINT =
  'choose a model folder (model.onnx + model.json) or .onnx file (loadDetector(path), or the model option of the CLI) or set the DEFECTKIT_MODEL environment variable; without one, the shipped ' +
  `${DEFAULT_MODEL} is used`;

/**
 * The model used when none is given: `DEFECTKIT_MODEL` (a model folder or `.onnx` file) when set, else the folder
 * of the shipped PCB model package, wherever it is installed (not relative to the working directory).
 */
export function defaultModelDir(): string {
  const fromEnv = process.env.DEFECTKIT_MODEL;
  return fromEnv ? resolve(fromEnv) : pcbDefectsModelDir;
}

/** Resolves a model argument (a folder with `model.onnx`, or an `.onnx` file) to its files. */
export function findModelFiles(model: string): ModelFiles {
  const path = resolve(model);
  let onnx: string;
  try {
    onnx = statSync(path).isDirectory() ? join(path, 'model.onnx') : path;
  } catch (error) {
    throw new ModelLoadError('MODEL_NOT_FOUND', `model not found: ${model}; ${CHOOSE_MODEL_HINT}`, { file: model }, { cause: error });
  }
  if (!existsSync(onnx)) throw new ModelLoadError('MODEL_NOT_FOUND', `model not found: ${onnx} (a model folder holds model.onnx and model.json); ${CHOOSE_MODEL_HINT}`, { file: onnx });
  const card = join(dirname(onnx), 'model.json');
  return { onnx, card: existsSync(card) ? card : undefined };
}

/**
 * Loads a model folder (or `.onnx` file) into a ready {@link LocalDetector}: onnxruntime-node on the
 * requested device, sharp preprocessing, and the model spec resolved from options > `model.json` >
 * ONNX metadata. Model problems (bad card, wrong output shape, class-count mismatch) are typed errors.
 *
 * @example
 * const detector = await loadDetector(); // the shipped PCB model on the CPU
 * const custom = await loadDetector('path/to/model-folder', { device: 'auto', conf: 0.3 });
 * const { detections } = await detector.detect('board.jpg');
 * await detector.dispose();
 */
export async function loadDetector(model: string = defaultModelDir(), options: LoadDetectorOptions = {}): Promise<NodeDetector> {
  const files = findModelFiles(model);
  let card: ModelCard | undefined;
  if (files.card) card = parseModelCardText(await readFile(files.card, 'utf8'), files.card);
  // Any given count goes to the backend, which refuses one outside 0..64 (NaN, -1) instead of running in-process.
  const backend = new OnnxNodeBackend(options.workers !== undefined ? { workers: options.workers } : {});
  await backend.load(files.onnx, { device: options.device ?? 'cpu', ...(options.threads ? { threads: options.threads } : {}) });
  const preprocessor = new SharpPreprocessor(options.maxPixels ? { maxPixels: options.maxPixels } : {});
  return detectorFromBackend(backend, { card, preprocessor, spec: options.spec, detect: options });
}
