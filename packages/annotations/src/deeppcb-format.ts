/**
 * DeepPCB's own text formats (upstream layout): per-image label files with `x1 y1 x2 y2 type` lines
 * (spaces or commas; 1-based types) and the `trainval.txt` / `test.txt` pair lists.
 */
import { AnnotationParseError } from './errors.js';
import type { Finding } from './findings.js';
import type { Box } from './model.js';
import { DEEPPCB_CLASSES } from './model.js';
import { numberedLines, parseDecimal } from './parse-number.js';

/** The boxes of one DeepPCB label file and the problems found in it. */
export interface ParsedLabels {
  boxes: Box[];
  findings: Finding[];
}

/**
 * Parses one DeepPCB label file. Types 1..6 map to `DEEPPCB_CLASSES` indices 0..5. Lines that are not five
 * numbers, or whose type is unknown, become findings and are left out; blank lines are ignored.
 * @param file the file's dataset-relative path, used in findings and on each box's `source`.
 * @example parseDeepPcbLabels('10 20 30 40 1\n', 'a_not/1.txt').boxes // [{x1:10,y1:20,x2:30,y2:40,classId:0,...}]
 */
export function parseDeepPcbLabels(text: string, file: string, image?: string): ParsedLabels {
  const boxes: Box[] = [];
  const findings: Finding[] = [];
  for (const { line, text: raw } of numberedLines(text)) {
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const fields = trimmed.split(/[\s,]+/);
    const where = { file, line, ...(image === undefined ? {} : { image }) };
    if (fields.length !== 5) {
      findings.push({ ...where, rule: 'bad-number', severity: 'error', excludedBoxes: 1, message: `expected 5 fields "x1 y1 x2 y2 type", got ${fields.length}: "${trimmed}"` });
      continue;
    }
    const values = fields.map(parseDecimal);
    const badIndex = values.findIndex((v) => v === undefined);
    if (badIndex >= 0) {
      const field = ['x1', 'y1', 'x2', 'y2', 'type'][badIndex]!;
      findings.push({ ...where, rule: 'bad-number', severity: 'error', excludedBoxes: 1, message: `field ${field} is not a number: "${fields[badIndex]}"` });
      continue;
    }
    const [x1, y1, x2, y2, type] = values as number[];
    if (!Number.isInteger(type) || type! < 1 || type! > DEEPPCB_CLASSES.length) {
      findings.push({ ...where, rule: 'unknown-class', severity: 'error', excludedBoxes: 1, message: `type ${fields[4]} is not one of 1..${DEEPPCB_CLASSES.length}` });
      continue;
    }
    boxes.push({ x1: x1!, y1: y1!, x2: x2!, y2: y2!, classId: type! - 1, source: { file, line } });
  }
  return { boxes, findings };
}

/** Formats boxes as a DeepPCB label file (space separated, 1-based types, one box per line). */
export function formatDeepPcbLabels(boxes: readonly Box[]): string {
  return boxes.map((b) => `${b.x1} ${b.y1} ${b.x2} ${b.y2} ${b.classId + 1}\n`).join('');
}

/** One line of a DeepPCB pair list: the image base path (`.jpg` without `_test`/`_temp`) and its label file. */
export interface DeepPcbPair {
  image: string;
  label: string;
  line: number;
}

/**
 * Parses `trainval.txt` / `test.txt`: one `group/NNNNN/<id>.jpg group/NNNNN_not/<id>.txt` pair per line,
 * the last line possibly without a newline. A line without exactly two paths is an `AnnotationParseError`.
 */
export function parseDeepPcbPairList(text: string, file: string): DeepPcbPair[] {
  const pairs: DeepPcbPair[] = [];
  for (const { line, text: raw } of numberedLines(text)) {
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const fields = trimmed.split(/\s+/);
    if (fields.length !== 2) {
      throw new AnnotationParseError(`${file}:${line}: expected "<image>.jpg <label>.txt", got "${trimmed}"`, { file, line });
    }
    pairs.push({ image: fields[0]!, label: fields[1]!, line });
  }
  return pairs;
}

/** The test (inspected) and template image paths of a pair's base image path (`x/1.jpg` -> `x/1_test.jpg`, `x/1_temp.jpg`). */
export function deepPcbImagePaths(base: string): { test: string; template: string } {
  const dot = base.lastIndexOf('.');
  const stem = dot > base.lastIndexOf('/') ? base.slice(0, dot) : base;
  const ext = dot > base.lastIndexOf('/') ? base.slice(dot) : '.jpg';
  return { test: `${stem}_test${ext}`, template: `${stem}_temp${ext}` };
}
