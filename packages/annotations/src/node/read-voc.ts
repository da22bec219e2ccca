import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AnnotationParseError, DatasetLayoutError } from '../errors.js';
import type { Finding } from '../findings.js';
import type { ImageRecord, Split } from '../model.js';
import { numberedLines } from '../parse-number.js';
import { parseVocXml, vocClassNames } from '../voc-format.js';
import { withExtension } from './image-files.js';
import { readImageSize } from './image-size.js';
import { listFiles } from './list-files.js';
import { mapLimited } from './map-limited.js';
import type { ReadResult } from './read-result.js';
import { readTextFile } from './text-file.js';

/** The class list file DefectKit writes beside `Annotations/` (VOC itself has none). */
export const VOC_CLASSES_FILE = 'labels.txt';

/**
 * Reads a Pascal VOC folder: `Annotations/*.xml`, images in `JPEGImages/` (sizes from headers), splits from
 * `ImageSets/Main/{train,val,test}.txt`, classes from `labels.txt` (one per line) or, without it, the sorted
 * names used in the XML files. An XML file that does not parse is an `unreadable-label` finding.
 * @example const { dataset } = await readVoc('data/pcb-voc');
 */
export async function readVoc(dir: string): Promise<ReadResult> {
  const root = resolve(dir);
  const xmlFiles = await listFiles(join(root, 'Annotations'), (n) => n.toLowerCase().endsWith('.xml'));
  if (xmlFiles.length === 0 && !(await access(join(root, 'Annotations')).then(() => true, () => false))) {
    throw new DatasetLayoutError(`${dir}: no Annotations/ folder`, { file: dir });
  }
  const findings: Finding[] = [];
  const texts = new Map<string, string>();
  for (const file of xmlFiles) {
    const result = await readTextFile(join(root, 'Annotations', file));
    if (result.ok) texts.set(file, result.text);
    else findings.push({ rule: 'unreadable-label', severity: 'error', file: `Annotations/${file}`, excludedImage: true, message: result.message });
  }

  let classes: string[];
  const classList = await readTextFile(join(root, VOC_CLASSES_FILE));
  if (classList.ok) classes = numberedLines(classList.text).map((l) => l.text.trim()).filter((l) => l !== '');
  else {
    const names = new Set<string>();
    // A file that does not parse contributes no names; it is reported when parsed below.
    for (const text of texts.values()) {
      try {
        for (const name of vocClassNames(text)) names.add(name);
      } catch {
        continue;
      }
    }
    classes = [...names].sort();
  }

  const splitOf = new Map<string, Split>();
  for (const split of ['train', 'val', 'test'] as const) {
    const listFile = `ImageSets/Main/${split}.txt`;
    const list = await readTextFile(join(root, listFile));
    if (!list.ok) continue;
    for (const { line, text } of numberedLines(list.text)) {
      const stem = text.trim().split(/\s+/)[0];
      if (!stem) continue;
      if (!texts.has(`${stem}.xml`) && !xmlFiles.includes(`${stem}.xml`)) {
        findings.push({ rule: 'missing-label', severity: 'error', file: listFile, line, message: `Annotations/${stem}.xml not found` });
        continue;
      }
      splitOf.set(stem, split);
    }
  }

  const records = await mapLimited([...texts.keys()], 16, async (file): Promise<ImageRecord | undefined> => {
    const xmlPath = `Annotations/${file}`;
    let parsed;
    try {
      parsed = parseVocXml(texts.get(file)!, xmlPath, classes);
    } catch (error) {
      if (!(error instanceof AnnotationParseError)) throw error;
      const line = error.details.line as number | undefined;
      findings.push({ rule: 'unreadable-label', severity: 'error', file: xmlPath, ...(line === undefined ? {} : { line }), excludedImage: true, message: error.message });
      return undefined;
    }
    const path = `JPEGImages/${parsed.filename}`;
    for (const f of parsed.findings) findings.push({ ...f, image: path });
    const size = await readImageSize(join(root, path));
    if (!size.ok) {
      findings.push({ rule: size.reason === 'missing' ? 'missing-image' : 'unreadable-image', severity: 'error', file: xmlPath, image: path, excludedImage: true, excludedBoxes: parsed.boxes.length, message: `${path}: ${size.message}` });
      return undefined;
    }
    const record: ImageRecord = { path, width: size.width, height: size.height, boxes: parsed.boxes };
    const split = splitOf.get(withExtension(file, ''));
    if (split !== undefined) record.split = split;
    return record;
  });
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return { dataset: { classes, images: records.filter((r): r is ImageRecord => r !== undefined) }, root, findings };
}
