export { OnnxNodeBackend } from './onnx-node-backend.js';
export { CUDA_INSTALL_HINT, cudaMissingReason, onnxruntimeBinDir } from './execution-provider.js';
export { DEFAULT_MAX_PIXELS, SharpPreprocessor, decodeImage, describeImage, fillChw, type DecodedImage, type ImageInput, type SharpPreprocessorOptions } from './sharp-preprocessor.js';
export { DEFAULT_MODEL, defaultModelDir, findModelFiles, loadDetector, type LoadDetectorOptions, type ModelFiles, type NodeDetector } from './load-detector.js';
export { writeFileAtomic } from './atomic-write.js';
export { IMAGE_EXTENSIONS, expandImageInputs } from './image-files.js';
export {
  deepPcbResultName,
  formatCocoResults,
  formatDeepPcbTxt,
  formatJson,
  formatYoloTxt,
  imageStem,
  toJsonRecord,
  type CocoResult,
  type CocoResultOptions,
  type ImageDetections,
} from './writers/result-formats.js';
export { detectionsSvg, writeAnnotatedImage } from './writers/annotate.js';
export { DeviceUnavailableError, ImageError, ModelLoadError, OutputError } from './errors.js';
