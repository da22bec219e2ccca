import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fencedBlocks, type FencedBlock } from './readme-blocks.js';
import { repoRoot, sharedDir } from './paths.js';
import type { buildProgram } from '../../packages/cli/src/program.js';

// How README code blocks are marked (the info string after ```):
//   ```bash / ```sh            commands, run top to bottom (by file) in a scratch checkout by test/readme-examples.test.ts
//   ```bash python             the same, but they need the Python stack: run by test/readme-examples.python.test.ts
//   ```sh synopsis             usage lines with placeholders: not run, but every command and --option must exist
//   ```sh install              `npm install` of DefectKit packages: names checked here, the install itself is
//                              what test/consumer-app.test.ts does from the packed tarballs
//   ```ts / ```typescript      type-checked under the repo's strict settings; ```ts sketch: a fragment (free names)

/** The READMEs whose blocks are checked: the root one and every package's. */
export function readmeFiles(): string[] {
  const packages = readdirSync(join(repoRoot, 'packages'))
    .map((name) => join('packages', name, 'README.md'))
    .filter((file) => existsSync(join(repoRoot, file)));
  return ['README.md', ...packages.sort()];
}

/** Every fenced block of every checked README. */
export function allBlocks(): FencedBlock[] {
  return readmeFiles().flatMap((file) => fencedBlocks(readFileSync(join(repoRoot, file), 'utf8'), file));
}

/** True for shell blocks. */
export const isShell = (b: FencedBlock): boolean => ['sh', 'bash', 'shell'].includes(b.lang);
/** True for TypeScript blocks. */
export const isTypeScript = (b: FencedBlock): boolean => ['ts', 'typescript'].includes(b.lang);

/**
 * A scratch folder laid out like a checkout next to `shared/` (so `../shared/data/deeppcb` and `models/...`
 * resolve as in the README) with its own HOME: outputs never land in the repository or the user's home.
 */
export function scratchCheckout(): { cwd: string; home: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'defectkit-readme-'));
  const cwd = join(root, 'checkout');
  const home = join(root, 'home');
  mkdirSync(cwd);
  mkdirSync(home);
  symlinkSync(sharedDir, join(root, 'shared'));
  for (const entry of ['node_modules', 'models', 'packages', 'package.json', 'examples']) symlinkSync(join(repoRoot, entry), join(cwd, entry));
  return { cwd, home, root };
}

/**
 * The commands of a shell block as the test runs them. `npm test` / `npm run test:python` lines are dropped (this
 * test runs inside them) and a leading `npm ci && ` is removed (the test runs on an installed checkout; .ci/run
 * runs `npm ci` itself); everything else runs as written.
 */
export function runnableScript(block: FencedBlock): string {
  return block.code
    .split('\n')
    .filter((line) => !/^\s*npm (test|run test:python)\s*(#.*)?$/.test(line))
    .map((line) => line.replace(/^npm ci && /, ''))
    .join('\n');
}

/** What one shell block printed and how it ended. */
export interface ShellRun {
  code: number | null;
  output: string;
}

/**
 * Runs a shell block with `bash -e -o pipefail` in `cwd`, in its own process group, which is ended afterwards
 * (a block may leave a background server behind when it fails half-way).
 */
export function runShellBlock(block: FencedBlock, cwd: string, env: NodeJS.ProcessEnv): Promise<ShellRun> {
  const script = `set -eo pipefail\n${runnableScript(block)}`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    // On exit, not close: a background job left behind may still hold the output pipes open. The block counts as
    // finished once its whole process group is gone, so nothing it started still writes into the test's folders.
    child.on('exit', (code) => {
      signalGroup(child.pid!, 'SIGTERM');
      void groupGone(child.pid!).then(() => resolve({ code, output }), reject);
    });
  });
}

/** Sends `signal` to process group `pgid`; false when the group no longer exists. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves when process group `pgid` has no process left. A group still there after 10 s (a process ignoring
 * SIGTERM) gets SIGKILL; a zombie nobody reaps still counts as there, so waiting stops after 20 s in all.
 */
async function groupGone(pgid: number): Promise<void> {
  for (let waited = 0; waited < 20_000 && signalGroup(pgid, 0); waited += 25) {
    if (waited === 10_000) signalGroup(pgid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The environment shell blocks run with: the scratch HOME, the repo's bins on PATH, no inherited Snowflake home. */
export function blockEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, PATH: `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };
  delete env.SNOWFLAKE_HOME;
  delete env.DEFECTKIT_MODEL;
  return env;
}

/** Writes each TypeScript block as a module under `dir`; returns the file names with their block. */
export function writeTypeScriptBlocks(blocks: FencedBlock[], dir: string): { file: string; block: FencedBlock }[] {
  return blocks.map((block, i) => {
    const file = join(dir, `block-${String(i).padStart(2, '0')}.ts`);
    writeFileSync(file, `// ${block.file}:${block.line}\n${block.code}export {};\n`);
    return { file, block };
  });
}

type Command = ReturnType<typeof buildProgram>;

/**
 * What is wrong with a `defectkit ...` (or `npx defectkit ...`) command line against the real command tree: a
 * command that does not exist, or an option its command does not have. Empty when the line is valid.
 */
export function synopsisProblems(line: string, program: Command): string[] {
  const words = line.replace(/#.*$/, '').trim().split(/\s+/);
  const at = words.indexOf('defectkit');
  if (at < 0) return [`${line}: not a defectkit command line`];
  let command = program;
  const path: string[] = [];
  for (const word of words.slice(at + 1)) {
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) break;
    command = sub;
    path.push(word);
  }
  const rest = words.slice(at + 1 + path.length);
  const problems: string[] = [];
  if (path.length === 0 && !rest.every((w) => w.startsWith('-'))) problems.push(`${line}: no such command ${rest[0] ?? ''}`);
  const known = new Set([...command.options, ...program.options].map((o) => o.long).concat('--help', '--version'));
  for (const word of rest) {
    const option = /^\[?(--[a-z][a-z0-9-]*)/.exec(word)?.[1];
    if (option !== undefined && !known.has(option)) problems.push(`${line}: ${['defectkit', ...path].join(' ')} has no ${option}`);
  }
  return problems;
}
