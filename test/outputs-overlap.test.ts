// Outputs never destroy inputs: every way of pointing a command's output at its input (the same folder, a folder
// around it, a folder inside it, the input file itself; through symlinks, `..`, trailing slashes and relative paths)
// is refused with OUTPUT_OVERLAPS_INPUT, and nothing on disk changes (the whole tree is hashed before and after).
import { mkdir, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyModel } from '../packages/backend-node/test-fixtures/tiny-model.js';
import { removeTempFolders, tempFolder, writeDeepPcbFixture, writeTinyImage } from '../packages/annotations/src/node/testing/tiny-images.js';
import { treeDigest } from '../packages/registry/src/testing/tree-digest.js';
import { cli } from './support/run-cli.js';
import { systemPython } from './support/paths.js';

const labels = { '00001000': '10 10 20 20 1\n30 5 40 15 6\n', '00001001': '0 0 64 48 3', '00001002': '5 5 9 9 2\n' };

afterAll(removeTempFolders);

describe('defectkit convert refuses every output that overlaps its input', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempFolder('defectkit-outputs-convert-');
    await writeDeepPcbFixture(join(root, 'data', 'deeppcb'), labels);
    await symlink(join(root, 'data'), join(root, 'data-link'));
    await mkdir(join(root, 'work'));
  });

  const input = (r: string): string => join(r, 'data', 'deeppcb');
  const variants: [string, (r: string) => string[]][] = [
    ['--output D --input D --overwrite', (r) => ['--input', input(r), '--output', input(r), '--overwrite']],
    ['the same folder with a trailing slash', (r) => ['--input', input(r), '--output', `${input(r)}/`, '--overwrite']],
    ['the same folder through ./ and ..', (r) => ['--input', input(r), '--output', join(input(r), 'PCBData', '..', '.'), '--overwrite']],
    ['the same folder through a symlinked parent', (r) => ['--input', input(r), '--output', join(r, 'data-link', 'deeppcb'), '--overwrite']],
    ['the input given through the symlink', (r) => ['--input', join(r, 'data-link', 'deeppcb'), '--output', input(r), '--overwrite']],
    ['a folder containing the input', (r) => ['--input', input(r), '--output', join(r, 'data'), '--overwrite']],
    ['the grandparent of the input', (r) => ['--input', input(r), '--output', r, '--overwrite']],
    ['a new folder inside the input', (r) => ['--input', input(r), '--output', join(input(r), 'yolo')]],
    ['a new folder deep inside the input through the link', (r) => ['--input', input(r), '--output', join(r, 'data-link', 'deeppcb', 'PCBData', 'out')]],
    ['a report file inside the input', (r) => ['--input', input(r), '--output', join(r, 'work', 'ok'), '--report', join(input(r), 'report.json')]],
    ['a report file that is an input file', (r) => ['--input', input(r), '--output', join(r, 'work', 'ok2'), '--report', join(input(r), 'PCBData', 'trainval.txt')]],
  ];
  for (const [name, args] of variants) {
    it(`refuses ${name}, changing nothing`, async () => {
      const before = await treeDigest(root);
      const run = await cli('convert', '--from', 'deeppcb', '--to', 'yolo', ...args(root));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('OUTPUT_OVERLAPS_INPUT');
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(await treeDigest(root)).toEqual(before);
    });
  }

  it('relative paths are resolved too', async () => {
    const before = await treeDigest(root);
    const cwd = process.cwd();
    process.chdir(join(root, 'data'));
    try {
      const run = await cli('convert', '--from', 'deeppcb', '--to', 'coco', '--input', 'deeppcb', '--output', '../data/deeppcb/../deeppcb', '--overwrite');
      expect(run.stderr).toContain('OUTPUT_OVERLAPS_INPUT');
    } finally {
      process.chdir(cwd);
    }
    expect(await treeDigest(root)).toEqual(before);
  });

  it('still converts to a sibling folder', async () => {
    const run = await cli('convert', '--from', 'deeppcb', '--to', 'yolo', '--input', input(root), '--output', join(root, 'work', 'yolo'));
    expect(run.code, run.stderr).toBe(0);
    expect(await readdir(join(root, 'work', 'yolo'))).toContain('data.yaml');
  });
});

describe('defectkit detect refuses outputs that overlap its inputs, and keeps per-image names unique', () => {
  let root: string;
  let model: string;
  const boards = (r: string): string => join(r, 'boards');
  beforeAll(async () => {
    root = await tempFolder('defectkit-outputs-detect-');
    model = makeTinyModel(join(root, 'model'), systemPython);
    // Same names in different folders (and one differing only in case), the classic collision.
    for (const folder of ['line-a', 'line-b', 'line-b/night']) {
      await writeTinyImage(join(root, 'boards', folder, '00041000_test.jpg'), 64, 48);
      await writeTinyImage(join(root, 'boards', folder, 'panel.png'), 64, 48);
    }
    await writeTinyImage(join(root, 'boards', 'line-c', 'PANEL.jpg'), 64, 48);
    await symlink(join(root, 'boards'), join(root, 'boards-link'));
    await writeTinyImage(join(root, 'single.jpg'), 64, 48);
  });

  const image = (r: string): string => join(r, 'boards', 'line-a', '00041000_test.jpg');
  const variants: [string, (r: string, m: string) => string[]][] = [
    ['--out <the input image> (json)', (r) => [image(r), '--out', image(r)]],
    ['--out <the input image> (coco), through a symlink', (r) => [image(r), '--format', 'coco', '--out', join(r, 'boards-link', 'line-a', '00041000_test.jpg')]],
    ['--out <the input folder> (yolo)', (r) => [boards(r), '--format', 'yolo', '--out', boards(r)]],
    ['--out <inside the input folder> (deeppcb)', (r) => [boards(r), '--format', 'deeppcb', '--out', join(boards(r), 'results')]],
    ['--out <a folder around the input images>', (r) => [image(r), '--format', 'yolo', '--out', join(r, 'boards', 'line-a', '..')]],
    ['--save-annotated <the input folder>', (r) => [boards(r), '--save-annotated', boards(r)]],
    ['--save-annotated <inside the input folder, through the link>', (r) => [boards(r), '--save-annotated', join(r, 'boards-link', 'line-a')]],
    ['--save-annotated <the folder holding the images given one by one>', (r) => [image(r), join(r, 'single.jpg'), '--save-annotated', r]],
    ['--out <the model file>', (r, m) => [image(r), '--model', m, '--out', join(m, 'model.onnx')]],
    ['--out <the list file>', (r) => ['--from-list', join(r, 'list.txt'), '--out', join(r, 'list.txt')]],
  ];
  for (const [name, args] of variants) {
    it(`refuses ${name}, changing nothing`, async () => {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(join(root, 'list.txt'), `${image(root)}\n`);
      const before = await treeDigest(root);
      const given = args(root, model);
      const run = await cli('detect', ...given, ...(given.includes('--model') ? [] : ['--model', model]));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('OUTPUT_OVERLAPS_INPUT');
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(await treeDigest(root)).toEqual(before);
    });
  }

  it('gives same-named images from different folders distinct result and annotated files', async () => {
    const out = await tempFolder('defectkit-outputs-names-');
    for (const format of ['yolo', 'deeppcb'] as const) {
      const run = await cli('detect', boards(root), '--model', model, '--format', format, '--out', join(out, format), '--save-annotated', join(out, `${format}-png`));
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('7 images: 7 processed');
      const results = (await readdir(join(out, format))).sort();
      const pngs = (await readdir(join(out, `${format}-png`))).sort();
      expect(results).toHaveLength(7);
      expect(pngs).toHaveLength(7);
      expect(new Set(results.map((n) => n.toLowerCase())).size).toBe(7);
      expect(new Set(pngs.map((n) => n.toLowerCase())).size).toBe(7);
    }
    // The names say where each image came from.
    expect((await readdir(join(out, 'yolo'))).sort()).toEqual([
      'line-a__00041000_test.txt',
      'line-a__panel.txt',
      'line-b__00041000_test.txt',
      'line-b__night__00041000_test.txt',
      'line-b__night__panel.txt',
      'line-b__panel.txt',
      'line-c__PANEL.txt',
    ]);
    expect((await readdir(join(out, 'deeppcb'))).sort()).toContain('line-b__night__00041000.txt');
  });

  it('keeps plain names when they do not collide', async () => {
    const out = await tempFolder('defectkit-outputs-plain-');
    const run = await cli('detect', image(root), join(root, 'single.jpg'), '--model', model, '--format', 'yolo', '--out', join(out, 'labels'));
    expect(run.code, run.stderr).toBe(0);
    expect((await readdir(join(out, 'labels'))).sort()).toEqual(['00041000_test.txt', 'single.txt']);
  });
});

describe('defectkit notebook emit refuses a project folder that overlaps the local dataset', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempFolder('defectkit-outputs-notebook-');
    await writeDeepPcbFixture(join(root, 'dataset'), labels);
    await symlink(join(root, 'dataset'), join(root, 'dataset-link'));
  });

  const variants: [string, (r: string) => string[]][] = [
    ['--out <the dataset> --overwrite', (r) => ['--dataset', join(r, 'dataset'), '--out', join(r, 'dataset'), '--overwrite']],
    ['--out <the dataset through a symlink> --overwrite', (r) => ['--dataset', join(r, 'dataset'), '--out', join(r, 'dataset-link'), '--overwrite']],
    ['--out <a folder around the dataset> --overwrite', (r) => ['--dataset', join(r, 'dataset'), '--out', r, '--overwrite']],
    ['--out <inside the dataset>', (r) => ['--dataset', join(r, 'dataset-link'), '--out', join(r, 'dataset', 'project')]],
  ];
  for (const [name, args] of variants) {
    it(`refuses ${name}, changing nothing`, async () => {
      const before = await treeDigest(root);
      const run = await cli('notebook', 'emit', '--recipe', 'pcb-detector', ...args(root));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('OUTPUT_OVERLAPS_INPUT');
      expect(await treeDigest(root)).toEqual(before);
    });
  }

  it('still emits beside the dataset, and with a stage path', async () => {
    expect((await cli('notebook', 'emit', '--recipe', 'pcb-detector', '--dataset', join(root, 'dataset'), '--out', join(root, 'project'))).code).toBe(0);
    expect((await cli('notebook', 'emit', '--recipe', 'pcb-detector', '--dataset', '@DB.SCHEMA.STAGE/datasets/pcb', '--out', join(root, 'project-2'))).code).toBe(0);
  });
});

describe('defectkit registry export refuses a target inside the registry folder', () => {
  it('refuses it, changing nothing in the registry', async () => {
    const root = await tempFolder('defectkit-outputs-registry-');
    const model = makeTinyModel(join(root, 'model'), systemPython);
    const registry = join(root, 'registry');
    const logged = await cli('registry', 'log', model, '--name', 'TINY', '--registry-dir', registry);
    expect(logged.code, logged.stderr).toBe(0);
    const before = await treeDigest(registry);
    for (const out of [join(registry, 'exported'), join(registry, 'models', 'x')]) {
      const run = await cli('registry', 'export', 'TINY', '--out', out, '--registry-dir', registry);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('OUTPUT_OVERLAPS_INPUT');
    }
    expect(await treeDigest(registry)).toEqual(before);
    const ok = await cli('registry', 'export', 'TINY', '--out', join(root, 'exported'), '--registry-dir', registry);
    expect(ok.code, ok.stderr).toBe(0);
  });
});
