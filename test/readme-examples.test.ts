// The READMEs cannot drift from the code: every shell block of the root and package READMEs runs as written (in a
// scratch checkout with a scratch HOME), usage synopses name only real commands and options, and every TypeScript
// block type-checks under the repo's strict settings. Block marks are explained in test/support/readme-runner.ts;
// blocks marked `python` run in readme-examples.python.test.ts.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../packages/cli/src/program.js';
import { repoRoot } from './support/paths.js';
import { allBlocks, blockEnv, isShell, isTypeScript, readmeFiles, runShellBlock, scratchCheckout, synopsisProblems, writeTypeScriptBlocks } from './support/readme-runner.js';

const blocks = allBlocks();
const scratches: string[] = [];
afterAll(() => scratches.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const runnable = (file: string) => blocks.filter((b) => b.file === file && isShell(b) && b.tags.length === 0);

describe('README shell blocks run top to bottom as written', () => {
  for (const file of readmeFiles().filter((f) => runnable(f).length > 0)) {
    it(`${file}`, async () => {
      const scratch = scratchCheckout();
      scratches.push(scratch.root);
      for (const block of runnable(file)) {
        const { code, output } = await runShellBlock(block, scratch.cwd, blockEnv(scratch.home));
        expect(code, `${block.file}:${block.line} failed:\n${output.slice(-4000)}`).toBe(0);
      }
      if (file === 'README.md') {
        // What the README says these commands leave behind.
        expect(statSync(join(scratch.cwd, 'out', '00041000_test.png')).size).toBeGreaterThan(1000);
        const coco = JSON.parse(readFileSync(join(scratch.cwd, 'val.coco.json'), 'utf8')) as unknown[];
        expect(coco.length).toBeGreaterThan(100);
        expect(existsSync(join(scratch.cwd, 'train-pcb', 'notebook.ipynb'))).toBe(true);
        expect(existsSync(join(scratch.home, '.defectkit', 'registry'))).toBe(true);
      }
    }, 300_000);
  }
});

let templates: string | undefined;
/** The recipe templates that `defectkit notebook emit` renders into train.py. */
function templatesText(): string {
  const dir = join(repoRoot, 'packages', 'notebooks', 'templates');
  templates ??= readdirSync(dir).filter((f) => f.endsWith('.py')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  return templates;
}

describe('README usage synopses name real commands and options', () => {
  const synopses = blocks.filter((b) => isShell(b) && b.tags.includes('synopsis'));
  it.each(synopses.map((b) => [`${b.file}:${b.line}`, b] as const))('%s', (_where, block) => {
    const program = buildProgram();
    let checked = 0;
    for (const line of block.code.split('\n').filter((l) => /^\s*python3 \S+\/train\.py /.test(l))) {
      // An emitted training script: its options are the recipe templates' argparse options.
      const options = [...line.matchAll(/(?:^|\s)(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
      for (const option of options) expect(templatesText().includes(`'${option}'`) || templatesText().includes(`"${option}"`), `${line}: no template defines ${option}`).toBe(true);
      checked++;
    }
    for (const line of block.code.split('\n').filter((l) => /^\s*(npx )?defectkit /.test(l))) {
      expect(synopsisProblems(line, program)).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('README install blocks name published packages', () => {
  const installs = blocks.filter((b) => isShell(b) && b.tags.includes('install'));
  const workspaces = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces.map(
    (dir) => (JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as { name: string; private?: boolean }),
  );
  it.each(installs.map((b) => [`${b.file}:${b.line}`, b] as const))('%s', (_where, block) => {
    const names = block.code.split('\n').flatMap((line) => /^npm install (.+)$/.exec(line.replace(/#.*$/, '').trim())?.[1]!.split(/\s+/) ?? []);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(workspaces.some((w) => w.name === name && w.private !== true), `${block.file}:${block.line}: ${name} is not a package of this repo`).toBe(true);
  });
});

describe('README TypeScript blocks type-check under the repo settings', () => {
  it('every ```ts block (of a block marked sketch: its imports)', async () => {
    const whole = blocks.filter((b) => isTypeScript(b) && !b.tags.includes('sketch'));
    expect(whole.length).toBeGreaterThan(5);
    // Of a sketch, only its import declarations are checked: the names it imports must still exist.
    const sketches = blocks
      .filter((b) => isTypeScript(b) && b.tags.includes('sketch'))
      .map((b) => ({ ...b, code: `${(b.code.match(/^import [^;]+;$/gms) ?? []).join('\n')}\n` }))
      .filter((b) => b.code.trim() !== '');
    const ts = [...whole, ...sketches];
    // Inside the repository's node_modules, so the blocks' own imports resolve as they would in an app.
    const cache = join(repoRoot, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'readme-ts-'));
    scratches.push(dir);
    const files = writeTypeScriptBlocks(ts, dir);
    const tsconfig = {
      extends: join(repoRoot, 'tsconfig.base.json'),
      compilerOptions: { noEmit: true, baseUrl: repoRoot, typeRoots: [join(repoRoot, 'node_modules', '@types')], sourceMap: false, declaration: false },
      files: files.map((f) => f.file),
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await promisify(execFile)('node', [tsc, '-p', join(dir, 'tsconfig.json')], { maxBuffer: 16 << 20 }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    // Name each failing block by its README and line (the first line of each written file says which).
    const named = result.replace(/[^\s(]*block-(\d\d)\.ts\((\d+),/g, (_m, i: string, line: string) => {
      const { block } = files[Number(i)]!;
      return `${block.file}:${block.line + Number(line) - 1} (`;
    });
    expect(named).toBe('');
  }, 240_000);
});
