// What snowflake-local says when the Python that runs model handlers is missing (Node only: every case
// fails before any Python runs).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SnowflakeRegistry } from '@defectkit/registry';
import { handlerPython, startSnowflakeLocal } from '@defectkit/snowflake-local';
import { repoRoot } from './support/paths.js';
import { errorOf } from './support/errors.js';
import { snowflakeHomeWithSchema } from './support/snowflake-local.js';
import { scratchFolder } from './support/scratch-folder.js';

const work = scratchFolder('dk-handler-runtime-'); // not "defectkit": the driver masks the password in messages;

/** An executable that answers the version probe like a CPython 3.11 would (nothing else is asked of it here). */
function pretendPython311(): string {
  const path = join(work, 'python3.11');
  writeFileSync(path, '#!/bin/sh\necho 3.11.9\n');
  chmodSync(path, 0o755);
  return path;
}

describe('the model handler runtime (python3.11 + wheels) when something is missing', () => {
  it('names the interpreter, the wheel folder or the missing wheels', async () => {
    const cacheDir = join(work, 'cache');
    const noPython = await errorOf(handlerPython({ python: join(work, 'no-such-python3.11'), cacheDir }));
    expect(noPython.code).toBe('HANDLER_RUNTIME_MISSING');
    expect(noPython.message).toContain('no-such-python3.11');
    expect(noPython.details.python).toBe(join(work, 'no-such-python3.11'));

    const python = pretendPython311();
    const noWheels = await errorOf(handlerPython({ python, wheels: join(work, 'no-wheels'), cacheDir }));
    expect(noWheels.code).toBe('HANDLER_RUNTIME_MISSING');
    expect(noWheels.message).toContain('DEFECTKIT_WHEELS');

    const partial = join(work, 'partial-wheels');
    mkdirSync(partial);
    writeFileSync(join(partial, 'numpy-2.0.2-cp311-cp311-manylinux_2_17_x86_64.whl'), '');
    writeFileSync(join(partial, 'Pillow-11.3.0-cp311-cp311-manylinux_2_17_x86_64.whl'), '');
    const missing = await errorOf(handlerPython({ python, wheels: partial, cacheDir }));
    expect(missing.code).toBe('HANDLER_RUNTIME_MISSING');
    expect(missing.details.missing).toEqual(['onnxruntime', 'pandas']);
  });

  it('MODEL()!PREDICT fails with a Snowflake UDF error that names what is missing, and logging still works', async () => {
    const server = await startSnowflakeLocal();
    vi.stubEnv('DEFECTKIT_PYTHON311', join(work, 'missing', 'python3.11'));
    try {
      const home = await snowflakeHomeWithSchema(server.url, { database: 'DK', schema: 'RT' });
      const registry = await SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: home } });
      try {
        const version = await registry.logModel(join(repoRoot, 'models', 'pcb-defects-frcnn'), { name: 'FRCNN' });
        const error = await errorOf(registry.session.execute(`SELECT MODEL(DK.RT.FRCNN, ${version.name})!PREDICT(TO_BINARY('00', 'HEX')) AS R`));
        expect(error.code).toBe('SNOWFLAKE_SQL');
        expect(error.details.sqlCode).toBe('100357');
        expect(error.message).toContain(join(work, 'missing', 'python3.11'));
      } finally {
        await registry.close();
      }
    } finally {
      vi.unstubAllEnvs();
      await server.close();
    }
  }, 120_000);
});
