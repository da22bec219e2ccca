// TypeScript children run from source: `node --import tsx <script>` in the repository root, where tsx maps
// @defectkit/* to the packages' src (so no build is needed, and a child is one process that a signal reaches).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { repoRoot } from './paths.js';

/** The `defectkit` entry point that runs from source; pass it first to {@link spawnTsx} or {@link runTsx}. */
export const devCli = join(repoRoot, 'packages', 'cli', 'src', 'dev.ts');

/** Options of {@link spawnTsx}. */
export interface SpawnTsxOptions {
  /** The child's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** `'ignore'` (default) gives the child an empty stdin; `'pipe'` one the test writes to. */
  stdin?: 'ignore' | 'pipe';
}

/** Starts `node --import tsx <args>` in the repository root with stdout and stderr piped, for a test that talks to it. */
export function spawnTsx(args: readonly string[], options: SpawnTsxOptions = {}): ChildProcessByStdio<Writable | null, Readable, Readable> {
  const argv = ['--import', 'tsx', ...args];
  const common = { cwd: repoRoot, env: options.env ?? process.env };
  return options.stdin === 'pipe' ? spawn(process.execPath, argv, { ...common, stdio: ['pipe', 'pipe', 'pipe'] }) : spawn(process.execPath, argv, { ...common, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** How a {@link runTsx} child ended and what it printed. */
export interface TsxRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx <args>` in the repository root to the end, writing `stdin` to it; never rejects on a failing exit. */
export function runTsx(args: readonly string[], stdin = ''): Promise<TsxRun> {
  return new Promise((done, fail) => {
    const child = spawnTsx(args, { stdin: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
    child.stdin!.end(stdin);
  });
}
