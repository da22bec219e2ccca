import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefectKitError, type ErrorDetails } from '@defectkit/core';

/** A model handler failed, timed out, or answered something that is not one object per row. */
export class HandlerFailedError extends DefectKitError {
  constructor(message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super('HANDLER_FAILED', message, details, options);
  }
}

/** Limits of one worker. */
export interface HandlerWorkerLimits {
  /** Longest wait for one call, loading the model included (default 300 000 ms, `DEFECTKIT_HANDLER_TIMEOUT_MS`). */
  timeoutMs?: number;
  /** Largest request line sent to the worker (default 64 MiB); callers split rows into calls below it. */
  maxRequestBytes?: number;
  /** Largest answer line accepted from the worker (default 64 MiB). */
  maxResponseBytes?: number;
  /** An idle worker process ends after this long (default 600 000 ms); the next call starts it again. */
  idleMs?: number;
}

/** `python/handler_worker.py`, shipped beside `src/` and `dist/`. */
function workerScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'python', 'handler_worker.py');
    if (existsSync(candidate)) return candidate;
    dir = resolve(dir, '..');
  }
  throw new HandlerFailedError('cannot find python/handler_worker.py of @defectkit/snowflake-local', { file: 'python/handler_worker.py' });
}

interface Pending {
  id: number;
  resolve(rows: (Record<string, unknown> | null)[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * A long-lived Python process running one model version's handler (`module.function` from MANIFEST.yml) with the
 * package folder as Snowflake's import directory. Calls go one at a time over JSON lines; a call that runs past
 * the timeout kills the process (the next call starts a new one).
 */
export class HandlerWorker {
  private child: ChildProcessWithoutNullStreams | null = null;
  private buffer = '';
  private stderr = '';
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private readonly timeoutMs: number;
  readonly maxRequestBytes: number;
  private readonly maxResponseBytes: number;
  private readonly idleMs: number;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    /** The virtualenv's python. */
    private readonly python: string,
    /** The model version's package folder. */
    readonly dir: string,
    /** The handler, `module.path.function`. */
    readonly handler: string,
    limits: HandlerWorkerLimits = {},
  ) {
    this.timeoutMs = limits.timeoutMs ?? (Number(process.env.DEFECTKIT_HANDLER_TIMEOUT_MS) || 300_000);
    this.maxRequestBytes = limits.maxRequestBytes ?? 64 << 20;
    this.maxResponseBytes = limits.maxResponseBytes ?? 64 << 20;
    this.idleMs = limits.idleMs ?? 600_000;
  }

  /** Calls the handler with a DataFrame of `columns` holding `rows` (Uint8Array values travel as BINARY). */
  call(columns: readonly string[], rows: readonly unknown[][]): Promise<(Record<string, unknown> | null)[]> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const next = this.queue.then(() => this.send(columns, rows));
    this.queue = next.catch(() => undefined);
    void this.queue.then(() => {
      if (this.queue !== settled) return; // another call is queued
      this.idleTimer = setTimeout(() => void this.stop(), this.idleMs);
      this.idleTimer.unref(); // an idle worker never keeps the server's process alive
    });
    const settled = this.queue;
    return next;
  }

  /** Ends the process. */
  async dispose(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    await this.stop();
  }

  private async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.stdin.end();
    await new Promise<void>((done) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        done();
      }, 2000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(this.python, ['-X', `snowflake_import_directory=${this.dir}`, workerScript(), this.dir, this.handler], {
      cwd: this.dir,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    child.on('error', (error) => this.fail(new HandlerFailedError(`${this.handler}: cannot start ${this.python}: ${error.message}`, this.details(), { cause: error })));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      this.fail(new HandlerFailedError(`${this.handler}: the Python worker exited (${signal ?? `code ${code}`}): ${this.stderr.trim().split('\n').slice(-3).join(' ')}`, this.details()));
    });
    child.stdin.on('error', () => undefined); // an exit is reported by the 'exit' handler
    this.buffer = '';
    this.stderr = '';
    return child;
  }

  private details(): ErrorDetails {
    return { dir: this.dir, handler: this.handler };
  }

  private send(columns: readonly string[], rows: readonly unknown[][]): Promise<(Record<string, unknown> | null)[]> {
    const id = this.nextId++;
    const encoded = rows.map((row) => row.map((value) => (value instanceof Uint8Array ? { $binary: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') } : value)));
    const line = `${JSON.stringify({ id, columns, rows: encoded })}\n`;
    if (Buffer.byteLength(line) > this.maxRequestBytes) {
      return Promise.reject(new HandlerFailedError(`${this.handler}: a call of ${rows.length} rows is ${Buffer.byteLength(line)} bytes, over the ${this.maxRequestBytes}-byte limit`, { ...this.details(), limit: this.maxRequestBytes }));
    }
    this.child ??= this.start();
    const child = this.child;
    return new Promise((resolvePromise, rejectPromise) => {
      const timer = setTimeout(() => {
        this.fail(new HandlerFailedError(`${this.handler}: no answer within ${this.timeoutMs} ms; the worker was stopped`, { ...this.details(), timeoutMs: this.timeoutMs }));
        child.kill('SIGKILL');
      }, this.timeoutMs);
      this.pending = { id, resolve: resolvePromise, reject: rejectPromise, timer };
      child.stdin.write(line);
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > this.maxResponseBytes) {
      this.fail(new HandlerFailedError(`${this.handler}: an answer over ${this.maxResponseBytes} bytes; the worker was stopped`, { ...this.details(), limit: this.maxResponseBytes }));
      this.child?.kill('SIGKILL');
      return;
    }
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      this.answer(line);
    }
  }

  private answer(line: string): void {
    const pending = this.pending;
    if (!pending) return;
    let message: { id?: number; ok?: boolean; rows?: unknown; error?: string; traceback?: string };
    try {
      message = JSON.parse(line) as typeof message;
    } catch (cause) {
      this.fail(new HandlerFailedError(`${this.handler}: the worker wrote a line that is not JSON: ${line.slice(0, 200)}`, this.details(), { cause }));
      return;
    }
    if (message.id !== pending.id) return;
    this.pending = null;
    clearTimeout(pending.timer);
    if (message.ok === true && Array.isArray(message.rows)) pending.resolve(message.rows as (Record<string, unknown> | null)[]);
    else pending.reject(new HandlerFailedError(`${this.handler}: ${message.error ?? 'the handler failed'}`, { ...this.details(), traceback: message.traceback ?? null }));
  }

  private fail(error: Error): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.reject(error);
  }
}
