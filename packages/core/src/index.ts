export { ERROR_CODES, isErrorCode, type ErrorCode } from './error-codes.js';
export { DefectKitError, InvalidArgumentError, OutputExistsError, type ErrorDetails } from './errors.js';
export type { Detection, BoxXYXY, BoxXYWH, BoxCXCYWH, BoxCXCYWHNormalized } from './detection.js';
export { cocoImageId, describeImageInput, imageFileStem, imageKey } from './image-identity.js';
