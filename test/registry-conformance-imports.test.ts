import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/paths.js';

// The import graph of the redesign: no circles (between files or between packages), registry drivers that
// never import each other, a Snowflake client that knows nothing of the registry, and every workspace import
// declared in the importing package's package.json. Imports are read with the TypeScript preprocessor.

const packagesDir = join(repoRoot, 'packages');
const packages = readdirSync(packagesDir).filter((name) => existsSync(join(packagesDir, name, 'src')));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Every import specifier of a file: static, dynamic (`import('x')`) and re-exports. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((entry) => entry.fileName);
}

const files = packages.flatMap((name) => sourceFiles(join(packagesDir, name, 'src')));
const relativeEdges = new Map(
  files.map((file) => [
    file,
    importsOf(file)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
      .filter((target) => existsSync(target) && !target.includes(`${join(repoRoot, 'test')}/`)),
  ]),
);

function cycles(graph: Map<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

const workspaceImports = (file: string): string[] =>
  importsOf(file)
    .filter((spec) => spec.startsWith('@defectkit/'))
    .map((spec) => spec.split('/').slice(0, 2).join('/'));

describe('import graph', () => {
  it('has no circle between source files of any package', () => {
    // The detector finds a planted circle, and the graph is the real one (imports were read).
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
    expect([...relativeEdges.values()].reduce((n, targets) => n + targets.length, 0)).toBeGreaterThan(200);
    const found = cycles(relativeEdges).map((cycle) => cycle.map((file) => relative(packagesDir, file)).join(' -> '));
    expect(found).toEqual([]);
  });

  it('has no circle between packages, and every workspace import is a declared dependency', () => {
    const graph = new Map<string, string[]>();
    const undeclared: string[] = [];
    for (const name of packages) {
      const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
      const declared = new Set(Object.keys(manifest.dependencies ?? {}));
      const used = new Set<string>();
      for (const file of sourceFiles(join(packagesDir, name, 'src'))) {
        for (const target of workspaceImports(file)) {
          if (target === manifest.name) continue;
          used.add(target);
          if (!declared.has(target)) undeclared.push(`${relative(packagesDir, file)} imports ${target}`);
        }
      }
      graph.set(manifest.name, [...used]);
    }
    expect(undeclared).toEqual([]);
    expect(cycles(graph)).toEqual([]);
  });

  it('registry drivers never import each other; shared pieces sit beside the contract', () => {
    const registrySrc = join(packagesDir, 'registry', 'src');
    const drivers = ['local', 'snowflake'];
    const crossings: string[] = [];
    for (const [file, targets] of relativeEdges) {
      const from = relative(registrySrc, file).split('/')[0];
      if (!drivers.includes(from!)) continue;
      for (const target of targets) {
        const to = relative(registrySrc, target).split('/')[0];
        if (drivers.includes(to!) && to !== from) crossings.push(`${relative(registrySrc, file)} -> ${relative(registrySrc, target)}`);
      }
    }
    expect(crossings).toEqual([]);
    // The contract level (registry/src/*.ts) reaches no driver except through open-registry, which picks one.
    const contractToDriver = [...relativeEdges]
      .filter(([file]) => dirname(file) === registrySrc && !/\/(index|open-registry)\.ts$/.test(file))
      .flatMap(([file, targets]) => targets.filter((t) => drivers.includes(relative(registrySrc, t).split('/')[0]!)).map((t) => `${relative(registrySrc, file)} -> ${relative(registrySrc, t)}`));
    expect(contractToDriver).toEqual([]);
  });

  it('the Snowflake client imports neither the registry nor snowflake-local', () => {
    const offending = sourceFiles(join(packagesDir, 'snowflake', 'src')).flatMap((file) =>
      workspaceImports(file)
        .filter((target) => target === '@defectkit/registry' || target === '@defectkit/snowflake-local')
        .map((target) => `${relative(packagesDir, file)} imports ${target}`),
    );
    expect(offending).toEqual([]);
  });
});
