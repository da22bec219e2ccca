import { NotebookTemplateError } from './errors.js';

/** One cell of a percent-format script (`# %%` code, `# %% [markdown]` prose). */
export interface ScriptCell {
  kind: 'code' | 'markdown';
  /** Cell text without the marker; markdown has its leading `# ` removed. */
  text: string;
}

/** A Jupyter notebook in nbformat 4.5 (the subset DefectKit writes). */
export interface Notebook {
  nbformat: 4;
  nbformat_minor: 5;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** A notebook cell as nbformat 4.5 stores it: `source` is a list of lines, each ending in `\n` except the last. */
export type NotebookCell =
  | { cell_type: 'markdown'; id: string; metadata: Record<string, unknown>; source: string[] }
  | {
      cell_type: 'code';
      id: string;
      metadata: Record<string, unknown>;
      execution_count: null;
      outputs: unknown[];
      source: string[];
    };

const MARKER = /^# %%(?:\s+\[(markdown|md)\])?\s*$/;

/**
 * Splits a percent-format Python script into cells. Every line belongs to a cell: the script must
 * start with a marker (blank lines before it are allowed), so the notebook holds exactly the script.
 *
 * @example
 * splitScript('# %% [markdown]\n# # Title\n\n# %%\nprint(1)\n');
 * // [{ kind: 'markdown', text: '# Title' }, { kind: 'code', text: 'print(1)' }]
 */
export function splitScript(script: string, template = 'script'): ScriptCell[] {
  const cells: ScriptCell[] = [];
  let current: { kind: ScriptCell['kind']; lines: string[] } | undefined;
  const flush = (): void => {
    if (!current) return;
    const lines = [...current.lines];
    while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
    while (lines.length && lines[0]!.trim() === '') lines.shift();
    if (lines.length) cells.push({ kind: current.kind, text: lines.join('\n') });
  };
  script.split('\n').forEach((line, i) => {
    const m = MARKER.exec(line);
    if (m) {
      flush();
      current = { kind: m[1] ? 'markdown' : 'code', lines: [] };
      return;
    }
    if (!current) {
      if (line.trim() === '') return;
      throw new NotebookTemplateError(`${template}:${i + 1}: text before the first "# %%" marker`, { template, line: i + 1 });
    }
    if (current.kind === 'markdown') {
      if (line.trim() !== '' && !line.startsWith('#')) {
        throw new NotebookTemplateError(`${template}:${i + 1}: markdown cell line is not a "#" comment`, {
          template,
          line: i + 1,
        });
      }
      current.lines.push(line.replace(/^# ?/, ''));
    } else {
      current.lines.push(line);
    }
  });
  flush();
  return cells;
}

function sourceLines(text: string): string[] {
  const lines = text.split('\n');
  return lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l));
}

/**
 * Builds an nbformat 4.5 notebook from cells, with stable cell ids (`cell-1`, `cell-2`, ...) so
 * re-emitting the same recipe gives the same bytes.
 */
export function buildNotebook(cells: ScriptCell[], metadata: Record<string, unknown> = {}): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
      language_info: { name: 'python' },
      ...metadata,
    },
    cells: cells.map((c, i): NotebookCell => {
      const id = `cell-${i + 1}`;
      return c.kind === 'markdown'
        ? { cell_type: 'markdown', id, metadata: {}, source: sourceLines(c.text) }
        : { cell_type: 'code', id, metadata: {}, execution_count: null, outputs: [], source: sourceLines(c.text) };
    }),
  };
}
