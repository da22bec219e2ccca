import { readFile } from 'node:fs/promises';
import { DefectKitError } from '@defectkit/core';
import type { ModelCard } from '@defectkit/detector';
import { readOnnxGraphIo, type OnnxGraphIo, type OnnxTensorInfo } from '@defectkit/postprocess';
import { RegistryError } from './errors.js';

// The first output's rank and the size its layout fixes on one axis (nc = the number of classes). A symbolic
// or unknown dimension is not checked: the card can only be wrong where the file commits to a number.
const outputRules: Record<string, { rank: number; axis: number; size: (nc: number) => number } | { minOutputs: number }> = {
  'ultralytics-bcn': { rank: 3, axis: 1, size: (nc) => 4 + nc },
  'ultralytics-bnc': { rank: 3, axis: 2, size: (nc) => 4 + nc },
  'yolov5-bnc': { rank: 3, axis: 2, size: (nc) => 5 + nc },
  'end2end-bn6': { rank: 3, axis: 2, size: () => 6 },
  classifier: { rank: 2, axis: 1, size: (nc) => nc },
  'torchvision-rcnn': { minOutputs: 3 },
  'torchvision-retinanet': { minOutputs: 3 },
};

function mismatch(file: string, field: string, problem: string, io: OnnxGraphIo): never {
  const describe = (t: OnnxTensorInfo): string => `${t.name}${t.shape ? `[${t.shape.map((d) => d ?? '?').join(', ')}]` : ''}`;
  throw new RegistryError('REGISTRY_MODEL_SOURCE', `${file}: ${problem} (the graph has inputs ${io.inputs.map(describe).join(', ') || 'none'}; outputs ${io.outputs.map(describe).join(', ') || 'none'})`, {
    file,
    field,
  });
}

/**
 * Checks that `model.onnx` is an ONNX model whose graph has the input and outputs its card declares: the
 * input `input.name` with rank 4 (`batchAxis`) or 3, `input.channels` channels and, for letterboxed models,
 * `input.height` x `input.width`; outputs of the rank and size `output.layout` and the class count imply.
 * Only the graph's declarations are read (nodes and weights are skipped). Throws `REGISTRY_MODEL_SOURCE`
 * with `details.field` naming the card field that disagrees (`model.onnx` when the file is not ONNX at all).
 */
export async function checkModelSignature(onnxPath: string, card: ModelCard, cardPath: string): Promise<OnnxGraphIo> {
  let io: OnnxGraphIo;
  try {
    io = readOnnxGraphIo(await readFile(onnxPath));
  } catch (error) {
    if (!DefectKitError.isInstance(error)) throw error;
    throw new RegistryError('REGISTRY_MODEL_SOURCE', `${onnxPath}: not an ONNX model (${error.message})`, { file: onnxPath, field: 'model.onnx' }, { cause: error });
  }
  const input = io.inputs.find((candidate) => candidate.name === card.input.name);
  if (!input) mismatch(cardPath, 'input.name', `the card's input "${card.input.name}" is not an input of ${onnxPath}`, io);
  if (input.shape) {
    const rank = card.input.batchAxis ? 4 : 3;
    if (input.shape.length !== rank) mismatch(cardPath, 'input.batchAxis', `input "${input.name}" has rank ${input.shape.length}, the card (batchAxis ${card.input.batchAxis}) needs ${rank}`, io);
    const offset = card.input.batchAxis ? 1 : 0;
    const fixed = (axis: number, expected: number, field: string, what: string): void => {
      const value = input.shape![offset + axis];
      if (typeof value === 'number' && value !== expected) mismatch(cardPath, field, `input "${input.name}" has ${value} ${what}, the card says ${expected}`, io);
    };
    fixed(0, card.input.channels, 'input.channels', 'channels');
    if (card.input.resize === 'letterbox') {
      fixed(1, card.input.height, 'input.height', 'rows');
      fixed(2, card.input.width, 'input.width', 'columns');
    }
  }
  const rule = outputRules[card.output.layout];
  if (rule === undefined) return io;
  if ('minOutputs' in rule) {
    if (io.outputs.length < rule.minOutputs) mismatch(cardPath, 'output.layout', `layout ${card.output.layout} needs ${rule.minOutputs} outputs, the graph has ${io.outputs.length}`, io);
    return io;
  }
  const output = io.outputs[0];
  if (!output) mismatch(cardPath, 'output.layout', `layout ${card.output.layout} needs an output, the graph has none`, io);
  if (output.shape) {
    if (output.shape.length !== rule.rank) mismatch(cardPath, 'output.layout', `output "${output.name}" has rank ${output.shape.length}, layout ${card.output.layout} has rank ${rule.rank}`, io);
    const size = output.shape[rule.axis];
    const expected = rule.size(card.classes.length);
    if (typeof size === 'number' && size !== expected) {
      mismatch(cardPath, 'classes', `output "${output.name}" has ${size} on axis ${rule.axis}; layout ${card.output.layout} with ${card.classes.length} classes needs ${expected}`, io);
    }
  }
  return io;
}
