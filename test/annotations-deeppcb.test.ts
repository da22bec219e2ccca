// The real DeepPCB trainval data converts to YOLO with exactly the boxes a second, independent reading of the
// raw files gives (counts per class, and every box's coordinates).
import { readFile, readdir, readlink, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertDataset, readDeepPcb, type ConversionReport } from '@defectkit/annotations/node';
import { deeppcbDir } from './support/paths.js';

const names = ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'];

/** The independent reading: the list file, then every label file, split on spaces/commas, type = last field. */
async function rawBoxes(): Promise<Map<string, number[][]>> {
  const root = join(deeppcbDir, 'PCBData');
  const list = (await readFile(join(root, 'trainval.txt'), 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const out = new Map<string, number[][]>();
  for (const line of list) {
    const [image, label] = line.trim().split(' ');
    const id = image!.split('/').pop()!.replace('.jpg', '');
    const rows = (await readFile(join(root, label!), 'utf8')).split('\n').filter((l) => l.trim() !== '');
    out.set(`${id}_test`, rows.map((r) => r.trim().split(/[ ,]+/).map(Number)));
  }
  return out;
}

describe('DeepPCB trainval (real data)', () => {
  let output: string;
  let report: ConversionReport;
  let raw: Map<string, number[][]>;

  beforeAll(async () => {
    output = join(await mkdtemp(join(tmpdir(), 'dk-deeppcb-')), 'yolo');
    report = await convertDataset({ from: 'deeppcb', to: 'yolo', input: deeppcbDir, output, split: { train: 0.9, val: 0.1 }, seed: 0 });
    raw = await rawBoxes();
  });
  afterAll(async () => {
    await rm(join(output, '..'), { recursive: true, force: true });
  });

  it('reads 1000 images with 640x640 sizes, template paths and no findings', async () => {
    const { dataset, findings } = await readDeepPcb(deeppcbDir);
    expect(dataset.images).toHaveLength(raw.size);
    expect(raw.size).toBe(1000);
    expect(findings).toEqual([]);
    expect(dataset.images.every((i) => i.width === 640 && i.height === 640 && i.split === 'train')).toBe(true);
    expect(dataset.images.every((i) => i.templatePath === i.path.replace('_test.jpg', '_temp.jpg'))).toBe(true);
  });

  it('writes the per-class box counts of the independent reading', async () => {
    const expected = Object.fromEntries(names.map((n) => [n, 0]));
    for (const boxes of raw.values()) for (const b of boxes) expected[names[b[4]! - 1]!]! += 1;
    const written = Object.fromEntries(names.map((n) => [n, 0]));
    for (const split of ['train', 'val']) {
      for (const file of await readdir(join(output, 'labels', split))) {
        const text = await readFile(join(output, 'labels', split, file), 'utf8');
        for (const line of text.split('\n').filter((l) => l !== '')) written[names[Number(line.split(' ')[0])]!]! += 1;
      }
    }
    expect(written).toEqual(expected);
    const reported = Object.fromEntries(names.map((n) => [n, (report.splits.train![n] as number) + (report.splits.val![n] as number)]));
    expect(reported).toEqual(expected);
  });

  it('writes every box at its raw coordinates (normalised, 6 decimals) and links every image', async () => {
    let compared = 0;
    for (const split of ['train', 'val']) {
      for (const file of await readdir(join(output, 'labels', split))) {
        const stem = file.replace('.txt', '');
        const rows = (await readFile(join(output, 'labels', split, file), 'utf8')).split('\n').filter((l) => l !== '').map((l) => l.split(' ').map(Number));
        const expected = raw.get(stem)!.map(([x1, y1, x2, y2, t]) => [t! - 1, (x1! + x2!) / 1280, (y1! + y2!) / 1280, (x2! - x1!) / 640, (y2! - y1!) / 640]);
        expect(rows).toHaveLength(expected.length);
        rows.forEach((row, i) => {
          expect(row[0]).toBe(expected[i]![0]);
          for (let k = 1; k < 5; k++) expect(Math.abs(row[k]! - expected[i]![k]!)).toBeLessThanOrEqual(5e-7 + 1e-12);
          compared++;
        });
        expect(await readlink(join(output, 'images', split, `${stem}.jpg`))).toMatch(new RegExp(`${stem}\\.jpg$`));
      }
    }
    expect(compared).toBe([...raw.values()].reduce((n, b) => n + b.length, 0));
  });

  it('splits 900/100, every class present in val in proportion', () => {
    expect(report.splits.train!.images).toBe(900);
    expect(report.splits.val!.images).toBe(100);
    for (const n of names) {
      const share = (report.splits.val![n] as number) / ((report.splits.train![n] as number) + (report.splits.val![n] as number));
      expect(share).toBeGreaterThan(0.05);
      expect(share).toBeLessThan(0.15);
    }
  });
});
