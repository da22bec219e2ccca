export type { Backend, BackendFactory, BackendInfo, BackendLoadOptions, BackendRunOptions, BackendValueInfo, DeviceRequest } from './backend.js';
export { elementCount, toFloat32, type Tensor, type TensorType } from './tensor.js';
export { ortBackendInfo, ortValueInfo, runOrtSession, tensorFromOrt, type OrtLoadPlace, type OrtSessionLike, type OrtTensorLike, type OrtValueMetadata } from './onnxruntime-session.js';
export { BackendError, ImageReferenceError, ModelCardError, ModelSpecError } from './errors.js';
export {
  MODEL_CARD_FORMAT,
  MODEL_CARD_FORMAT_V2,
  MODEL_CARD_FORMATS,
  OUTPUT_LAYOUTS,
  parseModelCard,
  parseModelCardText,
  type ModelCard,
  type ModelCardFormat,
  type VerdictThresholds,
  type ModelInputSpec,
  type ModelThresholds,
  type OutputLayout,
} from './model-card.js';
export { checkOutputDims, checkSpecAgainstModel, resolveModelSpec, tensorChannels, type ModelSpec, type ModelSpecOverrides, type SpecMetadata } from './model-spec.js';
export type { ImagePreprocessor, LetterboxPlacement, PreparedImage } from './image-preprocessor.js';
export { fillChw } from './chw-fill.js';
export type { DetectionOutcome, DetectionResult, DetectionTimings } from './detection-result.js';
export { ProgressEmitter, type DetectorEvents, type DetectorListener } from './progress.js';
export { isImagePair, type Detector, type DetectAllOptions, type DetectOptions, type DetectionThresholds, type DetectorInput, type ImagePair, type TileOptions } from './detector-contract.js';
export { estimateShift, shiftReference, type ImageShift, type ShiftEstimateOptions } from './phase-correlation.js';
export type { Verdict, VerdictRule } from '@defectkit/postprocess';
export { createDetector, type CoreOutcome, type CoreResult, type DetectorCore } from './create-detector.js';
export { LocalDetector, type LocalDetectorOptions } from './local-detector.js';
export { detectorFromBackend, type DetectorFromBackendOptions } from './detector-from-backend.js';
