import { describe, expect, it } from 'vitest';
import type { Backend, BackendInfo } from './backend.js';
import { LocalDetector } from './local-detector.js';
import type { ImagePreprocessor, PreparedImage } from './image-preprocessor.js';
import { resolveModelSpec } from './model-spec.js';
import type { Tensor } from './tensor.js';

const CLASSES = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'];

// A classifier graph ending in a softmax: class c gets weight exp(-(c - 10 * v)^2 / 4) for an image filled with v,
// normalised, so each image's best class is traceable through batching and the output rows are probabilities.
class SoftmaxBackend implements Backend {
  runs: number[][] = [];
  info: BackendInfo | undefined = {
    backend: 'fake-classifier',
    requestedDevice: 'cpu',
    provider: 'cpu',
    inputs: [{ name: 'images', type: 'float32', shape: ['batch', 1, 8, 8] }],
    outputs: [{ name: 'probs', type: 'float32', shape: ['batch', CLASSES.length] }],
    metadata: {},
  };
  async load(): Promise<BackendInfo> {
    return this.info!;
  }
  async run(inputs: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    const input = inputs.images!;
    const n = input.dims[0]!;
    this.runs.push([...input.dims]);
    const nc = CLASSES.length;
    const data = new Float32Array(n * nc);
    for (let b = 0; b < n; b++) {
      const v = input.data[b * 64]! as number;
      const weights = CLASSES.map((_, c) => Math.exp(-((c - 10 * v) ** 2) / 4));
      const sum = weights.reduce((a, w) => a + w, 0);
      weights.forEach((w, c) => (data[b * nc + c] = w / sum));
    }
    return { probs: { type: 'float32', data, dims: [n, nc] } };
  }
  async dispose(): Promise<void> {
    this.info = undefined;
  }
}

const preprocessor: ImagePreprocessor<number> = {
  describe: (image) => `image-${image}`,
  async prepare(image): Promise<PreparedImage> {
    return { data: new Float32Array(64).fill(image), dims: [1, 8, 8], width: 16, height: 12, placement: { gain: 0.5, padLeft: 0, padTop: 1 }, timings: { decode: 1, preprocess: 2 } };
  },
};

function make(): { detector: LocalDetector<number>; backend: SoftmaxBackend } {
  const backend = new SoftmaxBackend();
  const spec = resolveModelSpec({ info: backend.info!, overrides: { classes: CLASSES, layout: 'classifier', input: { channels: 1, width: 8, height: 8 } } });
  return { detector: new LocalDetector(backend, preprocessor, spec), backend };
}

describe('LocalDetector with a classifier card', () => {
  it('answers the top-5 classes, best first, the output taken as probabilities (as the Python handler does)', async () => {
    const { detector } = make();
    const result = await detector.detect(0.25); // centred between classes 2 and 3: ties go to the lower class id
    expect(result.detections).toEqual([]);
    expect([result.width, result.height, result.verdict]).toEqual([16, 12, 'pass']);
    expect(result.labels!.map((l) => l.label)).toEqual(['c2', 'c3', 'c1', 'c4', 'c0']);
    const weights = CLASSES.map((_, c) => Math.exp(-((c - 2.5) ** 2) / 4));
    const sum = weights.reduce((a, w) => a + w, 0);
    result.labels!.forEach((l) => {
      expect(l.classId).toBe(CLASSES.indexOf(l.label));
      expect(l.score).toBeCloseTo(weights[l.classId]! / sum, 6); // no second softmax over the probabilities
    });
    await detector.dispose();
  });

  it('a batch runs once and gives each image its own top-k', async () => {
    const { detector, backend } = make();
    const outcomes = await detector.detectBatch([0, 0.6]);
    expect(backend.runs).toEqual([[2, 1, 8, 8]]);
    const best = outcomes.map((o) => (o.ok ? o.result.labels![0]!.label : o.error.code));
    expect(best).toEqual(['c0', 'c6']);
    expect(outcomes[0]!.ok && outcomes[0]!.result.labels).toEqual((await detector.detect(0)).labels);
    await detector.dispose();
  });

  it('refuses tiling a classifier with INVALID_OPTION', async () => {
    const { detector } = make();
    await expect(detector.detect(0.1, { tile: { size: 8, overlap: 0.25 } })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await detector.dispose();
  });
});
