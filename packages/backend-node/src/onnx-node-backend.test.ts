import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// The public path is `@defectkit/detector/testing`; the relative import keeps `tsc` working until tsconfig maps that subpath.
import { describeBackendConformance } from '../../detector/src/testing/index.js';
import { describe, expect, it } from 'vitest';
import { goldenDir } from '../../../test/support/paths.js';
import { cudaMissingReason } from './execution-provider.js';
import { OnnxNodeBackend } from './onnx-node-backend.js';
import type { Tensor } from '@defectkit/detector';

function goldenTensor(name: string): { dims: number[]; data: Float32Array } {
  const golden = JSON.parse(readFileSync(join(goldenDir, 'yolo_postprocess_derived.json'), 'utf8')) as {
    inputs: Record<string, { shape: number[]; base64_le: string }>;
  };
  const entry = golden.inputs[name]!;
  const bytes = Uint8Array.from(Buffer.from(entry.base64_le, 'base64'));
  return { dims: entry.shape, data: new Float32Array(bytes.buffer) };
}

const fixture = join(goldenDir, 'fixtures', 'synthetic_ultralytics_detect_bcn.onnx');

describeBackendConformance('onnxruntime-node (cpu)', () => new OnnxNodeBackend(), () => ({
  model: fixture,
  inputs: { images: { type: 'float32', data: new Float32Array(3 * 320 * 320).fill(0.5), dims: [1, 3, 320, 320] } },
  expected: { output0: goldenTensor('ultralytics_bcn_input0') },
}));

describeBackendConformance('onnxruntime-node (model bytes)', () => new OnnxNodeBackend(), () => ({
  model: readFileSync(join(goldenDir, 'fixtures', 'synthetic_ultralytics_end2end.onnx')),
  inputs: { images: { type: 'float32', data: new Float32Array(3 * 320 * 320), dims: [1, 3, 320, 320] } },
  expected: { output0: goldenTensor('end2end_bn6_input5') },
}));

describeBackendConformance('onnxruntime-node (2 worker threads)', () => new OnnxNodeBackend({ workers: 2 }), () => ({
  model: fixture,
  inputs: { images: { type: 'float32', data: new Float32Array(3 * 320 * 320).fill(0.5), dims: [1, 3, 320, 320] } },
  expected: { output0: goldenTensor('ultralytics_bcn_input0') },
}));

describe('OnnxNodeBackend in worker threads', () => {
  const input = (value: number): Tensor => ({ type: 'float32', data: new Float32Array(3 * 320 * 320).fill(value), dims: [1, 3, 320, 320] });

  it('declares one concurrent run per worker and gives what the in-process session gives, runs side by side', async () => {
    const pooled = new OnnxNodeBackend({ workers: 2 });
    const inProcess = new OnnxNodeBackend();
    const info = await pooled.load(fixture, { device: 'cpu' });
    expect(info.concurrentRuns).toBe(2);
    expect((await inProcess.load(fixture)).concurrentRuns).toBeUndefined();
    const values = [0.1, 0.5, 0.9, 0.3];
    const together = await Promise.all(values.map((v) => pooled.run({ images: input(v) })));
    for (const [i, v] of values.entries()) expect(together[i]!.output0!.data).toEqual((await inProcess.run({ images: input(v) })).output0!.data);
    await pooled.dispose();
    await inProcess.dispose();
  });

  it('refuses a worker count that is not an integer from 0 to 64, naming the field', () => {
    for (const workers of [-1, 1.5, 65, Number.NaN, 1e9]) expect(() => new OnnxNodeBackend({ workers })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', details: { field: 'workers', value: workers } }));
  });

  it('copies its inputs: the caller\'s tensor stays usable after the run', async () => {
    const backend = new OnnxNodeBackend({ workers: 1 });
    await backend.load(fixture);
    const tensor = input(0.25);
    await backend.run({ images: tensor });
    expect(tensor.data.length).toBe(3 * 320 * 320);
    expect(tensor.data[17]).toBe(0.25);
    await backend.dispose();
  });

  it('takes handed-over inputs without a copy (left detached) and still copies a view into a larger buffer', async () => {
    const pooled = new OnnxNodeBackend({ workers: 1 });
    const inProcess = new OnnxNodeBackend();
    await pooled.load(fixture);
    await inProcess.load(fixture);
    const want = (await inProcess.run({ images: input(0.4) })).output0!.data;
    const whole = input(0.4);
    expect((await pooled.run({ images: whole }, { handOver: true })).output0!.data).toEqual(want);
    expect(whole.data.length).toBe(0); // transferred to the worker thread, not copied
    const n = 3 * 320 * 320;
    const backing = new Float32Array(n + 8).fill(0.4);
    const view = backing.subarray(8);
    expect((await pooled.run({ images: { type: 'float32', data: view, dims: [1, 3, 320, 320] } }, { handOver: true })).output0!.data).toEqual(want);
    expect(view.length).toBe(n); // part of a larger buffer: copied, so the rest of the buffer stays the caller's
    // In-process sessions read the caller's memory in place, handed over or not.
    const kept = input(0.4);
    expect((await inProcess.run({ images: kept }, { handOver: true })).output0!.data).toEqual(want);
    expect(kept.data.length).toBe(n);
    await pooled.dispose();
    await inProcess.dispose();
  });

  it('inputs it cannot send (a detached array) fail their run only: the one worker goes on serving', async () => {
    const backend = new OnnxNodeBackend({ workers: 1 });
    await backend.load(fixture);
    for (const handOver of [false, true]) {
      // onnxruntime's Tensor refuses a detached array whose dims want elements; an empty one reaches the pool.
      const gone = new Float32Array(0);
      structuredClone(gone.buffer, { transfer: [gone.buffer] });
      await expect(backend.run({ images: { type: 'float32', data: gone, dims: [1, 3, 0, 320] } }, { handOver })).rejects.toMatchObject({ code: 'BACKEND_RUN' });
    }
    // Before the fix the worker stayed taken by the failed run, and this run never finished.
    expect((await backend.run({ images: input(0.5) })).output0!.data.length).toBeGreaterThan(0);
    await backend.dispose();
  });

  it('a worker that dies fails its run and every later one with BACKEND_RUN, and dispose still returns', async () => {
    const backend = new OnnxNodeBackend({ workers: 2 });
    await backend.load(fixture);
    // Reached through the private fields on purpose: nothing public kills a worker thread.
    const pool = (backend as unknown as { session: { lanes: { worker: { terminate(): Promise<number> } }[] } }).session;
    await pool.lanes[0]!.worker.terminate();
    await expect(backend.run({ images: input(0.5) })).rejects.toMatchObject({ code: 'BACKEND_RUN', message: expect.stringMatching(/worker exited/) });
    await backend.dispose();
    await expect(backend.run({ images: input(0.5) })).rejects.toMatchObject({ code: 'BACKEND_NOT_LOADED' });
  });

  it('sends exactly the bytes of a view into a larger buffer, and leaves the caller its view', async () => {
    const pooled = new OnnxNodeBackend({ workers: 1 });
    const inProcess = new OnnxNodeBackend();
    await pooled.load(fixture);
    await inProcess.load(fixture);
    const n = 3 * 320 * 320;
    const backing = new Float32Array(n + 64).fill(9); // 9s on both sides of the view
    const view = new Float32Array(backing.buffer, 32 * 4, n).fill(0.3);
    const got = await pooled.run({ images: { type: 'float32', data: view, dims: [1, 3, 320, 320] } });
    expect(got.output0!.data).toEqual((await inProcess.run({ images: input(0.3) })).output0!.data);
    expect(view.length).toBe(n);
    expect(backing[0]).toBe(9);
    await pooled.dispose();
    await inProcess.dispose();
  });

  it('load and dispose take turns: dispose during load, and two loads at once, leave no session or worker behind', async () => {
    const threads = (): number => Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
    expect(process.platform).toBe('linux'); // the thread count is read from /proc
    const warm = new OnnxNodeBackend({ workers: 2 });
    await warm.load(fixture);
    await warm.dispose(); // lazily started runtime and libuv threads now exist
    const baseline = threads();
    const backend = new OnnxNodeBackend({ workers: 2 });
    const loading = backend.load(fixture);
    const disposing = backend.dispose();
    expect((await loading).concurrentRuns).toBe(2);
    await disposing;
    expect(backend.info).toBeUndefined();
    await expect(backend.run({ images: input(0.5) })).rejects.toMatchObject({ code: 'BACKEND_NOT_LOADED' });
    const [a, b] = await Promise.all([backend.load(fixture), backend.load(fixture)]);
    expect([a.concurrentRuns, b.concurrentRuns]).toEqual([2, 2]);
    await Promise.all([backend.dispose(), backend.dispose()]);
    expect(threads()).toBe(baseline);
  });

  it('dispose lets the runs in flight finish and fails the ones queued behind them', async () => {
    const backend = new OnnxNodeBackend({ workers: 1 });
    await backend.load(fixture);
    const first = backend.run({ images: input(0.5) });
    const queued = backend.run({ images: input(0.6) }).then(() => 'ran', (error: unknown) => error);
    const disposed = backend.dispose();
    expect((await first).output0!.dims).toEqual([1, 10, 2100]);
    expect(await queued).toMatchObject({ code: 'BACKEND_NOT_LOADED' });
    await disposed;
    await expect(backend.run({ images: input(0.5) })).rejects.toMatchObject({ code: 'BACKEND_NOT_LOADED' });
  });
});

describe('OnnxNodeBackend devices', () => {
  it('reads the ONNX metadata_props', async () => {
    const backend = new OnnxNodeBackend();
    const info = await backend.load(fixture);
    expect(info.metadata.names).toBe("{0: 'open', 1: 'short', 2: 'mousebite', 3: 'spur', 4: 'copper', 5: 'pin-hole'}");
    expect(info.inputs[0]).toEqual({ name: 'images', type: 'float32', shape: [1, 3, 320, 320] });
    await backend.dispose();
  });

  it('auto reports the provider it actually used', async () => {
    const backend = new OnnxNodeBackend();
    const info = await backend.load(fixture, { device: 'auto' });
    expect(info.requestedDevice).toBe('auto');
    expect(info.provider).toBe(cudaMissingReason() === undefined ? info.provider : 'cpu');
    expect(['cpu', 'cuda']).toContain(info.provider);
    await backend.dispose();
  });

  it('cuda without a working provider is a typed error naming what is missing and how to install it', async () => {
    const reason = cudaMissingReason();
    const backend = new OnnxNodeBackend();
    if (reason === undefined) {
      // A CUDA build is installed here: an explicit request must then really run on CUDA (or fail loudly).
      const info = await backend.load(fixture, { device: 'cuda' }).catch((error) => error);
      expect(info.provider ?? info.code).toMatch(/^(cuda|CUDA_UNAVAILABLE)$/);
      await backend.dispose();
      return;
    }
    await expect(backend.load(fixture, { device: 'cuda' })).rejects.toMatchObject({
      code: 'CUDA_UNAVAILABLE',
      message: expect.stringMatching(/ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js.*CUDA 12.*cuDNN 9/s),
      details: { device: 'cuda', reason },
    });
    expect(backend.info).toBeUndefined();
  });
});
