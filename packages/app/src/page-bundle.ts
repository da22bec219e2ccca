import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * In the repository, `@defectkit/<name>` resolves to the package's TypeScript sources (as vitest does), so the
 * page never runs a stale build; an installed app has no sources and resolves the packages' `dist` as usual.
 */
function workspaceSources(replace: Readonly<Record<string, string>>): Plugin {
  return {
    name: 'defectkit-workspace-sources',
    setup(context) {
      context.onResolve({ filter: /^@defectkit\/[a-z-]+(\/[a-z-]+)?$/ }, (args) => {
        const [name, subpath] = args.path.slice('@defectkit/'.length).split('/');
        const source = resolve(here, '..', '..', name!, 'src', ...(subpath ? [subpath] : []), 'index.ts');
        return existsSync(source) ? { path: source } : undefined;
      });
      for (const [specifier, path] of Object.entries(replace)) {
        const pattern = new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
        context.onResolve({ filter: pattern }, () => ({ path }));
      }
    },
  };
}

/** The page's entry: the TypeScript source in the repository, the built module in an installed package. */
export function pageEntry(name: string): string {
  const source = join(here, 'page', `${name}.ts`);
  return existsSync(source) ? source : join(here, 'page', `${name}.js`);
}

/**
 * Bundles one page script for the browser with esbuild (the repository's bundler), in memory: one ES module
 * holding the app, `@defectkit/backend-web` and onnxruntime-web's JavaScript. onnxruntime-web's WASM files are
 * not inlined: the `onnxruntime-web-use-extern-wasm` condition makes it load them from `ort.env.wasm.wasmPaths`
 * (the server's `/ort/`).
 */
export async function bundlePage(name: string): Promise<string> {
  return bundleForBrowser(pageEntry(name));
}

/**
 * Bundles any browser entry the way {@link bundlePage} does; `replace` maps import specifiers to files (the
 * browser tests put a small in-page runner where the conformance suites import `vitest`).
 */
export async function bundleForBrowser(entry: string, replace: Readonly<Record<string, string>> = {}): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    conditions: ['onnxruntime-web-use-extern-wasm'],
    plugins: [workspaceSources(replace)],
    logLevel: 'silent',
    legalComments: 'none',
  });
  return result.outputFiles[0]!.text;
}
