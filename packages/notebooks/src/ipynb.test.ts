import { describe, expect, it } from 'vitest';
import { NotebookTemplateError } from './errors.js';
import { buildNotebook, splitScript } from './ipynb.js';

describe('splitScript', () => {
  it('splits percent-format markers into markdown and code cells, stripping comment marks', () => {
    const cells = splitScript('# %% [markdown]\n# # Title\n#\n# Some *text*.\n\n# %%\nimport os\n\n\nprint(os.sep)\n\n# %%\nx = 1\n');
    expect(cells).toEqual([
      { kind: 'markdown', text: '# Title\n\nSome *text*.' },
      { kind: 'code', text: 'import os\n\n\nprint(os.sep)' },
      { kind: 'code', text: 'x = 1' },
    ]);
  });

  it('refuses text before the first marker and naming its line', () => {
    expect(() => splitScript('\nimport os\n# %%\n', 't.py')).toThrowError(/t\.py:2: text before the first/);
    try {
      splitScript('x\n', 't.py');
    } catch (error) {
      expect(error).toBeInstanceOf(NotebookTemplateError);
      expect((error as NotebookTemplateError).code).toBe('NOTEBOOK_TEMPLATE');
    }
  });

  it('refuses a markdown line that is not a comment', () => {
    expect(() => splitScript('# %% [markdown]\n# ok\nnot a comment\n', 'm.py')).toThrowError(/m\.py:3: markdown cell line/);
  });
});

describe('buildNotebook', () => {
  it('writes nbformat 4.5 cells with stable ids and line-split sources', () => {
    const nb = buildNotebook([
      { kind: 'markdown', text: '# A\nb' },
      { kind: 'code', text: 'print(1)' },
    ]);
    expect(nb.nbformat).toBe(4);
    expect(nb.nbformat_minor).toBe(5);
    expect(nb.cells.map((c) => c.id)).toEqual(['cell-1', 'cell-2']);
    expect(nb.cells[0]).toEqual({ cell_type: 'markdown', id: 'cell-1', metadata: {}, source: ['# A\n', 'b'] });
    expect(nb.cells[1]).toEqual({ cell_type: 'code', id: 'cell-2', metadata: {}, execution_count: null, outputs: [], source: ['print(1)'] });
    expect(nb.metadata).toMatchObject({ kernelspec: { name: 'python3' } });
  });
});
