// One fixture per validation rule: each builds a small dataset folder that breaks exactly that rule and checks
// the finding names the rule, the file and the line.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatasetFormat } from '../formats.js';
import type { Finding } from '../findings.js';
import { validateDataset, withoutInvalidBoxes } from '../validate-dataset.js';
import { readDataset } from './read-dataset.js';
import { removeTempFolders, tempFolder, writeDeepPcbFixture, writeText, writeTinyImage } from './testing/tiny-images.js';

/** A YOLO folder with one 64x48 image per label text. */
async function yoloFixture(labels: Record<string, string | undefined>): Promise<string> {
  const dir = await tempFolder();
  await writeText(join(dir, 'data.yaml'), 'train: images/train\nnames: [open, short]\n');
  for (const [stem, text] of Object.entries(labels)) {
    await writeTinyImage(join(dir, 'images/train', `${stem}.jpg`), 64, 48);
    if (text !== undefined) await writeText(join(dir, 'labels/train', `${stem}.txt`), text);
  }
  return dir;
}

async function deepPcbFixture(labels: Record<string, string>): Promise<string> {
  const dir = await tempFolder();
  await writeDeepPcbFixture(dir, labels);
  return dir;
}

async function findings(dir: string, format: DatasetFormat): Promise<Finding[]> {
  const { dataset, findings: readerFindings } = await readDataset(dir, format);
  return validateDataset(dataset, readerFindings).findings.filter((f) => f.severity === 'error');
}

const where = (f: Finding[]) => f.map((x) => [x.rule, x.file, x.line]);
const label = 'group00001/00001_not/00001000.txt';

afterAll(removeTempFolders);

describe('validation rules (one fixture each)', () => {
  it('out-of-bounds', async () => {
    expect(where(await findings(await deepPcbFixture({ '00001000': '1 1 5 5 1\n60 40 70 45 2' }), 'deeppcb'))).toEqual([['out-of-bounds', label, 2]]);
  });

  it('zero-size', async () => {
    expect(where(await findings(await deepPcbFixture({ '00001000': '10 10 10 20 1' }), 'deeppcb'))).toEqual([['zero-size', label, 1]]);
  });

  it('negative-size (YOLO width/height)', async () => {
    expect(where(await findings(await yoloFixture({ a: '0 0.5 0.5 0.1 0.1\n1 0.5 0.5 -0.1 0.2\n' }), 'yolo'))).toEqual([['negative-size', 'labels/train/a.txt', 2]]);
  });

  it('inverted-corners', async () => {
    expect(where(await findings(await deepPcbFixture({ '00001000': '20 10 10 20 1' }), 'deeppcb'))).toEqual([['inverted-corners', label, 1]]);
  });

  it('unknown-class', async () => {
    expect(where(await findings(await yoloFixture({ a: '2 0.5 0.5 0.1 0.1' }), 'yolo'))).toEqual([['unknown-class', 'labels/train/a.txt', 1]]);
  });

  it('bad-number (non-numeric and NaN fields)', async () => {
    expect(where(await findings(await deepPcbFixture({ '00001000': '1 1 5 5 1\n1 x 5 5 1\n1 1 NaN 5 1' }), 'deeppcb'))).toEqual([
      ['bad-number', label, 2],
      ['bad-number', label, 3],
    ]);
  });

  it('duplicate-box', async () => {
    expect(where(await findings(await yoloFixture({ a: '0 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1 0.1' }), 'yolo'))).toEqual([['duplicate-box', 'labels/train/a.txt', 3]]);
  });

  it('missing-image (listed pair without its image; YOLO label without image)', async () => {
    const dir = await deepPcbFixture({ '00001000': '1 1 5 5 1', '00001001': '1 1 5 5 2' });
    await rm(join(dir, 'PCBData/group00001/00001/00001001_test.jpg'));
    expect(where(await findings(dir, 'deeppcb'))).toEqual([['missing-image', 'trainval.txt', 2]]);
    const yolo = await yoloFixture({ a: '0 0.5 0.5 0.1 0.1' });
    await writeText(join(yolo, 'labels/train/orphan.txt'), '0 0.5 0.5 0.1 0.1\n');
    expect(where(await findings(yolo, 'yolo'))).toEqual([['missing-image', 'labels/train/orphan.txt', undefined]]);
  });

  it('missing-label (listed pair without its label file)', async () => {
    const dir = await deepPcbFixture({ '00001000': '1 1 5 5 1' });
    await writeText(join(dir, 'PCBData/trainval.txt'), 'group00001/00001/00001000.jpg group00001/00001_not/00001000.txt\ngroup00001/00001/00001000.jpg group00001/00001_not/nope.txt');
    expect(where(await findings(dir, 'deeppcb'))).toEqual([['missing-label', 'trainval.txt', 2]]);
  });

  it('missing-label in YOLO is a warning (an image without boxes), not an error', async () => {
    const dir = await yoloFixture({ a: '0 0.5 0.5 0.1 0.1', b: undefined });
    const { dataset, findings: readerFindings } = await readDataset(dir, 'yolo');
    expect(readerFindings.map((f) => [f.rule, f.severity, f.file])).toEqual([['missing-label', 'warning', 'labels/train/b.txt']]);
    expect(dataset.images.find((i) => i.path.endsWith('b.jpg'))!.boxes).toEqual([]);
  });

  it('unreadable-label (not UTF-8; broken VOC XML with its line)', async () => {
    const dir = await yoloFixture({ a: '0 0.5 0.5 0.1 0.1' });
    await writeFile(join(dir, 'labels/train/a.txt'), Buffer.from([0x30, 0x20, 0xff, 0xfe, 0x0a]));
    expect(where(await findings(dir, 'yolo'))).toEqual([['unreadable-label', 'labels/train/a.txt', undefined]]);

    const voc = await tempFolder();
    await writeTinyImage(join(voc, 'JPEGImages/a.jpg'), 64, 48);
    await writeText(join(voc, 'Annotations/a.xml'), '<annotation>\n<filename>a.jpg</filename>\n<object><name>open</object>\n</annotation>');
    await writeText(join(voc, 'labels.txt'), 'open\n');
    expect(where(await findings(voc, 'voc'))).toEqual([['unreadable-label', 'Annotations/a.xml', 3]]);
  });

  it('unreadable-image (a file that is not an image)', async () => {
    const dir = await yoloFixture({ a: '0 0.5 0.5 0.1 0.1' });
    await writeFile(join(dir, 'images/train/a.jpg'), 'not a jpeg');
    expect(where(await findings(dir, 'yolo'))).toEqual([['unreadable-image', 'images/train/a.jpg', undefined]]);
  });

  it('unreadable-label (a folder where the label file should be)', async () => {
    const dir = await yoloFixture({ a: undefined });
    await mkdir(join(dir, 'labels/train/a.txt'), { recursive: true });
    expect(where(await findings(dir, 'yolo'))).toEqual([['unreadable-label', 'labels/train/a.txt', undefined]]);
  });

  it('withoutInvalidBoxes drops exactly the flagged boxes and keeps the first of duplicates', async () => {
    const dir = await deepPcbFixture({ '00001000': '1 1 5 5 1\n1 1 5 5 1\n20 10 10 20 2\n60 40 70 45 2\n2 2 8 8 3' });
    const { dataset } = await readDataset(dir, 'deeppcb');
    const { dataset: clean, droppedBoxes } = withoutInvalidBoxes(dataset);
    expect(droppedBoxes).toBe(3);
    expect(clean.images[0]!.boxes.map((b) => b.source!.line)).toEqual([1, 5]);
    expect(validateDataset(clean).errors).toBe(0);
  });
});
