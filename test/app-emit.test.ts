// `defectkit app emit`: every Streamlit-in-Snowflake app is written atomically with its pages, a snowflake.yml that
// `snow streamlit deploy` reads, an environment.yml from Snowflake's channel, and the CONFIG that points it at the
// project's model and inspection log. The dashboard also carries the Cortex Analyst semantic model and the Cortex
// Search SQL. (That the Python compiles is app-emit-compile.python.test.ts.)
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { APP_NAMES, emitApp, splitSqlStatements, type AppName } from '@defectkit/notebooks';
import { runCli } from '../packages/cli/src/program.js';

const work = mkdtempSync(join(tmpdir(), 'defectkit-app-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The CONFIG dictionary baked into an emitted Python file. */
function configOf(source: string): Record<string, unknown> {
  const literal = /^CONFIG = json\.loads\((".*")\)$/m.exec(source)?.[1];
  expect(literal).toBeDefined();
  return JSON.parse(JSON.parse(literal!) as string) as Record<string, unknown>;
}

const PAGES: Record<AppName, string[]> = {
  'vision-lab': ['1_Review.py'],
  dashboard: ['1_False_calls.py', '2_Ask_Cortex.py'],
  xray: ['1_Training.py'],
};

describe.each(APP_NAMES)('app emit --app %s', (app: AppName) => {
  const out = join(work, app);
  const emitted = emitApp({ app, out });

  it('writes streamlit_app.py, its pages, environment.yml, snowflake.yml and a README', async () => {
    const { files, dir } = await emitted;
    const top = ['README.md', 'environment.yml', 'pages', 'snowflake.yml', 'streamlit_app.py', ...(app === 'dashboard' ? ['cortex_search.sql', 'semantic_model.yaml'] : [])].sort();
    expect(readdirSync(dir).sort()).toEqual(top);
    expect(readdirSync(join(dir, 'pages')).sort()).toEqual(PAGES[app]);
    for (const f of files) expect(readFileSync(join(dir, f.path), 'utf8')).toBe(f.content);
  });

  it('bakes the same CONFIG into every Python file, pointing at the project model and the inspection log', async () => {
    const { files, options } = await emitted;
    const python = files.filter((f) => f.path.endsWith('.py'));
    const configs = python.map((f) => configOf(f.content));
    for (const c of configs) expect(c).toEqual(configs[0]);
    const db = app === 'xray' ? 'DEFECTKIT_XRAY_PNEUMONIA' : 'DEFECTKIT_PCB_DEFECTS';
    expect(configs[0]).toMatchObject({ app, database: db, schema: 'TRAINING', model: app === 'xray' ? 'XRAY_PNEUMONIA' : 'PCB_DEFECTS', logDatabase: db, logSchema: 'TRAINING' });
    expect(options.streamlit).toBe(`DEFECTKIT_${app.replace('-', '_').toUpperCase()}`);
    for (const f of python) {
      expect(f.content).not.toMatch(/# defectkit:include/);
      expect(f.content).not.toContain('__DEFECTKIT_CONFIG__');
    }
    // Inference goes through the registry model's PREDICT (the one model handler), never a local model file.
    if (app !== 'dashboard') expect(files.find((f) => f.path === 'streamlit_app.py')!.content).toMatch(/predict_image\(session, data\)/);
    expect(python.map((f) => f.content).join('\n')).toMatch(/MODEL\(\{model_ref\(\)\}\)!PREDICT\(TO_BINARY\(\?, 'BASE64'\)\)|V_YIELD_DAILY/);
  });

  it('snowflake.yml is a v2 project with one streamlit entity naming every file the app needs', async () => {
    const { dir, options } = await emitted;
    const sf = parseYaml(readFileSync(join(dir, 'snowflake.yml'), 'utf8')) as { definition_version: number; entities: Record<string, Record<string, unknown>> };
    expect(sf.definition_version).toBe(2);
    const entity = sf.entities[options.streamlit.toLowerCase()]!;
    expect(entity).toMatchObject({
      type: 'streamlit',
      identifier: { name: options.streamlit, database: options.project.snowflake.database, schema: 'TRAINING' },
      main_file: 'streamlit_app.py',
      pages_dir: 'pages',
      query_warehouse: options.project.snowflake.warehouse,
      stage: 'DEFECTKIT_STAGE',
    });
    const artifacts = entity.artifacts as string[];
    for (const needed of ['streamlit_app.py', 'environment.yml', 'pages/']) expect(artifacts).toContain(needed);
    for (const a of artifacts) expect(existsSync(join(dir, a))).toBe(true);
    const env = parseYaml(readFileSync(join(dir, 'environment.yml'), 'utf8')) as { channels: string[]; dependencies: string[] };
    expect(env.channels).toEqual(['snowflake']);
    expect(env.dependencies).toContain('snowflake-snowpark-python');
  });
});

describe('dashboard Cortex files', () => {
  it('the semantic model parses, and the Cortex Search SQL splits into its documented statements', async () => {
    const { dir } = await emitApp({ app: 'dashboard', out: join(work, 'dash-cortex'), logDatabase: 'FACTORY', logSchema: 'LOGS' });
    const model = parseYaml(readFileSync(join(dir, 'semantic_model.yaml'), 'utf8')) as { tables: { base_table: { database: string; schema: string } }[]; verified_queries: unknown[] };
    expect(model.tables.map((t) => `${t.base_table.database}.${t.base_table.schema}`)).toEqual(['FACTORY.LOGS', 'FACTORY.LOGS', 'FACTORY.LOGS']);
    expect(model.verified_queries.length).toBeGreaterThanOrEqual(3);
    const statements = splitSqlStatements(readFileSync(join(dir, 'cortex_search.sql'), 'utf8'), 'cortex_search.sql').map((s) => s.text.replace(/\s+/g, ' '));
    expect(statements.map((s) => s.split(' ').slice(0, 3).join(' '))).toEqual(['CREATE STAGE IF', 'ALTER STAGE DEFECTKIT_PCB_DEFECTS.TRAINING.MANUALS', 'CREATE TABLE IF', 'INSERT INTO DEFECTKIT_PCB_DEFECTS.TRAINING.MANUAL_CHUNKS', 'CREATE CORTEX SEARCH']);
    // CREATE CORTEX SEARCH SERVICE [IF NOT EXISTS] <name> ON <col> ATTRIBUTES <cols> WAREHOUSE = <wh> TARGET_LAG = '<n> <unit>' [COMMENT = '...'] AS <query>
    expect(statements[4]).toMatch(/^CREATE CORTEX SEARCH SERVICE IF NOT EXISTS [A-Z0-9_.]+ ON CHUNK ATTRIBUTES RELATIVE_PATH WAREHOUSE = [A-Z0-9_]+ TARGET_LAG = '\d+ (seconds|minutes|hours|days?)' COMMENT = '[^']*' AS SELECT CHUNK, RELATIVE_PATH, CHUNK_INDEX FROM [A-Z0-9_.]+$/);
    expect(statements[3]).toMatch(/SNOWFLAKE\.CORTEX\.PARSE_DOCUMENT\('@[A-Z0-9_.]+', d\.RELATIVE_PATH, \{'mode': 'LAYOUT'\}\)/);
    expect(statements[3]).toMatch(/SNOWFLAKE\.CORTEX\.SPLIT_TEXT_RECURSIVE_CHARACTER\(/);
  });
});

describe('defectkit app emit (CLI)', () => {
  it('emits, refuses a non-empty folder unless --overwrite, and names the model version it was given', async () => {
    const out = join(work, 'cli');
    const args = ['node', 'defectkit', 'app', 'emit', '--app', 'vision-lab', '--out', out, '--name', 'line-7', '--model-version', 'V3'];
    expect(await runCli(args)).toBe(0);
    expect(configOf(readFileSync(join(out, 'streamlit_app.py'), 'utf8'))).toMatchObject({ database: 'DEFECTKIT_LINE_7', model: 'LINE_7', modelVersion: 'V3' });
    writeFileSync(join(out, 'mine.txt'), 'keep');
    expect(await runCli(args)).toBe(1);
    expect(readFileSync(join(out, 'mine.txt'), 'utf8')).toBe('keep');
    expect(await runCli([...args, '--overwrite'])).toBe(0);
    expect(existsSync(join(out, 'mine.txt'))).toBe(false);
  });

  it('rejects an unknown app and a bad name with NOTEBOOK_OPTIONS, writing nothing', async () => {
    const out = join(work, 'bad');
    expect(await runCli(['node', 'defectkit', 'app', 'emit', '--app', 'nope', '--out', out])).toBe(1);
    expect(await runCli(['node', 'defectkit', 'app', 'emit', '--app', 'xray', '--out', out, '--model-version', "v1'; drop"])).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
});
