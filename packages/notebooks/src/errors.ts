import { DefectKitError } from '@defectkit/core';

/** A recipe option is missing, malformed or out of range (`details.field` names it). */
export class NotebookOptionsError extends DefectKitError {
  constructor(message: string, details: { field: string; value?: unknown }) {
    super('NOTEBOOK_OPTIONS', message, details);
  }
}

/** The output folder exists and is not empty, and overwriting was not asked for. */
export class NotebookOutputExistsError extends DefectKitError {
  constructor(dir: string) {
    super('NOTEBOOK_OUTPUT_EXISTS', `${dir}: folder exists and is not empty (ask for overwrite to replace it)`, { file: dir, field: 'overwrite' });
  }
}

/** A template failed to turn into a notebook (an internal invariant: names the template and line). */
export class NotebookTemplateError extends DefectKitError {
  constructor(message: string, details: { template: string; line?: number }) {
    super('NOTEBOOK_TEMPLATE', message, details);
  }
}
