import { DefectKitError, type ErrorDetails } from '@defectkit/core';
import type { Finding } from './findings.js';

/** A label, list or annotation file could not be parsed (`ANNOTATION_PARSE`); `details` names the file and line. */
export class AnnotationParseError extends DefectKitError {
  constructor(message: string, details: ErrorDetails & { file: string; line?: number }, options?: { cause?: unknown }) {
    super('ANNOTATION_PARSE', message, details, options);
  }
}

/** A dataset failed validation (`DATASET_VALIDATION`); `details.findings` lists every problem with its file and line. */
export class DatasetValidationError extends DefectKitError {
  /** Every finding of the failed validation. */
  readonly findings: Finding[];
  constructor(message: string, findings: Finding[], details: ErrorDetails = {}) {
    super('DATASET_VALIDATION', message, { ...details, findings });
    this.findings = findings;
  }
}

/** Re-exported: the core error for a non-empty output folder (`OUTPUT_EXISTS`). */
export { OutputExistsError } from '@defectkit/core';

/** A split specification such as `train=0.9,val=0.1` is malformed (`SPLIT_SPEC`). */
export class SplitSpecError extends DefectKitError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('SPLIT_SPEC', message, details);
  }
}

/** A dataset format name is not one of the supported formats (`UNKNOWN_FORMAT`). */
export class UnknownFormatError extends DefectKitError {
  constructor(format: string, field = 'format') {
    super('UNKNOWN_FORMAT', `unknown dataset format "${format}" (expected deeppcb, yolo, voc or coco)`, { field, value: format });
  }
}

/** A dataset folder does not have the layout of its format (`DATASET_LAYOUT`), e.g. no `data.yaml` in a YOLO folder. */
export class DatasetLayoutError extends DefectKitError {
  constructor(message: string, details: ErrorDetails & { file: string }) {
    super('DATASET_LAYOUT', message, details);
  }
}
