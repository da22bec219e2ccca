import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cocoImageId } from '@defectkit/core';
import { cli } from './support/run-cli.js';
import { deeppcbDir } from './support/paths.js';
import { scratchFolder } from './support/scratch-folder.js';

// One image-identity rule across convert, detect and eval: ground truth written by `convert --to coco` scores the
// output of `detect --format coco` (the failure this guards against: convert numbered images 1..N, detect used
// the file names), and both agree with scoring the DeepPCB folder itself.
const ids = ['00041000', '00041001', '00041002', '00041003', '00041004'];
const work = scratchFolder('defectkit-identity-');

const source = join(work, 'deeppcb');
const coco = join(work, 'coco');
const pred = join(work, 'pred.json');

function stats(stdout: string): number[] {
  return (JSON.parse(stdout) as { stats: number[] }).stats;
}

beforeAll(async () => {
  const from = join(deeppcbDir, 'PCBData', 'group00041');
  const to = join(source, 'PCBData', 'group00041');
  mkdirSync(join(to, '00041'), { recursive: true });
  mkdirSync(join(to, '00041_not'), { recursive: true });
  for (const id of ids) {
    for (const suffix of ['_test.jpg', '_temp.jpg']) copyFileSync(join(from, '00041', `${id}${suffix}`), join(to, '00041', `${id}${suffix}`));
    copyFileSync(join(from, '00041_not', `${id}.txt`), join(to, '00041_not', `${id}.txt`));
  }
  const converted = await cli('convert', '--from', 'deeppcb', '--to', 'coco', '--input', source, '--output', coco, '--copy');
  expect(converted.code, converted.stderr).toBe(0);
  const detected = await cli('detect', join(coco, 'images'), '--format', 'coco', '--out', pred);
  expect(detected.code, detected.stderr).toBe(0);
}, 120_000);

describe('image identity: convert → detect → eval', () => {
  it('convert and detect give every image the same COCO id, derived from its file name', () => {
    const gt = JSON.parse(readFileSync(join(coco, 'annotations', 'instances.json'), 'utf8')) as { images: { id: number; file_name: string }[] };
    expect(gt.images.map((im) => im.id).sort((a, b) => a - b)).toEqual(ids.map(Number));
    for (const im of gt.images) expect(im.id).toBe(cocoImageId(im.file_name));
    const results = JSON.parse(readFileSync(pred, 'utf8')) as { image_id: number }[];
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results.map((r) => r.image_id))).toEqual(new Set(gt.images.map((im) => im.id)));
  });

  it('eval scores the detect output against the convert output, as a file and as a folder, equal to the DeepPCB folder', async () => {
    const asFile = await cli('eval', '--gt', join(coco, 'annotations', 'instances.json'), '--pred', pred, '--protocol', 'coco', '--json');
    expect(asFile.code, asFile.stderr).toBe(0);
    const asFolder = await cli('eval', '--gt', coco, '--gt-format', 'coco', '--pred', pred, '--protocol', 'coco', '--json');
    expect(asFolder.code, asFolder.stderr).toBe(0);
    const original = await cli('eval', '--gt', source, '--gt-format', 'deeppcb', '--pred', pred, '--protocol', 'coco', '--json');
    expect(original.code, original.stderr).toBe(0);
    const reference = stats(original.stdout);
    expect(reference[1]!, 'the shipped model finds the DeepPCB defects (AP50)').toBeGreaterThan(0.5);
    for (const run of [asFile, asFolder]) stats(run.stdout).forEach((v, i) => expect(v).toBeCloseTo(reference[i]!, 12));
  }, 60_000);

  it('a COCO ground truth numbered 1..N by another tool still matches detect output through the file names', async () => {
    const gt = JSON.parse(readFileSync(join(coco, 'annotations', 'instances.json'), 'utf8')) as {
      images: { id: number }[];
      annotations: { image_id: number }[];
    };
    const renumber = new Map(gt.images.map((im, i) => [im.id, i + 1]));
    for (const im of gt.images) im.id = renumber.get(im.id)!;
    for (const a of gt.annotations) a.image_id = renumber.get(a.image_id)!;
    const foreign = join(work, 'foreign.json');
    writeFileSync(foreign, JSON.stringify(gt));
    const run = await cli('eval', '--gt', foreign, '--pred', pred, '--protocol', 'coco', '--json');
    expect(run.code, run.stderr).toBe(0);
    const direct = await cli('eval', '--gt', join(coco, 'annotations', 'instances.json'), '--pred', pred, '--protocol', 'coco', '--json');
    stats(run.stdout).forEach((v, i) => expect(v).toBeCloseTo(stats(direct.stdout)[i]!, 12));
  }, 60_000);
});
