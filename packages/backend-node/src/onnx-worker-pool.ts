import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BackendError, type OrtSessionLike, type OrtTensorLike, type OrtValueMetadata } from '@defectkit/detector';

// Why workers: onnxruntime-node's `session.run` executes on the calling thread (the promise only defers it with
// setImmediate), so in-process inference blocks Node's event loop: decoding the next image with sharp can proceed on
// libuv's pool, but its completion and the tensor fill wait until the run returns. Sessions in worker threads leave the
// main thread free for that work, and two single-threaded sessions side by side use two cores with less
// synchronisation than one two-threaded session.

// The worker is plain JavaScript evaluated from this string (not a file beside this module), so it runs the same from
// the built package, from TypeScript sources under tsx or vitest, and from a bundle. It loads its modules with dynamic
// import(), which works whether Node evaluates it as CommonJS or, under --input-type=module, as an ES module. It
// needs onnxruntime-node only, resolved by the main thread and handed over as a file URL.
const WORKER_SOURCE = `
const message = (e) => String((e && e.message) || e);
const ARRAYS = { float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, bool: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array };
const describe = (list) => list.map((m) => (m.isTensor ? { name: m.name, isTensor: true, type: m.type, shape: [...m.shape] } : { name: m.name, isTensor: false }));
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  let session;
  let ort;
  try {
    const loaded = await import(workerData.ortUrl);
    ort = loaded.default ?? loaded;
    session = await ort.InferenceSession.create(workerData.model, workerData.options);
  } catch (e) {
    parentPort.postMessage({ kind: 'failed', message: message(e) });
    return;
  }
  workerData.model = null; // the session holds the weights now; the copy of the file can go
  parentPort.postMessage({ kind: 'ready', inputMetadata: describe(session.inputMetadata), outputMetadata: describe(session.outputMetadata) });
  // One job at a time, in order: \`close\` waits for the run before it (session.run yields before it runs).
  let previous = Promise.resolve();
  parentPort.on('message', (job) => {
    previous = previous.then(() => handle(job)).catch(() => undefined); // handle answers its own errors; the chain goes on
  });
  async function handle(job) {
    if (job.kind === 'close') {
      try {
        await session.release();
      } finally {
        parentPort.close();
      }
      return;
    }
    try {
      const feeds = {};
      for (const [name, t] of Object.entries(job.inputs)) {
        const Array_ = ARRAYS[t.type];
        if (!Array_) throw new Error('input ' + name + ' has unsupported type ' + t.type);
        feeds[name] = new ort.Tensor(t.type, new Array_(t.bytes), t.dims);
      }
      const results = await session.run(feeds);
      const outputs = {};
      const transfer = [];
      for (const [name, v] of Object.entries(results)) {
        const data = new v.data.constructor(v.data); // a buffer of its own, so it can be transferred whatever backs the runtime's
        outputs[name] = { type: v.type, data, dims: [...v.dims] };
        transfer.push(data.buffer);
      }
      parentPort.postMessage({ kind: 'result', id: job.id, outputs }, transfer);
    } catch (e) {
      parentPort.postMessage({ kind: 'error', id: job.id, message: message(e) });
    }
  }
})();
`;

type WorkerReply =
  | { kind: 'failed'; message: string }
  | { kind: 'ready'; inputMetadata: OrtValueMetadata[]; outputMetadata: OrtValueMetadata[] }
  | { kind: 'result'; id: number; outputs: Record<string, OrtTensorLike> }
  | { kind: 'error'; id: number; message: string };

/** The message that starts `job` on a worker, and the buffers it transfers. */
function runMessage(job: Job): [message: unknown, transfer: ArrayBuffer[]] {
  const inputs: Record<string, { type: string; bytes: ArrayBuffer; dims: readonly number[] }> = {};
  const transfer = new Set<ArrayBuffer>();
  for (const [name, t] of Object.entries(job.inputs)) {
    const view = t.data as ArrayBufferView;
    const whole = view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
    // Otherwise a copy of exactly the tensor's bytes moves to the worker and the caller keeps its array (a Buffer too,
    // whose slice() would be a view of the caller's memory, often of a pool shared with other Buffers).
    const bytes = job.handOver && whole ? (view.buffer as ArrayBuffer) : (view.buffer as ArrayBuffer).slice(view.byteOffset, view.byteOffset + view.byteLength);
    inputs[name] = { type: t.type, bytes, dims: [...t.dims] };
    transfer.add(bytes);
  }
  return [{ kind: 'run', id: job.id, inputs }, [...transfer]];
}

interface Job {
  id: number;
  inputs: Readonly<Record<string, OrtTensorLike>>;
  /** The caller handed the inputs over: arrays that own their whole buffer move to the worker without a copy. */
  handOver: boolean;
  resolve: (outputs: Record<string, OrtTensorLike>) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  worker: Worker;
  job: Job | undefined;
  /** Settles when the worker's thread has ended, however it ended. */
  exited: Promise<void>;
}

/** Options of {@link OnnxWorkerPool.start}. */
export interface OnnxWorkerPoolOptions {
  /** Worker threads, each with its own session (at least 1). */
  workers: number;
  /** Intra-op threads of each worker's session (default 1). */
  threads?: number;
}

/**
 * CPU inference sessions of one model in worker threads, one session per worker; `run` hands each call to an idle
 * worker (or queues it), so as many runs proceed at once as there are workers and the main thread stays free.
 * Inputs are copied, never detached from the caller. A worker that dies (the runtime crashed in it) fails its run and
 * every later one with `BACKEND_RUN`: dispose the backend and load it again. It has the shape of an onnxruntime
 * session ({@link OrtSessionLike}), so a backend drives either alike.
 */
export class OnnxWorkerPool implements OrtSessionLike {
  private readonly queue: Job[] = [];
  private nextId = 0;
  private broken: Error | undefined;
  private closing = false;

  private constructor(
    private readonly lanes: Lane[],
    /** The model's inputs, as the first worker's session describes them. */
    readonly inputMetadata: readonly OrtValueMetadata[],
    /** The model's outputs, likewise. */
    readonly outputMetadata: readonly OrtValueMetadata[],
  ) {
    for (const lane of lanes) {
      this.listen(lane);
      // After the listeners (adding a 'message' listener refs the worker again): an idle pool does not keep the
      // process alive; a lane with a run in flight is ref'd until the run returns.
      lane.worker.unref();
    }
  }

  /** Starts the workers and loads `model` in each; rejects with the runtime's message when a session cannot load. */
  static async start(model: Uint8Array, options: OnnxWorkerPoolOptions): Promise<OnnxWorkerPool> {
    const count = Math.max(1, Math.floor(options.workers));
    const ortUrl = pathToFileURL(createRequire(import.meta.url).resolve('onnxruntime-node')).href;
    const sessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: options.threads ?? 1 };
    const lanes: Lane[] = [];
    const ready: Promise<Extract<WorkerReply, { kind: 'ready' }>>[] = [];
    try {
      for (let i = 0; i < count; i++) {
        // Each worker gets its own copy of the model bytes (structured clone), dropped once its session holds the weights.
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortUrl, model, options: sessionOptions } });
        lanes.push({ worker, job: undefined, exited: new Promise((resolve) => worker.once('exit', () => resolve())) });
        const settled = new Promise<Extract<WorkerReply, { kind: 'ready' }>>((resolve, reject) => {
          const settle = (reply: WorkerReply | Error | number): void => {
            worker.off('message', settle).off('error', settle).off('exit', settle);
            if (typeof reply === 'number') reject(new Error(`worker exited (code ${reply}) before its session loaded`));
            else if (reply instanceof Error) reject(reply);
            else if (reply.kind === 'ready') resolve(reply);
            else reject(new Error(reply.kind === 'failed' ? reply.message : `unexpected ${reply.kind}`));
          };
          worker.on('message', settle).on('error', settle).on('exit', settle);
        });
        settled.catch(() => undefined); // awaited below; a worker that fails while a later one is being created is not unhandled
        ready.push(settled);
      }
      const [first] = (await Promise.all(ready)) as [Extract<WorkerReply, { kind: 'ready' }>];
      return new OnnxWorkerPool(lanes, first.inputMetadata, first.outputMetadata);
    } catch (error) {
      // Whatever failed (a worker that could not be created, a session that could not load), none is left running.
      await Promise.all(lanes.map((lane) => lane.worker.terminate()));
      throw error;
    }
  }

  /** The number of workers. */
  get size(): number {
    return this.lanes.length;
  }

  /**
   * Runs the model once on an idle worker (queued while all are busy). Inputs are copied to the worker unless
   * `handOver`: then an array that spans its whole buffer is transferred, which leaves it detached for the caller.
   */
  run(inputs: Readonly<Record<string, OrtTensorLike>>, handOver = false): Promise<Record<string, OrtTensorLike>> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, inputs, handOver, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Lets the runs in flight finish, fails queued ones with `BACKEND_NOT_LOADED`, then releases every session and ends
   * the workers. Calling it twice is harmless.
   */
  async release(): Promise<void> {
    this.fail(new BackendError('BACKEND_NOT_LOADED', 'run() called after dispose()', {}));
    this.closing = true;
    await Promise.all(
      this.lanes.map(async (lane) => {
        lane.worker.ref();
        lane.worker.postMessage({ kind: 'close' }); // the worker answers the run before it first; a dead one ignores it
        await lane.exited;
      }),
    );
  }

  private dispatch(): void {
    for (const lane of this.lanes) {
      while (!lane.job && this.queue.length > 0) {
        const job = this.queue.shift()!;
        try {
          lane.worker.postMessage(...runMessage(job));
        } catch (error) {
          // Inputs that cannot be sent (an array already detached, say) fail their own run; the lane takes the next.
          job.reject(new BackendError('BACKEND_RUN', `onnxruntime-node worker: cannot send the inputs (${(error as Error)?.message ?? error})`, {}, { cause: error }));
          continue;
        }
        lane.job = job;
        lane.worker.ref();
      }
    }
  }

  private listen(lane: Lane): void {
    lane.worker.on('message', (reply: WorkerReply) => {
      const job = lane.job;
      if (!job || (reply.kind !== 'result' && reply.kind !== 'error') || reply.id !== job.id) return;
      lane.job = undefined;
      lane.worker.unref();
      if (reply.kind === 'result') job.resolve(reply.outputs);
      else job.reject(new Error(reply.message));
      this.dispatch();
    });
    const died = (reason: string): void => {
      if (this.closing && !lane.job) return; // ended by release()
      const error = new BackendError('BACKEND_RUN', `onnxruntime-node worker ${reason}`, {});
      if (lane.job) lane.job.reject(error);
      lane.job = undefined;
      this.fail(error);
    };
    lane.worker.on('error', (error) => died(`failed: ${error.message}`));
    lane.worker.on('exit', (code) => died(`exited (code ${code})`));
  }

  private fail(error: Error): void {
    this.broken ??= error;
    for (const job of this.queue.splice(0)) job.reject(error);
  }
}
