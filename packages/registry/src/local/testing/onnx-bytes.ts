// Test helper: the smallest ONNX ModelProto the registry's signature check reads (IR version, a graph with
// declared inputs and outputs; no nodes, so it cannot run). Keeps the registry unit tests free of Python.

function varint(value: number): number[] {
  const out: number[] = [];
  let n = value;
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function lengthField(field: number, payload: Uint8Array | number[]): number[] {
  return [...varint(field * 8 + 2), ...varint(payload.length), ...payload];
}

function valueInfo(name: string, shape: (number | string)[], elemType = 1): number[] {
  const dims = shape.flatMap((dim) => lengthField(1, typeof dim === 'number' ? [...varint(8), ...varint(dim)] : lengthField(2, [...Buffer.from(dim)])));
  const tensor = [...varint(8), ...varint(elemType), ...lengthField(2, dims)];
  return [...lengthField(1, [...Buffer.from(name)]), ...lengthField(2, lengthField(1, tensor))];
}

/** A declared graph input or output. */
export interface TensorDecl {
  name: string;
  shape: (number | string)[];
}

/**
 * ModelProto bytes declaring `inputs` and `outputs`; `padding` goes into `doc_string` (to vary size and content);
 * `initializers` adds weight tensors of those names (older exporters also list them as inputs).
 */
export function onnxModelBytes(inputs: TensorDecl[], outputs: TensorDecl[], padding: Uint8Array = new Uint8Array(), initializers: string[] = []): Uint8Array {
  const graph = [
    ...initializers.flatMap((name) => lengthField(5, [...lengthField(8, [...Buffer.from(name)]), ...lengthField(9, [0, 0, 128, 63])])),
    ...inputs.flatMap((t) => lengthField(11, valueInfo(t.name, t.shape))),
    ...outputs.flatMap((t) => lengthField(12, valueInfo(t.name, t.shape))),
  ];
  return Uint8Array.from([...varint(8), ...varint(8), ...lengthField(6, padding), ...lengthField(7, graph)]);
}
