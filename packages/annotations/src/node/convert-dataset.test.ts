import { lstat, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetValidationError, OutputExistsError } from '../errors.js';
import { convertDataset } from './convert-dataset.js';
import { removeTempFolders, tempFolder, writeDeepPcbFixture } from './testing/tiny-images.js';
import { writeDataset } from './write-dataset.js';

const labels = { '00001000': '10 10 20 20 1\n30,5,40,15,6', '00001001': '0 0 64 48 3\n', '00001002': '' };

afterAll(removeTempFolders);

describe('convertDataset deeppcb -> yolo', () => {
  it('writes images/ + labels/ per split, data.yaml and symlinks by default', async () => {
    const dir = await tempFolder();
    await writeDeepPcbFixture(join(dir, 'in'), labels);
    const output = join(dir, 'out');
    const report = await convertDataset({ from: 'deeppcb', to: 'yolo', input: join(dir, 'in'), output, split: 'upstream' });
    expect(report.splits.train).toMatchObject({ images: 3, boxes: 3, open: 1, mousebite: 1, 'pin-hole': 1 });
    expect((await readdir(output)).sort()).toEqual(['data.yaml', 'defectkit-conversion.json', 'images', 'labels']);
    expect(await readFile(join(output, 'labels/train/00001000_test.txt'), 'utf8')).toBe('0 0.234375 0.312500 0.156250 0.208333\n5 0.546875 0.208333 0.156250 0.208333\n');
    expect(await readFile(join(output, 'labels/train/00001002_test.txt'), 'utf8')).toBe('');
    expect((await lstat(join(output, 'images/train/00001001_test.jpg'))).isSymbolicLink()).toBe(true);
    const yaml = await readFile(join(output, 'data.yaml'), 'utf8');
    expect(yaml).toContain(`path: ${output}`);
    expect(yaml).toContain('train: images/train');
    expect(yaml).toMatch(/names:\n {2}- open\n {2}- short\n {2}- mousebite\n {2}- spur\n {2}- copper\n {2}- pin-hole\n/);
    // Nothing else was left beside the output (no temporary folders).
    expect((await readdir(dir)).sort()).toEqual(['in', 'out']);
  });

  it('copies images with images: copy, and re-splits with ratios', async () => {
    const dir = await tempFolder();
    await writeDeepPcbFixture(join(dir, 'in'), labels);
    const output = join(dir, 'out');
    const report = await convertDataset({ from: 'deeppcb', to: 'yolo', input: join(dir, 'in'), output, split: { train: 0.67, val: 0.33 }, seed: 0, images: 'copy' });
    expect(report.splits.train!.images + report.splits.val!.images).toBe(3);
    const trainImages = await readdir(join(output, 'images/train'));
    expect((await lstat(join(output, 'images/train', trainImages[0]!))).isFile()).toBe(true);
    expect(await readFile(join(output, 'data.yaml'), 'utf8')).toContain('val: images/val');
  });

  it('keeps the upstream test list out of a train/val re-split, and --split upstream keeps both lists', async () => {
    const dir = await tempFolder();
    await writeDeepPcbFixture(join(dir, 'in'), labels);
    // Move the last pair from trainval.txt to test.txt.
    const list = (await readFile(join(dir, 'in/PCBData/trainval.txt'), 'utf8')).split('\n');
    await writeFile(join(dir, 'in/PCBData/trainval.txt'), list.slice(0, 2).join('\n'));
    await writeFile(join(dir, 'in/PCBData/test.txt'), list[2]!);
    const report = await convertDataset({ from: 'deeppcb', to: 'yolo', input: join(dir, 'in'), output: join(dir, 'a'), split: { train: 0.5, val: 0.5 }, seed: 0 });
    expect(Object.fromEntries(Object.entries(report.splits).map(([k, v]) => [k, v.images]))).toEqual({ train: 1, val: 1, test: 1 });
    expect(await readdir(join(dir, 'a/images/test'))).toEqual(['00001002_test.jpg']);
    const upstream = await convertDataset({ from: 'deeppcb', to: 'yolo', input: join(dir, 'in'), output: join(dir, 'b'), split: 'upstream' });
    expect(Object.fromEntries(Object.entries(upstream.splits).map(([k, v]) => [k, v.images]))).toEqual({ train: 2, test: 1 });
    expect(await readFile(join(dir, 'b/data.yaml'), 'utf8')).toContain('test: images/test');
  });

  it('refuses a non-empty output without overwrite and replaces it with overwrite', async () => {
    const dir = await tempFolder();
    await writeDeepPcbFixture(join(dir, 'in'), labels);
    const output = join(dir, 'out');
    await mkdir(output);
    await writeFile(join(output, 'keep.txt'), 'mine');
    await expect(convertDataset({ from: 'deeppcb', to: 'yolo', input: join(dir, 'in'), output })).rejects.toBeInstanceOf(OutputExistsError);
    expect(await readFile(join(output, 'keep.txt'), 'utf8')).toBe('mine');
    await convertDataset({ from: 'deeppcb', to: 'yolo', input: join(dir, 'in'), output, overwrite: true });
    expect((await readdir(output)).includes('keep.txt')).toBe(false);
    expect((await readdir(dir)).sort()).toEqual(['in', 'out']);
  });

  it('leaves nothing behind when writing fails half-way', async () => {
    const dir = await tempFolder();
    const output = join(dir, 'out');
    const dataset = { classes: ['a'], images: [{ path: 'missing.jpg', width: 4, height: 4, boxes: [] }] };
    await expect(writeDataset(dataset, output, 'yolo', { root: dir, images: 'copy' })).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses invalid sources, writes the report, and skips bad boxes on request', async () => {
    const dir = await tempFolder();
    await writeDeepPcbFixture(join(dir, 'in'), { ...labels, '00001003': '1 1 5 5 9\n1 1 80 5 2\n2 2 6 6 2' });
    const output = join(dir, 'out');
    const error = await convertDataset({ from: 'deeppcb', to: 'yolo', input: join(dir, 'in'), output }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetValidationError);
    expect((error as DatasetValidationError).findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['unknown-class', 'group00001/00001_not/00001003.txt', 1],
      ['out-of-bounds', 'group00001/00001_not/00001003.txt', 2],
    ]);
    const written = JSON.parse(await readFile(`${output}.validation.json`, 'utf8'));
    expect(written.errors).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['in', 'out.validation.json']);

    const report = await convertDataset({ from: 'deeppcb', to: 'yolo', input: join(dir, 'in'), output, skipInvalid: true });
    expect(report.skipped).toEqual({ boxes: 2, images: 0 });
    expect(await readFile(join(output, 'labels/train/00001003_test.txt'), 'utf8')).toBe('1 0.062500 0.083333 0.062500 0.083333\n');
  });
});
