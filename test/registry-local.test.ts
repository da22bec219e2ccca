import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDetector, type NodeDetector } from '@defectkit/backend-node';
import { LocalRegistry } from '@defectkit/registry';
import { fixtureModelFolder } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { deeppcbDir } from './support/paths.js';

const images = ['00041000_test.jpg', '00041001_test.jpg'].map((name) => join(deeppcbDir, 'PCBData', 'group00041', '00041', name));

describe('LocalRegistry end to end with the Node detector', () => {
  it('log -> list -> versions -> export -> a detector from the export (and from the version) equals the original folder', async () => {
    const model = await fixtureModelFolder();
    const registry = new LocalRegistry({ dir: await mkdtemp(join(tmpdir(), 'defectkit-registry-')) });
    const version = await registry.logModel(model, { name: 'PCB', comment: 'fixture' });
    expect(await registry.models()).toEqual([{ name: 'PCB', versions: ['V1'], default: 'V1' }]);
    expect((await (await registry.model('PCB')).versions()).map((v) => [v.name, v.comment])).toEqual([['V1', 'fixture']]);
    const out = join(await mkdtemp(join(tmpdir(), 'defectkit-export-')), 'pcb');
    await version.export(out);
    expect(await readFile(join(out, 'model.onnx'))).toEqual(await readFile(join(model, 'model.onnx')));
    const detectors: NodeDetector[] = [];
    try {
      const original = await loadDetector(model);
      const exported = await loadDetector(out);
      const fromVersion = (await version.detector()) as NodeDetector;
      detectors.push(original, exported, fromVersion);
      for (const image of images) {
        const expected = await original.detect(image);
        expect(expected.detections.length).toBeGreaterThan(0);
        expect((await exported.detect(image)).detections).toEqual(expected.detections);
        expect((await fromVersion.detect(image)).detections).toEqual(expected.detections);
      }
    } finally {
      for (const detector of detectors) await detector.dispose();
    }
  });
});
