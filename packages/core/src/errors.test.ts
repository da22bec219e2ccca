import { describe, expect, it } from 'vitest';
import { DefectKitError, InvalidArgumentError } from './errors.js';

describe('DefectKitError', () => {
  it('carries code, details and the subclass name', () => {
    const error = new InvalidArgumentError('BAD_THING', 'bad thing in field x', { field: 'x' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidArgumentError');
    expect(error.code).toBe('BAD_THING');
    expect(error.details).toEqual({ field: 'x' });
    expect(DefectKitError.isInstance(error)).toBe(true);
    expect(DefectKitError.isInstance(new Error('plain'))).toBe(false);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'BAD_THING', details: { field: 'x' } });
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new DefectKitError('X', 'wrapped', {}, { cause }).cause).toBe(cause);
  });
});
