import { DefectKitError } from '@defectkit/core';
import { InspectionError } from './errors.js';
import type { BoardInspection } from './inspection-records.js';
import type { LogSummary } from './inspection-store.js';
import { openInspectionStore, type OpenInspectionStoreOptions } from './open-inspection-store.js';

/** What {@link logInspections} wrote, and where. */
export interface LoggedInspections extends LogSummary {
  /** The store's location (a file, or `DB.SCHEMA`). */
  location: string;
}

/**
 * Logs boards to a `--log` target (opening and closing the store). Any failure, from connecting to the last
 * insert, becomes `INSPECTION_NOT_LOGGED` saying how many boards and calls were not logged and why; the boards
 * are written in one transaction, so a failure logs none of them. Callers write their results before calling.
 *
 * @example
 * const logged = await logInspections('local', boards); // { boards, defects, skipped, location }
 */
export async function logInspections(target: string, boards: readonly BoardInspection[], options: OpenInspectionStoreOptions = {}): Promise<LoggedInspections> {
  const calls = boards.reduce((n, b) => n + b.defects.length, 0);
  try {
    const store = await openInspectionStore(target, options);
    try {
      return { ...(await store.log(boards)), location: store.location };
    } finally {
      await store.close();
    }
  } catch (error) {
    const cause = DefectKitError.isInstance(error) ? `${error.code}: ${error.message}` : String(error);
    throw new InspectionError(
      'INSPECTION_NOT_LOGGED',
      `${boards.length} boards (${calls} defect calls) were not logged to ${target}: ${cause}`,
      { target, boards: boards.length, defects: calls, cause: DefectKitError.isInstance(error) ? error.code : 'INTERNAL' },
      { cause: error },
    );
  }
}
