import type { LoadDetectorOptions, NodeDetector } from '@defectkit/backend-node';
import type { VersionDetectorOptions } from './registry-types.js';

/** Loads the local onnxruntime-node Detector from a model folder (`model.onnx` + `model.json`). */
export async function loadDetectorFromFolder(dir: string, options: VersionDetectorOptions): Promise<NodeDetector> {
  // Imported on use: listing or exporting models must not load onnxruntime and sharp.
  const { loadDetector } = await import('@defectkit/backend-node');
  return loadDetector(dir, options as LoadDetectorOptions);
}
