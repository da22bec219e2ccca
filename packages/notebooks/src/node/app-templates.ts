import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_NAMES, type AppName } from '../apps/app-options.js';
import type { AppTemplates } from '../apps/render-app.js';
import type { EmittedFile } from '../emitted-file.js';
import { expandIncludes, templatesDir } from './recipe-templates.js';

/** Reads the apps' Python files (`templates/apps/<app>/streamlit_app.py` and `pages/*.py`), shared fragments spliced in. */
export async function loadAppTemplates(names: readonly AppName[] = APP_NAMES, dir = templatesDir()): Promise<AppTemplates> {
  const out: AppTemplates = {};
  for (const app of names) {
    const root = join(dir, 'apps', app);
    const pages = (await readdir(join(root, 'pages')).catch(() => [] as string[])).filter((f) => f.endsWith('.py')).sort();
    const files: EmittedFile[] = [];
    for (const path of ['streamlit_app.py', ...pages.map((p) => `pages/${p}`)]) {
      files.push({ path, content: await expandIncludes(await readFile(join(root, path), 'utf8'), `templates/apps/${app}/${path}`, dir) });
    }
    out[app] = files;
  }
  return out;
}
