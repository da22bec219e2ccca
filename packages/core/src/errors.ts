const marker = Symbol.for('defectkit.error');

/** Context attached to an error: what file, line or field it concerns, and anything else that helps. */
export type ErrorDetails = Record<string, unknown>;

/**
 * Base class of every error DefectKit throws. Each error has a stable string `code` (e.g.
 * `ANNOTATION_PARSE`, `NMS_LENGTH_MISMATCH`) that programs can switch on, and `details` naming the
 * file, line or field involved.
 *
 * @example
 * try { await detector.detect('board.jpg'); }
 * catch (error) { if (DefectKitError.isInstance(error) && error.code === 'IMAGE_DECODE') console.error(error.details.file); }
 */
export class DefectKitError extends Error {
  /** The stable machine-readable code of this error. */
  readonly code: string;
  /** The file, line, field or values this error is about. */
  readonly details: ErrorDetails;
  readonly [marker] = true;

  constructor(code: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
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
  toJSON(): { name: string; code: string; message: string; details: ErrorDetails } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** Thrown when an argument is out of its domain (length mismatch, NaN, negative size, unknown option). */
export class InvalidArgumentError extends DefectKitError {}

/** An output folder is not empty and `--overwrite` was not given (`OUTPUT_EXISTS`); nothing was written. */
export class OutputExistsError extends DefectKitError {
  constructor(output: string) {
    super('OUTPUT_EXISTS', `${output}: the output folder is not empty (pass --overwrite to replace it)`, { file: output });
  }
}
