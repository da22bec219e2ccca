// Every recipe's emitted notebook cells and train.py compile under Debian's python3 (torch is not imported).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RECIPE_NAMES, emitNotebookProject, type Notebook, type RecipeName } from '@defectkit/notebooks';
import { systemPython } from './support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'defectkit-nb-compile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Compiles each named source with Python's compile(); returns the failures as "name:line: message". */
function pythonCompileErrors(sources: { name: string; code: string }[]): string[] {
  const script = [
    'import json, sys',
    'errors = []',
    'for s in json.load(sys.stdin):',
    '    try:',
    "        compile(s['code'], s['name'], 'exec')",
    '    except SyntaxError as e:',
    "        errors.append(f\"{s['name']}:{e.lineno}: {e.msg}\")",
    'print(json.dumps(errors))',
  ].join('\n');
  const r = spawnSync(systemPython, ['-c', script], { input: JSON.stringify(sources), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${systemPython} failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as string[];
}

describe.each(RECIPE_NAMES)('notebook emit --recipe %s', (recipe: RecipeName) => {
  it('compiles: every code cell and train.py', async () => {
    const out = join(work, recipe);
    await emitNotebookProject({ recipe, out, dataset: recipe === 'classifier' ? '@DEFECTKIT.TRAINING.DEFECTKIT_STAGE/datasets/xray' : undefined, gpus: 2 });
    const nb = JSON.parse(readFileSync(join(out, 'notebook.ipynb'), 'utf8')) as Notebook;
    const sources = nb.cells.filter((c) => c.cell_type === 'code').map((c, i) => ({ name: `${recipe}/cell-${i + 1}`, code: c.source.join('') }));
    sources.push({ name: `${recipe}/train.py`, code: readFileSync(join(out, 'train.py'), 'utf8') });
    sources.push({ name: `${recipe}/defectkit_handler.py`, code: readFileSync(join(out, 'defectkit_handler.py'), 'utf8') });
    expect(pythonCompileErrors(sources)).toEqual([]);
    // The check can fail: a broken cell is reported.
    expect(pythonCompileErrors([{ name: 'broken', code: 'def f(:\n  pass' }])).toHaveLength(1);
  });
});
