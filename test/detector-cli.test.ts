// `defectkit detect` end to end, in process, on a tiny generated model.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';
import { makeTinyModel } from '../packages/backend-node/test-fixtures/tiny-model.js';
import { systemPython } from './support/paths.js';
import { scratchFolder } from './support/scratch-folder.js';


const work = scratchFolder('dk-cli-');
const images = join(work, 'images');
let model: string;

beforeAll(async () => {
  model = makeTinyModel(join(work, 'model'), systemPython);
  mkdirSync(images, { recursive: true });
  for (let i = 0; i < 3; i++) {
    const pixels = Buffer.alloc(64 * 64, 10);
    for (let r = 8 + i * 12; r < 24 + i * 12; r++) pixels.fill(250, r * 64 + 8, r * 64 + 24);
    await sharp(pixels, { raw: { width: 64, height: 64, channels: 1 } }).png().toFile(join(images, `0000${i}_test.png`));
  }
  writeFileSync(join(images, '00009_test.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
});

describe('defectkit detect', () => {
  it('prints the JSON array to stdout, a line per image and a summary, and fails for the bad image', async () => {
    const r = await cli('detect', images, '--model', model, '--conf', '0.9', '--max-det', '2');
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout) as { image: string; width: number; height: number; detections: { label: string; score: number }[] }[];
    expect(parsed.map((p) => p.image.slice(-14))).toEqual(['00000_test.png', '00001_test.png', '00002_test.png']);
    for (const p of parsed) {
      expect([p.width, p.height]).toEqual([64, 64]);
      expect(p.detections.length).toBeGreaterThan(0);
      expect(p.detections.length).toBeLessThanOrEqual(2);
      expect(p.detections.every((d) => d.score > 0.9 && d.label === 'c0')).toBe(true);
    }
    expect(r.stderr).toMatch(/image 1\/4 .*00000_test\.png: 64x64 2 c0, [\d.]+ms \(decode [\d.]+ms, preprocess [\d.]+ms, inference [\d.]+ms, postprocess [\d.]+ms\)/);
    expect(r.stderr).toMatch(/image 4\/4 .*00009_test\.jpg: error IMAGE_DECODE/);
    expect(r.stderr).toMatch(/4 images: 3 processed, 1 failed, 6 detections/);
  });

  it('writes DeepPCB and YOLO files and annotated images only for the images that worked', async () => {
    const out = join(work, 'deeppcb');
    const annotated = join(work, 'annotated');
    const r = await cli('detect', images, '--model', model, '--conf', '0.9', '--format', 'deeppcb', '--out', out, '--save-annotated', annotated, '--batch', '2');
    expect(r.code).toBe(1);
    expect(readdirSync(out).sort()).toEqual(['00000.txt', '00001.txt', '00002.txt']);
    const lines = readFileSync(join(out, '00001.txt'), 'utf8').trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^\d+,\d+,\d+,\d+,0\.\d{6},c\d$/);
    expect(readdirSync(annotated).sort()).toEqual(['00000_test.png', '00001_test.png', '00002_test.png']);
    const meta = await sharp(join(annotated, '00001_test.png')).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([64, 64, 3]);
    const yolo = join(work, 'yolo');
    expect((await cli('detect', join(images, '*.png'), '--model', model, '--conf', '0.9', '--format', 'yolo', '--out', yolo)).code).toBe(0);
    for (const line of readFileSync(join(yolo, '00000_test.txt'), 'utf8').trim().split('\n')) expect(line).toMatch(/^0 0\.\d{6} 0\.\d{6} 0\.\d{6} 0\.\d{6} 0\.\d{6}$/);
  });

  it('writes COCO results to a file atomically', async () => {
    const file = join(work, 'coco.json');
    const r = await cli('detect', join(images, '00000_test.png'), join(images, '00002_test.png'), '--model', model, '--conf', '0.9', '--format', 'coco', '--out', file);
    expect(r.code).toBe(0);
    const results = JSON.parse(readFileSync(file, 'utf8')) as { image_id: number; category_id: number; bbox: number[]; score: number }[];
    expect(new Set(results.map((x) => x.image_id))).toEqual(new Set([0, 2]));
    expect(results.every((x) => x.category_id === 1 && x.bbox.length === 4 && x.bbox[2]! > 0)).toBe(true);
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses bad options and a model whose card does not match it, writing nothing', async () => {
    expect((await cli('detect', images, '--model', model, '--conf', '2')).stderr).toMatch(/INVALID_OPTION: --conf must be a number in \[0, 1\]/);
    expect((await cli('detect', images, '--model', model, '--format', 'yolo')).stderr).toMatch(/give the folder with --out/);
    const bad = makeTinyModel(join(work, 'bad-model'), systemPython, { cardClasses: ['a', 'b'] });
    const out = join(work, 'never');
    const r = await cli('detect', images, '--model', bad, '--format', 'deeppcb', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MODEL_CLASS_COUNT/);
    expect(existsSync(out)).toBe(false);
  });

  it('runs a folder in 2 worker threads by default on the CPU, one image in-process, and --workers 0 or N as asked', async () => {
    const folder = await cli('detect', images, '--model', model, '--conf', '0.9');
    expect(folder.stderr).toMatch(/device cpu -> provider cpu in 2 worker threads/);
    const one = await cli('detect', join(images, '00000_test.png'), '--model', model, '--conf', '0.9');
    expect(one.code).toBe(0);
    expect(one.stderr).toMatch(/device cpu -> provider cpu(?! in)/);
    const inProcess = await cli('detect', images, '--model', model, '--conf', '0.9', '--workers', '0');
    expect(inProcess.stderr).not.toMatch(/worker threads/);
    // Same detections whichever way the model ran.
    expect(JSON.parse(inProcess.stdout)).toEqual(JSON.parse(folder.stdout));
    expect((await cli('detect', images, '--model', model, '--workers', '3')).stderr).toMatch(/in 3 worker threads/);
    expect((await cli('detect', images, '--model', model, '--workers', '65')).stderr).toMatch(/INVALID_OPTION: --workers must be an integer from 0 to 64/);
    expect((await cli('detect', images, '--model', model, '--workers', '2', '--device', 'cuda')).stderr).toMatch(/INVALID_OPTION: --workers runs CPU sessions/);
  });

  it('reports an explicit cuda request that cannot run instead of falling back', async () => {
    const { cudaMissingReason } = await import('@defectkit/backend-node');
    const r = await cli('detect', images, '--model', model, '--device', 'cuda');
    if (cudaMissingReason() === undefined) expect([0, 1]).toContain(r.code);
    else {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/CUDA_UNAVAILABLE.*ONNXRUNTIME_NODE_INSTALL=cuda12/s);
    }
  });
});
