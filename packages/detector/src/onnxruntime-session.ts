import { readOnnxMetadata } from '@defectkit/postprocess';
import type { BackendInfo, BackendValueInfo, DeviceRequest } from './backend.js';
import { BackendError } from './errors.js';
import type { Tensor } from './tensor.js';

// onnxruntime-node and onnxruntime-web share one API (onnxruntime-common). These shapes are the part of it that the
// two backends read, written out structurally so this browser-safe package depends on neither runtime.

/** One input or output as an onnxruntime session describes it. */
export type OrtValueMetadata =
  | { readonly name: string; readonly isTensor: false }
  | { readonly name: string; readonly isTensor: true; readonly type: string; readonly shape: ReadonlyArray<number | string> };

/** An onnxruntime tensor (the fields the backends read or hand to the runtime's `Tensor` constructor). */
export interface OrtTensorLike {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** An onnxruntime `InferenceSession` of either runtime. */
export interface OrtSessionLike {
  readonly inputMetadata: readonly OrtValueMetadata[];
  readonly outputMetadata: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
}

/** Session inputs or outputs as {@link BackendValueInfo}: negative (unknown) dimensions become `null`. */
export function ortValueInfo(metadata: readonly OrtValueMetadata[]): BackendValueInfo[] {
  return metadata.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d < 0 ? null : d)) } : { name: m.name, type: 'non-tensor', shape: [] },
  );
}

/** An onnxruntime output as a detector {@link Tensor}: `bool` is read as `uint8`, other unusual types are copied to float32. */
export function tensorFromOrt(value: OrtTensorLike): Tensor {
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
    default:
      return { type: 'float32', data: Float32Array.from(value.data as ArrayLike<number>, Number), dims };
  }
}

/** Where a session was loaded: the backend's name, the device asked for and the provider that took it. */
export interface OrtLoadPlace {
  backend: string;
  requestedDevice: DeviceRequest;
  provider: string;
}

/**
 * The {@link BackendInfo} of a freshly created onnxruntime session, with the model's ONNX `metadata_props` read from
 * `bytes` (empty when they cannot be read: onnxruntime accepted the model, so that only means no Ultralytics hints).
 */
export function ortBackendInfo(session: OrtSessionLike, bytes: Uint8Array, place: OrtLoadPlace): BackendInfo {
  let metadata: Record<string, string> = {};
  try {
    metadata = readOnnxMetadata(bytes);
  } catch {
    // See above: unreadable metadata is not an error once the runtime has loaded the model.
  }
  return { ...place, inputs: ortValueInfo(session.inputMetadata), outputs: ortValueInfo(session.outputMetadata), metadata };
}

/**
 * Runs an onnxruntime session once: `toOrt` builds the runtime's own tensor for each input, every output comes back
 * as a detector {@link Tensor}. A runtime failure is a `BACKEND_RUN` error naming `runtime` and the input dims.
 */
export async function runOrtSession(
  session: OrtSessionLike,
  inputs: Readonly<Record<string, Tensor>>,
  toOrt: (tensor: Tensor) => OrtTensorLike,
  runtime: string,
): Promise<Record<string, Tensor>> {
  let results: Record<string, OrtTensorLike>;
  try {
    const feeds: Record<string, OrtTensorLike> = {};
    for (const [name, tensor] of Object.entries(inputs)) feeds[name] = toOrt(tensor);
    results = await session.run(feeds);
  } catch (error) {
    if (error instanceof BackendError) throw error; // already typed (e.g. a pooled session disposed under a queued run)
    const dims = Object.fromEntries(Object.entries(inputs).map(([name, tensor]) => [name, tensor.dims]));
    throw new BackendError('BACKEND_RUN', `${runtime} run failed: ${String((error as Error)?.message ?? error)}`, { inputs: dims }, { cause: error });
  }
  const out: Record<string, Tensor> = {};
  for (const [name, value] of Object.entries(results)) out[name] = tensorFromOrt(value);
  return out;
}
