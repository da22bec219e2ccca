// The committed test models (so `npm test` needs no Python) are byte for byte what their torch scripts export today.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportTinyModel, tinyModelFixture, type TinyModelOptions } from '../packages/backend-node/test-fixtures/tiny-model.js';
import { exportUntrainedDetector, untrainedDetectorOnnx } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { systemPython } from './support/paths.js';
import { scratchFolder } from './support/scratch-folder.js';

const work = scratchFolder('defectkit-fixture-models-');

/** The option sets the tests use; each has a committed export. */
const variants: TinyModelOptions[] = [{}, { staticBatch: true }, { shape: 'rank2' }, { shape: 'rcnn', channels: 3, classes: 2 }];

describe('committed test models', () => {
  it('are exactly the tiny-models/ files, one per option set the tests use', () => {
    const committed = readdirSync(join(tinyModelFixture(), '..')).sort();
    expect(committed).toEqual(variants.map((v) => tinyModelFixture(v).split('/').pop()).sort());
  });

  it.each(variants)('tiny-model.py %o exports the committed bytes', (options) => {
    const out = join(work, `${tinyModelFixture(options).split('/').pop()}`);
    exportTinyModel(out, systemPython, options);
    expect(readFileSync(out).equals(readFileSync(tinyModelFixture(options)))).toBe(true);
  });

  it('the untrained 640x640 detector exports the committed bytes', async () => {
    const out = join(work, 'untrained.onnx');
    await exportUntrainedDetector(out, systemPython, false);
    expect(readFileSync(out).equals(readFileSync(untrainedDetectorOnnx))).toBe(true);
  });
});
