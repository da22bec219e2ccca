import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDetector } from '@defectkit/backend-node';
import { LocalRegistry, type RegistryDetector } from '@defectkit/registry';
import { fixtureModelFolder, untrainedDetectorFolder } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { deeppcbDir, repoRoot, systemPython } from './support/paths.js';

const images = ['00041000_test.jpg', '00041001_test.jpg'].map((name) => join(deeppcbDir, 'PCBData', 'group00041', '00041', name));

describe('LocalRegistry end to end with the Node detector', () => {
  async function localFlow(model: string): Promise<number> {
    const registry = new LocalRegistry({ dir: await mkdtemp(join(tmpdir(), 'defectkit-registry-')) });
    const version = await registry.logModel(model, { name: 'PCB', comment: 'first' });
    expect(await registry.models()).toEqual([{ name: 'PCB', versions: ['V1'], default: 'V1' }]);
    expect((await (await registry.model('PCB')).versions()).map((v) => [v.name, v.comment])).toEqual([['V1', 'first']]);
    const out = join(await mkdtemp(join(tmpdir(), 'defectkit-export-')), 'pcb');
    await version.export(out);
    // Buffer.equals, not toEqual: a deep comparison of a 4 MB model element by element takes tens of seconds on a busy machine.
    expect((await readFile(join(out, 'model.onnx'))).equals(await readFile(join(model, 'model.onnx')))).toBe(true);
    const detectors: RegistryDetector[] = [];
    let compared = 0;
    try {
      const original = await loadDetector(model);
      const exported = await loadDetector(out);
      const fromVersion = await version.detector();
      detectors.push(original, exported, fromVersion);
      for (const image of images) {
        const expected = await original.detect(image);
        expect((await exported.detect(image)).detections).toEqual(expected.detections);
        expect((await fromVersion.detect(image)).detections).toEqual(expected.detections);
        compared += expected.detections.length;
      }
    } finally {
      for (const detector of detectors) await detector.dispose();
    }
    return compared;
  }

  it('log -> list -> versions -> export -> a detector from the export (and from the version) equals the original folder', async () => {
    expect(await localFlow(await fixtureModelFolder())).toBeGreaterThan(0);
  });

  it('the same with an untrained single-channel model whose detections change with every image', async () => {
    expect(await localFlow(await untrainedDetectorFolder(systemPython))).toBeGreaterThan(100);
  }, 60_000);

  it('the same with the shipped models/pcb-defects', async () => {
    expect(await localFlow(join(repoRoot, 'models', 'pcb-defects'))).toBeGreaterThan(0);
  }, 60_000);
});
