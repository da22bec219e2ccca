import type { DefectKitError, ErrorCode } from '@defectkit/core';

// Library messages never name CLI flags (the libraries are also called from code); the CLI adds the flag here.
const HINTS: Partial<Record<ErrorCode, string>> = {
  OUTPUT_EXISTS: 'pass --overwrite to replace it',
  NOTEBOOK_OUTPUT_EXISTS: 'pass --overwrite to replace it',
  DATASET_VALIDATION: '--skip-invalid drops bad boxes and unreadable images instead',
  MIXED_SPLITS: 'give every image a split, e.g. --split train=0.9,val=0.1',
  SPLIT_SPEC: 'see --split in the command help',
  MODEL_NOT_FOUND: 'choose a model with --model <folder or .onnx>',
};

/** Codes whose `details.field` is the name of the option that caused them (as in `gt-format`, `split`). */
const FIELD_IS_OPTION: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['MISSING_OPTION', 'UNSUPPORTED_INPUT', 'EMPTY_SPLIT', 'UNKNOWN_PROTOCOL']);

/** The CLI's hint for a library error (the flag that changes the outcome), or undefined. */
export function cliHint(error: DefectKitError): string | undefined {
  const field = error.details.field;
  if (FIELD_IS_OPTION.has(error.code) && typeof field === 'string' && /^[a-z][a-z-]*$/.test(field)) return `option --${field}`;
  return HINTS[error.code];
}
