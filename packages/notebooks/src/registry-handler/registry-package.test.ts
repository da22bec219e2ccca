import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DefectKitError } from '@defectkit/core';
import { readHandlerSource } from '../node/handler-source.js';
import { emitRegistryPackage } from './registry-package.js';
import { testCard as card } from './test-card.js';

describe('emitRegistryPackage', () => {
  it('emits the manifest, the one handler file, environment files, model.yaml and the card, deterministically', async () => {
    const createdAt = new Date('2026-01-02T03:04:05Z');
    const handler = await readHandlerSource();
    const files = emitRegistryPackage(card, handler, { createdAt });
    expect(files.map((file) => file.path)).toEqual([
      'MANIFEST.yml',
      'functions/predict.py',
      'runtimes/python_runtime/env/conda.yml',
      'model/model.yaml',
      'model/env/conda.yml',
      'model/env/requirements.txt',
      'model/model.json',
    ]);
    expect(emitRegistryPackage(card, handler, { createdAt })).toEqual(files);
    // functions/predict.py is templates/defectkit_handler.py byte for byte: one handler, no generated Python.
    expect(files[1]!.content).toBe(handler);
    expect(handler).toContain('def infer(df):');
    const manifest = parseYaml(files[0]!.content) as Record<string, any>;
    expect(manifest.manifest_version).toBe('1.0');
    expect(manifest.runtimes.python_runtime).toMatchObject({ language: 'PYTHON', version: '3.11', imports: ['model/'], dependencies: { conda: 'runtimes/python_runtime/env/conda.yml' } });
    expect(manifest.methods).toEqual([
      { name: 'PREDICT', runtime: 'python_runtime', type: 'FUNCTION', handler: 'functions.predict.infer', inputs: [{ name: 'IMAGE', type: 'BINARY' }], outputs: [{ type: 'OBJECT' }] },
    ]);
    const conda = parseYaml(files[2]!.content) as Record<string, any>;
    expect(conda.channels[0]).toBe('https://repo.anaconda.com/pkgs/snowflake');
    expect(conda.dependencies).toContain('onnxruntime');
    const model = parseYaml(files[3]!.content) as Record<string, any>;
    expect(model).toMatchObject({ name: 'pcb-defects', model_type: 'custom', creation_timestamp: '2026-01-02T03:04:05.000Z', env: { conda: 'env/conda.yml' } });
    expect(JSON.parse(files[6]!.content)).toEqual(card);
  });

  it('packages every family of the card schema and refuses an invalid card with the model-card parser error', async () => {
    const handler = await readHandlerSource();
    const frcnn = { ...card, input: { ...card.input, resize: 'none', batchAxis: false }, output: { layout: 'torchvision-rcnn' } };
    const classifier = { ...card, task: 'classify', output: { layout: 'classifier' } };
    for (const good of [frcnn, classifier, { ...card, output: { layout: 'end2end-bn6' } }]) {
      expect(emitRegistryPackage(good, handler).map((file) => file.path)).toContain('functions/predict.py');
    }
    const failures: Array<[string, unknown]> = [];
    for (const bad of [{ ...card, output: { layout: 'mask-rcnn' } }, { ...card, input: undefined }, { ...card, classes: 'x' }]) {
      try {
        emitRegistryPackage(bad, handler);
      } catch (error) {
        if (DefectKitError.isInstance(error)) failures.push([error.code, error.details.field]);
      }
    }
    expect(failures).toEqual([
      ['MODEL_CARD_INVALID', 'output.layout'],
      ['MODEL_CARD_INVALID', 'input'],
      ['MODEL_CARD_INVALID', 'classes'],
    ]);
  });
});
