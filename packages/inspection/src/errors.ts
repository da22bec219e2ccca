import { DefectKitError } from '@defectkit/core';

/**
 * The inspection log failed. `code`:
 * - `INSPECTION_INPUT`: a detect results file or board record is malformed (details name the file, entry and field);
 * - `INSPECTION_NOT_LOGGED`: results were written but not logged (details: target, boards, defects, the cause's code);
 * - `INSPECTION_REVIEW`: a review names an unknown defect or board, or an unknown verdict;
 * - `INSPECTION_STORE`: the store could not be opened, set up or queried (details name the store and statement).
 */
export class InspectionError extends DefectKitError<'INSPECTION_INPUT' | 'INSPECTION_NOT_LOGGED' | 'INSPECTION_REVIEW' | 'INSPECTION_STORE'> {}
