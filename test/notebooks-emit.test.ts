// Every recipe's emitted project is well-formed: nbformat 4 notebook (that its Python compiles is checked by
// notebooks-emit-compile.python.test.ts), SQL that splits and parses statement by statement, YAML that loads, and
// the CLI writes it atomically and refuses to clobber.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { RECIPE_NAMES, emitNotebookProject, renderProject, splitSqlStatements, loadRecipeTemplates, type Notebook, type RecipeName } from '@defectkit/notebooks';
import { runCli } from '../packages/cli/src/program.js';
import { scratchFolder } from './support/scratch-folder.js';

const work = scratchFolder('defectkit-nb-');

/** The parts of the nbformat 4.5 schema a notebook server enforces; returns the violations. */
function nbformatViolations(nb: Record<string, unknown>): string[] {
  const bad: string[] = [];
  if (nb.nbformat !== 4) bad.push('nbformat is not 4');
  if (!Number.isInteger(nb.nbformat_minor) || (nb.nbformat_minor as number) < 0) bad.push('nbformat_minor is not an integer');
  if (typeof nb.metadata !== 'object' || nb.metadata === null || Array.isArray(nb.metadata)) bad.push('metadata is not an object');
  for (const k of Object.keys(nb)) if (!['nbformat', 'nbformat_minor', 'metadata', 'cells'].includes(k)) bad.push(`unknown top-level key ${k}`);
  if (!Array.isArray(nb.cells) || nb.cells.length === 0) return [...bad, 'cells is not a non-empty array'];
  const ids = new Set<string>();
  (nb.cells as Record<string, unknown>[]).forEach((c, i) => {
    const at = `cells[${i}]`;
    if (typeof c.id !== 'string' || !/^[a-zA-Z0-9-_]{1,64}$/.test(c.id)) bad.push(`${at}.id is invalid`);
    else if (ids.has(c.id)) bad.push(`${at}.id is a duplicate`);
    else ids.add(c.id);
    if (typeof c.metadata !== 'object' || c.metadata === null) bad.push(`${at}.metadata is not an object`);
    const src = c.source;
    if (!(typeof src === 'string' || (Array.isArray(src) && src.every((l) => typeof l === 'string')))) bad.push(`${at}.source is not text`);
    const allowed = c.cell_type === 'code' ? ['cell_type', 'id', 'metadata', 'source', 'execution_count', 'outputs'] : ['cell_type', 'id', 'metadata', 'source', 'attachments'];
    for (const k of Object.keys(c)) if (!allowed.includes(k)) bad.push(`${at} has unexpected key ${k}`);
    if (c.cell_type === 'code') {
      if (!(c.execution_count === null || Number.isInteger(c.execution_count))) bad.push(`${at}.execution_count is invalid`);
      if (!Array.isArray(c.outputs)) bad.push(`${at}.outputs is not an array`);
    } else if (c.cell_type !== 'markdown' && c.cell_type !== 'raw') bad.push(`${at}.cell_type is invalid`);
  });
  return bad;
}

const STATEMENT_FORMS: RegExp[] = [
  /^USE ROLE [A-Z_][A-Z0-9_]*$/,
  /^SET [A-Z_][A-Z0-9_]* = CURRENT_USER\(\)$/,
  /^CREATE (ROLE|DATABASE|SCHEMA|STAGE|WAREHOUSE|COMPUTE POOL|NETWORK RULE|EXTERNAL ACCESS INTEGRATION) IF NOT EXISTS [A-Z_][A-Z0-9_.]*( .*)?$/s,
  /^GRANT [A-Z ,]+ ON (DATABASE|SCHEMA|STAGE|WAREHOUSE|COMPUTE POOL|INTEGRATION) [A-Z_][A-Z0-9_.]* TO ROLE [A-Z_][A-Z0-9_]*$/,
  /^GRANT ROLE [A-Z_][A-Z0-9_]* TO (ROLE [A-Z_][A-Z0-9_]*|USER IDENTIFIER\(\$[A-Z_]+\))$/,
  /^DROP (NOTEBOOK|COMPUTE POOL|EXTERNAL ACCESS INTEGRATION|NETWORK RULE|STAGE|SCHEMA|DATABASE|WAREHOUSE|ROLE) IF EXISTS [A-Z_][A-Z0-9_.]*$/,
  /^ALTER COMPUTE POOL IF EXISTS [A-Z_][A-Z0-9_]* STOP ALL$/,
];

/** Problems of one statement: unknown form, unbalanced parentheses, stray characters, bad property lists. */
function sqlViolations(text: string): string[] {
  const bad: string[] = [];
  const flat = text.replace(/\s+/g, ' ');
  if (!STATEMENT_FORMS.some((f) => f.test(flat))) bad.push(`unknown statement form: ${flat.slice(0, 60)}`);
  const unquoted = flat.replace(/'(?:[^']|'')*'/g, "''");
  let depth = 0;
  for (const ch of unquoted) {
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) bad.push('unbalanced )');
  }
  if (depth !== 0) bad.push('unbalanced (');
  if (/[^A-Za-z0-9_.,=()' $]/.test(unquoted)) bad.push(`stray character in: ${unquoted}`);
  // After the object name of a CREATE, only KEY = value properties (value: word, number, 'text' or (list)).
  const props = /^CREATE [A-Z ]+ IF NOT EXISTS [A-Z0-9_.]+ ?(.*)$/.exec(unquoted)?.[1];
  if (props && !/^([A-Z_]+ = ('[^']*'|[A-Z0-9_.]+|\([^()]*\)) ?)+$/.test(props)) bad.push(`bad property list: ${props}`);
  return bad;
}

describe.each(RECIPE_NAMES)('notebook emit --recipe %s', (recipe: RecipeName) => {
  const out = join(work, recipe);
  const emitted = emitNotebookProject({ recipe, out, dataset: recipe === 'classifier' ? '@DEFECTKIT_XRAY_PNEUMONIA.TRAINING.DEFECTKIT_STAGE/datasets/xray' : undefined, gpus: 2 });

  it('writes the eight project files, the model handler beside train.py (and the classifier its container job)', async () => {
    const { files, dir } = await emitted;
    const job = recipe === 'classifier' ? ['job'] : [];
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'defectkit_handler.py', 'environment.yml', ...job, 'notebook.ipynb', 'setup.sql', 'snowflake.yml', 'teardown.sql', 'train.py']);
    if (recipe === 'classifier') expect(readdirSync(join(dir, 'job')).sort()).toEqual(['Dockerfile', 'README.md', 'job-spec.yaml', 'job.sql']);
    for (const f of files) expect(readFileSync(join(dir, f.path), 'utf8')).toBe(f.content);
  });

  it('is a valid nbformat 4 notebook whose cells are exactly the script, with markdown explaining each step', async () => {
    await emitted;
    const nb = JSON.parse(readFileSync(join(out, 'notebook.ipynb'), 'utf8')) as Notebook;
    expect(nbformatViolations(nb as unknown as Record<string, unknown>)).toEqual([]);
    const kinds = nb.cells.map((c) => c.cell_type);
    expect(kinds.filter((k) => k === 'markdown').length).toBeGreaterThanOrEqual(4);
    expect(kinds.filter((k) => k === 'code').length).toBeGreaterThanOrEqual(4);
    // Each code cell is introduced by a markdown cell somewhere before it (the first step is the title).
    expect(kinds[0]).toBe('markdown');
    const script = readFileSync(join(out, 'train.py'), 'utf8');
    for (const c of nb.cells) if (c.cell_type === 'code') expect(script).toContain(c.source.join(''));
    expect(script).toContain("if __name__ == '__main__':");
    expect(script).not.toContain('__DEFECTKIT_CONFIG__');
  });

  it('setup.sql and teardown.sql parse statement by statement, and teardown drops what setup creates', async () => {
    await emitted;
    const setup = splitSqlStatements(readFileSync(join(out, 'setup.sql'), 'utf8'), 'setup.sql');
    const teardown = splitSqlStatements(readFileSync(join(out, 'teardown.sql'), 'utf8'), 'teardown.sql');
    for (const s of [...setup, ...teardown]) expect(sqlViolations(s.text), `line ${s.line}`).toEqual([]);
    const created = setup.map((s) => /^CREATE ([A-Z ]+?) IF NOT EXISTS ([A-Z0-9_.]+)/.exec(s.text)).filter((m) => m !== null).map((m) => `${m[1]} ${m[2]}`);
    const p = (await emitted).options.name.replace(/-/g, '_').toUpperCase();
    const db = `DEFECTKIT_${p}`;
    expect(created).toEqual(expect.arrayContaining([`ROLE ${db}_TRAINER`, `DATABASE ${db}`, `SCHEMA ${db}.TRAINING`, `STAGE ${db}.TRAINING.DEFECTKIT_STAGE`, `COMPUTE POOL ${db}_POOL`, `NETWORK RULE ${db}.TRAINING.${db}_EGRESS`, `EXTERNAL ACCESS INTEGRATION ${db}_ACCESS`]));
    const dropped = teardown.map((s) => /^DROP ([A-Z ]+?) IF EXISTS ([A-Z0-9_.]+)/.exec(s.text)).filter((m) => m !== null).map((m) => `${m[1]} ${m[2]}`);
    for (const c of created) expect(dropped).toContain(c);
    expect(setup.some((s) => /INSTANCE_FAMILY = GPU_NV_M/.test(s.text))).toBe(true); // --gpus 2
    // The checker itself rejects broken SQL.
    expect(sqlViolations('CREATE STAGE IF NOT EXISTS A.B.C DIRECTORY = (ENABLE = TRUE')).not.toEqual([]);
    expect(sqlViolations('CREAT ROLE X')).not.toEqual([]);
  });

  it('snowflake.yml and environment.yml load as YAML with the fields their tools need', async () => {
    await emitted;
    const sf = parseYaml(readFileSync(join(out, 'snowflake.yml'), 'utf8')) as { definition_version: number; entities: Record<string, Record<string, unknown>> };
    expect(sf.definition_version).toBe(2);
    const [entity] = Object.values(sf.entities);
    const db = `DEFECTKIT_${(await emitted).options.name.replace(/-/g, '_').toUpperCase()}`;
    expect(entity).toMatchObject({ type: 'notebook', notebook_file: 'notebook.ipynb', query_warehouse: `${db}_WH`, compute_pool: `${db}_POOL`, runtime_name: 'SYSTEM$GPU_RUNTIME' });
    expect(entity!.artifacts).toContain('notebook.ipynb');
    const env = parseYaml(readFileSync(join(out, 'environment.yml'), 'utf8')) as { dependencies: unknown[] };
    expect(env.dependencies).toEqual(expect.arrayContaining(['pytorch>=1.13', 'onnx>=1.12']));
  });
});

describe('defectkit notebook emit (CLI)', () => {
  it('emits a project and refuses a non-empty folder unless --overwrite', async () => {
    const out = join(work, 'cli');
    const args = ['node', 'defectkit', 'notebook', 'emit', '--recipe', 'faster-rcnn', '--out', out, '--epochs', '7', '--imgsz', '512', '--classes', 'a,b', '--gpus', '4', '--backbone', 'resnet50_fpn', '--dataset', '@DB.S.ST/data'];
    expect(await runCli(args)).toBe(0);
    const script = readFileSync(join(out, 'train.py'), 'utf8');
    const config = JSON.parse(JSON.parse(/^CONFIG = json\.loads\((".*")\)$/m.exec(script)![1]!) as string) as Record<string, unknown>;
    expect(config).toMatchObject({ recipe: 'faster-rcnn', epochs: 7, imgsz: 512, classes: ['a', 'b'], gpus: 4, backbone: 'resnet50_fpn', dataset: '@DB.S.ST/data' });
    writeFileSync(join(out, 'mine.txt'), 'keep');
    expect(await runCli(args)).toBe(1);
    expect(readFileSync(join(out, 'mine.txt'), 'utf8')).toBe('keep');
    expect(await runCli([...args, '--overwrite'])).toBe(0);
    expect(existsSync(join(out, 'mine.txt'))).toBe(false);
    expect(readdirSync(work).filter((n) => n.includes('.tmp-') || n.includes('.old-'))).toEqual([]);
  });

  it('rejects a bad option with NOTEBOOK_OPTIONS and writes nothing', async () => {
    const out = join(work, 'bad');
    expect(await runCli(['node', 'defectkit', 'notebook', 'emit', '--recipe', 'pcb-detector', '--out', out, '--imgsz', '100'])).toBe(1);
    expect(await runCli(['node', 'defectkit', 'notebook', 'emit', '--recipe', 'nope', '--out', out])).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  it('renders the same bytes for the same options', async () => {
    const t = await loadRecipeTemplates();
    const a = renderProject({ recipe: 'pcb-detector', epochs: 10 }, t).files;
    const b = renderProject({ recipe: 'pcb-detector', epochs: 10 }, t).files;
    expect(a).toEqual(b);
  });
});
