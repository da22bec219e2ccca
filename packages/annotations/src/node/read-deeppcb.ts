import { access, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { deepPcbImagePaths, parseDeepPcbLabels, parseDeepPcbPairList, type DeepPcbPair } from '../deeppcb-format.js';
import { DatasetLayoutError } from '../errors.js';
import type { Finding } from '../findings.js';
import { DEEPPCB_CLASSES, type ImageRecord, type Split } from '../model.js';
import { readImageSize } from './image-size.js';
import { mapLimited } from './map-limited.js';
import type { ReadResult } from './read-result.js';
import { readTextFile } from './text-file.js';

const exists = (path: string) => access(path).then(() => true, () => false);

/** The folder holding the group folders and split lists: `<dir>/PCBData` when present, else `<dir>` itself. */
async function deepPcbRoot(dir: string): Promise<string> {
  const nested = resolve(dir, 'PCBData');
  return (await exists(nested)) ? nested : resolve(dir);
}

/** Lists pairs by walking `groupX/NNNNN/*_test.jpg` when the dataset ships no split lists. */
async function walkPairs(root: string): Promise<DeepPcbPair[]> {
  const pairs: DeepPcbPair[] = [];
  for (const group of (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const sub of (await readdir(join(root, group), { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.endsWith('_not')).map((d) => d.name).sort()) {
      for (const file of (await readdir(join(root, group, sub))).filter((f) => f.endsWith('_test.jpg')).sort()) {
        const id = file.slice(0, -'_test.jpg'.length);
        pairs.push({ image: `${group}/${sub}/${id}.jpg`, label: `${group}/${sub}_not/${id}.txt`, line: 0 });
      }
    }
  }
  return pairs;
}

/**
 * Reads DeepPCB in its upstream layout (`PCBData/groupX/NNNNN/<id>_test.jpg`, `_temp.jpg`, `NNNNN_not/<id>.txt`).
 * Images come from `trainval.txt` (split `train`) and `test.txt` (split `test`) when present, else from walking the
 * group folders (no split). Image sizes come from the file headers; the template path is kept on each image.
 * @param dir the folder holding `PCBData/`, or `PCBData/` itself.
 * @example const { dataset, findings } = await readDeepPcb(process.env.DEEPPCB_DIR!);
 */
export async function readDeepPcb(dir: string): Promise<ReadResult> {
  const root = await deepPcbRoot(dir);
  const findings: Finding[] = [];
  const lists: { file: string; split: Split }[] = [
    { file: 'trainval.txt', split: 'train' },
    { file: 'test.txt', split: 'test' },
  ];
  const entries: { pair: DeepPcbPair; split?: Split; list?: string }[] = [];
  let listed = false;
  for (const { file, split } of lists) {
    const result = await readTextFile(join(root, file));
    if (!result.ok && result.reason === 'missing') continue;
    if (!result.ok) throw new DatasetLayoutError(`${file}: ${result.message}`, { file });
    listed = true;
    for (const pair of parseDeepPcbPairList(result.text, file)) entries.push({ pair, split, list: file });
  }
  if (!listed) {
    if (!(await exists(root))) throw new DatasetLayoutError(`${dir}: folder not found`, { file: dir });
    for (const pair of await walkPairs(root)) entries.push({ pair });
    if (entries.length === 0) throw new DatasetLayoutError(`${dir}: no trainval.txt / test.txt and no group folders with *_test.jpg images`, { file: dir });
  }

  const records = await mapLimited(entries, 16, async ({ pair, split, list }): Promise<ImageRecord | undefined> => {
    const { test, template } = deepPcbImagePaths(pair.image);
    const label = await readTextFile(join(root, pair.label));
    if (!label.ok) {
      findings.push({ rule: label.reason === 'missing' ? 'missing-label' : 'unreadable-label', severity: 'error', file: list ?? pair.label, ...(list === undefined ? {} : { line: pair.line }), image: test, excludedImage: true, message: `label file ${pair.label}: ${label.message}` });
      return undefined;
    }
    const parsed = parseDeepPcbLabels(label.text, pair.label, test);
    findings.push(...parsed.findings);
    const size = await readImageSize(join(root, test));
    if (!size.ok) {
      findings.push({ rule: size.reason === 'missing' ? 'missing-image' : 'unreadable-image', severity: 'error', file: list ?? test, ...(list === undefined ? {} : { line: pair.line }), image: test, excludedImage: true, excludedBoxes: parsed.boxes.length, message: `image ${test}: ${size.message}` });
      return undefined;
    }
    const record: ImageRecord = { path: test, width: size.width, height: size.height, boxes: parsed.boxes };
    if (await exists(join(root, template))) record.templatePath = template;
    else findings.push({ rule: 'missing-image', severity: 'warning', file: list ?? test, ...(list === undefined ? {} : { line: pair.line }), image: test, message: `template image ${template} not found` });
    if (split !== undefined) record.split = split;
    return record;
  });
  // Findings arrive in completion order; sort them so reports are stable between runs.
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return { dataset: { classes: [...DEEPPCB_CLASSES], images: records.filter((r): r is ImageRecord => r !== undefined) }, root, findings };
}
