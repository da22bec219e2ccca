import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DefectKitError } from '@defectkit/core';
import { emitRegistryPackage } from './registry-package.js';
import { testCard as card } from './test-card.js';

describe('emitRegistryPackage', () => {
  it('emits the manifest, handler, environment files, model.yaml and the card, deterministically', () => {
    const createdAt = new Date('2026-01-02T03:04:05Z');
    const files = emitRegistryPackage(card, { createdAt });
    expect(files.map((file) => file.path)).toEqual([
      'MANIFEST.yml',
      'functions/predict.py',
      'runtimes/python_runtime/env/conda.yml',
      'model/model.yaml',
      'model/env/conda.yml',
      'model/env/requirements.txt',
      'model/model.json',
    ]);
    expect(emitRegistryPackage(card, { createdAt })).toEqual(files);
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

  it('refuses a layout the handler cannot decode and a card without its fields', () => {
    const codes: string[] = [];
    for (const bad of [{ ...card, output: { layout: 'torchvision-rcnn' } }, { ...card, input: undefined }, { ...card, classes: 'x' }]) {
      try {
        emitRegistryPackage(bad as Record<string, unknown>);
      } catch (error) {
        if (DefectKitError.isInstance(error)) codes.push(error.code);
      }
    }
    expect(codes).toEqual(['HANDLER_UNSUPPORTED_LAYOUT', 'HANDLER_MODEL_CARD', 'HANDLER_MODEL_CARD']);
  });
});
