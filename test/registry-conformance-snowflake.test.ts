import { join } from 'node:path';
import { SnowflakeRegistry } from '@defectkit/registry';
import { describeRegistryConformance } from '@defectkit/registry/testing';
import { SnowflakeSession } from '@defectkit/snowflake';
import { startSnowflakeLocal } from '@defectkit/snowflake-local';
import { snowflakeHomeFor } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { repoRoot } from './support/paths.js';

// The Snowflake Model Registry driver against the same contract: the real snowflake-sdk talking to
// snowflake-local on loopback (CREATE MODEL ... FROM @stage, SHOW VERSIONS, ALTER MODEL, GET / REMOVE).
describeRegistryConformance('SnowflakeRegistry (snowflake-local, real snowflake-sdk), models/pcb-defects', async () => {
  const server = await startSnowflakeLocal();
  try {
    const home = await snowflakeHomeFor(server.url, { database: 'CONF', schema: 'REG' });
    const session = await SnowflakeSession.connect({ env: { SNOWFLAKE_HOME: home } });
    await session.execute('CREATE DATABASE IF NOT EXISTS CONF');
    await session.execute('CREATE SCHEMA IF NOT EXISTS CONF.REG');
    await session.close();
    const registry = await SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: home } });
    return { registry, modelFolder: join(repoRoot, 'models', 'pcb-defects'), cleanup: () => server.close() };
  } catch (error) {
    await server.close();
    throw error;
  }
});
