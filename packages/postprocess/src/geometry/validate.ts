import { InvalidArgumentError } from '../errors.js';

/** Throws `INVALID_SIZE` unless `value` is a finite number > 0 (or >= 0 when `allowZero`). */
export function assertPositiveSize(value: number, field: string, allowZero = false): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new InvalidArgumentError('INVALID_SIZE', `${field} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${value}`, {
      field,
      value,
    });
  }
}

/** Throws `INVALID_NUMBER` unless `value` is finite. */
export function assertFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) {
    throw new InvalidArgumentError('INVALID_NUMBER', `${field} must be a finite number, got ${value}`, { field, value });
  }
}
