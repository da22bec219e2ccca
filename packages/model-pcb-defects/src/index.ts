import { fileURLToPath } from 'node:url';

/**
 * The folder of the shipped PCB model: `model.onnx` and its `model.json` card (six DeepPCB classes, 640x640, one
 * channel). Pass it to `loadDetector` or `defectkit detect --model`; both use it when no model is given.
 */
// src/ and dist/ both sit one level below the package root, so the same relative URL works from either.
export const pcbDefectsModelDir: string = fileURLToPath(new URL('../model', import.meta.url));
