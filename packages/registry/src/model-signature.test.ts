import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DefectKitError } from '@defectkit/core';
import { parseModelCardText } from '@defectkit/detector';
import { readOnnxGraphIo } from '@defectkit/postprocess';
import { onnxModelBytes } from './local/testing/onnx-bytes.js';
import { sampleCard } from './local/testing/model-folder.js';
import { checkModelSignature } from './model-signature.js';

async function check(onnx: Uint8Array, card = sampleCard()): Promise<string | null> {
  const dir = await mkdtemp(join(tmpdir(), 'defectkit-signature-'));
  await writeFile(join(dir, 'model.onnx'), onnx);
  try {
    await checkModelSignature(join(dir, 'model.onnx'), parseModelCardText(JSON.stringify(card), 'model.json'), 'model.json');
    return null;
  } catch (error) {
    if (!DefectKitError.isInstance(error)) throw error;
    return `${error.code} ${String(error.details.field)}`;
  }
}

describe('checkModelSignature', () => {
  it('reads declared inputs and outputs, leaving out weights that older exporters also list as inputs', () => {
    const bytes = onnxModelBytes([{ name: 'w0', shape: [8] }, { name: 'images', shape: ['batch', 1, 640, 640] }], [{ name: 'output0', shape: ['batch', 10, 'n'] }], new Uint8Array(), ['w0']);
    const io = readOnnxGraphIo(bytes);
    expect(io.inputs).toEqual([{ name: 'images', elemType: 1, shape: ['batch', 1, 640, 640] }]);
    expect(io.outputs).toEqual([{ name: 'output0', elemType: 1, shape: ['batch', 10, 'n'] }]);
  });

  it('accepts symbolic dimensions and checks only the numbers a file commits to', async () => {
    expect(await check(onnxModelBytes([{ name: 'images', shape: ['b', 'c', 'h', 'w'] }], [{ name: 'out', shape: ['b', 'k', 'a'] }]))).toBeNull();
    expect(await check(onnxModelBytes([{ name: 'images', shape: [1, 1, 640, 640] }], [{ name: 'out', shape: [1, 10, 8400] }]))).toBeNull();
    expect(await check(onnxModelBytes([{ name: 'images', shape: [1, 1, 640, 640] }], [{ name: 'out', shape: [1, 12, 8400] }]))).toBe('REGISTRY_MODEL_SOURCE classes');
    expect(await check(onnxModelBytes([{ name: 'x', shape: [1, 1, 640, 640] }, { name: 'images', shape: [1, 1, 640, 640] }], [{ name: 'out', shape: [1, 10, 1] }]))).toBeNull();
    expect(await check(onnxModelBytes([{ name: 'w0', shape: [1, 1, 640, 640] }], [{ name: 'out', shape: [1, 10, 1] }], new Uint8Array(), ['w0']))).toBe('REGISTRY_MODEL_SOURCE input.name');
  });
});
