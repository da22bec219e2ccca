import { MetadataParseError } from '../errors.js';
import { ProtoReader } from './onnx-metadata.js';

// Field numbers of onnx.proto3 that lead to the graph's inputs and outputs.
const MODEL_IR_VERSION = 1;
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const TENSOR_NAME = 8;
const VALUE_NAME = 1;
const VALUE_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_TYPE_ELEM = 1;
const TENSOR_TYPE_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;
const WIRE_VARINT = 0;
const WIRE_LEN = 2;

/** One graph input or output: its name, element type and shape as the file declares them. */
export interface OnnxTensorInfo {
  /** The value name. */
  name: string;
  /** The `TensorProto.DataType` number (1 = float, 7 = int64, ...), or null when not declared. */
  elemType: number | null;
  /** Dimensions: a number when fixed, the symbol (e.g. `"batch"`) when symbolic, null when unknown; null when no shape. */
  shape: (number | string | null)[] | null;
}

/** The inputs (initializers excluded) and outputs of an ONNX graph. */
export interface OnnxGraphIo {
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
}

/**
 * Reads the declared inputs and outputs of the graph in the bytes of an `.onnx` file, without decoding the
 * nodes or weights (they are skipped by length). Inputs that are initializers (older exporters list weights
 * as inputs) are left out.
 *
 * @throws MetadataParseError `ONNX_PROTOBUF_PARSE` when the bytes are not an ONNX model (malformed protobuf,
 * no IR version or no graph).
 * @example
 * const { inputs, outputs } = readOnnxGraphIo(await readFile('model.onnx'));
 * inputs[0] // { name: 'images', elemType: 1, shape: [1, 3, 640, 640] }
 */
export function readOnnxGraphIo(bytes: Uint8Array): OnnxGraphIo {
  const model = new ProtoReader(bytes, 0, bytes.length);
  let graph: [number, number] | null = null;
  let irVersion = false;
  while (!model.done()) {
    const { field, wire } = model.tag();
    if (field === MODEL_GRAPH && wire === WIRE_LEN) graph = model.lengthDelimited();
    else if (field === MODEL_IR_VERSION && wire === WIRE_VARINT) {
      model.varint();
      irVersion = true;
    } else model.skip(wire, field);
  }
  if (!irVersion || graph === null) {
    throw new MetadataParseError('ONNX_PROTOBUF_PARSE', `Not an ONNX model: ${irVersion ? 'no graph' : 'no IR version'}`, { offset: 0, reason: irVersion ? 'no graph' : 'no ir_version' });
  }
  const reader = new ProtoReader(bytes, graph[0], graph[1]);
  const inputs: OnnxTensorInfo[] = [];
  const outputs: OnnxTensorInfo[] = [];
  const initializers = new Set<string>();
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (wire === WIRE_LEN && (field === GRAPH_INPUT || field === GRAPH_OUTPUT || field === GRAPH_INITIALIZER)) {
      const [start, end] = reader.lengthDelimited();
      const inner = new ProtoReader(bytes, start, end);
      if (field === GRAPH_INITIALIZER) initializers.add(readInitializerName(inner));
      else (field === GRAPH_INPUT ? inputs : outputs).push(readValueInfo(bytes, inner));
    } else reader.skip(wire, field);
  }
  return { inputs: inputs.filter((input) => !initializers.has(input.name)), outputs };
}

function readInitializerName(reader: ProtoReader): string {
  let name = '';
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field === TENSOR_NAME && wire === WIRE_LEN) name = reader.string();
    else reader.skip(wire, field);
  }
  return name;
}

function readValueInfo(bytes: Uint8Array, reader: ProtoReader): OnnxTensorInfo {
  const info: OnnxTensorInfo = { name: '', elemType: null, shape: null };
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field === VALUE_NAME && wire === WIRE_LEN) info.name = reader.string();
    else if (field === VALUE_TYPE && wire === WIRE_LEN) {
      const [start, end] = reader.lengthDelimited();
      readType(bytes, new ProtoReader(bytes, start, end), info);
    } else reader.skip(wire, field);
  }
  return info;
}

function readType(bytes: Uint8Array, reader: ProtoReader, info: OnnxTensorInfo): void {
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field !== TYPE_TENSOR || wire !== WIRE_LEN) {
      reader.skip(wire, field);
      continue;
    }
    const [start, end] = reader.lengthDelimited();
    const tensor = new ProtoReader(bytes, start, end);
    while (!tensor.done()) {
      const tag = tensor.tag();
      if (tag.field === TENSOR_TYPE_ELEM && tag.wire === WIRE_VARINT) info.elemType = tensor.varint();
      else if (tag.field === TENSOR_TYPE_SHAPE && tag.wire === WIRE_LEN) {
        const [s, e] = tensor.lengthDelimited();
        info.shape = readShape(bytes, new ProtoReader(bytes, s, e));
      } else tensor.skip(tag.wire, tag.field);
    }
  }
}

function readShape(bytes: Uint8Array, reader: ProtoReader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field !== SHAPE_DIM || wire !== WIRE_LEN) {
      reader.skip(wire, field);
      continue;
    }
    const [start, end] = reader.lengthDelimited();
    const dim = new ProtoReader(bytes, start, end);
    let value: number | string | null = null;
    while (!dim.done()) {
      const tag = dim.tag();
      if (tag.field === DIM_VALUE && tag.wire === WIRE_VARINT) {
        const n = dim.varint();
        value = Number.isSafeInteger(n) ? n : null; // a negative int64 arrives as a huge varint: unknown
      } else if (tag.field === DIM_PARAM && tag.wire === WIRE_LEN) value = dim.string();
      else dim.skip(tag.wire, tag.field);
    }
    dims.push(value);
  }
  return dims;
}
