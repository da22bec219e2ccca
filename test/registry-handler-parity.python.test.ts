import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadDetector, OnnxNodeBackend, SharpPreprocessor } from '@defectkit/backend-node';
import { parseModelCardText } from '@defectkit/detector';
import { emitRegistryPackage, readHandlerSource } from '@defectkit/notebooks';
import { fixtureModelFolder, untrainedDetectorFolder } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { deeppcbDir, repoRoot, systemPython } from './support/paths.js';

const run = promisify(execFile);
const images = ['00041000_test.jpg', '00041001_test.jpg', '00041002_test.jpg'].map((name) => join(deeppcbDir, 'PCBData', 'group00041', '00041', name));

// Phase "prepare": predict.py decodes and letterboxes each image and dumps the network input.
// Phase "detect": predict.py runs detect() with a session that checks it gets the same input again and
// answers with the output onnxruntime-node computed for that input, so only onnxruntime is substituted.
const harness = String.raw`
import importlib.util, json, sys
import numpy as np
spec = importlib.util.spec_from_file_location("predict", sys.argv[1])
predict = importlib.util.module_from_spec(spec); spec.loader.exec_module(predict)
phase, work, images = sys.argv[2], sys.argv[3], sys.argv[4:]
card = json.load(open(f"{work}/model/model.json"))
if phase == "prepare":
    handler = predict.Handler(card)
    for i, path in enumerate(images):
        tensor, placement, _, _ = handler.prepare(open(path, "rb").read())
        tensor.astype("<f4").tofile(f"{work}/input{i}.bin")
        json.dump({"dims": list(tensor.shape), "placement": list(placement)}, open(f"{work}/input{i}.json", "w"))
else:
    class Session:
        def __init__(self): self.i = 0
        def run(self, names, feeds):
            x = next(iter(feeds.values()))
            expected = np.fromfile(f"{work}/input{self.i}.bin", dtype="<f4").reshape(x.shape)
            assert np.array_equal(x, expected), "detect() fed a different tensor than prepare"
            meta = json.load(open(f"{work}/output{self.i}.json"))
            self.i += 1
            return [np.fromfile(f"{work}/output{self.i - 1}.bin", dtype="<f4").reshape(meta["dims"])]
    print(json.dumps(predict.Handler(card, session=Session()).predict_rows([open(p, "rb").read() for p in images])))
`;

/** Runs predict.py on `images` for a model folder and compares with the TypeScript detector. */
async function checkParity(modelDir: string): Promise<{ detections: number; maxInputDiff: number; meanInputDiff: number }> {
  const card = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as Record<string, unknown>;
  const work = await mkdtemp(join(tmpdir(), 'defectkit-parity-'));
  for (const file of emitRegistryPackage(card, await readHandlerSource())) {
    await mkdir(dirname(join(work, file.path)), { recursive: true });
    await writeFile(join(work, file.path), file.content);
  }
  await writeFile(join(work, 'harness.py'), harness);
  const predictPy = join(work, 'functions', 'predict.py');
  await run(systemPython, [join(work, 'harness.py'), predictPy, 'prepare', work, ...images]);

  const backend = new OnnxNodeBackend();
  const info = await backend.load(join(modelDir, 'model.onnx'), { device: 'cpu' });
  const inputSpec = parseModelCardText(JSON.stringify(card), 'model.json').input;
  const sharp = new SharpPreprocessor();
  let maxInputDiff = 0;
  let sumInputDiff = 0;
  let inputValues = 0;
  for (let i = 0; i < images.length; i++) {
    const raw = await readFile(join(work, `input${i}.bin`));
    const data = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const { dims } = JSON.parse(await readFile(join(work, `input${i}.json`), 'utf8')) as { dims: number[] };
    // How far Pillow's decode + letterbox is from sharp's, for the record.
    const prepared = await sharp.prepare(images[i]!, inputSpec);
    expect(prepared.data.length).toBe(data.length);
    for (let k = 0; k < data.length; k++) {
      const diff = Math.abs(data[k]! - prepared.data[k]!);
      maxInputDiff = Math.max(maxInputDiff, diff);
      sumInputDiff += diff;
    }
    inputValues += data.length;
    const outputs = await backend.run({ [info.inputs[0]!.name]: { type: 'float32', data, dims } });
    const output = outputs[info.outputs[0]!.name]!;
    const values = output.data as Float32Array;
    await writeFile(join(work, `output${i}.bin`), Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    await writeFile(join(work, `output${i}.json`), JSON.stringify({ dims: output.dims }));
  }
  await backend.dispose();

  const { stdout } = await run(systemPython, [join(work, 'harness.py'), predictPy, 'detect', work, ...images], { maxBuffer: 64 << 20 });
  const python = JSON.parse(stdout) as Array<{ DETECTIONS: Array<Record<string, number | string>>; WIDTH: number; HEIGHT: number }>;
  const detector = await loadDetector(modelDir);
  let detections = 0;
  try {
    for (const [i, image] of images.entries()) {
      const expected = await detector.detect(image);
      const got = python[i]!;
      expect([got.WIDTH, got.HEIGHT]).toEqual([expected.width, expected.height]);
      expect(got.DETECTIONS.length, image).toBe(expected.detections.length);
      got.DETECTIONS.forEach((d, k) => {
        const e = expected.detections[k]!;
        for (const key of ['x1', 'y1', 'x2', 'y2', 'score'] as const) expect(Math.abs((d[key] as number) - e[key]), `${image} #${k} ${key}`).toBeLessThanOrEqual(1e-4);
        expect([d.class_id, d.label]).toEqual([e.classId, e.label]);
      });
      detections += got.DETECTIONS.length;
    }
  } finally {
    await detector.dispose();
  }
  return { detections, maxInputDiff, meanInputDiff: sumInputDiff / inputValues };
}

describe("the emitted functions/predict.py against the TypeScript detector (Debian's python3 + numpy + Pillow)", () => {
  it('gives the same detections on DeepPCB images with the synthetic Ultralytics fixture model', async () => {
    const { detections, maxInputDiff, meanInputDiff } = await checkParity(await fixtureModelFolder());
    // For the record (640 -> 320 shrink): Pillow and sharp resize differently, by a few grey levels.
    console.log(`fixture model: ${detections} detections; |Pillow input - sharp input| max ${maxInputDiff * 255} mean ${meanInputDiff * 255} grey levels`);
    expect(detections).toBeGreaterThan(0);
  }, 120_000);

  it('gives the same detections with an untrained single-channel 640 model whose output depends on the image', async () => {
    const { detections, maxInputDiff, meanInputDiff } = await checkParity(await untrainedDetectorFolder(systemPython));
    console.log(`untrained model: ${detections} detections; |Pillow input - sharp input| max ${maxInputDiff * 255} mean ${meanInputDiff * 255} grey levels`);
    expect(detections).toBeGreaterThan(100);
    // 640x640 DeepPCB images need no resize: the decoded pixels agree exactly, only x*scale vs x/255 rounding differs.
    expect(maxInputDiff).toBeLessThan(1e-6);
  }, 120_000);

  it('gives the same detections with the shipped models/pcb-defects', async () => {
    const { detections, maxInputDiff } = await checkParity(join(repoRoot, 'models', 'pcb-defects'));
    console.log(`shipped model: ${detections} detections compared`);
    expect(detections).toBeGreaterThan(0);
    expect(maxInputDiff).toBeLessThan(1e-6);
  }, 120_000);
});
