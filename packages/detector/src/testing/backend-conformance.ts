import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendFactory, DeviceRequest } from '../backend.js';
import { elementCount, type Tensor } from '../tensor.js';
import { expectTypedRejection } from './typed-rejection.js';

/** A model every backend under test must load and run, with the inputs to feed and (optionally) the expected outputs. */
export interface ConformanceFixture {
  /** The model's bytes or a path the backend reads. */
  model: Uint8Array | string;
  /** Valid inputs for one run, by input name. */
  inputs: Record<string, Tensor>;
  /** Exact expected outputs by name (compared with `tolerance`). */
  expected?: Record<string, { dims: readonly number[]; data: ArrayLike<number> }>;
  /** Absolute tolerance for `expected` (default 0). */
  tolerance?: number;
  /** The device to load with (default `cpu`). */
  device?: DeviceRequest;
}

/**
 * Registers the vitest suite every {@link Backend} must pass: lifecycle (`info` before/after load,
 * `BACKEND_NOT_LOADED` after `dispose`), what it reports (requested device, provider, input/output
 * names and shapes), output tensors that are flat, correctly sized and deterministic, typed errors for
 * bad models and bad inputs, and optional exact expected outputs.
 *
 * @example
 * describeBackendConformance('onnxruntime-node', () => new OnnxNodeBackend(), async () => ({ model: path, inputs }));
 */
export function describeBackendConformance(name: string, createBackend: BackendFactory, fixture: () => ConformanceFixture | Promise<ConformanceFixture>): void {
  describe(`Backend conformance: ${name}`, () => {
    let fx: ConformanceFixture;
    let backend: Backend;

    beforeAll(async () => {
      fx = await fixture();
      backend = await createBackend();
    });
    afterAll(async () => {
      await backend?.dispose();
    });

    it('has no info and refuses to run before load', async () => {
      const fresh = await createBackend();
      expect(fresh.info).toBeUndefined();
      await expectTypedRejection(fresh.run(fx.inputs), 'BACKEND_NOT_LOADED');
    });

    it('loads the model and reports the device, provider, inputs and outputs', async () => {
      const device = fx.device ?? 'cpu';
      const info = await backend.load(fx.model, { device });
      expect(backend.info).toEqual(info);
      expect(info.requestedDevice).toBe(device);
      expect(typeof info.provider).toBe('string');
      expect(info.provider.length).toBeGreaterThan(0);
      if (device === 'cpu') expect(info.provider).toBe('cpu');
      expect(info.inputs.map((i) => i.name).sort()).toEqual(Object.keys(fx.inputs).sort());
      for (const value of [...info.inputs, ...info.outputs]) expect(Array.isArray(value.shape)).toBe(true);
      expect(info.outputs.length).toBeGreaterThan(0);
      expect(typeof info.metadata).toBe('object');
    });

    it('returns every output as a flat typed array whose length matches its dims', async () => {
      const outputs = await backend.run(fx.inputs);
      expect(Object.keys(outputs).sort()).toEqual(backend.info!.outputs.map((o) => o.name).sort());
      for (const tensor of Object.values(outputs)) {
        expect(ArrayBuffer.isView(tensor.data)).toBe(true);
        expect(tensor.data.length).toBe(elementCount(tensor.dims));
        expect(['float32', 'int32', 'int64', 'uint8']).toContain(tensor.type);
      }
    });

    it('is deterministic and gives the expected outputs', async () => {
      const a = await backend.run(fx.inputs);
      const b = await backend.run(fx.inputs);
      for (const key of Object.keys(a)) expect(Array.from(b[key]!.data as ArrayLike<number>)).toEqual(Array.from(a[key]!.data as ArrayLike<number>));
      for (const [key, want] of Object.entries(fx.expected ?? {})) {
        const got = a[key];
        expect(got, `output ${key}`).toBeDefined();
        expect([...got!.dims]).toEqual([...want.dims]);
        const tol = fx.tolerance ?? 0;
        let worst = 0;
        for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(Number(got!.data[i]) - want.data[i]!));
        expect(worst).toBeLessThanOrEqual(tol);
      }
    });

    it('gives the same outputs for inputs handed over (run option handOver) as for inputs it must leave alone', async () => {
      const kept = await backend.run(fx.inputs);
      const copies: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(fx.inputs)) copies[name] = { ...t, data: t.data.slice() } as Tensor;
      const handed = await backend.run(copies, { handOver: true });
      for (const key of Object.keys(kept)) expect(Array.from(handed[key]!.data as ArrayLike<number>)).toEqual(Array.from(kept[key]!.data as ArrayLike<number>));
    });

    it('raises a typed error for an input whose memory is gone (a detached array) and keeps serving runs', async () => {
      const [inputName, tensor] = Object.entries(fx.inputs)[0]!;
      const gone = tensor.data.slice();
      structuredClone(gone.buffer, { transfer: [gone.buffer as ArrayBuffer] });
      for (const handOver of [false, true]) await expectTypedRejection(backend.run({ ...fx.inputs, [inputName]: { ...tensor, data: gone } as Tensor }, { handOver }));
      const outputs = await backend.run(fx.inputs);
      expect(Object.keys(outputs).length).toBeGreaterThan(0);
    });

    it('raises a typed error for a missing input or a wrong input shape', async () => {
      await expectTypedRejection(backend.run({}));
      const [inputName, tensor] = Object.entries(fx.inputs)[0]!;
      const wrong: Tensor = { type: 'float32', data: new Float32Array(3), dims: [1, 3] };
      await expectTypedRejection(backend.run({ ...fx.inputs, [inputName]: wrong }));
      const mismatched = { ...tensor, dims: [...tensor.dims, 2] } as Tensor;
      await expectTypedRejection(backend.run({ ...fx.inputs, [inputName]: mismatched }));
    });

    it('raises a typed error for bytes that are not a model', async () => {
      const other = await createBackend();
      await expectTypedRejection(other.load(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), { device: 'cpu' }));
      expect(other.info).toBeUndefined();
      await other.dispose();
    });

    it('disposes idempotently and refuses to run afterwards', async () => {
      const other = await createBackend();
      await other.load(fx.model, { device: fx.device ?? 'cpu' });
      await other.dispose();
      await other.dispose();
      expect(other.info).toBeUndefined();
      await expectTypedRejection(other.run(fx.inputs), 'BACKEND_NOT_LOADED');
    });
  });
}
