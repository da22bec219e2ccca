import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Pure packages must load in a browser: no Node built-ins, no native modules, no Snowflake driver.
const pureRoots = ['packages/core/src', 'packages/annotations/src', 'packages/postprocess/src', 'packages/detector/src', 'packages/backend-web/src'];
const nodeOnlyFolders = new Set(['node']);
const forbidden = /^(node:|fs$|path$|os$|child_process$|crypto$|url$|util$|stream$|sharp$|onnxruntime-node$|snowflake-sdk$|@duckdb\/)/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return nodeOnlyFolders.has(name) ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('browser-safe packages', () => {
  it('import no Node built-ins or native modules outside their /node folders', () => {
    const offenders: string[] = [];
    for (const root of pureRoots) {
      for (const file of sourceFiles(root)) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
          if (forbidden.test(match[1]!)) offenders.push(`${relative('.', file)} imports ${match[1]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
