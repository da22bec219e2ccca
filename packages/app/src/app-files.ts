import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of this package (the one whose package.json names `@defectkit/app`), found by walking up from this
 * module: the sources sit in `src/` or below, the build puts modules and shared chunks in `dist/`, so a fixed
 * number of `..` would be right in one of them only.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@defectkit/app') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`@defectkit/app: no package.json of @defectkit/app above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The app's static files (HTML and CSS of the pages), `public/` of the package. */
export const publicDir = join(packageRoot(), 'public');
