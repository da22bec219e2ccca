import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SnowflakeSqlError } from './errors.js';
import type { Predictor } from './predictor.js';

interface LoadedDetector {
  detect(image: Uint8Array): Promise<{ detections: object[]; width: number; height: number }>;
  dispose(): Promise<void>;
}

/**
 * The default model runner: loads `model/model.onnx` (+ `model/model.json`) of a version with
 * DefectKit's own detector (onnxruntime-node) and answers one object per row:
 * `{ detections: [{x1,y1,x2,y2,score,classId,label}…], width, height }`. The first BINARY argument is
 * the encoded image. `@defectkit/backend-node` is imported on first use, so the server starts without it.
 */
export function createDetectorPredictor(): { predictor: Predictor; dispose(): Promise<void> } {
  const loaded = new Map<string, Promise<LoadedDetector>>();
  const load = (dir: string): Promise<LoadedDetector> => {
    let p = loaded.get(dir);
    if (!p) {
      const modelDir = join(dir, 'model');
      if (!existsSync(join(modelDir, 'model.onnx'))) {
        return Promise.reject(new SnowflakeSqlError('100357', '22000', 'Model version has no model/model.onnx to run.', { file: join(modelDir, 'model.onnx') }));
      }
      p = import('@defectkit/backend-node').then((m) => m.loadDetector(modelDir) as Promise<unknown> as Promise<LoadedDetector>);
      loaded.set(dir, p);
      p.catch(() => loaded.delete(dir));
    }
    return p;
  };
  const predictor: Predictor = async ({ dir, method, inputs, rows }) => {
    const imageAt = inputs.findIndex((i) => i.type === 'BINARY');
    if (imageAt < 0) throw new SnowflakeSqlError('100357', '22000', `${method} has no BINARY input for the image.`, { method });
    const detector = await load(dir);
    const out: (Record<string, unknown> | null)[] = [];
    for (const [r, args] of rows.entries()) {
      const image = args[imageAt];
      if (image === null || image === undefined) {
        out.push(null);
        continue;
      }
      if (!(image instanceof Uint8Array)) {
        throw new SnowflakeSqlError('100357', '22000', `${method}: row ${r + 1}: argument ${inputs[imageAt]!.name} must be BINARY.`, { method, row: r + 1 });
      }
      try {
        const result = await detector.detect(image);
        out.push({ detections: result.detections, width: result.width, height: result.height });
      } catch (cause) {
        throw new SnowflakeSqlError('100357', '22000', `${method}: row ${r + 1}: ${(cause as Error).message}`, { method, row: r + 1 }, { cause });
      }
    }
    return out;
  };
  return {
    predictor,
    async dispose() {
      for (const p of loaded.values()) await p.then((d) => d.dispose(), () => undefined);
      loaded.clear();
    },
  };
}
