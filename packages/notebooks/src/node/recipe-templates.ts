import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotebookTemplateError } from '../errors.js';
import { RECIPE_NAMES, type RecipeName } from '../options.js';
import type { RecipeTemplates } from '../emit-project.js';

/**
 * The package's `templates/` folder. It sits beside `src/` and `dist/`; the file calling this may
 * be `src/node/*.ts` or a bundled chunk in `dist/`, so look upwards for it.
 */
export function templatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, 'pcb-detector.py'))) return candidate;
    dir = resolve(dir, '..');
  }
  throw new NotebookTemplateError('cannot find the @defectkit/notebooks templates/ folder', { template: 'templates/' });
}

const INCLUDE = /^# defectkit:include ([a-z_]+)$/;

/**
 * Replaces each `# defectkit:include <name>` line with `fragments/<name>.py`: helpers that several recipes share
 * live once in the package, and every emitted script stays self-contained.
 */
export async function expandIncludes(text: string, template: string, dir: string): Promise<string> {
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    const name = INCLUDE.exec(line)?.[1];
    if (name === undefined) continue;
    try {
      lines[index] = (await readFile(join(dir, 'fragments', `${name}.py`), 'utf8')).replace(/\n$/, '');
    } catch (error) {
      void error; // the message names what is missing; the fs error adds nothing for the reader
      throw new NotebookTemplateError(`${template}:${index + 1}: no fragment named "${name}" in templates/fragments`, { template, line: index + 1 });
    }
  }
  return lines.join('\n');
}

/**
 * Reads the script templates of the given recipes (all of them by default), shared fragments included, and the
 * model handler (`templates/defectkit_handler.py`) every recipe ships beside its script.
 */
export async function loadRecipeTemplates(names: readonly RecipeName[] = RECIPE_NAMES, dir = templatesDir()): Promise<RecipeTemplates> {
  const entries = await Promise.all(
    names.map(async (name) => [name, await expandIncludes(await readFile(join(dir, `${name}.py`), 'utf8'), `templates/${name}.py`, dir)] as const),
  );
  const handler = await readFile(join(dir, 'defectkit_handler.py'), 'utf8');
  return { ...(Object.fromEntries(entries) as RecipeTemplates), handler };
}
