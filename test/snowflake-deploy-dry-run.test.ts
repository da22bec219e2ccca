// `defectkit snowflake deploy --dry-run` prints every statement deploy runs; each is checked against the syntax that
// Snowflake's SQL reference documents for its kind (CREATE ROLE / DATABASE / SCHEMA / STAGE / WAREHOUSE / COMPUTE POOL
// / NETWORK RULE / EXTERNAL ACCESS INTEGRATION / NOTEBOOK / STREAMLIT / IMAGE REPOSITORY / CORTEX SEARCH SERVICE /
// TABLE, the SHOW ... LIKE ... IN checks, GRANT, PUT, ALTER NOTEBOOK ... ADD LIVE VERSION FROM LAST).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RECIPE_NAMES, deployPlan, loadAppTemplates, loadRecipeTemplates, planSql, renderApp, renderProject, type RecipeName } from '@defectkit/notebooks';
import { LOG_TABLES, VIEW_NAMES } from '@defectkit/inspection';
import { runCli } from '../packages/cli/src/program.js';

const ID = '[A-Z_][A-Z0-9_$]*';
const Q = `${ID}(?:\\.${ID}){0,2}`; // a (qualified) name
const QID = `"${ID}"`; // a quoted name
const STR = "'(?:[^']|'')*'";
const STAGE_PATH = `@${ID}\\.${ID}\\.${ID}/[A-Za-z0-9_./-]+`;

/** The documented form of each statement kind deploy emits (options in the order and spelling of the reference). */
const FORMS: [string, RegExp][] = [
  ['SHOW', new RegExp(`^SHOW (ROLES|DATABASES|WAREHOUSES|COMPUTE POOLS|EXTERNAL ACCESS INTEGRATIONS) LIKE ${STR}$|^SHOW (SCHEMAS) LIKE ${STR} IN DATABASE ${ID}$|^SHOW (STAGES|TABLES|VIEWS|NETWORK RULES|NOTEBOOKS|STREAMLITS|IMAGE REPOSITORIES|CORTEX SEARCH SERVICES) LIKE ${STR} IN SCHEMA ${ID}\\.${ID}$`)],
  ['CREATE ROLE', new RegExp(`^CREATE ROLE IF NOT EXISTS ${ID}( COMMENT = ${STR})?$`)],
  ['CREATE DATABASE', new RegExp(`^CREATE DATABASE IF NOT EXISTS ${ID}( COMMENT = ${STR})?$`)],
  ['CREATE SCHEMA', new RegExp(`^CREATE SCHEMA IF NOT EXISTS ${ID}\\.${ID}$`)],
  ['CREATE STAGE', new RegExp(`^CREATE STAGE IF NOT EXISTS ${Q} DIRECTORY = \\(ENABLE = TRUE\\) ENCRYPTION = \\(TYPE = 'SNOWFLAKE_SSE'\\)( COMMENT = ${STR})?$`)],
  ['CREATE WAREHOUSE', new RegExp(`^CREATE WAREHOUSE IF NOT EXISTS ${ID} WAREHOUSE_SIZE = 'XSMALL' AUTO_SUSPEND = \\d+ AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE$`)],
  ['CREATE COMPUTE POOL', new RegExp(`^CREATE COMPUTE POOL IF NOT EXISTS ${ID} MIN_NODES = [1-9]\\d* MAX_NODES = [1-9]\\d* INSTANCE_FAMILY = (GPU_NV_[A-Z0-9]+|GPU_GCP_NV_[A-Z0-9_]+) AUTO_RESUME = TRUE AUTO_SUSPEND_SECS = \\d+( COMMENT = ${STR})?$`)],
  ['CREATE NETWORK RULE', new RegExp(`^CREATE NETWORK RULE IF NOT EXISTS ${ID}\\.${ID}\\.${ID} MODE = EGRESS TYPE = HOST_PORT VALUE_LIST = \\('[a-z0-9.-]+'(, '[a-z0-9.-]+')*\\)$`)],
  ['CREATE EXTERNAL ACCESS INTEGRATION', new RegExp(`^CREATE EXTERNAL ACCESS INTEGRATION IF NOT EXISTS ${ID} ALLOWED_NETWORK_RULES = \\(${ID}\\.${ID}\\.${ID}\\) ENABLED = TRUE$`)],
  ['GRANT', new RegExp(`^GRANT [A-Z ,]+ ON (DATABASE|SCHEMA|STAGE|WAREHOUSE|COMPUTE POOL|INTEGRATION) ${Q} TO ROLE ${ID}$`)],
  ['PUT', new RegExp(`^PUT 'file:///[^']+' ${STAGE_PATH}/ AUTO_COMPRESS = FALSE OVERWRITE = TRUE$`)],
  // CREATE NOTEBOOK [IF NOT EXISTS] <name> FROM '<source>' MAIN_FILE = '<file>' QUERY_WAREHOUSE = <wh> COMPUTE_POOL = '<pool>' RUNTIME_NAME = '<runtime>' EXTERNAL_ACCESS_INTEGRATIONS = (<eai>) COMMENT = '...'
  ['CREATE NOTEBOOK', new RegExp(`^CREATE NOTEBOOK IF NOT EXISTS ${ID}\\.${ID}\\.${ID} FROM '${STAGE_PATH}' MAIN_FILE = 'notebook\\.ipynb' QUERY_WAREHOUSE = ${ID} COMPUTE_POOL = '${ID}' RUNTIME_NAME = 'SYSTEM\\$GPU_RUNTIME' EXTERNAL_ACCESS_INTEGRATIONS = \\(${ID}\\) COMMENT = ${STR}$`)],
  ['ALTER NOTEBOOK', new RegExp(`^ALTER NOTEBOOK ${ID}\\.${ID}\\.${ID} ADD LIVE VERSION FROM LAST$`)],
  ['CREATE IMAGE REPOSITORY', new RegExp(`^CREATE IMAGE REPOSITORY IF NOT EXISTS ${ID}\\.${ID}\\.${ID}$`)],
  ['CREATE TABLE', new RegExp(`^CREATE TABLE IF NOT EXISTS ${ID}\\.${ID}\\.${ID} \\(${ID} (VARCHAR|INTEGER|DOUBLE|TIMESTAMP_NTZ)(, ${ID} (VARCHAR|INTEGER|DOUBLE|TIMESTAMP_NTZ))*\\)$`)],
  // The inspection log's tables and views, names quoted ("TIMESTAMP" is one of its columns).
  ['CREATE TABLE', new RegExp(`^CREATE TABLE IF NOT EXISTS ${QID}\\.${QID}\\.${QID} \\(${QID} (VARCHAR|INTEGER|DOUBLE|TIMESTAMP_NTZ|DATE)(, ${QID} (VARCHAR|INTEGER|DOUBLE|TIMESTAMP_NTZ|DATE))*\\)$`)],
  ['CREATE VIEW', new RegExp(`^CREATE OR REPLACE VIEW ${QID}\\.${QID}\\.${QID} AS SELECT .+ FROM (${QID}\\.${QID}\\.${QID}|\\(SELECT .+\\)) .+$`)],
  // CREATE STREAMLIT [IF NOT EXISTS] <name> FROM '<source>' MAIN_FILE = '<file>' QUERY_WAREHOUSE = <wh> TITLE = '<title>' COMMENT = '...'
  ['CREATE STREAMLIT', new RegExp(`^CREATE STREAMLIT IF NOT EXISTS ${ID}\\.${ID}\\.${ID} FROM '${STAGE_PATH}' MAIN_FILE = 'streamlit_app\\.py' QUERY_WAREHOUSE = ${ID} TITLE = ${STR} COMMENT = ${STR}$`)],
  ['CREATE CORTEX SEARCH SERVICE', new RegExp(`^CREATE CORTEX SEARCH SERVICE IF NOT EXISTS ${ID}\\.${ID}\\.${ID} ON ${ID} ATTRIBUTES ${ID}(, ${ID})* WAREHOUSE = ${ID} TARGET_LAG = '\\d+ (seconds|minutes|hours|day|days)' COMMENT = ${STR} AS SELECT .+ FROM ${ID}\\.${ID}\\.${ID}$`)],
  ['comment', /^-- .+$/],
];

/** The kind whose documented form a statement matches, or a problem. */
function formOf(sql: string): string {
  const matched = FORMS.filter(([, form]) => form.test(sql)).map(([kind]) => kind);
  if (matched.length !== 1) return `no documented form (${matched.length} matches): ${sql.slice(0, 120)}`;
  let depth = 0;
  for (const ch of sql.replace(new RegExp(STR, 'g'), "''")) {
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) return `unbalanced ) in ${sql}`;
  }
  return depth === 0 ? matched[0]! : `unbalanced ( in ${sql}`;
}

const out: string[] = [];
afterEach(() => {
  out.length = 0;
  vi.restoreAllMocks();
});
async function dryRun(args: string[]): Promise<string[]> {
  out.length = 0;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  expect(await runCli(['node', 'defectkit', 'snowflake', 'deploy', ...args, '--dry-run'])).toBe(0);
  vi.restoreAllMocks();
  return out.join('').split('\n').filter((l) => l !== '').map((l) => l.replace(/;$/, ''));
}

describe('snowflake deploy --dry-run', () => {
  it.each(RECIPE_NAMES)('%s with every app: each statement has its documented form', async (recipe: RecipeName) => {
    const sql = await dryRun(['--recipe', recipe, '--app', 'vision-lab,dashboard,xray']);
    const kinds = sql.map(formOf);
    expect(kinds.filter((k) => k.startsWith('no documented') || k.startsWith('unbalanced'))).toEqual([]);
    for (const needed of ['CREATE ROLE', 'CREATE DATABASE', 'CREATE SCHEMA', 'CREATE STAGE', 'CREATE WAREHOUSE', 'CREATE COMPUTE POOL', 'CREATE NETWORK RULE', 'CREATE EXTERNAL ACCESS INTEGRATION', 'GRANT', 'PUT', 'CREATE NOTEBOOK', 'ALTER NOTEBOOK', 'CREATE STREAMLIT', 'CREATE CORTEX SEARCH SERVICE']) {
      expect(kinds).toContain(needed);
    }
    expect(kinds.includes('CREATE IMAGE REPOSITORY')).toBe(recipe === 'classifier');
    // The inspection log's setup is printed, not just named: each table and view, each after its SHOW.
    expect(sql.filter((s) => s.startsWith('CREATE TABLE IF NOT EXISTS "')).map((s) => /"([A-Z_]+)" \(/.exec(s)![1])).toEqual(LOG_TABLES.map((t) => t.name));
    expect(sql.filter((s) => s.startsWith('CREATE OR REPLACE VIEW ')).map((s) => /"([A-Z_0-9]+)" AS /.exec(s)![1])).toEqual([...VIEW_NAMES]);
    // Every CREATE is preceded by the SHOW that decides whether deploy creates (and later drops) it.
    sql.forEach((s, i) => {
      if (s.startsWith('CREATE ')) expect(sql[i - 1], s).toMatch(/^SHOW /);
    });
    // The checker can fail.
    expect(formOf('CREATE COMPUTE POOL IF NOT EXISTS P MIN_NODES = 0 MAX_NODES = 1 INSTANCE_FAMILY = GPU_NV_S AUTO_RESUME = TRUE AUTO_SUSPEND_SECS = 1')).toMatch(/^no documented/);
    expect(formOf("CREATE STREAMLIT IF NOT EXISTS A.B.C FROM '@A.B.S/x' MAIN_FILE = 'app.py' QUERY_WAREHOUSE = W TITLE = 'x' COMMENT = 'y'")).toMatch(/^no documented/);
  });

  it('object names and the instance family are overridable; the cloud picks its own families', async () => {
    const sql = await dryRun(['--recipe', 'faster-rcnn', '--gpus', '4', '--cloud', 'gcp', '--database', 'ML', '--schema', 'PCB', '--compute-pool', 'SHARED_GPU', '--warehouse', 'WH1', '--role', 'TRAINER', '--stage-name', 'FILES']);
    expect(sql).toContain('CREATE COMPUTE POOL IF NOT EXISTS SHARED_GPU MIN_NODES = 1 MAX_NODES = 1 INSTANCE_FAMILY = GPU_GCP_NV_L4_4_24G AUTO_RESUME = TRUE AUTO_SUSPEND_SECS = 600 COMMENT = \'DefectKit training (4 GPU)\'');
    expect(sql.some((s) => s.startsWith('CREATE STAGE IF NOT EXISTS ML.PCB.FILES '))).toBe(true);
    expect(sql.some((s) => s.startsWith("CREATE NOTEBOOK IF NOT EXISTS ML.PCB.PCB_DEFECTS_FRCNN_TRAINING FROM '@ML.PCB.FILES/notebooks/pcb-defects-frcnn'"))).toBe(true);
    const azure = await dryRun(['--recipe', 'faster-rcnn', '--gpus', '2', '--cloud', 'azure', '--instance-family', 'GPU_NV_SM']);
    expect(azure.some((s) => /INSTANCE_FAMILY = GPU_NV_SM /.test(s))).toBe(true);
  });

  it('the network rule allows each recipe the hosts its weights come from', async () => {
    const rule = (sql: string[]): string => sql.find((s) => s.startsWith('CREATE NETWORK RULE'))!;
    expect(rule(await dryRun(['--recipe', 'ultralytics']))).toMatch(/'github\.com', 'objects\.githubusercontent\.com', 'release-assets\.githubusercontent\.com', 'ultralytics\.com', 'huggingface\.co'/);
    expect(rule(await dryRun(['--recipe', 'classifier']))).toMatch(/'download\.pytorch\.org'/);
    expect(rule(await dryRun(['--recipe', 'classifier', '--no-pretrained']))).not.toMatch(/pytorch/);
    expect(rule(await dryRun(['--recipe', 'faster-rcnn', '--backbone', 'resnet50_fpn']))).toMatch(/'download\.pytorch\.org'/);
    expect(rule(await dryRun(['--recipe', 'pcb-detector']))).not.toMatch(/pytorch|github/);
  });

  it('two projects share no object, so cleaning one cannot touch the other', async () => {
    const created = (sql: string[]): string[] => sql.filter((s) => s.startsWith('CREATE ') && !/^CREATE (TABLE|STAGE|SCHEMA|IMAGE)/.test(s)).map((s) => /^CREATE [A-Z ]+? IF NOT EXISTS ([A-Z0-9_.]+)/.exec(s)![1]!);
    const a = created(await dryRun(['--recipe', 'pcb-detector']));
    const b = created(await dryRun(['--recipe', 'faster-rcnn']));
    expect(a.filter((n) => b.includes(n))).toEqual([]);
  });

  it('planSql is what the CLI prints (one plan, two views)', async () => {
    const recipe = 'classifier';
    const project = renderProject({ recipe }, await loadRecipeTemplates([recipe]));
    const app = renderApp({ app: 'xray', project: { recipe } }, await loadAppTemplates(['xray']));
    const fromPlan = planSql(deployPlan(project, { apps: [app], inspectionLog: { tables: [], views: [] } }));
    expect(await dryRun(['--recipe', recipe, '--app', 'xray'])).toEqual(fromPlan);
  });
});
