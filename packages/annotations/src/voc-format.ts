/**
 * Pascal VOC XML, one file per image: `<annotation>` with `filename`, `size` and `object`s holding a class
 * `name` and a `bndbox` (`xmin ymin xmax ymax`). Coordinates are kept exactly as written (no ±1 pixel shift),
 * so a VOC round trip returns the same numbers.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { AnnotationParseError } from './errors.js';
import type { Finding } from './findings.js';
import type { Box } from './model.js';
import { parseDecimal } from './parse-number.js';

/** One parsed VOC annotation file. */
export interface VocAnnotation {
  /** The image file name (`<filename>`), relative to the images folder. */
  filename: string;
  /** `<size>` as written, when present and numeric. */
  width?: number;
  height?: number;
  /** The boxes, `classId` indexing the `classes` passed in. */
  boxes: Box[];
  /** Problems found: unknown class names, non-numeric coordinates. */
  findings: Finding[];
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, isArray: (name) => name === 'object' });
const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: false });

/** The 1-based line of each `<object>` start tag, in document order (fast-xml-parser keeps no positions). */
function objectLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let from = 0;
  for (const match of text.matchAll(/<object[\s>]/g)) {
    for (let i = from; i < match.index; i++) if (text.charCodeAt(i) === 10) line++;
    from = match.index;
    lines.push(line);
  }
  return lines;
}

/**
 * Parses one VOC XML file.
 * @param classes the class list; an object whose name is not in it becomes an `unknown-class` finding.
 * @example parseVocXml(xml, 'Annotations/a.xml', ['open']).boxes
 */
export function parseVocXml(text: string, file: string, classes: readonly string[], image?: string): VocAnnotation {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, msg } = valid.err;
    throw new AnnotationParseError(`${file}:${line}: not valid XML: ${msg}`, { file, line });
  }
  const doc = parser.parse(text) as Record<string, unknown>;
  const root = doc.annotation as Record<string, unknown> | undefined;
  if (typeof root !== 'object' || root === null) throw new AnnotationParseError(`${file}: no <annotation> element`, { file });
  if (typeof root.filename !== 'string' || root.filename === '') throw new AnnotationParseError(`${file}: no <filename>`, { file, field: 'filename' });
  const size = (root.size ?? {}) as Record<string, unknown>;
  const out: VocAnnotation = { filename: root.filename, boxes: [], findings: [] };
  const width = parseDecimal(String(size.width ?? ''));
  const height = parseDecimal(String(size.height ?? ''));
  if (width !== undefined) out.width = width;
  if (height !== undefined) out.height = height;

  const lines = objectLines(text);
  const objects = (root.object ?? []) as Record<string, unknown>[];
  objects.forEach((object, index) => {
    const line = lines[index];
    const where = { file, ...(line === undefined ? {} : { line }), ...(image === undefined ? {} : { image }) };
    const name = typeof object.name === 'string' ? object.name : '';
    const classId = classes.indexOf(name);
    if (classId < 0) {
      out.findings.push({ ...where, rule: 'unknown-class', severity: 'error', excludedBoxes: 1, message: `class "${name}" is not one of ${classes.join(', ')}` });
      return;
    }
    const bndbox = (object.bndbox ?? {}) as Record<string, unknown>;
    const values = (['xmin', 'ymin', 'xmax', 'ymax'] as const).map((k) => [k, parseDecimal(String(bndbox[k] ?? ''))] as const);
    const bad = values.find(([, v]) => v === undefined);
    if (bad) {
      out.findings.push({ ...where, rule: 'bad-number', severity: 'error', excludedBoxes: 1, message: `<${bad[0]}> is missing or not a number: "${String(bndbox[bad[0]] ?? '')}"` });
      return;
    }
    const [x1, y1, x2, y2] = values.map(([, v]) => v!) as [number, number, number, number];
    out.boxes.push({ x1, y1, x2, y2, classId, source: { file, ...(line === undefined ? {} : { line }) } });
  });
  return out;
}

/** Collects the class names used in VOC files (for folders without a class list), sorted. */
export function vocClassNames(text: string): string[] {
  const doc = parser.parse(text) as { annotation?: { object?: { name?: unknown }[] } };
  return [...new Set((doc.annotation?.object ?? []).map((o) => String(o.name ?? '')))];
}

/**
 * Formats one image's boxes as VOC XML (full-precision coordinates, `difficult` 0).
 * @example formatVocXml({ filename: 'a.jpg', width: 640, height: 640, boxes }, ['open', 'short'])
 */
export function formatVocXml(image: { filename: string; width: number; height: number; boxes: readonly Box[] }, classes: readonly string[]): string {
  const doc = {
    annotation: {
      folder: 'JPEGImages',
      filename: image.filename,
      size: { width: image.width, height: image.height },
      object: image.boxes.map((b) => ({
        name: classes[b.classId] ?? String(b.classId),
        truncated: 0,
        difficult: 0,
        bndbox: { xmin: b.x1, ymin: b.y1, xmax: b.x2, ymax: b.y2 },
      })),
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(doc) as string}`;
}
