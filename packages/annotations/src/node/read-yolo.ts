import { access } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DatasetLayoutError } from '../errors.js';
import type { Finding } from '../findings.js';
import type { ImageRecord, Split } from '../model.js';
import { parseDataYaml, parseYoloLabels } from '../yolo-format.js';
import { withExtension } from './image-files.js';
import { readImageSize } from './image-size.js';
import { isImageFile, listFiles } from './list-files.js';
import { mapLimited } from './map-limited.js';
import type { ReadResult } from './read-result.js';
import { readTextFile } from './text-file.js';

const exists = (path: string) => access(path).then(() => true, () => false);
const posix = (p: string) => p.split(sep).join('/');

/** The label file of an image (Ultralytics rule: the last `/images/` folder becomes `/labels/`, extension `.txt`). */
export function yoloLabelPath(imagePath: string): string {
  const p = `/${imagePath}`;
  const at = p.lastIndexOf('/images/');
  const swapped = at < 0 ? p : `${p.slice(0, at)}/labels/${p.slice(at + '/images/'.length)}`;
  return withExtension(swapped.slice(1), '.txt');
}

/**
 * Reads a YOLO dataset: `data.yaml` (names, `path`, `train` / `val` / `test` image folders), the images under each
 * split folder (sizes from headers) and their label files. A missing label file is a warning (YOLO reads it as an
 * image without boxes); a label file without an image is a `missing-image` error.
 * @param dir the folder holding `data.yaml`.
 * @example const { dataset } = await readYolo('out/pcb-yolo');
 */
export async function readYolo(dir: string): Promise<ReadResult> {
  const yamlFile = join(dir, 'data.yaml');
  const text = await readTextFile(yamlFile);
  if (!text.ok) throw new DatasetLayoutError(`${yamlFile}: ${text.message}`, { file: yamlFile });
  const data = parseDataYaml(text.text, 'data.yaml');
  // `path` is where Ultralytics resolves split folders; fall back to the yaml's folder when it is gone (moved dataset).
  const declared = data.path === undefined ? undefined : isAbsolute(data.path) ? data.path : resolve(dir, data.path);
  const root = declared !== undefined && (await exists(declared)) ? declared : resolve(dir);

  const findings: Finding[] = [];
  const entries: { path: string; split: Split }[] = [];
  const seen = new Set<string>();
  for (const split of ['train', 'val', 'test'] as const) {
    const folder = data.splits[split];
    if (folder === undefined) continue;
    const abs = resolve(root, folder);
    if (!(await exists(abs))) throw new DatasetLayoutError(`data.yaml: ${split} folder ${folder} not found`, { file: 'data.yaml', field: split });
    for (const file of await listFiles(abs, isImageFile)) {
      const path = posix(relative(root, join(abs, file)));
      if (seen.has(path)) continue;
      seen.add(path);
      entries.push({ path, split });
    }
  }
  if (entries.length === 0 && Object.keys(data.splits).length === 0) {
    throw new DatasetLayoutError('data.yaml: no train, val or test folder', { file: 'data.yaml' });
  }

  const records = await mapLimited(entries, 16, async ({ path, split }): Promise<ImageRecord | undefined> => {
    const labelPath = yoloLabelPath(path);
    const size = await readImageSize(join(root, path));
    if (!size.ok) {
      findings.push({ rule: size.reason === 'missing' ? 'missing-image' : 'unreadable-image', severity: 'error', file: path, image: path, excludedImage: true, message: size.message });
      return undefined;
    }
    const label = await readTextFile(join(root, labelPath));
    if (!label.ok) {
      if (label.reason === 'missing') {
        findings.push({ rule: 'missing-label', severity: 'warning', file: labelPath, image: path, message: 'no label file: read as an image without boxes' });
        return { path, width: size.width, height: size.height, split, boxes: [] };
      }
      findings.push({ rule: 'unreadable-label', severity: 'error', file: labelPath, image: path, excludedImage: true, message: label.message });
      return undefined;
    }
    const parsed = parseYoloLabels(label.text, labelPath, size.width, size.height, data.names.length, path);
    findings.push(...parsed.findings);
    return { path, width: size.width, height: size.height, split, boxes: parsed.boxes };
  });

  // Label files whose image is missing: their boxes would be lost silently otherwise.
  const expectedLabels = new Set(entries.map((e) => yoloLabelPath(e.path)));
  for (const folder of new Set(Object.values(data.splits))) {
    const labelFolder = yoloLabelPath(`${posix(relative(root, resolve(root, folder)))}/x`).slice(0, -'/x.txt'.length);
    for (const file of await listFiles(join(root, labelFolder), (n) => n.endsWith('.txt'))) {
      const labelPath = `${labelFolder}/${file}`;
      if (expectedLabels.has(labelPath)) continue;
      expectedLabels.add(labelPath);
      const label = await readTextFile(join(root, labelPath));
      const lines = label.ok ? label.text.split(/\r?\n/).filter((l) => l.trim() !== '').length : 0;
      findings.push({ rule: 'missing-image', severity: 'error', file: labelPath, excludedBoxes: lines, message: `label file has no image in ${folder}` });
    }
  }
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return { dataset: { classes: data.names, images: records.filter((r): r is ImageRecord => r !== undefined) }, root, findings };
}
