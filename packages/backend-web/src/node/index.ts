export { onnxRuntimeWebDistDir, onnxRuntimeWebFile } from './onnxruntime-web-files.js';
