import { containerJobFiles } from './container-job.js';
import type { EmittedFile } from './emitted-file.js';
import { NotebookTemplateError } from './errors.js';
import { buildNotebook, splitScript } from './ipynb.js';
import { resolveOptions, type EmitOptions, type RecipeName, type ResolvedOptions } from './options.js';
import { environmentYml, projectReadme, snowflakeYml } from './project-files.js';
import { recipeConfig, renderScript } from './recipe-config.js';
import { setupSql, teardownSql } from './snowflake-sql.js';

export type { EmittedFile } from './emitted-file.js';

/** An emitted training project: the resolved options and its files. */
export interface EmittedProject {
  options: ResolvedOptions;
  files: EmittedFile[];
}

/**
 * Script templates by recipe (percent-format Python with one `__DEFECTKIT_CONFIG__` placeholder), plus
 * `handler`: the text of `templates/defectkit_handler.py`, written beside `train.py` for `log_to_registry`.
 */
export type RecipeTemplates = Partial<Record<RecipeName, string>> & { handler?: string };

/**
 * Renders a recipe into its project files: `notebook.ipynb`, `train.py`, `defectkit_handler.py` (the model
 * handler `log_to_registry` logs), `setup.sql`, `teardown.sql`, `snowflake.yml`, `environment.yml` and `README.md`. Pure: the templates come in
 * as text (the `/node` entry's `emitNotebookProject` loads them and writes the folder).
 *
 * @example
 * const project = renderProject({ recipe: 'pcb-detector', epochs: 50 }, templates);
 * project.files.map((f) => f.path); // ['notebook.ipynb', 'train.py', 'setup.sql', ...]
 */
export function renderProject(options: EmitOptions, templates: RecipeTemplates): EmittedProject {
  const o = resolveOptions(options);
  const templateName = `templates/${o.recipe}.py`;
  const template = templates[o.recipe];
  if (template === undefined) throw new NotebookTemplateError(`${templateName}: template not given`, { template: templateName });
  if (templates.handler === undefined) throw new NotebookTemplateError('templates/defectkit_handler.py: handler not given', { template: 'templates/defectkit_handler.py' });
  const script = renderScript(template, recipeConfig(o), templateName);
  const notebook = buildNotebook(splitScript(script, templateName), {
    defectkit: { recipe: o.recipe, name: o.name },
  });
  return {
    options: o,
    files: [
      { path: 'notebook.ipynb', content: `${JSON.stringify(notebook, null, 1)}\n` },
      { path: 'train.py', content: script },
      { path: 'defectkit_handler.py', content: templates.handler },
      { path: 'setup.sql', content: setupSql(o) },
      { path: 'teardown.sql', content: teardownSql(o) },
      { path: 'snowflake.yml', content: snowflakeYml(o) },
      { path: 'environment.yml', content: environmentYml(o) },
      { path: 'README.md', content: projectReadme(o) },
      // The classifier also runs as a Snowpark Container Services job (Dockerfile, spec, EXECUTE JOB SERVICE).
      ...(o.recipe === 'classifier' ? containerJobFiles(o) : []),
    ],
  };
}
