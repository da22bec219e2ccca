import { join } from 'node:path';
import { SnowflakeRegistry } from '@defectkit/registry';
import { describeRegistryConformance } from '@defectkit/registry/testing';
import { repoRoot } from './support/paths.js';
import { startLocalSnowflake } from './support/snowflake-local.js';

// The Snowflake Model Registry driver against the same contract: the real snowflake-sdk talking to
// snowflake-local on loopback (CREATE MODEL ... FROM @stage, SHOW VERSIONS, ALTER MODEL, GET / REMOVE).
describeRegistryConformance('SnowflakeRegistry (snowflake-local, real snowflake-sdk), models/pcb-defects', async () => {
  const { server, home } = await startLocalSnowflake({ database: 'CONF', schema: 'REG' });
  try {
    const registry = await SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: home } });
    return { registry, modelFolder: join(repoRoot, 'models', 'pcb-defects'), cleanup: () => server.close() };
  } catch (error) {
    await server.close();
    throw error;
  }
});
