import { readFile } from 'node:fs/promises';
import type * as ort from 'onnxruntime-node';
import { readOnnxMetadata } from '@defectkit/postprocess';
import { BackendError, type Backend, type BackendInfo, type BackendLoadOptions, type BackendValueInfo, type Tensor } from '@defectkit/detector';
import { ModelLoadError } from './errors.js';
import { cudaMissingReason, cudaUnavailable, providerPlan } from './execution-provider.js';
import { disableOnnxRuntimeTelemetry } from './onnxruntime-telemetry.js';
import { onnxruntime } from './onnxruntime-binding.js';

function describeValues(metadata: readonly ort.InferenceSession.ValueMetadata[]): BackendValueInfo[] {
  return metadata.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d < 0 ? null : d)) } : { name: m.name, type: 'non-tensor', shape: [] }));
}

function fromOrt(value: ort.Tensor): Tensor {
  const dims = [...value.dims];
  switch (value.type) {
    case 'float32':
      return { type: 'float32', data: value.data as Float32Array, dims };
    case 'int32':
      return { type: 'int32', data: value.data as Int32Array, dims };
    case 'int64':
      return { type: 'int64', data: value.data as BigInt64Array, dims };
    case 'uint8':
    case 'bool':
      return { type: 'uint8', data: value.data as Uint8Array, dims };
    default: {
      const source = value.data as ArrayLike<number>;
      return { type: 'float32', data: Float32Array.from(source, Number), dims };
    }
  }
}

/**
 * The onnxruntime-node {@link Backend}: devices `cpu`, `cuda` (a typed `CUDA_UNAVAILABLE` error when
 * its provider cannot load; never a silent CPU fallback) and `auto` (CUDA when it works, else CPU;
 * `info.provider` says which).
 *
 * @example
 * const backend = new OnnxNodeBackend();
 * const info = await backend.load('models/pcb-defects/model.onnx', { device: 'auto' });
 * console.log(info.provider); // 'cpu' or 'cuda'
 */
export class OnnxNodeBackend implements Backend {
  private session: ort.InferenceSession | undefined;
  private loaded: BackendInfo | undefined;
  /** Why `auto` ended on the CPU (undefined when it did not fall back). */
  fallbackReason: string | undefined;

  get info(): BackendInfo | undefined {
    return this.loaded;
  }

  async load(model: Uint8Array | string, options: BackendLoadOptions = {}): Promise<BackendInfo> {
    const device = options.device ?? 'cpu';
    const source = typeof model === 'string' ? model : '(model bytes)';
    let bytes: Uint8Array;
    if (typeof model === 'string') {
      try {
        bytes = await readFile(model);
      } catch (error) {
        throw new ModelLoadError('MODEL_NOT_FOUND', `cannot read model ${model}: ${(error as Error).message}`, { file: model }, { cause: error });
      }
    } else bytes = model;
    if (device === 'cuda') {
      const missing = cudaMissingReason();
      if (missing) throw cudaUnavailable(missing);
    }
    await this.dispose();
    disableOnnxRuntimeTelemetry(); // before the first session: its telemetry crashes on long command lines
    const runtime = onnxruntime(); // outside the provider loop: a missing binding is ONNXRUNTIME_NOT_INSTALLED, not MODEL_LOAD
    let lastError: unknown;
    for (const plan of providerPlan(device)) {
      try {
        const session = await runtime.InferenceSession.create(bytes, {
          executionProviders: plan.executionProviders,
          graphOptimizationLevel: 'all',
          ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
        });
        let metadata: Record<string, string> = {};
        try {
          metadata = readOnnxMetadata(bytes);
        } catch {
          // onnxruntime accepted the model, so unreadable metadata only means no Ultralytics hints.
        }
        this.session = session;
        this.loaded = {
          backend: 'onnxruntime-node',
          requestedDevice: device,
          provider: plan.provider,
          inputs: describeValues(session.inputMetadata),
          outputs: describeValues(session.outputMetadata),
          metadata,
        };
        return this.loaded;
      } catch (error) {
        lastError = error;
        if (plan.provider === 'cuda' && device === 'cuda') throw cudaUnavailable((error as Error).message.split('\n')[0]!, error);
        if (plan.provider === 'cuda') this.fallbackReason = (error as Error).message.split('\n')[0];
      }
    }
    throw new ModelLoadError('MODEL_LOAD', `onnxruntime cannot load ${source}: ${(lastError as Error)?.message ?? lastError}`, { file: source }, { cause: lastError });
  }

  async run(inputs: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    const session = this.session;
    if (!session) throw new BackendError('BACKEND_NOT_LOADED', 'run() called before load() or after dispose()', {});
    let results: ort.InferenceSession.ReturnType;
    try {
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, tensor] of Object.entries(inputs)) feeds[name] = new (onnxruntime().Tensor)(tensor.type, tensor.data, tensor.dims);
      results = await session.run(feeds);
    } catch (error) {
      throw new BackendError('BACKEND_RUN', `onnxruntime run failed: ${(error as Error).message}`, { inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.dims])) }, { cause: error });
    }
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(results)) {
      out[name] = fromOrt(value as ort.Tensor);
    }
    return out;
  }

  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.loaded = undefined;
    if (session) await session.release();
  }
}
