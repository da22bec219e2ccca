import { readFile } from 'node:fs/promises';
import { DefectKitError } from '@defectkit/core';
import type { ModelCard } from '@defectkit/detector';
import { outputShapeProblem, readOnnxGraphIo, type OnnxGraphIo, type OnnxTensorInfo } from '@defectkit/postprocess';
import { RegistryError } from './errors.js';

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
 * `input.height` x `input.width`; outputs that fit `output.layout` and the class count (`outputShapeProblem`).
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
    // A reference model's input holds the image's channels followed by its golden reference's (card v2).
    fixed(0, card.input.channels * (card.input.reference === 'stacked' ? 2 : 1), 'input.channels', 'channels');
    if (card.input.resize === 'letterbox') {
      fixed(1, card.input.height, 'input.height', 'rows');
      fixed(2, card.input.width, 'input.width', 'columns');
    }
  }
  // The output check is postprocess's one table of layouts (the decoders use the same rules); a shape the
  // file does not declare cannot be checked, and a symbolic dimension is accepted.
  if (io.outputs.every((output) => output.shape !== null)) {
    const found = outputShapeProblem(card.output.layout, io.outputs.map((output) => output.shape!), card.classes.length);
    if (found) {
      const field = found.modelClasses === undefined ? 'output.layout' : 'classes';
      mismatch(cardPath, field, `the outputs do not fit layout ${card.output.layout}${field === 'classes' ? ` with ${card.classes.length} classes (the graph has ${found.modelClasses})` : ''}: ${found.problem}`, io);
    }
  }
  return io;
}
