import { renderApp, type EmittedApp } from '../apps/render-app.js';
import { resolveAppOptions, type AppOptions } from '../apps/app-options.js';
import { loadAppTemplates } from './app-templates.js';
import { writeProjectFiles } from './write-project.js';

/** Options of {@link emitApp}: the app options plus where to write. */
export interface EmitAppToFolderOptions extends AppOptions {
  /** Output folder; refused when it exists and is not empty, unless `overwrite`. */
  out: string;
  overwrite?: boolean;
}

/**
 * Emits a Streamlit-in-Snowflake app into a folder (atomically).
 *
 * @example
 * await emitApp({ app: 'dashboard', out: 'dashboard-app' });
 */
export async function emitApp(options: EmitAppToFolderOptions): Promise<EmittedApp & { dir: string }> {
  const { out, overwrite, ...appOptions } = options;
  const { app } = resolveAppOptions(appOptions); // validates before any file is read
  const rendered = renderApp(appOptions, await loadAppTemplates([app]));
  const dir = await writeProjectFiles(out, rendered.files, overwrite ?? false);
  return { ...rendered, dir };
}
