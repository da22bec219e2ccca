import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRegistry, SnowflakeRegistry, type Registry } from '@defectkit/registry';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { onnxModelBytes } from '../packages/registry/src/local/testing/onnx-bytes.js';
import { sampleCard } from '../packages/registry/src/local/testing/model-folder.js';
import { treeDigest } from '../packages/registry/src/testing/tree-digest.js';
import { repoRoot } from './support/paths.js';
import { errorOf } from './support/errors.js';
import { startLocalSnowflake } from './support/snowflake-local.js';

// Item 9 of the hardening issue: `registry log` accepts only an ONNX model whose graph has the input and
// outputs its card declares. Each variant must fail with REGISTRY_MODEL_SOURCE naming the field, with nothing
// registered, staged or uploaded.

const pcbOnnx = join(repoRoot, 'models', 'pcb-defects', 'model.onnx');
const frcnnOnnx = join(repoRoot, 'models', 'pcb-defects-frcnn', 'model.onnx');

/** `[label, model.onnx bytes or a path to copy, card overrides, the field the error must name]`. */
async function variants(): Promise<[string, Uint8Array | string, Record<string, unknown>, string][]> {
  const real = await readFile(pcbOnnx);
  const card = sampleCard();
  const input = card.input as Record<string, unknown>;
  const io = (inShape: (number | string)[], outShape: (number | string)[], inName = 'images'): Uint8Array =>
    onnxModelBytes([{ name: inName, shape: inShape }], [{ name: 'output0', shape: outShape }]);
  const flipped = Uint8Array.from(real.subarray(0, 4096));
  flipped[3] = 0xff; // a length prefix that runs past the end
  return [
    ['empty file', new Uint8Array(), {}, 'model.onnx'],
    ['text', new TextEncoder().encode('this is not a model\n'), {}, 'model.onnx'],
    ['JSON', new TextEncoder().encode(JSON.stringify(card)), {}, 'model.onnx'],
    ['PNG header', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13), {}, 'model.onnx'],
    ['random bytes', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256), {}, 'model.onnx'],
    ['a real model cut after 100 bytes', real.subarray(0, 100), {}, 'model.onnx'],
    ['a real model with a corrupt length', flipped, {}, 'model.onnx'],
    ['protobuf without a graph', Uint8Array.of(0x08, 0x08, 0x12, 0x03, 0x61, 0x62, 0x63), {}, 'model.onnx'],
    ['protobuf without an IR version', Uint8Array.of(0x3a, 0x00), {}, 'model.onnx'],
    ['another input name', io(['batch', 1, 640, 640], ['batch', 10, 'n'], 'pixels'), {}, 'input.name'],
    ['the card names another input', pcbOnnx, { input: { ...input, name: 'input' } }, 'input.name'],
    ['three channels, the card says one', io(['batch', 3, 640, 640], ['batch', 10, 'n']), {}, 'input.channels'],
    ['the shipped 1-channel model, card says 3', pcbOnnx, { input: { ...input, channels: 3 } }, 'input.channels'],
    ['320x320 input, card says 640', io([1, 1, 320, 320], [1, 10, 2100]), {}, 'input.height'],
    ['640x320 input', io([1, 1, 640, 320], [1, 10, 2100]), {}, 'input.width'],
    ['rank 3 input, card has a batch axis', io([1, 640, 640], [1, 10, 2100]), {}, 'input.batchAxis'],
    ['the Faster R-CNN graph with a batch-axis card', frcnnOnnx, {}, 'input.batchAxis'],
    ['11 outputs per anchor, 6 classes', io(['batch', 1, 640, 640], ['batch', 11, 'n']), {}, 'classes'],
    ['7 classes on the card for a 6-class graph', io([1, 1, 640, 640], [1, 10, 8400]), { classes: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }, 'classes'],
    ['a classifier card on a detector graph', io([1, 1, 640, 640], [1, 10, 8400]), { task: 'classify', output: { layout: 'classifier' } }, 'output.layout'],
    ['rank 2 output for a YOLO layout', io(['batch', 1, 640, 640], ['batch', 10]), {}, 'output.layout'],
    ['end-to-end layout on a raw graph', io([1, 1, 640, 640], [1, 10, 8400]), { output: { layout: 'end2end-bn6' } }, 'output.layout'],
    ['Faster R-CNN layout on a one-output graph', io([3, 'h', 'w'], ['n', 4]), { input: { ...input, batchAxis: false, resize: 'none', channels: 3 }, output: { layout: 'torchvision-rcnn' } }, 'output.layout'],
  ];
}

async function folderFor(root: string, label: string, onnx: Uint8Array | string, overrides: Record<string, unknown>): Promise<string> {
  const dir = join(root, 'sources', label.replace(/[^a-z0-9]+/gi, '-'));
  await mkdir(dir, { recursive: true });
  if (typeof onnx === 'string') await copyFile(onnx, join(dir, 'model.onnx'));
  else await writeFile(join(dir, 'model.onnx'), onnx);
  await writeFile(join(dir, 'model.json'), JSON.stringify(sampleCard(overrides)));
  return dir;
}

async function expectRefusals(registry: Registry, root: string, watched: string): Promise<void> {
  for (const [label, onnx, overrides, field] of await variants()) {
    const source = await folderFor(root, label, onnx, overrides);
    const before = await treeDigest(watched);
    const error = await errorOf(registry.logModel(source, { name: 'ATTACK' }));
    expect([label, error.code, error.details.field]).toEqual([label, 'REGISTRY_MODEL_SOURCE', field]);
    expect(await treeDigest(watched), `nothing written for ${label}`).toEqual(before);
  }
  expect((await registry.models()).map((m) => m.name)).not.toContain('ATTACK');
}

describe('registry log checks the ONNX graph against the model card', () => {
  it('local registry: refuses every variant with the field named, registering and staging nothing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'defectkit-onnx-attack-'));
    const registry = new LocalRegistry({ dir: join(root, 'registry') });
    await mkdir(join(root, 'registry', '.staging'), { recursive: true });
    await expectRefusals(registry, root, join(root, 'registry'));
    // The real models with their own cards are accepted.
    for (const model of ['pcb-defects', 'pcb-defects-frcnn']) await registry.logModel(join(repoRoot, 'models', model), { name: model.replaceAll('-', '_') });
    expect((await registry.models()).map((m) => m.name)).toEqual(['PCB_DEFECTS', 'PCB_DEFECTS_FRCNN']);
  });

  describe('Snowflake registry (snowflake-local)', () => {
    let server: SnowflakeLocal;
    let registry: SnowflakeRegistry;
    let root: string;
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'defectkit-onnx-attack-sf-'));
      let home: string;
      ({ server, home } = await startLocalSnowflake({ database: 'ATK', schema: 'REG', statements: ['CREATE STAGE IF NOT EXISTS ATK.REG.DEFECTKIT_MODELS'], server: { dir: join(root, 'sf') } }));
      registry = await SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: home } });
    });
    afterAll(async () => {
      await registry?.close();
      await server?.close();
    });

    it('refuses every variant before anything is uploaded', async () => {
      await expectRefusals(registry, root, join(root, 'sf', 'stages'));
      expect(await registry.session.execute('LIST @ATK.REG.DEFECTKIT_MODELS')).toEqual([]);
    });
  });
});
