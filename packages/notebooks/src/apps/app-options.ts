import { NotebookOptionsError } from '../errors.js';
import { registryModelName, resolveOptions, type EmitOptions, type RecipeName, type ResolvedOptions } from '../options.js';

/** The Streamlit-in-Snowflake apps DefectKit emits. */
export const APP_NAMES = ['vision-lab', 'dashboard', 'xray'] as const;
/** One of {@link APP_NAMES}. */
export type AppName = (typeof APP_NAMES)[number];

/** The recipe whose model an app serves (and whose project names it defaults to). */
export const APP_RECIPE: Record<AppName, RecipeName> = { 'vision-lab': 'pcb-detector', dashboard: 'pcb-detector', xray: 'classifier' };

/** What `defectkit app emit` accepts besides the app; every field has a default from the paired recipe project. */
export interface AppOptions {
  app: AppName;
  /** The recipe project (name, object names) the app belongs to; default: the app's recipe with its defaults. */
  project?: EmitOptions;
  /** Registry model name (default the project's, e.g. PCB_DEFECTS). */
  model?: string;
  /** Model version or alias; default none (the model's default version). */
  modelVersion?: string;
  /** Where the inspection log lives (default the project's database and schema). */
  logDatabase?: string;
  logSchema?: string;
  /** The Streamlit object name (default DEFECTKIT_<APP>). */
  streamlit?: string;
  title?: string;
}

/** App options after defaults and validation. */
export interface ResolvedAppOptions {
  app: AppName;
  project: ResolvedOptions;
  model: string;
  modelVersion: string | null;
  logDatabase: string;
  logSchema: string;
  streamlit: string;
  title: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;
const TITLES: Record<AppName, string> = { 'vision-lab': 'DefectKit Vision Lab', dashboard: 'DefectKit inspection dashboard', xray: 'DefectKit X-ray classifier' };

/** Applies the defaults and checks every name (`NotebookOptionsError`, `details.field` naming the option). */
export function resolveAppOptions(options: AppOptions): ResolvedAppOptions {
  if (!(APP_NAMES as readonly string[]).includes(options.app)) {
    throw new NotebookOptionsError(`app must be one of ${APP_NAMES.join(', ')}, got ${JSON.stringify(options.app)}`, { field: 'app', value: options.app });
  }
  const project = resolveOptions(options.project ?? { recipe: APP_RECIPE[options.app] });
  const resolved: ResolvedAppOptions = {
    app: options.app,
    project,
    model: options.model ?? registryModelName(project),
    modelVersion: options.modelVersion ?? null,
    logDatabase: options.logDatabase ?? project.snowflake.database,
    logSchema: options.logSchema ?? project.snowflake.schema,
    streamlit: options.streamlit ?? `DEFECTKIT_${options.app.replace(/-/g, '_').toUpperCase()}`,
    title: options.title ?? TITLES[options.app],
  };
  const names: [string, string | null][] = [
    ['model', resolved.model],
    ['modelVersion', resolved.modelVersion],
    ['logDatabase', resolved.logDatabase],
    ['logSchema', resolved.logSchema],
    ['streamlit', resolved.streamlit],
  ];
  for (const [field, value] of names) {
    if (value !== null && !IDENT.test(value)) throw new NotebookOptionsError(`${field} must be a plain identifier, got ${JSON.stringify(value)}`, { field, value });
  }
  if (/['"\\\n]/.test(resolved.title)) throw new NotebookOptionsError('title must not hold quotes, backslashes or newlines', { field: 'title', value: resolved.title });
  return resolved;
}

/** The stage folder an app's files are uploaded to (and `CREATE STREAMLIT ... FROM` reads). */
export function appStagePath(a: ResolvedAppOptions): string {
  const s = a.project.snowflake;
  return `@${s.database}.${s.schema}.${s.stage}/apps/${a.app}`;
}
