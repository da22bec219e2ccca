import { OutputShapeError } from '../errors.js';

/** The typed arrays a model output may come in (ONNX Runtime gives int64 as `BigInt64Array`). */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A raw model output: a flat row-major (C order) array and its dimensions (what `ort.Tensor` carries). */
export interface OutputTensor {
  data: TensorData;
  dims: readonly number[];
}

/** True for integer element types (how torchvision's int64 `labels` is told from float `scores`). */
export function isIntegerTensor(tensor: OutputTensor): boolean {
  return !(tensor.data instanceof Float32Array || tensor.data instanceof Float64Array);
}

/** Throws `OUTPUT_SHAPE_MISMATCH` when the data length is not the product of the dims. */
export function assertTensorSize(tensor: OutputTensor, name: string): void {
  const size = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.dims.some((d) => !Number.isInteger(d) || d < 0) || size !== tensor.data.length) {
    throw new OutputShapeError(
      'OUTPUT_SHAPE_MISMATCH',
      `${name} has dims [${tensor.dims.join(', ')}] (${size} values) but holds ${tensor.data.length} values`,
      { field: name, actual: [...tensor.dims], length: tensor.data.length },
    );
  }
}

/** Element i as a JS number (bigint → number). */
export function valueAt(data: TensorData, i: number): number {
  const v = data[i]!;
  return typeof v === 'bigint' ? Number(v) : v;
}

/** A float32 copy (or the array itself when it already is one). */
export function asFloat32(data: TensorData): Float32Array {
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = valueAt(data, i);
  return out;
}
