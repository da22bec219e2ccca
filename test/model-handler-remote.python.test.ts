// One model contract: each shipped model and an emitted classifier, logged to the local registry and to
// snowflake-local, answers the same on DeepPCB images locally (TypeScript detector, onnxruntime-node + sharp)
// and remotely (MODEL()!PREDICT running the logged Python handler in CPython 3.11 with onnxruntime + Pillow).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '@defectkit/core';
import { loadDetector, OnnxNodeBackend, SharpPreprocessor } from '@defectkit/backend-node';
import { parseModelCardText } from '@defectkit/detector';
import { decodeClassifier, type ClassScore } from '@defectkit/postprocess';
import { LocalRegistry, SnowflakeRegistry } from '@defectkit/registry';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { deeppcbDir, goldenDir, repoRoot } from './support/paths.js';
import { trainTinyClassifier } from './support/train-locally.js';
import { scratchFolder } from './support/scratch-folder.js';
import { startLocalSnowflake } from './support/snowflake-local.js';

const work = scratchFolder('defectkit-handler-remote-');
const images = ['00041000_test.jpg', '00041001_test.jpg', '00041002_test.jpg', '00041003_test.jpg'].map((name) => join(deeppcbDir, 'PCBData', 'group00041', '00041', name));
const TOLERANCE = 1e-3;

/** Same detections (count, order, class, label), boxes and scores within {@link TOLERANCE}. */
function expectSameDetections(got: readonly Detection[], expected: readonly Detection[], what: string): void {
  expect(got.length, what).toBe(expected.length);
  got.forEach((d, k) => {
    const e = expected[k]!;
    for (const key of ['x1', 'y1', 'x2', 'y2', 'score'] as const) expect(Math.abs(d[key] - e[key]), `${what} #${k} ${key}`).toBeLessThanOrEqual(TOLERANCE);
    expect([d.classId, d.label], `${what} #${k}`).toEqual([e.classId, e.label]);
  });
}

describe('one model contract: local registry vs snowflake-local running the logged Python handler', () => {
  let server: SnowflakeLocal;
  let home: string;
  let local: LocalRegistry;
  let remote: SnowflakeRegistry;

  beforeAll(async () => {
    ({ server, home } = await startLocalSnowflake({ database: 'DK', schema: 'HANDLER' }));
    local = new LocalRegistry({ dir: join(work, 'registry') });
    remote = await SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: home } });
  }, 120_000);

  afterAll(async () => {
    await remote?.close();
    await server?.close();
  });

  it.each([
    ['models/pcb-defects', 'PCB_DEFECTS'],
    ['models/pcb-defects-frcnn', 'PCB_FRCNN'],
  ])('%s: remote PREDICT gives the local detections within 1e-3', async (folder, name) => {
    const source = join(repoRoot, folder);
    const localDetector = await (await local.logModel(source, { name })).detector();
    const remoteVersion = await remote.logModel(source, { name });
    const remoteDetector = await remoteVersion.detector({ batchSize: 2 });
    let compared = 0;
    try {
      const remoteOutcomes = await remoteDetector.detectBatch(images);
      for (const [i, image] of images.entries()) {
        const expected = await localDetector.detect(image);
        const outcome = remoteOutcomes[i]!;
        expect(outcome.ok, outcome.ok ? '' : String(outcome.error)).toBe(true);
        if (!outcome.ok) continue;
        expect([outcome.result.width, outcome.result.height]).toEqual([expected.width, expected.height]);
        expectSameDetections(outcome.result.detections, expected.detections, `${folder} ${image}`);
        compared += expected.detections.length;
      }
    } finally {
      await localDetector.dispose();
      await remoteDetector.dispose();
    }
    expect(compared).toBeGreaterThan(10);

    // The warehouse answer is the handler's own OBJECT (class_id, as Python writes it), not a Node detector's.
    const [row] = await remote.session.execute(`SELECT MODEL(DK.HANDLER.${name}, V1)!PREDICT(TO_BINARY(?, 'BASE64')) AS R`, [readFileSync(images[0]!).toString('base64')]);
    const answer = (typeof row!.R === 'string' ? JSON.parse(row!.R) : row!.R) as { DETECTIONS: Array<Record<string, unknown>>; WIDTH: number; HEIGHT: number };
    expect(Object.keys(answer).sort()).toEqual(['DETECTIONS', 'HEIGHT', 'WIDTH']);
    expect(Object.keys(answer.DETECTIONS[0]!).sort()).toEqual(['class_id', 'label', 'score', 'x1', 'x2', 'y1', 'y2']);
    console.log(`${folder}: ${compared} detections on ${images.length} DeepPCB images agree within ${TOLERANCE}`);
  }, 300_000);

  it.each([
    ['synthetic_ultralytics_detect_bcn.onnx', 'ultralytics-bcn', 'YOLO_RAW'],
    ['synthetic_ultralytics_end2end.onnx', 'end2end-bn6', 'YOLO_E2E'],
  ])('Ultralytics export %s (%s): remote PREDICT gives the local detections within 1e-3', async (file, layout, name) => {
    // The golden synthetic Ultralytics exports (320x320 RGB), on DeepPCB boards rendered at 320x320 so that the
    // letterbox needs no resize (Pillow and sharp resample differently; that is checked in registry-handler-parity).
    const source = join(work, name);
    mkdirSync(source);
    copyFileSync(join(goldenDir, 'fixtures', file), join(source, 'model.onnx'));
    const card = {
      format: 'defectkit.model-card/v1', name: name.toLowerCase(), task: 'detect', classes: ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'],
      input: { name: 'images', width: 320, height: 320, channels: 3, resize: 'letterbox', batchAxis: true, stride: 32, padValue: 114, scale: 1 / 255, mean: null, std: null },
      output: { layout }, thresholds: { conf: 0.25, iou: 0.7, maxDet: 300 },
    };
    writeFileSync(join(source, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
    const boards: string[] = [];
    for (const [i, image] of images.entries()) {
      boards.push(join(source, `board${i}.png`));
      await sharp(image).resize(320, 320).png().toFile(boards[i]!);
    }
    const localDetector = await (await local.logModel(source, { name })).detector();
    const remoteDetector = await (await remote.logModel(source, { name })).detector();
    let compared = 0;
    try {
      for (const board of boards) {
        const expected = await localDetector.detect(board);
        const got = await remoteDetector.detect(board);
        expect([got.width, got.height]).toEqual([expected.width, expected.height]);
        expectSameDetections(got.detections, expected.detections, `${file} ${board}`);
        compared += expected.detections.length;
      }
    } finally {
      await localDetector.dispose();
      await remoteDetector.dispose();
    }
    expect(compared).toBeGreaterThan(0);
  }, 300_000);

  it('CREATE OR REPLACE MODEL with the same version name serves the new package, not the worker of the old one', async () => {
    const image = readFileSync(images[0]!).toString('base64');
    const predict = async (): Promise<number[]> => {
      const [row] = await remote.session.execute(`SELECT MODEL(DK.HANDLER.SWAP, V1)!PREDICT(TO_BINARY(?, 'BASE64')) AS R`, [image]);
      return ((typeof row!.R === 'string' ? JSON.parse(row!.R) : row!.R) as { DETECTIONS: Array<{ x1: number }> }).DETECTIONS.map((d) => d.x1);
    };
    await remote.logModel(join(repoRoot, 'models', 'pcb-defects'), { name: 'SWAP' });
    const frcnn = await remote.logModel(join(repoRoot, 'models', 'pcb-defects-frcnn'), { name: 'SWAP_SOURCE' });
    const yolo = await predict();
    const [row] = await remote.session.execute(`SHOW VERSIONS LIKE '${frcnn.name}' IN MODEL DK.HANDLER.SWAP_SOURCE`);
    const pkg = (JSON.parse(String(row!.metadata)) as { defectkit: { package: string } }).defectkit.package;
    await remote.session.execute(`CREATE OR REPLACE MODEL DK.HANDLER.SWAP WITH VERSION V1 FROM ${pkg}`);
    const detector = await loadDetector(join(repoRoot, 'models', 'pcb-defects-frcnn'));
    const expected = (await detector.detect(images[0]!)).detections.map((d) => d.x1);
    await detector.dispose();
    expect(Math.abs(expected[0]! - yolo[0]!)).toBeGreaterThan(1); // the two models disagree on this image, so the check can fail
    const swapped = await predict();
    expect(swapped).toHaveLength(expected.length);
    swapped.forEach((x1, k) => expect(Math.abs(x1 - expected[k]!)).toBeLessThanOrEqual(TOLERANCE));
  }, 300_000);

  it('an emitted classifier (one epoch): remote PREDICT answers the local top-k LABELS within 1e-3', async () => {
    const source = await trainTinyClassifier(work);
    const card = parseModelCardText(readFileSync(join(source, 'model.json'), 'utf8'), 'model.json');
    expect(card.output.layout).toBe('classifier');
    const localVersion = await local.logModel(source, { name: 'BOARD_CLS' });
    const exported = join(work, 'cls-export');
    await (await (await local.model('BOARD_CLS')).version('V1')).export(exported);
    const remoteVersion = await remote.logModel(source, { name: 'BOARD_CLS' });

    // 64x64 renderings of DeepPCB boards: the card's input size, so no resampler differences enter.
    const inputs: Buffer[] = [];
    for (const image of images) inputs.push(await sharp(image).resize(64, 64).png().toBuffer());

    // Local: the TypeScript path (sharp letterbox, onnxruntime-node, postprocess decodeClassifier) on the logged files.
    const backend = new OnnxNodeBackend();
    const info = await backend.load(join(exported, 'model.onnx'), { device: 'cpu' });
    const preprocessor = new SharpPreprocessor();
    const expected: ClassScore[][] = [];
    for (const input of inputs) {
      const prepared = await preprocessor.prepare(input, card.input);
      const outputs = await backend.run({ [info.inputs[0]!.name]: { type: 'float32', data: prepared.data, dims: [1, ...prepared.dims] } });
      const probabilities = outputs[info.outputs[0]!.name]!;
      // The recipe's graph ends in a softmax: its outputs are probabilities already.
      expected.push(decodeClassifier({ data: probabilities.data as Float32Array, dims: probabilities.dims }, { activation: 'none', names: card.classes })[0]!);
    }
    await backend.dispose();

    const selects = inputs.map((_, k) => (k === 0 ? 'SELECT ? AS "IDX", ? AS "IMAGE"' : 'SELECT ?, ?')).join(' UNION ALL ');
    const rows = await remote.session.execute(
      `SELECT "IDX", MODEL(DK.HANDLER.BOARD_CLS, V1)!PREDICT(TO_BINARY("IMAGE", 'BASE64')) AS R FROM (${selects}) ORDER BY "IDX"`,
      inputs.flatMap((input, k) => [k, input.toString('base64')]),
    );
    expect(rows).toHaveLength(inputs.length);
    rows.forEach((row, k) => {
      const answer = (typeof row.R === 'string' ? JSON.parse(row.R) : row.R) as { DETECTIONS: unknown[]; WIDTH: number; HEIGHT: number; LABELS: Array<{ label: string; score: number; class_id: number }> };
      expect([answer.WIDTH, answer.HEIGHT, answer.DETECTIONS]).toEqual([64, 64, []]);
      expect(answer.LABELS.map((l) => [l.class_id, l.label])).toEqual(expected[k]!.map((c) => [c.classId, c.label]));
      answer.LABELS.forEach((l, c) => expect(Math.abs(l.score - expected[k]![c]!.score), `image ${k} class ${c}`).toBeLessThanOrEqual(TOLERANCE));
      expect(answer.LABELS.reduce((sum, l) => sum + l.score, 0)).toBeCloseTo(1, 4);
    });

    // Through the Detector contract: the local version's LocalDetector and the Snowflake version's RemoteDetector
    // (LABELS mapped to `labels`) give the same top-k as above.
    const localDetector = await localVersion.detector();
    const remoteDetector = await remoteVersion.detector({ batchSize: 2 });
    try {
      const remoteOutcomes = await remoteDetector.detectBatch(inputs);
      for (const [k, input] of inputs.entries()) {
        const mine = await localDetector.detect(input);
        expect(mine.detections).toEqual([]);
        expect(mine.labels!.map((l) => [l.classId, l.label])).toEqual(expected[k]!.map((c) => [c.classId, c.label]));
        mine.labels!.forEach((l, c) => expect(Math.abs(l.score - expected[k]![c]!.score), `local image ${k} class ${c}`).toBeLessThanOrEqual(1e-6));
        const outcome = remoteOutcomes[k]!;
        expect(outcome.ok, outcome.ok ? '' : String(outcome.error)).toBe(true);
        if (!outcome.ok) continue;
        expect([outcome.result.width, outcome.result.height, outcome.result.detections]).toEqual([mine.width, mine.height, []]);
        expect(outcome.result.labels!.map((l) => [l.classId, l.label])).toEqual(mine.labels!.map((l) => [l.classId, l.label]));
        outcome.result.labels!.forEach((l, c) => expect(Math.abs(l.score - mine.labels![c]!.score), `remote image ${k} class ${c}`).toBeLessThanOrEqual(TOLERANCE));
      }
    } finally {
      await localDetector.dispose();
      await remoteDetector.dispose();
    }
  }, 900_000);
});
