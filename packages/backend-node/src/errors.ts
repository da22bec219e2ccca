import { DefectKitError } from '@defectkit/core';

/**
 * An image that cannot be used: corrupt or truncated data, an empty file, not an image, an unsupported
 * format (`IMAGE_DECODE`), more pixels than the limit (`IMAGE_TOO_LARGE`) or a missing file
 * (`IMAGE_NOT_FOUND`). `details.file` names it.
 */
export class ImageError extends DefectKitError {}

/** A line of an image list (`--from-list`) names a file that does not exist or is not a file (`IMAGE_LIST_ENTRY`); `details` name the list and line. */
export class ImageListError extends DefectKitError<'IMAGE_LIST_ENTRY'> {}

/** The requested device cannot run: `CUDA_UNAVAILABLE` names the missing piece and how to install it. */
export class DeviceUnavailableError extends DefectKitError {}

/** The model file cannot be found or loaded (`MODEL_NOT_FOUND`, `MODEL_LOAD`). */
export class ModelLoadError extends DefectKitError {}

/** onnxruntime-node, or its native binding for this platform, cannot be loaded (`ONNXRUNTIME_NOT_INSTALLED`); the message says how to install it. */
export class OnnxRuntimeMissingError extends DefectKitError<'ONNXRUNTIME_NOT_INSTALLED'> {}
