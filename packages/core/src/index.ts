export { DefectKitError, InvalidArgumentError, OutputExistsError, type ErrorDetails } from './errors.js';
export type { Detection, BoxXYXY, BoxXYWH, BoxCXCYWH, BoxCXCYWHNormalized } from './detection.js';
