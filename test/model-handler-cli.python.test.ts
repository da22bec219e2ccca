// `defectkit registry log models/pcb-defects-frcnn --registry snowflake:<conn>` is accepted, and `registry predict`
// through snowflake-local (the logged Python handler) prints the JSON `defectkit detect` prints, boxes within 1e-3.
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDetector } from '@defectkit/backend-node';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { fixtureModelFolder } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { cli } from './support/run-cli.js';
import { deeppcbDir, repoRoot } from './support/paths.js';
import { startLocalSnowflake } from './support/snowflake-local.js';
import { scratchFolder } from './support/scratch-folder.js';
import { trainTinyClassifier } from './support/train-locally.js';

type Entry = { image: string; width: number; height: number; detections: Array<Record<string, number | string>> };

/** The shape of a JSON value: keys (sorted) and value types, recursively; arrays by their first element. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.keys(value).sort().map((key) => [key, shape((value as Record<string, unknown>)[key])]));
  return typeof value;
}

const frcnn = join(repoRoot, 'models', 'pcb-defects-frcnn');
const work = scratchFolder('defectkit-cli-classifier-');
const images = ['00041000_test.jpg', '00041003_test.jpg'].map((name) => join(deeppcbDir, 'PCBData', 'group00041', '00041', name));

describe('defectkit registry log / predict of Faster R-CNN on snowflake:<connection>', () => {
  let server: SnowflakeLocal;

  beforeAll(async () => {
    let home: string;
    ({ server, home } = await startLocalSnowflake({ database: 'CLI', schema: 'FRCNN' }));
    vi.stubEnv('SNOWFLAKE_HOME', home);
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await server?.close();
  });

  it('logs models/pcb-defects-frcnn and predicts the same JSON as defectkit detect --model', async () => {
    const sf = ['--registry', 'snowflake:local'];
    expect(await cli('registry', 'log', frcnn, '--name', 'FRCNN', ...sf)).toMatchObject({ code: 0, stdout: 'logged FRCNN V1 (snowflake)\n' });
    let compared = 0;
    for (const image of images) {
      const remote = await cli('registry', 'predict', 'FRCNN', image, ...sf, '--format', 'json');
      expect(remote.code, remote.stderr).toBe(0);
      const local = await cli('detect', image, '--model', frcnn, '--format', 'json');
      expect(local.code, local.stderr).toBe(0);
      const got = JSON.parse(remote.stdout) as Entry[];
      const expected = JSON.parse(local.stdout) as Entry[];
      expect(Array.isArray(got)).toBe(true);
      expect(shape(got)).toEqual(shape(expected));
      expect(got.map((e) => [e.image, e.width, e.height])).toEqual(expected.map((e) => [e.image, e.width, e.height]));
      got.forEach((entry, i) => {
        const want = expected[i]!;
        expect(entry.detections.length, image).toBe(want.detections.length);
        entry.detections.forEach((d, k) => {
          const e = want.detections[k]!;
          for (const key of ['x1', 'y1', 'x2', 'y2', 'score'] as const) expect(Math.abs((d[key] as number) - (e[key] as number)), `${image} #${k} ${key}`).toBeLessThanOrEqual(1e-3);
          for (const key of Object.keys(e).filter((k) => !['x1', 'y1', 'x2', 'y2', 'score'].includes(k))) expect(d[key], `${image} #${k} ${key}`).toEqual(e[key]);
        });
        compared += entry.detections.length;
      });
    }
    expect(compared).toBeGreaterThan(5);
  }, 300_000);

  it('registry predict of an Ultralytics-layout model on snowflake:<connection> prints what the local detector finds (1e-4)', async () => {
    const sf = ['--registry', 'snowflake:local'];
    const model = await fixtureModelFolder();
    expect(await cli('registry', 'log', model, '--name', 'remote_pcb', ...sf)).toMatchObject({ code: 0, stdout: 'logged REMOTE_PCB V1 (snowflake)\n' });
    const remote = await cli('registry', 'predict', 'REMOTE_PCB', ...images, ...sf);
    expect(remote.code, remote.stderr).toBe(0);
    const detector = await loadDetector(model);
    const parsed = JSON.parse(remote.stdout) as Entry[];
    expect(parsed.map((p) => p.image)).toEqual(images);
    let compared = 0;
    for (const entry of parsed) {
      const expected = await detector.detect(entry.image);
      expect([entry.width, entry.height]).toEqual([expected.width, expected.height]);
      expect(entry.detections).toHaveLength(expected.detections.length);
      entry.detections.forEach((d, k) => {
        const e = expected.detections[k]!;
        for (const key of ['x1', 'y1', 'x2', 'y2', 'score'] as const) expect(Math.abs((d[key] as number) - e[key])).toBeLessThanOrEqual(1e-4);
        expect([d.classId, d.label]).toEqual([e.classId, e.label]);
      });
      compared += entry.detections.length;
    }
    await detector.dispose();
    expect(compared).toBeGreaterThan(0);
    expect((await cli('registry', 'delete', 'REMOTE_PCB', ...sf)).code).toBe(0);
  }, 300_000);

  it('registry predict --format json of a classifier prints the top-k labels defectkit detect --model prints (1e-3)', async () => {
    const sf = ['--registry', 'snowflake:local'];
    const model = await trainTinyClassifier(work);
    expect(await cli('registry', 'log', model, '--name', 'BOARD_CLS', ...sf)).toMatchObject({ code: 0, stdout: 'logged BOARD_CLS V1 (snowflake)\n' });
    // 64x64 renderings (the card's input size), so Pillow and sharp resampling differences do not enter.
    const boards: string[] = [];
    for (const [i, image] of images.entries()) {
      boards.push(join(work, `board${i}.png`));
      await sharp(image).resize(64, 64).png().toFile(boards[i]!);
    }
    const remote = await cli('registry', 'predict', 'BOARD_CLS', ...boards, ...sf, '--format', 'json');
    expect(remote.code, remote.stderr).toBe(0);
    const local = await cli('detect', ...boards, '--model', model, '--format', 'json');
    expect(local.code, local.stderr).toBe(0);
    type Labelled = Entry & { labels: Array<{ label: string; score: number; classId: number }> };
    const got = JSON.parse(remote.stdout) as Labelled[];
    const expected = JSON.parse(local.stdout) as Labelled[];
    expect(got.map((e) => [e.image, e.width, e.height, e.detections])).toEqual(boards.map((b) => [b, 64, 64, []]));
    expect(expected.map((e) => [e.image, e.width, e.height, e.detections])).toEqual(boards.map((b) => [b, 64, 64, []]));
    got.forEach((entry, i) => {
      const want = expected[i]!.labels;
      expect(want.length).toBe(2); // both classes of the tiny classifier (top-5 of 2)
      expect(entry.labels.map((l) => [l.classId, l.label])).toEqual(want.map((l) => [l.classId, l.label]));
      entry.labels.forEach((l, k) => expect(Math.abs(l.score - want[k]!.score), `${boards[i]} #${k}`).toBeLessThanOrEqual(1e-3));
    });
  }, 900_000);
});
