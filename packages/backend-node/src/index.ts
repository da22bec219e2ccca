export { OnnxNodeBackend, type OnnxNodeBackendOptions } from './onnx-node-backend.js';
export { CUDA_INSTALL_HINT, cudaMissingReason, onnxruntimeBinDir } from './execution-provider.js';
export { DEFAULT_MAX_PIXELS, SharpPreprocessor, decodeImage, describeImage, fillChw, type DecodedImage, type ImageInput, type SharpPreprocessorOptions } from './sharp-preprocessor.js';
export { DEFAULT_MODEL, defaultModelDir, findModelFiles, loadDetector, type LoadDetectorOptions, type ModelFiles, type NodeDetector } from './load-detector.js';
export { IMAGE_EXTENSIONS, expandImageInputs, parseImageList, readImageList } from './image-files.js';
export { isTemplateImage, pairReferences, referencePathOf, type ReferenceSource } from './reference-pairs.js';
export { DetectionOutputs, RESULT_FORMATS, type DetectionOutputOptions, type ResultFormat } from './writers/detection-outputs.js';
export { disableOnnxRuntimeTelemetry } from './onnxruntime-telemetry.js';
export { detectionsSvg, writeAnnotatedImage } from './writers/annotate.js';
export { DeviceUnavailableError, ImageError, ImageListError, ModelLoadError, OnnxRuntimeMissingError } from './errors.js';
export { ONNXRUNTIME_INSTALL_HINT, onnxruntime } from './onnxruntime-binding.js';
// The vocabulary an app needs with this package, re-exported so `@defectkit/backend-node` is the one install.
export { DefectKitError, type Detection, type BoxXYXY, type ErrorCode } from '@defectkit/core';
export type { DetectionResult, DetectionOutcome, DetectionTimings, Detector, DetectOptions, DetectAllOptions, DeviceRequest, ModelCard, ModelSpec } from '@defectkit/detector';
export { pcbDefectsModelDir } from '@defectkit/model-pcb-defects';
