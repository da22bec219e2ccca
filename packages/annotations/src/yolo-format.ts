/**
 * YOLO text formats: label files (`class cx cy w h`, normalised, one box per line) and `data.yaml`.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { fromYoloBox, toYoloBox } from './box-geometry.js';
import { AnnotationParseError } from './errors.js';
import type { Finding } from './findings.js';
import type { Box, Split } from './model.js';
import { numberedLines, parseDecimal } from './parse-number.js';
import type { ParsedLabels } from './deeppcb-format.js';

/** Decimals written for normalised YOLO coordinates. */
export const YOLO_DECIMALS = 6;

/**
 * Formats boxes as a YOLO label file: `class cx cy w h` normalised by the image size, 6 decimals.
 * @example formatYoloLabels([{ x1: 10, y1: 20, x2: 30, y2: 60, classId: 1 }], 100, 200) // '1 0.200000 0.200000 0.200000 0.200000\n'
 */
export function formatYoloLabels(boxes: readonly Box[], width: number, height: number): string {
  return boxes
    .map((b) => {
      const values = toYoloBox([b.x1, b.y1, b.x2, b.y2], width, height).map((v) => v.toFixed(YOLO_DECIMALS));
      return `${b.classId} ${values.join(' ')}\n`;
    })
    .join('');
}

/**
 * Parses a YOLO label file into pixel boxes. Lines that are not `class cx cy w h` numbers, negative sizes and
 * class ids outside `0..classCount-1` become findings and are left out (never silently fixed).
 * Extra columns (segments, keypoints) are not supported and reported.
 * @example parseYoloLabels('0 0.5 0.5 0.2 0.2\n', 'labels/a.txt', 100, 100, 1).boxes[0] // { x1: 40, y1: 40, x2: 60, y2: 60, classId: 0, ... }
 */
export function parseYoloLabels(text: string, file: string, width: number, height: number, classCount: number, image?: string): ParsedLabels {
  const boxes: Box[] = [];
  const findings: Finding[] = [];
  for (const { line, text: raw } of numberedLines(text)) {
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const fields = trimmed.split(/\s+/);
    const where = { file, line, ...(image === undefined ? {} : { image }) };
    if (fields.length !== 5) {
      findings.push({ ...where, rule: 'bad-number', severity: 'error', excludedBoxes: 1, message: `expected 5 fields "class cx cy w h", got ${fields.length}` });
      continue;
    }
    const values = fields.map(parseDecimal);
    const badIndex = values.findIndex((v) => v === undefined);
    if (badIndex >= 0) {
      const field = ['class', 'cx', 'cy', 'w', 'h'][badIndex]!;
      findings.push({ ...where, rule: 'bad-number', severity: 'error', excludedBoxes: 1, message: `field ${field} is not a number: "${fields[badIndex]}"` });
      continue;
    }
    const [cls, cx, cy, w, h] = values as [number, number, number, number, number];
    if (!Number.isInteger(cls) || cls < 0 || cls >= classCount) {
      findings.push({ ...where, rule: 'unknown-class', severity: 'error', excludedBoxes: 1, message: `class ${fields[0]} is not one of 0..${classCount - 1}` });
      continue;
    }
    if (w < 0 || h < 0) {
      findings.push({ ...where, rule: 'negative-size', severity: 'error', excludedBoxes: 1, message: `negative size w=${fields[3]} h=${fields[4]}` });
      continue;
    }
    const [x1, y1, x2, y2] = fromYoloBox([cx, cy, w, h], width, height);
    boxes.push({ x1, y1, x2, y2, classId: cls, source: { file, line } });
  }
  return { boxes, findings };
}

/** What `data.yaml` says: class names and the image folder of each split (relative to `path`). */
export interface YoloDataYaml {
  /** The dataset root as written (absolute, or relative to the yaml's folder); absent when not written. */
  path?: string;
  names: string[];
  splits: Partial<Record<Split, string>>;
}

/**
 * Formats `data.yaml` (Ultralytics style): `path`, one key per split, `nc` and the `names` list.
 * @example formatDataYaml({ path: '/data/pcb', names: ['open'], splits: { train: 'images/train' } })
 */
export function formatDataYaml(data: YoloDataYaml): string {
  const doc: Record<string, unknown> = {};
  if (data.path !== undefined) doc.path = data.path;
  for (const split of ['train', 'val', 'test'] as const) if (data.splits[split] !== undefined) doc[split] = data.splits[split];
  doc.nc = data.names.length;
  doc.names = data.names;
  return stringifyYaml(doc);
}

/**
 * Parses `data.yaml`: `names` as a list or an `{index: name}` map (indices must be 0..n-1), optional `path`
 * and `train` / `val` / `test` folders (one folder each; lists of folders are not supported).
 */
export function parseDataYaml(text: string, file: string): YoloDataYaml {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new AnnotationParseError(`${file}${line === undefined ? '' : `:${line}`}: not valid YAML: ${(error as Error).message}`, { file, ...(line === undefined ? {} : { line }) }, { cause: error });
  }
  if (typeof doc !== 'object' || doc === null) throw new AnnotationParseError(`${file}: expected a YAML mapping`, { file });
  const record = doc as Record<string, unknown>;
  const names = parseNames(record.names, file);
  const splits: Partial<Record<Split, string>> = {};
  for (const split of ['train', 'val', 'test'] as const) {
    const value = record[split];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new AnnotationParseError(`${file}: field "${split}" must be one folder path`, { file, field: split });
    splits[split] = value;
  }
  const out: YoloDataYaml = { names, splits };
  if (typeof record.path === 'string') out.path = record.path;
  return out;
}

function parseNames(value: unknown, file: string): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>);
    const names: string[] = [];
    for (const [key, name] of entries) {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0 || index >= entries.length) {
        throw new AnnotationParseError(`${file}: names key "${key}" is not an index 0..${entries.length - 1}`, { file, field: 'names' });
      }
      names[index] = String(name);
    }
    return names;
  }
  throw new AnnotationParseError(`${file}: field "names" is missing or not a list`, { file, field: 'names' });
}
