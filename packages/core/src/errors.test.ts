import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from './error-codes.js';
import { DefectKitError, InvalidArgumentError } from './errors.js';

describe('DefectKitError', () => {
  it('carries code, details and the subclass name', () => {
    const error = new InvalidArgumentError('INVALID_OPTION', 'bad thing in field x', { field: 'x' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidArgumentError');
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.details).toEqual({ field: 'x' });
    expect(DefectKitError.isInstance(error)).toBe(true);
    expect(DefectKitError.isInstance(new Error('plain'))).toBe(false);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'INVALID_OPTION', details: { field: 'x' } });
  });

  it('accepts only catalog codes', () => {
    // @ts-expect-error: a code outside ERROR_CODES is a type error
    const loose = new DefectKitError('NOT_A_CATALOG_CODE', 'x');
    expect(isErrorCode(loose.code)).toBe(false);
    expect(isErrorCode('OUTPUT_EXISTS')).toBe(true);
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(meaning.length).toBeGreaterThan(10);
    }
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new DefectKitError('DETECTION_FAILED', 'wrapped', {}, { cause }).cause).toBe(cause);
  });
});
