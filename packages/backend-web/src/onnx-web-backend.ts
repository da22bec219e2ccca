import * as ort from 'onnxruntime-web';
import { BackendError, ortBackendInfo, runOrtSession, type Backend, type BackendInfo, type BackendLoadOptions, type DeviceRequest, type Tensor } from '@defectkit/detector';
import { WebDeviceError, WebModelError } from './errors.js';
import { onnxRuntimeWebSetup } from './onnxruntime-web-setup.js';
import { webGpuMissingReason } from './webgpu-probe.js';

/** Session settings a caller may tune (measured in `benchmarks/web-latency.ts`). */
export interface OnnxWebBackendOptions {
  /** onnxruntime graph optimisation level (default `all`). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Fixed sizes for named dynamic dimensions (e.g. `{ batch: 1 }`): lets onnxruntime plan memory and fuse more.
   * Default: none, so batches of any size run.
   */
  freeDimensionOverrides?: Record<string, number>;
}

/** The execution providers to try for a device, in order, each with the name reported as `provider`. */
async function providerPlan(device: DeviceRequest): Promise<{ plan: { provider: string; executionProviders: string[] }[]; fallbackReason?: string }> {
  const wasm = { provider: 'cpu', executionProviders: ['wasm'] };
  const webgpu = { provider: 'webgpu', executionProviders: ['webgpu'] };
  if (device === 'cpu') return { plan: [wasm] };
  if (device === 'cuda') throw new WebDeviceError('CUDA_UNAVAILABLE', 'device "cuda" is not available in a browser; ask for "webgpu", "cpu" (WASM) or "auto"', { device });
  const missing = await webGpuMissingReason();
  if (device === 'webgpu') {
    if (missing) throw new WebDeviceError('WEBGPU_UNAVAILABLE', `device "webgpu" was requested but cannot run: ${missing}`, { device, reason: missing });
    return { plan: [webgpu] };
  }
  return missing ? { plan: [wasm], fallbackReason: missing } : { plan: [webgpu, wasm] };
}

async function fetchModel(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new WebModelError('MODEL_NOT_FOUND', `cannot fetch model ${url}: ${(error as Error).message}`, { file: url }, { cause: error });
  }
  if (!response.ok) throw new WebModelError('MODEL_NOT_FOUND', `cannot fetch model ${url}: HTTP ${response.status}`, { file: url, status: response.status });
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * The onnxruntime-web {@link Backend}: devices `cpu` (the WASM provider: SIMD, multi-threaded when the page is
 * cross-origin isolated), `webgpu` (a typed `WEBGPU_UNAVAILABLE` error when the browser has no adapter; never a
 * silent fallback) and `auto` (WebGPU when it works, else WASM; `fallbackReason` says why). Models are bytes or a
 * URL. Call `configureOnnxRuntimeWeb` first so the WASM files come from your origin.
 *
 * @example
 * configureOnnxRuntimeWeb({ wasmPaths: '/ort/' });
 * const backend = new OnnxWebBackend();
 * const info = await backend.load('/models/default/model.onnx', { device: 'auto' });
 * console.log(info.provider, backend.fallbackReason); // 'cpu' 'this browser offers no WebGPU ...'
 */
export class OnnxWebBackend implements Backend {
  private session: ort.InferenceSession | undefined;
  private loaded: BackendInfo | undefined;
  /** Why `auto` ended on WASM (undefined when it did not fall back). */
  fallbackReason: string | undefined;

  constructor(private readonly options: OnnxWebBackendOptions = {}) {}

  get info(): BackendInfo | undefined {
    return this.loaded;
  }

  async load(model: Uint8Array | string, options: BackendLoadOptions = {}): Promise<BackendInfo> {
    const device = options.device ?? 'cpu';
    const source = typeof model === 'string' ? model : '(model bytes)';
    const bytes = typeof model === 'string' ? await fetchModel(model) : model;
    const { plan, fallbackReason } = await providerPlan(device);
    await this.dispose();
    if (options.threads !== undefined && onnxRuntimeWebSetup() === undefined) ort.env.wasm.numThreads = options.threads;
    this.fallbackReason = fallbackReason;
    let lastError: unknown;
    for (const step of plan) {
      try {
        const session = await ort.InferenceSession.create(bytes, {
          executionProviders: step.executionProviders,
          graphOptimizationLevel: this.options.graphOptimizationLevel ?? 'all',
          ...(this.options.freeDimensionOverrides ? { freeDimensionOverrides: this.options.freeDimensionOverrides } : {}),
        });
        this.session = session;
        this.loaded = ortBackendInfo(session, bytes, { backend: 'onnxruntime-web', requestedDevice: device, provider: step.provider });
        return this.loaded;
      } catch (error) {
        lastError = error;
        const message = String((error as Error)?.message ?? error).split('\n')[0]!;
        if (step.provider === 'webgpu' && device === 'webgpu') throw new WebDeviceError('WEBGPU_UNAVAILABLE', `device "webgpu" was requested but cannot run: ${message}`, { device, reason: message }, { cause: error });
        if (step.provider === 'webgpu') this.fallbackReason = message;
      }
    }
    const message = String((lastError as Error)?.message ?? lastError);
    throw new WebModelError('MODEL_LOAD', `onnxruntime-web cannot load ${source}: ${message}`, { file: source }, { cause: lastError });
  }

  async run(inputs: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    const session = this.session;
    if (!session) throw new BackendError('BACKEND_NOT_LOADED', 'run() called before load() or after dispose()', {});
    return runOrtSession(session, inputs, (tensor) => new ort.Tensor(tensor.type, tensor.data, tensor.dims), 'onnxruntime-web');
  }

  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.loaded = undefined;
    if (session) await session.release();
  }
}
