export type { Backend, BackendFactory, BackendInfo, BackendLoadOptions, BackendValueInfo, DeviceRequest } from './backend.js';
export { elementCount, toFloat32, type Tensor, type TensorType } from './tensor.js';
export { BackendError, ModelCardError, ModelSpecError } from './errors.js';
export {
  MODEL_CARD_FORMAT,
  MODEL_CARD_FORMATS,
  OUTPUT_LAYOUTS,
  parseModelCard,
  parseModelCardText,
  type ModelCard,
  type ModelInputSpec,
  type ModelThresholds,
  type OutputLayout,
} from './model-card.js';
export { checkOutputDims, checkSpecAgainstModel, resolveModelSpec, type ModelSpec, type ModelSpecOverrides, type SpecMetadata } from './model-spec.js';
export type { ImagePreprocessor, LetterboxPlacement, PreparedImage } from './image-preprocessor.js';
export { fillChw } from './chw-fill.js';
export type { DetectionOutcome, DetectionResult, DetectionTimings } from './detection-result.js';
export { ProgressEmitter, type DetectorEvents, type DetectorListener } from './progress.js';
export type { Detector, DetectAllOptions, DetectOptions, DetectionThresholds } from './detector-contract.js';
export { createDetector, type CoreOutcome, type DetectorCore } from './create-detector.js';
export { LocalDetector } from './local-detector.js';
