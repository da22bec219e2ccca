import { SnowflakeSession } from '@defectkit/snowflake';
import { startSnowflakeLocal } from '@defectkit/snowflake-local';
import { openSnowflakeInspectionStore } from '@defectkit/inspection';
import { describeInspectionStoreConformance } from '../packages/inspection/src/testing/index.js';
import { snowflakeHomeFor } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { detectDeepPcbBoards } from './support/deeppcb-detections.js';

// The inspection-store contract on Snowflake: snowflake-local through the real snowflake-sdk, the same views.
describeInspectionStoreConformance('snowflake (snowflake-local, snowflake-sdk)', async () => {
  const server = await startSnowflakeLocal();
  const home = await snowflakeHomeFor(server.url, { database: 'FACTORY', schema: 'QA' });
  const session = await SnowflakeSession.connect({ env: { SNOWFLAKE_HOME: home } });
  const { results } = await detectDeepPcbBoards();
  const store = await openSnowflakeInspectionStore({ session, setup: true });
  return {
    store,
    results,
    cleanup: async () => {
      await session.close();
      await server.close();
    },
  };
});
