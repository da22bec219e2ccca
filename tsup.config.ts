import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

/**
 * One config builds every package: ESM + declarations + source maps into `packages/<name>/dist`.
 * Entries are derived from each package's `exports` (and `bin`): `./dist/x/y.js` is built from `src/x/y.ts`,
 * so a package adds a subpath export without touching this file.
 */
function packageEntries(dir: string): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: Record<string, { import?: string } | string>;
    bin?: Record<string, string> | string;
  };
  const targets: string[] = [];
  for (const value of Object.values(manifest.exports ?? {})) {
    const target = typeof value === 'string' ? value : value.import;
    if (target) targets.push(target);
  }
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  targets.push(...bins);
  const entries: Record<string, string> = {};
  for (const target of targets) {
    const match = /^\.\/dist\/(.+)\.js$/.exec(target);
    if (!match) continue;
    const source = join(dir, 'src', `${match[1]}.ts`);
    if (!existsSync(source)) throw new Error(`tsup: ${dir} exports ${target} but ${source} does not exist`);
    entries[match[1]!] = source;
  }
  return entries;
}

const packagesDir = 'packages';
const configs: Options[] = readdirSync(packagesDir)
  .filter((name) => existsSync(join(packagesDir, name, 'package.json')))
  .map((name) => {
    const dir = join(packagesDir, name);
    return {
      name,
      entry: packageEntries(dir),
      outDir: join(dir, 'dist'),
      format: ['esm'],
      target: 'node20',
      platform: 'neutral',
      dts: { compilerOptions: { composite: false } },
      sourcemap: true,
      clean: true,
      splitting: true,
      treeshake: false,
      // Every bare import stays an import: workspace packages and npm dependencies are resolved at run time.
      external: [/^[^./]/],
      tsconfig: 'tsconfig.build.json',
      silent: true,
    } satisfies Options;
  });

export default defineConfig(configs);
