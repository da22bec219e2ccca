// Moved from registry-snowflake.test.ts: remote PREDICT runs the logged Python handler in snowflake-local, which
// needs the CPython 3.11 virtualenv (hence *.python.test.ts). Log -> export -> detectors from the export and the
// original agree; remote PREDICT agrees with the local backend within 1e-4.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDetector, type NodeDetector } from '@defectkit/backend-node';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { RemoteDetector, SnowflakeRegistry } from '@defectkit/registry';
import { fixtureModelFolder, untrainedDetectorFolder } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { deeppcbDir, repoRoot, systemPython } from './support/paths.js';
import { startLocalSnowflake } from './support/snowflake-local.js';

const images = ['00041000_test.jpg', '00041001_test.jpg', '00041002_test.jpg'].map((name) => join(deeppcbDir, 'PCBData', 'group00041', '00041', name));

describe('SnowflakeRegistry remote PREDICT against snowflake-local (the logged Python handler)', () => {
  let server: SnowflakeLocal;
  let home: string;
  let model: string;
  const connect = (): Promise<SnowflakeRegistry> => SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: home } });

  beforeAll(async () => {
    ({ server, home } = await startLocalSnowflake());
    model = await fixtureModelFolder();
  });

  afterAll(async () => {
    await server?.close();
  });

  /** log -> export -> detectors from the export and the original agree; remote PREDICT agrees within 1e-4. */
  async function exportAndRemoteParity(modelDir: string, name: string): Promise<number> {
    const registry = await connect();
    const locals: NodeDetector[] = [];
    let compared = 0;
    try {
      const version = await registry.logModel(modelDir, { name });
      const out = join(await mkdtemp(join(tmpdir(), 'defectkit-sf-export-')), 'm');
      await version.export(out);
      const original = await loadDetector(modelDir);
      const exported = await loadDetector(out);
      locals.push(original, exported);
      const remote = (await version.detector({ batchSize: 2 })) as RemoteDetector;
      const outcomes = await remote.detectBatch(images);
      for (const [i, image] of images.entries()) {
        const expected = await original.detect(image);
        expect((await exported.detect(image)).detections).toEqual(expected.detections);
        const got = outcomes[i]!;
        if (!got.ok) throw got.error;
        expect([got.result.width, got.result.height]).toEqual([expected.width, expected.height]);
        expect(got.result.detections.length).toBe(expected.detections.length);
        got.result.detections.forEach((d, k) => {
          const e = expected.detections[k]!;
          for (const key of ['x1', 'y1', 'x2', 'y2', 'score'] as const) expect(Math.abs(d[key] - e[key])).toBeLessThanOrEqual(1e-4);
          expect([d.classId, d.label]).toEqual([e.classId, e.label]);
        });
        compared += expected.detections.length;
      }
      await (await registry.model(name)).delete();
    } finally {
      for (const detector of locals) await detector.dispose();
      await registry.close();
    }
    return compared;
  }

  it('a detector from the export equals one from the original folder, and remote PREDICT equals the local backend (golden fixture model)', async () => {
    expect(await exportAndRemoteParity(model, 'PARITY')).toBeGreaterThan(0);
  }, 120_000);

  it('the same with an untrained single-channel model whose detections change with every DeepPCB image', async () => {
    expect(await exportAndRemoteParity(await untrainedDetectorFolder(systemPython), 'UNTRAINED')).toBeGreaterThan(100);
  }, 120_000);

  it('the same with the shipped models/pcb-defects on DeepPCB images', async () => {
    expect(await exportAndRemoteParity(join(repoRoot, 'models', 'pcb-defects'), 'PCB_DEFECTS')).toBeGreaterThan(0);
  }, 120_000);
});
