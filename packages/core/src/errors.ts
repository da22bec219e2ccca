import type { ErrorCode } from './error-codes.js';

const marker = Symbol.for('defectkit.error');

/** Context attached to an error: what file, line or field it concerns, and anything else that helps. */
export type ErrorDetails = Record<string, unknown>;

/**
 * Base class of every error DefectKit throws. Each error has a stable `code` from the catalog
 * (`ERROR_CODES` in `error-codes.ts`, e.g. `ANNOTATION_PARSE`, `NMS_LENGTH_MISMATCH`) that programs can
 * switch on, and `details` naming the file, line or field involved. A subclass may narrow the codes it
 * carries with the type parameter (`class ImageError extends DefectKitError<'IMAGE_DECODE' | ...>`).
 *
 * @example
 * try { await detector.detect('board.jpg'); }
 * catch (error) { if (DefectKitError.isInstance(error) && error.code === 'IMAGE_DECODE') console.error(error.details.file); }
 */
export class DefectKitError<Code extends ErrorCode = ErrorCode> extends Error {
  /** The stable machine-readable code of this error, one of the catalog's. */
  readonly code: Code;
  /** The file, line, field or values this error is about. */
  readonly details: ErrorDetails;
  readonly [marker] = true;

  constructor(code: Code, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }

  /** True for any DefectKit error, also across duplicate copies of this package (no `instanceof` pitfalls). */
  static isInstance(value: unknown): value is DefectKitError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  /** A JSON-friendly view: code, message and details. */
  toJSON(): { name: string; code: Code; message: string; details: ErrorDetails } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** Thrown when an argument is out of its domain (length mismatch, NaN, negative size, unknown option). */
export class InvalidArgumentError extends DefectKitError {}

/** An output folder is not empty and overwriting was not asked for (`OUTPUT_EXISTS`); nothing was written. */
export class OutputExistsError extends DefectKitError<'OUTPUT_EXISTS'> {
  constructor(output: string) {
    super('OUTPUT_EXISTS', `${output}: the output folder is not empty; it is replaced only when overwrite is asked for`, { file: output, field: 'overwrite' });
  }
}
