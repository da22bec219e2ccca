import { statSync } from 'node:fs';
import { DefectKitError } from '@defectkit/core';
import { SnowflakeSqlError } from './errors.js';
import { HandlerWorker, type HandlerWorkerLimits } from './handler-worker.js';
import { readModelPackage } from './model-package.js';
import type { Predictor } from './predictor.js';
import { handlerPython, type HandlerPythonOptions } from './python-env.js';

/** Options of {@link createHandlerPredictor}. */
export interface HandlerPredictorOptions extends HandlerPythonOptions, HandlerWorkerLimits {
  /** Largest single argument value, e.g. one encoded image (default 16 MiB). */
  maxValueBytes?: number;
}

/** Snowflake's "user-defined function error" answer, carrying the typed cause. */
function udfError(method: string, error: unknown): SnowflakeSqlError {
  if (error instanceof SnowflakeSqlError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = DefectKitError.isInstance(error) ? error.code : 'HANDLER_FAILED';
  return new SnowflakeSqlError('100357', '22000', `${method}: ${message}`, { method, code }, { cause: error });
}

function valueBytes(value: unknown): number {
  if (value instanceof Uint8Array) return Math.ceil(value.byteLength / 3) * 4;
  if (typeof value === 'string') return Buffer.byteLength(value);
  return 32;
}

/**
 * The model runner of `MODEL(...)!METHOD(...)`: runs the handler the version's MANIFEST.yml names (e.g.
 * `functions.predict.infer`) in a CPython 3.11 worker process, one per model version and handler, with the
 * package as Snowflake's import directory, and returns what the handler answers, one OBJECT per row (a
 * DataFrame answer becomes one object per row keyed by its columns, as Snowflake does). The virtualenv is
 * built on first use ({@link handlerPython}); without python3.11 or the wheels, the statement fails naming
 * what is missing.
 */
export function createHandlerPredictor(options: HandlerPredictorOptions = {}): { predictor: Predictor; dispose(): Promise<void> } {
  const workers = new Map<string, HandlerWorker>();
  const maxValueBytes = options.maxValueBytes ?? 16 << 20;
  const predictor: Predictor = async ({ dir, method, inputs, rows }) => {
    try {
      const declared = readModelPackage(dir).methods.find((m) => m.name === method);
      if (!declared) throw new SnowflakeSqlError('002140', '42601', `Unknown function ${method} in the model package.`, { method });
      // A version's folder is renamed into place when it is created, so a new inode means a new package (e.g.
      // CREATE OR REPLACE MODEL): its worker must not keep serving the model it loaded before.
      const key = `${dir}\n${declared.handler}\n${statSync(dir).ino}`;
      let worker = workers.get(key);
      if (!worker) {
        for (const [other, stale] of workers) {
          if (other.startsWith(`${dir}\n`)) {
            workers.delete(other);
            void stale.dispose();
          }
        }
        worker = new HandlerWorker(await handlerPython(options), dir, declared.handler, options);
        workers.set(key, worker);
      }
      const columns = inputs.map((input) => input.name);
      const out: (Record<string, unknown> | null)[] = [];
      // Calls stay under the worker's request limit, as a warehouse hands a vectorized UDF bounded batches.
      let batch: unknown[][] = [];
      let size = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        out.push(...(await worker.call(columns, batch)));
        batch = [];
        size = 0;
      };
      for (const [r, row] of rows.entries()) {
        const bytes = row.reduce<number>((sum, value) => sum + valueBytes(value), 0);
        for (const value of row) {
          if (valueBytes(value) > maxValueBytes) {
            throw new SnowflakeSqlError('100357', '22000', `${method}: row ${r + 1}: an argument of ${valueBytes(value)} bytes is over the ${maxValueBytes}-byte limit.`, { method, row: r + 1, limit: maxValueBytes });
          }
        }
        if (size + bytes > worker.maxRequestBytes / 2) await flush();
        batch.push(row);
        size += bytes;
      }
      await flush();
      return out;
    } catch (error) {
      throw udfError(method, error);
    }
  };
  return {
    predictor,
    async dispose() {
      const all = [...workers.values()];
      workers.clear();
      await Promise.all(all.map((worker) => worker.dispose()));
    },
  };
}
