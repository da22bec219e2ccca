import { appStagePath } from '../apps/app-options.js';
import type { EmittedApp } from '../apps/render-app.js';
import { containerJobNames, trainingLogTableSql } from '../container-job.js';
import type { EmittedProject } from '../emit-project.js';
import type { EmittedFile } from '../emitted-file.js';
import { egressHosts } from '../egress-hosts.js';

/** Kinds of objects deploy creates (the words of their CREATE / SHOW / DROP statements). */
export type ObjectKind =
  | 'ROLE'
  | 'DATABASE'
  | 'SCHEMA'
  | 'STAGE'
  | 'WAREHOUSE'
  | 'COMPUTE POOL'
  | 'NETWORK RULE'
  | 'EXTERNAL ACCESS INTEGRATION'
  | 'TABLE'
  | 'VIEW'
  | 'IMAGE REPOSITORY'
  | 'NOTEBOOK'
  | 'STREAMLIT'
  | 'CORTEX SEARCH SERVICE';

/** An object to create when missing: how to see whether it exists, create it, (for code objects) replace it, drop it. */
export interface CreateStep {
  type: 'create';
  kind: ObjectKind;
  /** The fully qualified name as the SQL spells it (upper case, unquoted). */
  name: string;
  /** `SHOW <KINDS> LIKE '<NAME>' [IN ...]`: the rows' `name` is compared exactly (LIKE treats `_` as a wildcard). */
  show: string;
  /** `CREATE <KIND> IF NOT EXISTS ...`. */
  create: string;
  /** For notebooks and apps that deploy created before: `CREATE OR REPLACE ...`, so new code replaces old. */
  replace?: string;
  /** Statements run after a create or replace (e.g. a notebook's live version). */
  after: string[];
  /** What clean runs, in order. */
  drop: string[];
}

/** A statement run on every deploy (grants, ALTER ... REFRESH); nothing to undo. */
export interface SqlStep {
  type: 'sql';
  sql: string;
}

/** Files put on a stage folder (`PUT ... OVERWRITE = TRUE`); clean removes the folder unless the stage goes too. */
export interface UploadStep {
  type: 'upload';
  /** The stage's qualified name, e.g. `DB.SCHEMA.STAGE`. */
  stage: string;
  /** The target folder, `@DB.SCHEMA.STAGE/path`. */
  target: string;
  files: EmittedFile[];
}

/** A dataset folder uploaded with `uploadDataset` (images, labels, data.yaml) and its label table. */
export interface DatasetStep {
  type: 'dataset';
  stage: string;
  dir: string;
  format: string;
  target: string;
  table: CreateStep;
}

/** The inspection-log tables and views (`defectkit snowflake setup`), created by the caller's callback. */
export interface InspectionLogStep {
  type: 'inspection-log';
  database: string;
  schema: string;
  objects: CreateStep[];
}

/** One step of a deployment. */
export type DeployStep = CreateStep | SqlStep | UploadStep | DatasetStep | InspectionLogStep;

/** What to deploy besides the recipe project. */
export interface DeployPlanOptions {
  /** Apps to deploy beside the notebook. */
  apps?: EmittedApp[];
  /** A local dataset folder to upload to the project's dataset stage path, and its format. */
  data?: { dir: string; format: string };
  /**
   * Tables and views of the inspection log, by kind (from @defectkit/inspection), created when an app needs them;
   * `setupSql` gives the statements that create them (`snowflakeSetupSql`), which the plan's SQL then shows.
   */
  inspectionLog?: {
    tables: readonly string[];
    views: readonly string[];
    setupSql?: (database: string, schema: string) => readonly { kind: string; name: string; sql: string }[];
  };
}

const q = (text: string): string => `'${text.replace(/'/g, "''")}'`;

function object(kind: ObjectKind, name: string, scope: string | null, create: string, extra: Partial<Pick<CreateStep, 'replace' | 'after' | 'drop'>> = {}): CreateStep {
  const plural: Record<ObjectKind, string> = {
    ROLE: 'ROLES',
    DATABASE: 'DATABASES',
    SCHEMA: 'SCHEMAS',
    STAGE: 'STAGES',
    WAREHOUSE: 'WAREHOUSES',
    'COMPUTE POOL': 'COMPUTE POOLS',
    'NETWORK RULE': 'NETWORK RULES',
    'EXTERNAL ACCESS INTEGRATION': 'EXTERNAL ACCESS INTEGRATIONS',
    TABLE: 'TABLES',
    VIEW: 'VIEWS',
    'IMAGE REPOSITORY': 'IMAGE REPOSITORIES',
    NOTEBOOK: 'NOTEBOOKS',
    STREAMLIT: 'STREAMLITS',
    'CORTEX SEARCH SERVICE': 'CORTEX SEARCH SERVICES',
  };
  const short = name.split('.').at(-1)!;
  const scopeWord = scope === null ? '' : scope.includes('.') ? ` IN SCHEMA ${scope}` : ` IN DATABASE ${scope}`;
  return {
    type: 'create',
    kind,
    name,
    show: `SHOW ${plural[kind]} LIKE ${q(short)}${scopeWord}`,
    create,
    after: extra.after ?? [],
    drop: extra.drop ?? [`DROP ${kind} IF EXISTS ${name}`],
    ...(extra.replace === undefined ? {} : { replace: extra.replace }),
  };
}

/** The project files the notebook needs on its stage (the notebook, the script it mirrors, the model handler). */
const NOTEBOOK_FILES = ['notebook.ipynb', 'train.py', 'defectkit_handler.py'];

/**
 * Everything `defectkit snowflake deploy` does, in order, as data: the same objects as the project's `setup.sql` (each
 * checked with SHOW first, so deploy is idempotent and clean drops only what deploy created), the grants, the stage
 * uploads of code and data, the notebook, the classifier's container-job objects, and each app with what it reads.
 * `--dry-run` prints it; the runner executes it.
 */
export function deployPlan(project: EmittedProject, options: DeployPlanOptions = {}): DeployStep[] {
  const o = project.options;
  const s = o.snowflake;
  const schema = `${s.database}.${s.schema}`;
  const stage = `${schema}.${s.stage}`;
  const steps: DeployStep[] = [
    object('ROLE', s.role, null, `CREATE ROLE IF NOT EXISTS ${s.role} COMMENT = 'DefectKit: trains ${o.name}'`),
    object('DATABASE', s.database, null, `CREATE DATABASE IF NOT EXISTS ${s.database} COMMENT = 'DefectKit project ${o.name}'`),
    object('SCHEMA', schema, s.database, `CREATE SCHEMA IF NOT EXISTS ${schema}`),
    object('STAGE', stage, schema, `CREATE STAGE IF NOT EXISTS ${stage} DIRECTORY = (ENABLE = TRUE) ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE') COMMENT = 'DefectKit datasets, code and models'`),
    object('WAREHOUSE', s.warehouse, null, `CREATE WAREHOUSE IF NOT EXISTS ${s.warehouse} WAREHOUSE_SIZE = 'XSMALL' AUTO_SUSPEND = 60 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE`),
    object('COMPUTE POOL', s.computePool, null, `CREATE COMPUTE POOL IF NOT EXISTS ${s.computePool} MIN_NODES = 1 MAX_NODES = 1 INSTANCE_FAMILY = ${s.instanceFamily} AUTO_RESUME = TRUE AUTO_SUSPEND_SECS = 600 COMMENT = 'DefectKit training (${o.gpus} GPU)'`, {
      drop: [`ALTER COMPUTE POOL IF EXISTS ${s.computePool} STOP ALL`, `DROP COMPUTE POOL IF EXISTS ${s.computePool}`],
    }),
    object('NETWORK RULE', `${schema}.${s.networkRule}`, schema, `CREATE NETWORK RULE IF NOT EXISTS ${schema}.${s.networkRule} MODE = EGRESS TYPE = HOST_PORT VALUE_LIST = (${egressHosts(o).map(q).join(', ')})`),
    object('EXTERNAL ACCESS INTEGRATION', s.integration, null, `CREATE EXTERNAL ACCESS INTEGRATION IF NOT EXISTS ${s.integration} ALLOWED_NETWORK_RULES = (${schema}.${s.networkRule}) ENABLED = TRUE`),
    { type: 'sql', sql: `GRANT USAGE ON DATABASE ${s.database} TO ROLE ${s.role}` },
    { type: 'sql', sql: `GRANT USAGE, CREATE NOTEBOOK, CREATE MODEL, CREATE SERVICE, CREATE STREAMLIT, CREATE TABLE ON SCHEMA ${schema} TO ROLE ${s.role}` },
    { type: 'sql', sql: `GRANT READ, WRITE ON STAGE ${stage} TO ROLE ${s.role}` },
    { type: 'sql', sql: `GRANT USAGE ON WAREHOUSE ${s.warehouse} TO ROLE ${s.role}` },
    { type: 'sql', sql: `GRANT USAGE, MONITOR ON COMPUTE POOL ${s.computePool} TO ROLE ${s.role}` },
    { type: 'sql', sql: `GRANT USAGE ON INTEGRATION ${s.integration} TO ROLE ${s.role}` },
  ];
  if (options.data !== undefined) {
    const target = o.dataset;
    steps.push({
      type: 'dataset',
      stage,
      dir: options.data.dir,
      format: options.data.format,
      target,
      table: object('TABLE', `${schema}.${o.name.replace(/-/g, '_').toUpperCase()}_LABELS`, schema, ''),
    });
  }
  const code = project.files.filter((f) => NOTEBOOK_FILES.includes(f.path));
  const notebookFolder = `@${stage}/notebooks/${o.name}`;
  steps.push({ type: 'upload', stage, target: notebookFolder, files: code });
  const notebook = `${schema}.${s.notebook}`;
  const notebookBody = `FROM ${q(notebookFolder)} MAIN_FILE = 'notebook.ipynb' QUERY_WAREHOUSE = ${s.warehouse} COMPUTE_POOL = ${q(s.computePool)} RUNTIME_NAME = 'SYSTEM$GPU_RUNTIME' EXTERNAL_ACCESS_INTEGRATIONS = (${s.integration}) COMMENT = 'DefectKit ${o.recipe}: trains ${o.name}'`;
  steps.push(
    object('NOTEBOOK', notebook, schema, `CREATE NOTEBOOK IF NOT EXISTS ${notebook} ${notebookBody}`, {
      replace: `CREATE OR REPLACE NOTEBOOK ${notebook} ${notebookBody}`,
      // A notebook created from stage files needs a live version before it can run.
      after: [`ALTER NOTEBOOK ${notebook} ADD LIVE VERSION FROM LAST`],
    }),
  );
  if (o.recipe === 'classifier') {
    const job = containerJobNames(o);
    steps.push(object('IMAGE REPOSITORY', job.repository, schema, `CREATE IMAGE REPOSITORY IF NOT EXISTS ${job.repository}`));
    steps.push(object('TABLE', job.trainingLog, schema, trainingLogTableSql(o)));
    steps.push({ type: 'upload', stage, target: job.specFolder, files: project.files.filter((f) => f.path === 'job/job-spec.yaml').map((f) => ({ path: 'job-spec.yaml', content: f.content })) });
  }
  const apps = options.apps ?? [];
  const logs = new Set<string>();
  for (const app of apps) {
    const a = app.options;
    const needsLog = a.app !== 'xray' && options.inspectionLog !== undefined;
    const key = `${a.logDatabase}.${a.logSchema}`;
    if (needsLog && !logs.has(key)) {
      logs.add(key);
      const scope = key;
      const setup = options.inspectionLog!.setupSql?.(a.logDatabase, a.logSchema) ?? [];
      const createOf = (name: string): string => setup.find((st) => st.name.toUpperCase() === name.toUpperCase())?.sql ?? '';
      steps.push({
        type: 'inspection-log',
        database: a.logDatabase,
        schema: a.logSchema,
        objects: [
          ...options.inspectionLog!.tables.map((t) => object('TABLE', `${scope}.${t}`, scope, createOf(`${scope}.${t}`))),
          ...options.inspectionLog!.views.map((v) => object('VIEW', `${scope}.${v}`, scope, createOf(`${scope}.${v}`))),
        ],
      });
    }
    const folder = appStagePath(a);
    steps.push({ type: 'upload', stage, target: folder, files: app.files.filter((f) => f.path !== 'README.md' && f.path !== 'snowflake.yml' && !f.path.endsWith('.sql')) });
    const name = `${schema}.${a.streamlit}`;
    const body = `FROM ${q(folder)} MAIN_FILE = 'streamlit_app.py' QUERY_WAREHOUSE = ${s.warehouse} TITLE = ${q(a.title)} COMMENT = 'DefectKit ${a.app} app'`;
    steps.push(object('STREAMLIT', name, schema, `CREATE STREAMLIT IF NOT EXISTS ${name} ${body}`, { replace: `CREATE OR REPLACE STREAMLIT ${name} ${body}` }));
    if (a.app === 'dashboard') {
      const manuals = `${schema}.MANUALS`;
      const chunks = `${schema}.MANUAL_CHUNKS`;
      const service = `${schema}.MANUALS_SEARCH`;
      steps.push(object('STAGE', manuals, schema, `CREATE STAGE IF NOT EXISTS ${manuals} DIRECTORY = (ENABLE = TRUE) ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE') COMMENT = 'DefectKit: manuals for Cortex Search'`));
      steps.push(object('TABLE', chunks, schema, `CREATE TABLE IF NOT EXISTS ${chunks} (RELATIVE_PATH VARCHAR, CHUNK_INDEX INTEGER, CHUNK VARCHAR)`));
      steps.push(
        object('CORTEX SEARCH SERVICE', service, schema, `CREATE CORTEX SEARCH SERVICE IF NOT EXISTS ${service} ON CHUNK ATTRIBUTES RELATIVE_PATH WAREHOUSE = ${s.warehouse} TARGET_LAG = '1 day' COMMENT = 'DefectKit: search the manuals' AS SELECT CHUNK, RELATIVE_PATH, CHUNK_INDEX FROM ${chunks}`),
      );
    }
  }
  return steps;
}

/** The placeholder local folder `--dry-run` prints in PUT statements (the real run uses a temporary folder). */
export const DRY_RUN_FOLDER = '/tmp/defectkit-deploy';

/** `PUT file://<local> @stage/folder/ ...` for one file of an upload step (local path already safe for SQL). */
export function putSql(localUrl: string, target: string, file: string): string {
  const sub = file.includes('/') ? `/${file.slice(0, file.lastIndexOf('/'))}` : '';
  return `PUT ${localUrl} ${target}${sub}/ AUTO_COMPRESS = FALSE OVERWRITE = TRUE`;
}

/** The statements of a plan as `--dry-run` prints them (existence checks included, in the order deploy runs them). */
export function planSql(steps: readonly DeployStep[]): string[] {
  const out: string[] = [];
  for (const step of steps) {
    if (step.type === 'create') {
      out.push(step.show, step.create, ...step.after);
    } else if (step.type === 'sql') {
      out.push(step.sql);
    } else if (step.type === 'upload') {
      for (const f of step.files) out.push(putSql(`'file://${DRY_RUN_FOLDER}/${f.path}'`, step.target, f.path));
    } else if (step.type === 'dataset') {
      out.push(step.table.show, `-- uploadDataset: ${step.format} dataset ${step.dir} -> ${step.target} (images, labels, data.yaml; resumable), label rows -> ${step.table.name}`);
    } else {
      // The log's setup (the caller's callback) also makes sure of its schema; the tables and views follow.
      out.push(`-- defectkit snowflake setup: CREATE SCHEMA IF NOT EXISTS ${step.database}.${step.schema}, then the inspection log tables and views`);
      for (const obj of step.objects) out.push(...(obj.create === '' ? [obj.show] : [obj.show, obj.create]));
    }
  }
  return out;
}
