import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleModelCard } from '@defectkit/detector/testing';
import { onnxModelBytes } from './onnx-bytes.js';

/**
 * The sample model card (see `sampleModelCard`) with metrics, for the ONNX of {@link sampleOnnx}; `overrides` replace
 * whole top-level fields and may break the card on purpose (e.g. `{ format: 'other' }`).
 */
export function sampleCard(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...sampleModelCard({ metrics: { coco: { map50: 0.5 } } }), ...overrides };
}

/** An ONNX file declaring the graph the sample card describes (1x640x640 input, [B, 10, A] output); `padding` varies its bytes. */
export function sampleOnnx(padding: Uint8Array = new Uint8Array([8, 7, 6, 5, 4, 3, 2, 1])): Uint8Array {
  return onnxModelBytes([{ name: 'images', shape: ['batch', 1, 640, 640] }], [{ name: 'output0', shape: ['batch', 10, 'anchors'] }], padding);
}

/** Writes a model folder (`model.onnx` as given, else {@link sampleOnnx}, and a card) into a fresh temp dir; returns its path. */
export async function writeModelFolder(onnx: Uint8Array = sampleOnnx(), card = sampleCard()): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'defectkit-model-'));
  await writeFile(join(dir, 'model.onnx'), onnx);
  await writeFile(join(dir, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
  return dir;
}
