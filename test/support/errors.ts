import { DefectKitError } from '@defectkit/core';

/**
 * The DefectKitError that `promise` rejects with, so a test can assert its code and details.
 * Any other rejection is rethrown, and a promise that resolves fails the test: an expected refusal that
 * never happens must not pass.
 */
export async function errorOf(promise: Promise<unknown>): Promise<DefectKitError> {
  try {
    await promise;
  } catch (error) {
    if (DefectKitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DefectKitError, nothing was thrown');
}

/** {@link errorOf} for synchronous code: the DefectKitError `action` throws; anything else, or no throw, fails the test. */
export function errorOfCall(action: () => unknown): DefectKitError {
  try {
    action();
  } catch (error) {
    if (DefectKitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DefectKitError, nothing was thrown');
}

/** The code of the DefectKitError `action` throws, or `'none'` when it returns: for compact `expect(codeOf(...)).toBe(CODE)` tables. */
export function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (DefectKitError.isInstance(error)) return error.code;
    throw error;
  }
  return 'none';
}
