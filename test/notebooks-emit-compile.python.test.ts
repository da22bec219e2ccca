// Every recipe's emitted notebook cells and train.py compile under Debian's python3 (torch is not imported).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECIPE_NAMES, emitNotebookProject, type Notebook, type RecipeName } from '@defectkit/notebooks';
import { pythonCompileErrors } from './support/python-compile.js';
import { scratchFolder } from './support/scratch-folder.js';

const work = scratchFolder('defectkit-nb-compile-');

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
