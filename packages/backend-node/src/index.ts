export { OnnxNodeBackend } from './onnx-node-backend.js';
export { CUDA_INSTALL_HINT, cudaMissingReason, onnxruntimeBinDir } from './execution-provider.js';
export { DEFAULT_MAX_PIXELS, SharpPreprocessor, decodeImage, describeImage, fillChw, type DecodedImage, type ImageInput, type SharpPreprocessorOptions } from './sharp-preprocessor.js';
export { DEFAULT_MODEL, defaultModelDir, findModelFiles, loadDetector, type LoadDetectorOptions, type ModelFiles, type NodeDetector } from './load-detector.js';
export { IMAGE_EXTENSIONS, expandImageInputs, parseImageList, readImageList } from './image-files.js';
export { DetectionOutputs, RESULT_FORMATS, type DetectionOutputOptions, type ResultFormat } from './writers/detection-outputs.js';
export { disableOnnxRuntimeTelemetry } from './onnxruntime-telemetry.js';
export { detectionsSvg, writeAnnotatedImage } from './writers/annotate.js';
export { DeviceUnavailableError, ImageError, ImageListError, ModelLoadError } from './errors.js';
