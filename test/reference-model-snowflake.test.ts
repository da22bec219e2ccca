import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRegistry, SnowflakeRegistry } from '@defectkit/registry';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { errorOf } from './support/errors.js';
import { repoRoot } from './support/paths.js';
import { scratchFolder } from './support/scratch-folder.js';
import { startLocalSnowflake } from './support/snowflake-local.js';

// PREDICT takes one image per row, so a model that needs a golden reference (card v2 `input.reference`) is refused
// when it is logged to Snowflake, before anything is uploaded, instead of failing later at predict time.
describe('a reference model and the Snowflake registry', () => {
  let server: SnowflakeLocal;
  let registry: SnowflakeRegistry;
  beforeAll(async () => {
    let home: string;
    ({ server, home } = await startLocalSnowflake({ database: 'REFS', schema: 'REG' }));
    registry = await SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: home } });
  });
  afterAll(async () => {
    await registry?.close();
    await server?.close();
  });

  it('refuses to log models/pcb-defects-ref with a typed error naming input.reference, and registers nothing', async () => {
    const error = await errorOf(registry.logModel(join(repoRoot, 'models', 'pcb-defects-ref'), { name: 'PCB_REF' }));
    expect([error.code, error.details.field]).toEqual(['REGISTRY_MODEL_SOURCE', 'input.reference']);
    expect(await registry.models()).toEqual([]);
  });

  it('logs it to the local registry, whose ONNX check counts the reference channels too', async () => {
    const local = new LocalRegistry({ dir: scratchFolder('defectkit-ref-registry-') });
    const version = await local.logModel(join(repoRoot, 'models', 'pcb-defects-ref'), { name: 'PCB_REF' });
    expect(version.name).toBe('V1');
    await local.close();
  });
});
