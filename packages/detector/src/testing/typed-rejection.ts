import { DefectKitError } from '@defectkit/core';
import { expect } from 'vitest';

/**
 * Awaits a promise that must reject with a {@link DefectKitError} (with `code`, when given) and returns the error for
 * further checks; a resolved promise or an untyped error fails the test. The conformance suites of every contract
 * (backend, detector, registry) check their typed errors with it.
 *
 * @example
 * expect((await expectTypedRejection(registry.model('NOPE'))).code).toBe('REGISTRY_MODEL_NOT_FOUND');
 * await expectTypedRejection(backend.run(inputs), 'BACKEND_NOT_LOADED');
 */
export async function expectTypedRejection(promise: Promise<unknown>, code?: string): Promise<DefectKitError> {
  try {
    await promise;
  } catch (error) {
    const typed = DefectKitError.isInstance(error) && (code === undefined || error.code === code);
    expect(typed, `expected a DefectKitError${code ? ` with code ${code}` : ''}, got ${String(error)}`).toBe(true);
    return error as DefectKitError;
  }
  throw new Error('expected a rejection, the call resolved');
}
