import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '@defectkit/core';
import { BackendError, ortBackendInfo, runOrtSession, type Backend, type BackendInfo, type BackendLoadOptions, type BackendRunOptions, type OrtSessionLike, type Tensor } from '@defectkit/detector';
import { ModelLoadError } from './errors.js';
import { cudaMissingReason, cudaUnavailable, providerPlan } from './execution-provider.js';
import { disableOnnxRuntimeTelemetry } from './onnxruntime-telemetry.js';
import { onnxruntime } from './onnxruntime-binding.js';
import { OnnxWorkerPool } from './onnx-worker-pool.js';

/** Options of {@link OnnxNodeBackend}. */
export interface OnnxNodeBackendOptions {
  /**
   * CPU inference in this many worker threads, one session each, `threads` intra-op threads per session (default 1);
   * 0 (the default) runs one session on the calling thread. Workers serve concurrent runs side by side and leave the
   * main thread free to decode the next images: more images per second over a folder, while a single image takes
   * longer (one core instead of all). CUDA sessions always run in-process.
   */
  workers?: number;
}

type Session = OrtSessionLike & { release(): Promise<void> };

/** The most worker threads a backend starts (each holds a session: memory grows with the count). */
export const MAX_WORKERS = 64;

/**
 * The onnxruntime-node {@link Backend}: devices `cpu`, `cuda` (a typed `CUDA_UNAVAILABLE` error when
 * its provider cannot load; never a silent CPU fallback) and `auto` (CUDA when it works, else CPU;
 * `info.provider` says which).
 *
 * @example
 * const backend = new OnnxNodeBackend();
 * const info = await backend.load('models/pcb-defects/model.onnx', { device: 'auto' });
 * console.log(info.provider); // 'cpu' or 'cuda'
 *
 * // Folder throughput on the CPU: two single-threaded sessions in worker threads.
 * const pooled = new OnnxNodeBackend({ workers: 2 });
 */
export class OnnxNodeBackend implements Backend {
  private session: Session | undefined;
  private readonly workers: number;
  private loaded: BackendInfo | undefined;
  /** The tail of load/dispose calls: they run one after another, so none can leave a session (or workers) behind. */
  private lifecycle: Promise<unknown> = Promise.resolve();
  /** Why `auto` ended on the CPU (undefined when it did not fall back). */
  fallbackReason: string | undefined;

  constructor(options: OnnxNodeBackendOptions = {}) {
    const workers = options.workers ?? 0;
    if (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS)
      throw new InvalidArgumentError('INVALID_OPTION', `workers must be an integer from 0 to ${MAX_WORKERS} (got ${workers})`, { field: 'workers', value: workers });
    this.workers = workers;
  }

  get info(): BackendInfo | undefined {
    return this.loaded;
  }

  load(model: Uint8Array | string, options: BackendLoadOptions = {}): Promise<BackendInfo> {
    return this.inTurn(() => this.loadNow(model, options));
  }

  /** Releases the session (and its workers); runs in flight finish first. Calling it twice, or during `load`, is safe. */
  dispose(): Promise<void> {
    return this.inTurn(() => this.disposeNow());
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.then(fn, fn);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  private async loadNow(model: Uint8Array | string, options: BackendLoadOptions): Promise<BackendInfo> {
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
    await this.disposeNow();
    disableOnnxRuntimeTelemetry(); // before the first session: its telemetry crashes on long command lines
    const runtime = onnxruntime(); // outside the provider loop: a missing binding is ONNXRUNTIME_NOT_INSTALLED, not MODEL_LOAD
    let lastError: unknown;
    for (const plan of providerPlan(device)) {
      try {
        const session: Session =
          plan.provider === 'cpu' && this.workers > 0
            ? await OnnxWorkerPool.start(bytes, { workers: this.workers, ...(options.threads ? { threads: options.threads } : {}) })
            : await runtime.InferenceSession.create(bytes, {
                executionProviders: plan.executionProviders,
                graphOptimizationLevel: 'all',
                ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
              });
        this.session = session;
        this.loaded = ortBackendInfo(session, bytes, { backend: 'onnxruntime-node', requestedDevice: device, provider: plan.provider });
        if (session instanceof OnnxWorkerPool) this.loaded.concurrentRuns = session.size;
        return this.loaded;
      } catch (error) {
        lastError = error;
        if (plan.provider === 'cuda' && device === 'cuda') throw cudaUnavailable((error as Error).message.split('\n')[0]!, error);
        if (plan.provider === 'cuda') this.fallbackReason = (error as Error).message.split('\n')[0];
      }
    }
    throw new ModelLoadError('MODEL_LOAD', `onnxruntime cannot load ${source}: ${(lastError as Error)?.message ?? lastError}`, { file: source }, { cause: lastError });
  }

  async run(inputs: Readonly<Record<string, Tensor>>, options: BackendRunOptions = {}): Promise<Record<string, Tensor>> {
    const session = this.session;
    if (!session) throw new BackendError('BACKEND_NOT_LOADED', 'run() called before load() or after dispose()', {});
    const runtime = onnxruntime();
    // A worker pool moves handed-over inputs to its thread instead of copying them (about 0.5 ms per 640x640 board).
    const target: OrtSessionLike =
      options.handOver && session instanceof OnnxWorkerPool
        ? { inputMetadata: session.inputMetadata, outputMetadata: session.outputMetadata, run: (feeds) => session.run(feeds, true) }
        : session;
    return runOrtSession(target, inputs, (tensor) => new runtime.Tensor(tensor.type, tensor.data, tensor.dims), 'onnxruntime-node');
  }

  private async disposeNow(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.loaded = undefined;
    if (session) await session.release();
  }
}
