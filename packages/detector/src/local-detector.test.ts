import { DefectKitError } from '@defectkit/core';
import { describe, expect, it } from 'vitest';
import type { Backend, BackendInfo, BackendRunOptions } from './backend.js';
import { LocalDetector } from './local-detector.js';
import type { ImagePreprocessor, PreparedImage } from './image-preprocessor.js';
import { resolveModelSpec } from './model-spec.js';
import type { Tensor } from './tensor.js';

// A fake backend: an end-to-end [B, 300, 6] output with one box per image whose score is the image's
// first pixel, so each image's result is traceable through batching. Inputs handed over are detached after reading,
// as a worker thread's transfer leaves them, so every test here also shows the detector never reads them again.
class FakeBackend implements Backend {
  runs: number[][] = [];
  handedOver = 0;
  info: BackendInfo | undefined = {
    backend: 'fake',
    requestedDevice: 'cpu',
    provider: 'cpu',
    inputs: [{ name: 'images', type: 'float32', shape: ['batch', 1, 32, 32] }],
    outputs: [{ name: 'output0', type: 'float32', shape: ['batch', 300, 6] }],
    metadata: {},
  };
  async load(): Promise<BackendInfo> {
    return this.info!;
  }
  async run(inputs: Readonly<Record<string, Tensor>>, options: BackendRunOptions = {}): Promise<Record<string, Tensor>> {
    const input = inputs.images!;
    const n = input.dims[0]!;
    this.runs.push([...input.dims]);
    const data = new Float32Array(n * 300 * 6);
    for (let b = 0; b < n; b++) data.set([4, 8, 20, 24, input.data[b * 32 * 32]! as number, 1], b * 300 * 6);
    if (options.handOver) {
      this.handedOver++;
      structuredClone(input.data.buffer, { transfer: [input.data.buffer as ArrayBuffer] });
    }
    return { output0: { type: 'float32', data, dims: [n, 300, 6] } };
  }
  async dispose(): Promise<void> {
    this.info = undefined;
  }
}

/** Images are numbers: the value fills the image; a negative value fails to decode. */
const preprocessor: ImagePreprocessor<number> = {
  describe: (image) => `image-${image}`,
  async prepare(image): Promise<PreparedImage> {
    if (image < 0) throw new DefectKitError('IMAGE_DECODE', `image-${image}: corrupt`, { file: `image-${image}` });
    // A 64x64 original letterboxed into 32x32: gain 0.5, no padding.
    return { data: new Float32Array(32 * 32).fill(image), dims: [1, 32, 32], width: 64, height: 64, placement: { gain: 0.5, padLeft: 0, padTop: 0 }, timings: { decode: 1, preprocess: 2 } };
  },
};

function make(): { detector: LocalDetector<number>; backend: FakeBackend } {
  const backend = new FakeBackend();
  const spec = resolveModelSpec({ info: backend.info!, overrides: { classes: ['a', 'b'], input: { channels: 1, width: 32, height: 32 } } });
  return { detector: new LocalDetector(backend, preprocessor, spec, { conf: 0.3 }), backend };
}

/**
 * A fake backend whose runs are held until `releaseRuns` lets them go, one at a time: the most runs in flight does not
 * depend on timing. `concurrentRuns` is what its info declares.
 */
function heldBackend(concurrentRuns: number | undefined): { backend: FakeBackend; maxInFlight: () => number; releaseRuns: (count: number) => Promise<void> } {
  let inFlight = 0;
  let most = 0;
  const release: (() => void)[] = [];
  const backend = new FakeBackend();
  if (concurrentRuns) backend.info!.concurrentRuns = concurrentRuns;
  const run = backend.run.bind(backend);
  backend.run = async (inputs) => {
    most = Math.max(most, ++inFlight);
    await new Promise<void>((resolve) => release.push(resolve));
    inFlight--;
    return run(inputs);
  };
  const releaseRuns = async (count: number): Promise<void> => {
    // Let every run that can start, start; then release them one by one.
    for (let settled = 0; settled < count; ) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = release.shift();
      if (next) (next(), settled++);
    }
  };
  return { backend, maxInFlight: () => most, releaseRuns };
}

describe('LocalDetector', () => {
  it('maps boxes back to original pixels, labels them and reports timings', async () => {
    const { detector, backend } = make();
    const result = await detector.detect(0.9);
    expect(backend.handedOver).toBe(1); // its own tensor: the backend may take it instead of copying
    expect(result.detections).toHaveLength(1);
    expect(result.detections[0]).toMatchObject({ x1: 8, y1: 16, x2: 40, y2: 48, classId: 1, label: 'b' });
    expect(result.detections[0]!.score).toBeCloseTo(0.9, 6);
    expect(result.timings).toMatchObject({ decode: 1, preprocess: 2 });
    expect((await detector.detect(0.2)).detections).toEqual([]); // below conf 0.3
  });

  it('detectBatch: one run for the good images, failures reported in place, events in order', async () => {
    const { detector, backend } = make();
    const events: string[] = [];
    detector.on('start', (e) => events.push(`start ${e.total}`));
    const off = detector.on('image', (e) => events.push(`${e.image} ${e.error?.code ?? e.result!.detections[0]!.score.toFixed(1)}`));
    detector.on('done', (e) => events.push(`done ${e.images}/${e.failed}`));
    const outcomes = await detector.detectBatch([0.5, -1, 0.7]);
    expect(backend.runs).toEqual([[2, 1, 32, 32]]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(events).toEqual(['start 3', 'image-0.5 0.5', 'image--1 IMAGE_DECODE', 'image-0.7 0.7', 'done 3/1']);
    off();
    await detector.detectBatch([0.4]);
    expect(events.filter((e) => e.startsWith('image-0.4'))).toEqual([]);
  });

  it('detectAll yields in input order from sync and async sources', async () => {
    const { detector, backend } = make();
    const inputs = [0.4, 0.5, -2, 0.6, 0.7, 0.8];
    async function* source(): AsyncGenerator<number> {
      yield* inputs;
    }
    for (const images of [inputs, source()]) {
      const seen: number[] = [];
      for await (const o of detector.detectAll(images, { concurrency: 3, batchSize: 2 })) seen.push(o.input);
      expect(seen).toEqual(inputs);
    }
    expect(backend.runs.every((dims) => dims[0]! <= 2)).toBe(true);
  });

  it('wraps a backend failure as a typed error naming the image', async () => {
    const { detector, backend } = make();
    backend.run = async () => {
      throw new Error('boom');
    };
    await expect(detector.detect(0.5)).rejects.toMatchObject({ code: 'DETECTION_FAILED', details: { file: 'image-0.5' } });
  });

  it('reads torchvision-rcnn outputs (1-based labels, boxes in image pixels) for a graph fed at image size', async () => {
    const runs: number[][] = [];
    const backend: Backend = {
      info: {
        backend: 'fake',
        requestedDevice: 'cpu',
        provider: 'cpu',
        inputs: [{ name: 'images', type: 'float32', shape: [3, 'height', 'width'] }],
        outputs: [
          { name: 'boxes', type: 'float32', shape: ['n', 4] },
          { name: 'labels', type: 'int64', shape: ['n'] },
          { name: 'scores', type: 'float32', shape: ['n'] },
        ],
        metadata: {},
      },
      load: async () => backend.info!,
      dispose: async () => undefined,
      run: async (inputs) => {
        runs.push([...inputs.images!.dims]);
        return {
          boxes: { type: 'float32', data: Float32Array.of(1, 2, 30, 40, 5, 5, 90, 70, 0, 0, 3, 3), dims: [3, 4] },
          labels: { type: 'int64', data: BigInt64Array.of(2n, 1n, 3n), dims: [3] },
          scores: { type: 'float32', data: Float32Array.of(0.9, 0.6, 0.1), dims: [3] },
        };
      },
    };
    const spec = resolveModelSpec({
      info: backend.info!,
      overrides: { classes: ['open', 'short', 'spur'], layout: 'torchvision-rcnn', input: { channels: 3, width: 1, height: 1, resize: 'none', batchAxis: false } },
    });
    const images: ImagePreprocessor<number> = {
      describe: () => 'board',
      prepare: async () => ({ data: new Float32Array(3 * 60 * 80), dims: [3, 60, 80], width: 80, height: 60, placement: null, timings: { decode: 0, preprocess: 0 } }),
    };
    const detector = new LocalDetector(backend, images, spec, { conf: 0.5 });
    const outcomes = await detector.detectBatch([1, 2]);
    expect(runs).toEqual([[3, 60, 80], [3, 60, 80]]);
    const result = outcomes[0]!.ok ? outcomes[0]!.result : undefined;
    expect(result?.detections.map((d) => [d.label, d.x1, d.y1, d.x2, d.y2])).toEqual([
      ['short', 1, 2, 30, 40],
      ['open', 5, 5, 80, 60], // clipped to the 80x60 image
    ]);
  });

  it('runs the model one call at a time while the next images are prepared (detectAll pipelining)', async () => {
    const events: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const backend = new FakeBackend();
    const run = backend.run.bind(backend);
    backend.run = async (inputs) => {
      const id = inputs.images!.data[0];
      events.push(`run ${id}`);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      events.push(`ran ${id}`);
      return run(inputs);
    };
    const traced: ImagePreprocessor<number> = { describe: preprocessor.describe, prepare: async (image, input) => (events.push(`prepare ${image}`), preprocessor.prepare(image, input)) };
    const spec = resolveModelSpec({ info: backend.info!, overrides: { classes: ['a', 'b'], input: { channels: 1, width: 32, height: 32 } } });
    const detector = new LocalDetector(backend, traced, spec, { conf: 0.3 });
    const scores: number[] = [];
    for await (const o of detector.detectAll([0.4, 0.5, 0.6, 0.7], { concurrency: 3 })) scores.push(o.ok ? o.result.detections[0]!.score : -1);
    expect(scores.map((v) => Math.round(v * 10) / 10)).toEqual([0.4, 0.5, 0.6, 0.7]);
    expect(maxInFlight).toBe(1);
    // The second and third images were prepared before the first run ended.
    expect(events.indexOf('prepare 0.5')).toBeLessThan(events.indexOf('ran 0.4000000059604645'));
    expect(events.indexOf('prepare 0.6')).toBeLessThan(events.indexOf('ran 0.4000000059604645'));
    expect(events.filter((e) => e.startsWith('run ')).map((e) => Math.round(Number(e.slice(4)) * 10) / 10)).toEqual([0.4, 0.5, 0.6, 0.7]);
  });

  it('keeps as many runs in flight as the backend declares (info.concurrentRuns), never more', async () => {
    for (const declared of [undefined, 2, 3]) {
      const { backend, maxInFlight, releaseRuns } = heldBackend(declared);
      const spec = resolveModelSpec({ info: backend.info!, overrides: { classes: ['a', 'b'], input: { channels: 1, width: 32, height: 32 } } });
      const detector = new LocalDetector(backend, preprocessor, spec, { conf: 0.3 });
      const done = (async () => {
        const scores: number[] = [];
        for await (const o of detector.detectAll([0.4, 0.5, 0.6, 0.7, 0.8], { concurrency: 4 })) scores.push(o.ok ? Math.round(o.result.detections[0]!.score * 10) / 10 : -1);
        return scores;
      })();
      await releaseRuns(5);
      expect(await done).toEqual([0.4, 0.5, 0.6, 0.7, 0.8]);
      expect(maxInFlight()).toBe(Math.min(declared ?? 1, 4));
    }
  });

  it('runs the tile groups of one large image side by side when the backend serves more runs, with the same merged result', async () => {
    // A 64x64 image cut into four 32x32 tiles, one per run; each tile's box is the fake backend's box moved to the tile.
    const whole: ImagePreprocessor<number> = {
      describe: preprocessor.describe,
      async prepare(image, input) {
        if (input.resize !== 'none') return preprocessor.prepare(image, input);
        return { data: new Float32Array(64 * 64).fill(image), dims: [1, 64, 64], width: 64, height: 64, placement: null, timings: { decode: 0, preprocess: 0 } };
      },
    };
    const merged: unknown[] = [];
    for (const declared of [undefined, 2]) {
      const { backend, maxInFlight, releaseRuns } = heldBackend(declared);
      const spec = resolveModelSpec({ info: backend.info!, overrides: { classes: ['a', 'b'], input: { channels: 1, width: 32, height: 32 } } });
      const detector = new LocalDetector(backend, whole, spec, { conf: 0.3 });
      const done = detector.detect(0.8, { tile: { size: 32, overlap: 0, batch: 1 } });
      await releaseRuns(4);
      const result = await done;
      expect(maxInFlight()).toBe(declared ?? 1);
      expect(result.detections).toHaveLength(4);
      merged.push(result.detections);
    }
    expect(merged[1]).toEqual(merged[0]);
  });

  it('stacks the reference planes after the image planes for a reference model; different sizes are REFERENCE_SIZE', async () => {
    const backend = new FakeBackend();
    backend.info!.inputs = [{ name: 'images', type: 'float32', shape: ['batch', 2, 32, 32] }];
    const seen: number[][] = [];
    const run = backend.run.bind(backend);
    backend.run = async (inputs) => {
      const d = inputs.images!.data as Float32Array;
      seen.push([...inputs.images!.dims, d[0]!, d[32 * 32]!]);
      return run(inputs);
    };
    const sized: ImagePreprocessor<number> = {
      describe: preprocessor.describe,
      prepare: async (image, input) => ({ ...(await preprocessor.prepare(image, input)), ...(image === 9 ? { width: 50 } : {}) }),
    };
    const spec = resolveModelSpec({ info: backend.info!, overrides: { classes: ['a', 'b'], input: { channels: 1, width: 32, height: 32, reference: 'stacked' } } });
    const detector = new LocalDetector(backend, sized, spec, { conf: 0.3 });
    await detector.detect({ image: 0.8, reference: 0.2 });
    expect(seen).toEqual([[1, 2, 32, 32, Math.fround(0.8), Math.fround(0.2)]]);
    await expect(detector.detect({ image: 0.8, reference: 9 })).rejects.toMatchObject({ code: 'REFERENCE_SIZE', details: { file: 'image-0.8', reference: 'image-9' } });
    await expect(detector.detect(0.8)).rejects.toMatchObject({ code: 'REFERENCE_MISSING' });
  });
});
