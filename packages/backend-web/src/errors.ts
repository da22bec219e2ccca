import { DefectKitError } from '@defectkit/core';

/**
 * An image the browser cannot use: undecodable or empty data (`IMAGE_DECODE`), more pixels than the limit
 * (`IMAGE_TOO_LARGE`) or a URL that answers 404 / cannot be fetched (`IMAGE_NOT_FOUND`). `details.image` names it.
 */
export class WebImageError extends DefectKitError<'IMAGE_DECODE' | 'IMAGE_NOT_FOUND' | 'IMAGE_TOO_LARGE'> {}

/** The model (or its card) cannot be fetched (`MODEL_NOT_FOUND`) or onnxruntime-web cannot load it (`MODEL_LOAD`). */
export class WebModelError extends DefectKitError<'MODEL_NOT_FOUND' | 'MODEL_LOAD'> {}

/** The requested device cannot run in this browser: `WEBGPU_UNAVAILABLE` says why; `CUDA_UNAVAILABLE` for `cuda`. */
export class WebDeviceError extends DefectKitError<'WEBGPU_UNAVAILABLE' | 'CUDA_UNAVAILABLE'> {}
