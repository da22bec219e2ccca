// snowflake-local's Python worker: one long-lived process per model version, JSON lines, bounded inputs, a
// timeout that stops a stuck handler, and handler failures reported per call (CPython 3.11 virtualenv).
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { HandlerWorker, handlerPython } from '@defectkit/snowflake-local';
import { repoRoot } from './support/paths.js';
import { errorOf } from './support/errors.js';
import { scratchFolder } from './support/scratch-folder.js';

const run = promisify(execFile);

const work = scratchFolder('dk-handler-worker-');

// A package whose handlers exercise the worker: echo (DataFrame in, Series of objects out), a DataFrame answer,
// a failure, a wrong row count, a stuck call, and the import directory Snowflake passes as -X.
const HANDLER = String.raw`
import os, sys, time
import pandas as pd

def echo(df):
    return pd.Series([{"N": len(v) if isinstance(v, bytes) else v, "TYPE": type(v).__name__, "PID": os.getpid()} for v in df.iloc[:, 0]])

def frame(df):
    return pd.DataFrame({"A": [1] * len(df), "B": ["x"] * len(df)})

def fail(df):
    raise ValueError("the model card says no")

def short(df):
    return pd.Series([{"A": 1}])

def stuck(df):
    time.sleep(30)

def import_dir(df):
    return pd.Series([{"DIR": sys._xoptions.get("snowflake_import_directory")}] * len(df))
`;

describe('HandlerWorker (snowflake-local)', () => {
  let python: string;
  const pkg = join(work, 'pkg');

  beforeAll(async () => {
    python = await handlerPython();
    mkdirSync(join(pkg, 'functions'), { recursive: true });
    writeFileSync(join(pkg, 'functions', 'predict.py'), HANDLER);
  }, 300_000);

  it('gives processes asking at the same time one ready virtualenv (one builder, the others wait), leaving no temporary folder or lock', async () => {
    const cacheDir = join(work, 'cache');
    const script = `import(${JSON.stringify(join(repoRoot, 'packages', 'snowflake-local', 'src', 'python-env.ts'))}).then((m) => m.handlerPython({ cacheDir: ${JSON.stringify(cacheDir)} })).then((p) => console.log(p))`;
    const child = () => run(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repoRoot, maxBuffer: 1 << 20 });
    const [a, b] = await Promise.all([child(), child()]);
    expect(a.stdout.trim()).toBe(b.stdout.trim());
    const root = join(cacheDir, 'handler-venv');
    expect(readdirSync(root)).toEqual([relative(root, join(a.stdout.trim(), '..', '..'))]);
    expect(JSON.parse(readFileSync(join(a.stdout.trim(), '..', '..', 'ready.json'), 'utf8')).version).toMatch(/^3\.11\./);
    const imports = await run(a.stdout.trim(), ['-c', 'import numpy, onnxruntime, pandas, PIL; print("ok")']);
    expect(imports.stdout.trim()).toBe('ok');
  }, 600_000);

  it('calls module.function with a DataFrame (BINARY as bytes) in one long-lived process, one object per row', async () => {
    const worker = new HandlerWorker(python, pkg, 'functions.predict.echo');
    try {
      const first = await worker.call(['IMAGE'], [[Uint8Array.of(1, 2, 3)], ['text'], [null]]);
      expect(first.map((r) => [r!.N, r!.TYPE])).toEqual([[3, 'bytes'], ['text', 'str'], [null, 'NoneType']]);
      const second = await worker.call(['IMAGE'], [[new Uint8Array(10)]]);
      expect(second[0]!.PID).toBe(first[0]!.PID);
      const frame = new HandlerWorker(python, pkg, 'functions.predict.frame');
      expect(await frame.call(['X'], [[1], [2]])).toEqual([{ A: 1, B: 'x' }, { A: 1, B: 'x' }]);
      await frame.dispose();
      const dir = new HandlerWorker(python, pkg, 'functions.predict.import_dir');
      expect(await dir.call(['X'], [[1]])).toEqual([{ DIR: pkg }]);
      await dir.dispose();
    } finally {
      await worker.dispose();
    }
  }, 120_000);

  it('reports a raising handler and a wrong row count as HANDLER_FAILED, and keeps serving', async () => {
    const failing = new HandlerWorker(python, pkg, 'functions.predict.fail');
    const error = await errorOf(failing.call(['X'], [[1]]));
    expect(error.code).toBe('HANDLER_FAILED');
    expect(error.message).toContain('ValueError: the model card says no');
    expect(String(error.details.traceback)).toContain('raise ValueError');
    expect((await errorOf(failing.call(['X'], [[2]]))).code).toBe('HANDLER_FAILED'); // the process is still there
    await failing.dispose();
    const short = new HandlerWorker(python, pkg, 'functions.predict.short');
    expect((await errorOf(short.call(['X'], [[1], [2]]))).message).toContain('answered 1 rows for 2 inputs');
    await short.dispose();
    const missing = new HandlerWorker(python, pkg, 'functions.nothing.here');
    expect((await errorOf(missing.call(['X'], [[1]]))).message).toContain('ModuleNotFoundError');
    await missing.dispose();
  }, 120_000);

  it('ends an idle worker process and starts a new one on the next call', async () => {
    const worker = new HandlerWorker(python, pkg, 'functions.predict.echo', { idleMs: 200 });
    try {
      const [first] = await worker.call(['X'], [[1]]);
      // Wait (as long as it takes) until the idle process has gone away on its own.
      const alive = (pid: number): boolean => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      while (alive(first!.PID as number)) await new Promise((resolve) => setTimeout(resolve, 100));
      const [second] = await worker.call(['X'], [[1]]);
      expect(second!.PID).not.toBe(first!.PID);
    } finally {
      await worker.dispose();
    }
  }, 120_000);

  it('stops a handler that runs past the timeout and refuses a call over the request limit', async () => {
    const worker = new HandlerWorker(python, pkg, 'functions.predict.stuck', { timeoutMs: 1500, maxRequestBytes: 1024 });
    const timedOut = await errorOf(worker.call(['X'], [[1]]));
    expect(timedOut.code).toBe('HANDLER_FAILED');
    expect(timedOut.message).toContain('no answer within 1500 ms');
    const tooLarge = await errorOf(worker.call(['IMAGE'], [[new Uint8Array(2048)]]));
    expect(tooLarge.code).toBe('HANDLER_FAILED');
    expect(tooLarge.details.limit).toBe(1024);
    await worker.dispose();
  }, 120_000);
});
