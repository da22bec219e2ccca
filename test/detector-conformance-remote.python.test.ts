import { join } from 'node:path';
import { describeImageInput } from '@defectkit/core';
import { afterAll } from 'vitest';
import { loadDetector } from '@defectkit/backend-node';
import { describeDetectorConformance } from '@defectkit/detector/testing';
import type { DetectionResult } from '@defectkit/detector';
import { SnowflakeRegistry, type RegistryDetector } from '@defectkit/registry';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { deeppcbDir, repoRoot } from './support/paths.js';
import { startLocalSnowflake } from './support/snowflake-local.js';

// The remote detector (MODEL(...)!PREDICT through the real snowflake-sdk against snowflake-local, which runs the
// logged Python handler in a CPython 3.11 virtualenv: hence `.python.test.ts`) must pass the same detector contract
// as the local one, on the same DeepPCB boards, and agree with the local results within 1e-3.
const modelDir = join(repoRoot, 'models', 'pcb-defects');
const images = ['00041000_test.jpg', '00041001_test.jpg', '00041002_test.jpg', '00041003_test.jpg'].map((name) => join(deeppcbDir, 'PCBData', 'group00041', '00041', name));

let server: SnowflakeLocal | undefined;
let registry: SnowflakeRegistry | undefined;
afterAll(async () => {
  await registry?.close();
  await server?.close();
});

describeDetectorConformance('remote RemoteDetector (snowflake-local MODEL()!PREDICT, models/pcb-defects)', async () => {
  const started = await startLocalSnowflake();
  server = started.server;
  const env = { SNOWFLAKE_HOME: started.home };
  registry = await SnowflakeRegistry.connect({ connection: 'local', env });
  const version = await registry.logModel(modelDir, { name: 'CONFORMANCE' });
  return {
    // batchSize 2: statements of two images, so batches split across statements are exercised too.
    create: (): Promise<RegistryDetector> => version.detector({ batchSize: 2 }),
    images,
    // A missing file, and bytes that are not an image.
  badImages: [join(deeppcbDir, 'PCBData', 'group00041', '00041', 'no-such-board_test.jpg'), new TextEncoder().encode('not an image')],
  describe: describeImageInput,
    reference: async (): Promise<DetectionResult[]> => {
      const local = await loadDetector(modelDir);
      try {
        const results: DetectionResult[] = [];
        for (const image of images) results.push(await local.detect(image));
        return results;
      } finally {
        await local.dispose();
      }
    },
    referenceTolerance: 1e-3,
  };
});
