import type { InspectionStore } from './inspection-store.js';
import { openInspectionStore, type OpenInspectionStoreOptions } from './open-inspection-store.js';

/**
 * A log a long-running reader (the dashboard) uses now and then. The local DuckDB file is opened for each use
 * and closed after it, so `defectkit detect --log local` can write between requests (DuckDB lets one process
 * hold the file); a Snowflake log keeps one session. Uses run one at a time.
 */
export interface InspectionSource {
  /** The `--log` target. */
  readonly target: string;
  /** Runs `work` with the store. */
  use<T>(work: (store: InspectionStore) => Promise<T>): Promise<T>;
  /** Closes a kept session. */
  close(): Promise<void>;
}

/**
 * The {@link InspectionSource} of a `--log` target (`local`, `snowflake`, `snowflake:<connection>`).
 *
 * @example
 * const source = inspectionSource('local');
 * const summary = await source.use((store) => store.summary({ line: 'L1' }));
 */
export function inspectionSource(target: string, options: OpenInspectionStoreOptions = {}): InspectionSource {
  let queue: Promise<unknown> = Promise.resolve();
  let kept: Promise<InspectionStore> | undefined;
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    target,
    use: (work) =>
      serial(async () => {
        if (target !== 'local') {
          kept ??= openInspectionStore(target, options);
          // A failed open is not kept: the next use tries again.
          const store = await kept.catch((error: unknown) => {
            kept = undefined;
            throw error;
          });
          return work(store);
        }
        const store = await openInspectionStore(target, options);
        try {
          return await work(store);
        } finally {
          await store.close();
        }
      }),
    close: () =>
      serial(async () => {
        const store = await kept?.catch(() => undefined);
        kept = undefined;
        await store?.close();
      }),
  };
}
