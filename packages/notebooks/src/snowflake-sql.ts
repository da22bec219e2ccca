import { egressHosts } from './egress-hosts.js';
import type { ResolvedOptions } from './options.js';

/**
 * `setup.sql`: everything the training notebook needs, created idempotently (`IF NOT EXISTS`), then
 * granted to one training role. Run once as an administrator.
 */
export function setupSql(o: ResolvedOptions): string {
  const s = o.snowflake;
  const schema = `${s.database}.${s.schema}`;
  return `-- DefectKit ${o.recipe}: Snowflake objects for training "${o.name}" on a GPU compute pool.
-- Run once with a role that may create roles, compute pools and integrations (ACCOUNTADMIN here).
USE ROLE ACCOUNTADMIN;

-- The role that owns the notebook and runs the training.
CREATE ROLE IF NOT EXISTS ${s.role};
GRANT ROLE ${s.role} TO ROLE SYSADMIN;

-- Database, schema and the stage that holds datasets and trained models.
CREATE DATABASE IF NOT EXISTS ${s.database};
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE STAGE IF NOT EXISTS ${schema}.${s.stage}
  DIRECTORY = (ENABLE = TRUE)
  ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE')
  COMMENT = 'DefectKit datasets and models';

-- A small warehouse for the notebook's SQL and the Model Registry.
CREATE WAREHOUSE IF NOT EXISTS ${s.warehouse}
  WAREHOUSE_SIZE = 'XSMALL' AUTO_SUSPEND = 60 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE;

-- GPU compute pool for the Container Runtime (${s.instanceFamily}: ${o.gpus} GPU(s) wanted).
CREATE COMPUTE POOL IF NOT EXISTS ${s.computePool}
  MIN_NODES = 1 MAX_NODES = 1
  INSTANCE_FAMILY = ${s.instanceFamily}
  AUTO_RESUME = TRUE AUTO_SUSPEND_SECS = 600
  COMMENT = 'DefectKit training';

-- Outbound access: PyPI for packages the runtime image does not ship, and where this recipe's pretrained weights live.
CREATE NETWORK RULE IF NOT EXISTS ${schema}.${s.networkRule}
  MODE = EGRESS TYPE = HOST_PORT
  VALUE_LIST = (${egressHosts(o).map((h) => `'${h}'`).join(', ')});
CREATE EXTERNAL ACCESS INTEGRATION IF NOT EXISTS ${s.integration}
  ALLOWED_NETWORK_RULES = (${schema}.${s.networkRule})
  ENABLED = TRUE;

-- Grants to the training role.
GRANT USAGE ON DATABASE ${s.database} TO ROLE ${s.role};
GRANT USAGE, CREATE NOTEBOOK, CREATE MODEL, CREATE SERVICE, CREATE STAGE ON SCHEMA ${schema} TO ROLE ${s.role};
GRANT READ, WRITE ON STAGE ${schema}.${s.stage} TO ROLE ${s.role};
GRANT USAGE ON WAREHOUSE ${s.warehouse} TO ROLE ${s.role};
GRANT USAGE, MONITOR ON COMPUTE POOL ${s.computePool} TO ROLE ${s.role};
GRANT USAGE ON INTEGRATION ${s.integration} TO ROLE ${s.role};
SET DEFECTKIT_USER = CURRENT_USER();
GRANT ROLE ${s.role} TO USER IDENTIFIER($DEFECTKIT_USER);
`;
}

/**
 * `teardown.sql`: drops what `setup.sql` created, in reverse order (models in the schema go with it). Every name is
 * this project's own (see `defaultSnowflakeNames`), so other projects' objects are untouched.
 */
export function teardownSql(o: ResolvedOptions): string {
  const s = o.snowflake;
  const schema = `${s.database}.${s.schema}`;
  return `-- DefectKit ${o.recipe}: removes the objects created by setup.sql, the notebook, stage and models included.
USE ROLE ACCOUNTADMIN;
DROP NOTEBOOK IF EXISTS ${schema}.${s.notebook};
ALTER COMPUTE POOL IF EXISTS ${s.computePool} STOP ALL;
DROP COMPUTE POOL IF EXISTS ${s.computePool};
DROP EXTERNAL ACCESS INTEGRATION IF EXISTS ${s.integration};
DROP NETWORK RULE IF EXISTS ${schema}.${s.networkRule};
DROP STAGE IF EXISTS ${schema}.${s.stage};
DROP SCHEMA IF EXISTS ${schema};
DROP DATABASE IF EXISTS ${s.database};
DROP WAREHOUSE IF EXISTS ${s.warehouse};
DROP ROLE IF EXISTS ${s.role};
`;
}
