// `defectkit convert` and `defectkit dataset` end to end, in process (the same runCli the binary calls).
import { access, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';
import { removeTempFolders, tempFolder, writeDeepPcbFixture } from '../packages/annotations/src/node/testing/tiny-images.js';


const labels = { '00001000': '10 10 20 20 1\n30 5 40 15 6\n', '00001001': '0 0 64 48 3', '00001002': '5 5 9 9 2\n' };

afterAll(removeTempFolders);

describe('defectkit convert', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('converts DeepPCB to YOLO with a seeded split and prints the counts', async () => {
    const dir = await tempFolder();
    await writeDeepPcbFixture(join(dir, 'in'), labels);
    const result = await cli('convert', '--from', 'deeppcb', '--to', 'yolo', '--input', join(dir, 'in'), '--output', join(dir, 'out'), '--split', 'train=0.67,val=0.33', '--seed', '0');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/train: 2 images/);
    expect(result.stdout).toMatch(/val: 1 images/);
    expect(await readFile(join(dir, 'out', 'data.yaml'), 'utf8')).toContain('val: images/val');
  });

  it('exits non-zero with a typed error for a non-empty output, a bad split and an unknown format', async () => {
    const dir = await tempFolder();
    await writeDeepPcbFixture(join(dir, 'in'), labels);
    const base = ['convert', '--from', 'deeppcb', '--to', 'yolo', '--input', join(dir, 'in')];
    await mkdir(join(dir, 'taken'));
    await writeFile(join(dir, 'taken', 'keep.txt'), 'keep');
    expect((await cli(...base, '--output', join(dir, 'taken'))).stderr).toContain('OUTPUT_EXISTS');
    expect(await readFile(join(dir, 'taken', 'keep.txt'), 'utf8')).toBe('keep');
    const bad = await cli(...base, '--output', join(dir, 'o1'), '--split', 'train=0.5,val=0.2');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('SPLIT_SPEC');
    expect((await cli('convert', '--from', 'pascal', '--to', 'yolo', '--input', 'x', '--output', 'y')).stderr).toContain('UNKNOWN_FORMAT');
    expect((await readdir(dir)).sort()).toEqual(['in', 'taken']);
  });

  it('refuses invalid data with a written report, and --skip-invalid converts and counts the dropped boxes', async () => {
    const dir = await tempFolder();
    await writeDeepPcbFixture(join(dir, 'in'), { ...labels, '00001003': '1 1 5 5 0\n' });
    const args = ['convert', '--from', 'deeppcb', '--to', 'yolo', '--input', join(dir, 'in'), '--output', join(dir, 'out')];
    const refused = await cli(...args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('DATASET_VALIDATION');
    expect(refused.stderr).toContain('00001003.txt:1');
    await access(join(dir, 'out.validation.json'));
    await expect(access(join(dir, 'out'))).rejects.toThrow();
    const skipped = await cli(...args, '--skip-invalid', '--json');
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout).skipped).toEqual({ boxes: 1, images: 0 });
  });
});

describe('defectkit dataset', () => {
  it('stats prints counts per class and box sizes (text and --json)', async () => {
    const dir = await tempFolder();
    await writeDeepPcbFixture(join(dir, 'in'), labels);
    const text = await cli('dataset', 'stats', join(dir, 'in'), '--format', 'deeppcb');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('images: 3 (train 3)');
    expect(text.stdout).toContain('  pin-hole: 1');
    expect(text.stdout).toContain('box width (px): min 4, median 10, max 64');
    const json = JSON.parse((await cli('dataset', 'stats', join(dir, 'in'), '--format', 'deeppcb', '--json')).stdout);
    expect(json.boxesPerClass).toEqual({ open: 1, short: 1, mousebite: 1, spur: 0, copper: 0, 'pin-hole': 1 });
    expect(json.boxHeight).toEqual({ min: 4, median: 10, max: 48 });
  });

  it('validate lists findings with file:line and exits 1 on errors, 0 on a clean dataset', async () => {
    const dir = await tempFolder();
    await writeDeepPcbFixture(join(dir, 'in'), { ...labels, '00001003': '1 1 5 5 1\n1 1 5 5 1\n' });
    const bad = await cli('dataset', 'validate', join(dir, 'in'), '--format', 'deeppcb');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('group00001/00001_not/00001003.txt:2: error [duplicate-box]');
    const json = JSON.parse((await cli('dataset', 'validate', join(dir, 'in'), '--format', 'deeppcb', '--json')).stdout);
    expect(json.byRule).toEqual({ 'duplicate-box': 1 });
    const good = join(dir, 'good');
    await writeDeepPcbFixture(good, labels);
    const clean = await cli('dataset', 'validate', good, '--format', 'deeppcb');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('3 images, 4 boxes, 0 error(s), 0 warning(s)');
  });
});
