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
    super('NOTEBOOK_OUTPUT_EXISTS', `${dir}: folder exists and is not empty; it is replaced only when overwrite is asked for`, { file: dir, field: 'overwrite' });
  }
}

/** A template failed to turn into a notebook (an internal invariant: names the template and line). */
export class NotebookTemplateError extends DefectKitError {
  constructor(message: string, details: { template: string; line?: number }) {
    super('NOTEBOOK_TEMPLATE', message, details);
  }
}

/** A deploy or clean statement failed on the account (`details` name the step, object and SQL code). */
export class DeployError extends DefectKitError {
  constructor(message: string, details: { step: string; object?: string; sqlCode?: string }, options?: { cause?: unknown }) {
    super('DEPLOY_FAILED', message, details, options);
  }
}

/** The deploy record is unreadable or belongs to another project (`details` name the file and field). */
export class DeployStateError extends DefectKitError {
  constructor(message: string, details: { file: string; field?: string }) {
    super('DEPLOY_STATE', message, details);
  }
}
