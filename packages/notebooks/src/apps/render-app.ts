import { NotebookTemplateError } from '../errors.js';
import type { EmittedFile } from '../emitted-file.js';
import { renderScript } from '../recipe-config.js';
import { cortexSearchSql } from '../cortex/cortex-search-sql.js';
import { semanticModelYaml } from '../cortex/semantic-model.js';
import { appStagePath, resolveAppOptions, type AppName, type AppOptions, type ResolvedAppOptions } from './app-options.js';

/** The Python files of each app (paths relative to the app folder, shared fragments already spliced in). */
export type AppTemplates = Partial<Record<AppName, EmittedFile[]>>;

/** An emitted Streamlit app: its resolved options and files. */
export interface EmittedApp {
  options: ResolvedAppOptions;
  files: EmittedFile[];
}

/** The semantic model's place on the stage (the dashboard's Ask page and the Cortex Analyst client read it there). */
export function semanticModelStagePath(a: ResolvedAppOptions): string {
  return `${appStagePath(a)}/semantic_model.yaml`;
}

/** The CONFIG dictionary baked into every Python file of an app (fixed key order: same options, same bytes). */
export function appConfig(a: ResolvedAppOptions): Record<string, unknown> {
  const s = a.project.snowflake;
  return {
    app: a.app,
    title: a.title,
    database: s.database,
    schema: s.schema,
    model: a.model,
    modelVersion: a.modelVersion,
    logDatabase: a.logDatabase,
    logSchema: a.logSchema,
    semanticModelFile: semanticModelStagePath(a),
    line: null,
    shift: null,
  };
}

const PACKAGES: Record<AppName, string[]> = {
  'vision-lab': ['pandas', 'pillow', 'snowflake-snowpark-python'],
  dashboard: ['altair', 'pandas', 'snowflake-snowpark-python'],
  xray: ['pandas', 'pillow', 'snowflake-snowpark-python'],
};

/** `environment.yml`: the packages a Streamlit-in-Snowflake app gets from Snowflake's Anaconda channel. */
export function appEnvironmentYml(a: ResolvedAppOptions): string {
  return `# Packages for the ${a.app} app, from Snowflake's Anaconda channel (Streamlit itself comes with the runtime).
name: app_environment
channels:
  - snowflake
dependencies:
${PACKAGES[a.app].map((p) => `  - ${p}\n`).join('')}`;
}

/** `snowflake.yml`: a Snowflake CLI project definition (v2) with one streamlit entity, for `snow streamlit deploy`. */
export function appSnowflakeYml(a: ResolvedAppOptions, files: readonly string[]): string {
  const s = a.project.snowflake;
  const key = a.streamlit.toLowerCase();
  const pages = files.some((f) => f.startsWith('pages/'));
  const artifacts = ['streamlit_app.py', 'environment.yml', ...(pages ? ['pages/'] : []), ...files.filter((f) => f.endsWith('.yaml'))];
  return `# Deploy with: snow streamlit deploy ${key} --replace   (or: defectkit snowflake deploy --app ${a.app})
definition_version: 2
entities:
  ${key}:
    type: streamlit
    identifier:
      name: ${a.streamlit}
      database: ${s.database}
      schema: ${s.schema}
    title: "${a.title}"
    query_warehouse: ${s.warehouse}
    main_file: streamlit_app.py
${pages ? '    pages_dir: pages\n' : ''}    stage: ${s.stage}
    artifacts:
${artifacts.map((f) => `      - ${f}\n`).join('')}`;
}

function appReadme(a: ResolvedAppOptions, files: readonly string[]): string {
  const s = a.project.snowflake;
  return `# ${a.title}

A Streamlit in Snowflake app emitted by \`defectkit app emit --app ${a.app}\`. It runs as \`${s.database}.${s.schema}.${a.streamlit}\`
on the warehouse \`${s.warehouse}\`, calls \`MODEL(${s.database}.${s.schema}.${a.model})!PREDICT\` (the model logged by the
notebook's \`log_to_registry\` or by \`defectkit registry log\`, both served by DefectKit's one model handler) and reads the
inspection log in \`${a.logDatabase}.${a.logSchema}\` (the tables and views \`defectkit snowflake setup\` creates).

Files: ${files.map((f) => `\`${f}\``).join(', ')}.

Deploy: \`defectkit snowflake deploy --recipe ${a.project.recipe} --app ${a.app} --connection <name>\`, or by hand:
\`snow streamlit deploy ${a.streamlit.toLowerCase()} --replace\` (reads \`snowflake.yml\`).
`;
}

/**
 * Renders an app: its Python files with the CONFIG baked in, `environment.yml`, `snowflake.yml`, a README, and for the
 * dashboard the Cortex Analyst semantic model and the Cortex Search SQL. Pure: the templates come in as text.
 */
export function renderApp(options: AppOptions, templates: AppTemplates): EmittedApp {
  const a = resolveAppOptions(options);
  const python = templates[a.app];
  if (python === undefined || !python.some((f) => f.path === 'streamlit_app.py')) {
    throw new NotebookTemplateError(`templates/apps/${a.app}/streamlit_app.py: template not given`, { template: `templates/apps/${a.app}/streamlit_app.py` });
  }
  const config = appConfig(a);
  const files: EmittedFile[] = python.map((f) => ({ path: f.path, content: renderScript(f.content, config, `templates/apps/${a.app}/${f.path}`) }));
  if (a.app === 'dashboard') {
    files.push({ path: 'semantic_model.yaml', content: semanticModelYaml({ database: a.logDatabase, schema: a.logSchema }) });
    files.push({ path: 'cortex_search.sql', content: cortexSearchSql({ database: a.project.snowflake.database, schema: a.project.snowflake.schema, warehouse: a.project.snowflake.warehouse }) });
  }
  const paths = files.map((f) => f.path);
  files.push({ path: 'environment.yml', content: appEnvironmentYml(a) });
  files.push({ path: 'snowflake.yml', content: appSnowflakeYml(a, paths) });
  files.push({ path: 'README.md', content: appReadme(a, [...paths, 'environment.yml', 'snowflake.yml']) });
  return { options: a, files };
}
