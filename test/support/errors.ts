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

/** The DefectKitError `action` throws, undefined when it returns; anything else it throws is rethrown. */
function thrownBy(action: () => unknown): DefectKitError | undefined {
  try {
    action();
  } catch (error) {
    if (DefectKitError.isInstance(error)) return error;
    throw error;
  }
  return undefined;
}

/** {@link errorOf} for synchronous code: the DefectKitError `action` throws; anything else, or no throw, fails the test. */
export function errorOfCall(action: () => unknown): DefectKitError {
  const error = thrownBy(action);
  if (error === undefined) throw new Error('expected a DefectKitError, nothing was thrown');
  return error;
}

/** The code of the DefectKitError `action` throws, or `'none'` when it returns: for compact `expect(codeOf(...)).toBe(CODE)` tables. */
export function codeOf(action: () => unknown): string {
  return thrownBy(action)?.code ?? 'none';
}
