export { OnnxWebBackend, type OnnxWebBackendOptions } from './onnx-web-backend.js';
export { ONNXRUNTIME_WEB_FILES, configureOnnxRuntimeWeb, defaultWasmThreads, onnxRuntimeWebSetup, type OnnxRuntimeWebOptions, type OnnxRuntimeWebSetup } from './onnxruntime-web-setup.js';
export { webGpuMissingReason } from './webgpu-probe.js';
export { BrowserPreprocessor, DEFAULT_MAX_PIXELS, type BrowserPreprocessorOptions } from './browser-preprocessor.js';
export { decodeWebImage, describeWebImage, type RgbaImage, type WebImageInput } from './web-image.js';
export { rgbaToChannels } from './pixel-channels.js';
export { resizeLinear } from './pixel-resize.js';
export { loadWebDetector, type LoadWebDetectorOptions, type LoadedWebDetector, type WebDetector, type WebModelSource } from './load-web-detector.js';
export { WebDeviceError, WebImageError, WebModelError } from './errors.js';
// The vocabulary an app needs with this package, re-exported so `@defectkit/backend-web` is the one install.
export { DefectKitError, type Detection, type ErrorCode } from '@defectkit/core';
export type { DetectionResult, DetectionOutcome, DetectionTimings, Detector, DetectOptions, DeviceRequest, ModelCard, ModelSpec } from '@defectkit/detector';
