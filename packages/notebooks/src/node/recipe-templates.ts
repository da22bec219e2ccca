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

/** Reads the script templates of the given recipes (all of them by default). */
export async function loadRecipeTemplates(names: readonly RecipeName[] = RECIPE_NAMES, dir = templatesDir()): Promise<RecipeTemplates> {
  const entries = await Promise.all(names.map(async (name) => [name, await readFile(join(dir, `${name}.py`), 'utf8')] as const));
  return Object.fromEntries(entries) as RecipeTemplates;
}
