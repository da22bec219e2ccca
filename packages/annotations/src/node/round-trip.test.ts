// Folder-level round trips through every writer and reader.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertDataset } from './convert-dataset.js';
import { readDataset } from './read-dataset.js';
import { removeTempFolders, tempFolder, writeDeepPcbFixture, writeText, writeTinyImage } from './testing/tiny-images.js';

const yoloLabels: Record<string, string> = {
  a: '0 0.500000 0.500000 0.250000 0.125000\n2 0.031250 0.041667 0.062500 0.083333\n',
  b: '1 0.123457 0.876543 0.111111 0.222222\n',
  c: '',
};

async function labelsOf(dir: string): Promise<Map<string, number[][]>> {
  const out = new Map<string, number[][]>();
  for (const split of await readdir(join(dir, 'labels'))) {
    for (const file of await readdir(join(dir, 'labels', split))) {
      const text = await readFile(join(dir, 'labels', split, file), 'utf8');
      out.set(`${split}/${file}`, text.split('\n').filter((l) => l !== '').map((l) => l.split(' ').map(Number)));
    }
  }
  return out;
}

afterAll(removeTempFolders);

describe('folder round trips', () => {
  it('YOLO -> VOC -> COCO -> YOLO keeps every box within 1e-6 (normalised), classes and splits', async () => {
    const dir = await tempFolder();
    const src = join(dir, 'yolo');
    await writeText(join(src, 'data.yaml'), 'train: images/train\nval: images/val\nnames:\n  0: open\n  1: short\n  2: spur\n');
    for (const [stem, text] of Object.entries(yoloLabels)) {
      const split = stem === 'b' ? 'val' : 'train';
      await writeTinyImage(join(src, 'images', split, `${stem}.png`), 96, 72);
      await writeText(join(src, 'labels', split, `${stem}.txt`), text);
    }
    await convertDataset({ from: 'yolo', to: 'voc', input: src, output: join(dir, 'voc') });
    await convertDataset({ from: 'voc', to: 'coco', input: join(dir, 'voc'), output: join(dir, 'coco') });
    await convertDataset({ from: 'coco', to: 'yolo', input: join(dir, 'coco'), output: join(dir, 'back') });

    expect((await readdir(join(dir, 'coco', 'annotations'))).sort()).toEqual(['instances_train.json', 'instances_val.json']);
    expect(await readFile(join(dir, 'voc', 'ImageSets/Main/val.txt'), 'utf8')).toBe('b\n');
    const before = await labelsOf(src);
    const after = await labelsOf(join(dir, 'back'));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, rows] of before) {
      const got = after.get(key)!;
      expect(got).toHaveLength(rows.length);
      rows.forEach((row, i) => {
        expect(got[i]![0]).toBe(row[0]);
        for (let k = 1; k < 5; k++) expect(Math.abs(got[i]![k]! - row[k]!)).toBeLessThanOrEqual(1e-6);
      });
    }
    expect(await readFile(join(dir, 'back', 'data.yaml'), 'utf8')).toMatch(/names:\n {2}- open\n {2}- short\n {2}- spur\n/);
  });

  it('COCO -> COCO keeps sparse category ids, iscrowd, area and ids; COCO -> YOLO orders classes by id', async () => {
    const dir = await tempFolder();
    const src = join(dir, 'coco');
    await writeTinyImage(join(src, 'images', 'p.jpg'), 50, 40);
    const doc = {
      images: [{ id: 42, file_name: 'p.jpg', width: 50, height: 40 }],
      annotations: [
        { id: 7, image_id: 42, category_id: 12, bbox: [1, 2, 10, 8], area: 55.5, iscrowd: 1 },
        { id: 8, image_id: 42, category_id: 4, bbox: [20, 10, 5, 5], area: 25, iscrowd: 0 },
      ],
      categories: [{ id: 12, name: 'spur' }, { id: 4, name: 'open' }],
    };
    await writeText(join(src, 'annotations', 'instances_train.json'), JSON.stringify(doc));
    await convertDataset({ from: 'coco', to: 'coco', input: src, output: join(dir, 'out') });
    const out = JSON.parse(await readFile(join(dir, 'out', 'annotations', 'instances_train.json'), 'utf8'));
    expect(out.categories).toEqual([{ id: 4, name: 'open' }, { id: 12, name: 'spur' }]);
    expect(out.images).toEqual([{ id: 42, file_name: 'train/p.jpg', width: 50, height: 40 }]);
    expect(out.annotations).toEqual(doc.annotations);

    await convertDataset({ from: 'coco', to: 'yolo', input: src, output: join(dir, 'yolo') });
    expect(await readFile(join(dir, 'yolo', 'labels', 'train', 'p.txt'), 'utf8')).toBe('1 0.120000 0.150000 0.200000 0.200000\n0 0.450000 0.312500 0.100000 0.125000\n');
  });

  it('DeepPCB -> COCO -> DeepPCB keeps boxes, types, template paths and the trainval list', async () => {
    const dir = await tempFolder();
    await writeDeepPcbFixture(join(dir, 'in'), { '00001000': '10 10 20 20 1\n30 5 40 15 6\n', '00001001': '' });
    await convertDataset({ from: 'deeppcb', to: 'deeppcb', input: join(dir, 'in'), output: join(dir, 'same') });
    const original = await readDataset(join(dir, 'in'), 'deeppcb');
    const again = await readDataset(join(dir, 'same'), 'deeppcb');
    const strip = (d: typeof original) => d.dataset.images.map((i) => ({ w: i.width, h: i.height, split: i.split, template: i.templatePath !== undefined, boxes: i.boxes.map(({ x1, y1, x2, y2, classId }) => [x1, y1, x2, y2, classId]) }));
    expect(strip(again)).toEqual(strip(original));
    expect(again.findings).toEqual([]);
    const list = await readFile(join(dir, 'same', 'PCBData', 'trainval.txt'), 'utf8');
    expect(list).toBe('group00000/00000/00001000.jpg group00000/00000_not/00001000.txt\ngroup00000/00000/00001001.jpg group00000/00000_not/00001001.txt');
  });

  it('VOC without labels.txt takes the sorted class names found in the XML files, splits from ImageSets', async () => {
    const dir = await tempFolder();
    await writeTinyImage(join(dir, 'JPEGImages', 'a.jpg'), 20, 20);
    const obj = (name: string) => `<object><name>${name}</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object>`;
    await writeText(join(dir, 'Annotations', 'a.xml'), `<annotation><filename>a.jpg</filename>${obj('spur')}${obj('open')}</annotation>`);
    await writeText(join(dir, 'ImageSets', 'Main', 'val.txt'), 'a\n');
    const { dataset, findings } = await readDataset(dir, 'voc');
    expect(findings).toEqual([]);
    expect(dataset.classes).toEqual(['open', 'spur']);
    expect(dataset.images).toMatchObject([{ path: 'JPEGImages/a.jpg', width: 20, height: 20, split: 'val', boxes: [{ classId: 1 }, { classId: 0 }] }]);
  });

  it('refuses to write DeepPCB for classes it does not have', async () => {
    const dir = await tempFolder();
    await writeTinyImage(join(dir, 'coco', 'images', 'p.jpg'), 8, 8);
    await writeText(join(dir, 'coco', 'annotations', 'instances.json'), JSON.stringify({ images: [{ id: 1, file_name: 'p.jpg' }], annotations: [], categories: [{ id: 1, name: 'scratch' }] }));
    await expect(convertDataset({ from: 'coco', to: 'deeppcb', input: join(dir, 'coco'), output: join(dir, 'out') })).rejects.toMatchObject({ code: 'UNKNOWN_CLASS' });
    expect((await readdir(dir)).sort()).toEqual(['coco']);
  });
});
