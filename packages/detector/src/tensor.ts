/** Element types a backend exchanges with the detector. */
export type TensorType = 'float32' | 'int32' | 'int64' | 'uint8';

/** A flat, row-major (C order) tensor: `data.length` equals the product of `dims`. */
export type Tensor =
  | { type: 'float32'; data: Float32Array; dims: readonly number[] }
  | { type: 'int32'; data: Int32Array; dims: readonly number[] }
  | { type: 'int64'; data: BigInt64Array; dims: readonly number[] }
  | { type: 'uint8'; data: Uint8Array; dims: readonly number[] };

/** The number of elements a tensor of these dimensions holds. */
export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (const dim of dims) count *= dim;
  return count;
}

/** A float32 tensor (copied to float32 when the model produced integers, e.g. torchvision labels). */
export function toFloat32(tensor: Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data;
  const out = new Float32Array(tensor.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(tensor.data[i]);
  return out;
}
