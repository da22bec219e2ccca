import type { Tensor, TensorType } from './tensor.js';

/**
 * The device a caller asks for: `auto` takes the best available accelerator and falls back to the CPU. `cuda` is
 * offered by the Node backend, `webgpu` by the browser backend (where `cpu` is onnxruntime-web's WASM provider).
 */
export type DeviceRequest = 'cpu' | 'cuda' | 'webgpu' | 'auto';

/** One model input or output as the backend sees it; a dimension is a number, or a name / null when dynamic. */
export interface BackendValueInfo {
  name: string;
  type: TensorType | string;
  shape: ReadonlyArray<number | string | null>;
}

/** What a loaded backend reports about itself. */
export interface BackendInfo {
  /** The backend implementation, e.g. `onnxruntime-node`. */
  backend: string;
  /** The device the caller asked for. */
  requestedDevice: DeviceRequest;
  /** The execution provider actually running the model, e.g. `cpu` or `cuda`. */
  provider: string;
  inputs: BackendValueInfo[];
  outputs: BackendValueInfo[];
  /** ONNX `metadata_props` when the backend can read them (Ultralytics writes names, imgsz, stride there). */
  metadata: Record<string, string>;
  /**
   * How many `run` calls the backend executes side by side (e.g. one per worker thread); a detector keeps at most this
   * many in flight. Absent: 1, runs one after another.
   */
  concurrentRuns?: number;
}

/** Options for {@link Backend.load}. */
export interface BackendLoadOptions {
  device?: DeviceRequest;
  /** Intra-op threads; the backend's default when omitted. */
  threads?: number;
}

/** Options for {@link Backend.run}. */
export interface BackendRunOptions {
  /**
   * The caller hands the input arrays over: it will not read or reuse them after this call, so the backend may take
   * their memory instead of copying it (a worker thread's transfer leaves them detached, length 0). Default: the
   * inputs are the caller's and stay as they were.
   */
  handOver?: boolean;
}

/**
 * The contract every inference backend implements (onnxruntime-node today; onnxruntime-web or a
 * remote model later). `describeBackendConformance` from `@defectkit/detector/testing` checks it.
 *
 * @example
 * const info = await backend.load(modelBytes, { device: 'auto' });
 * const out = await backend.run({ [info.inputs[0]!.name]: { type: 'float32', data, dims: [1, 3, 640, 640] } });
 * await backend.dispose();
 */
export interface Backend {
  /** Loads a model from its bytes or a path the backend can read; resolves with what it loaded. */
  load(model: Uint8Array | string, options?: BackendLoadOptions): Promise<BackendInfo>;
  /** Runs the model once. Keys are input names; the result holds every output by name. */
  run(inputs: Readonly<Record<string, Tensor>>, options?: BackendRunOptions): Promise<Record<string, Tensor>>;
  /** Releases the model; `run` afterwards throws `BACKEND_NOT_LOADED`. Calling it twice is harmless. */
  dispose(): Promise<void>;
  /** The loaded model's description, `undefined` before `load` and after `dispose`. */
  readonly info: BackendInfo | undefined;
}

/** Makes a fresh, unloaded backend (what the conformance suite and model loaders take). */
export type BackendFactory = () => Backend | Promise<Backend>;
