import { MetadataParseError } from '../errors.js';
import { parsePythonLiteral, type PyValue } from './python-literal.js';

/** Keys Ultralytics' AutoBackend converts with `int()`. */
const INT_KEYS = new Set(['stride', 'batch', 'channels']);
/** Keys AutoBackend converts with `ast.literal_eval`. */
const LITERAL_KEYS = new Set(['imgsz', 'names', 'kpt_shape', 'kpt_names', 'args', 'end2end']);

/**
 * Converts each raw metadata string the way Ultralytics' AutoBackend does: `stride`, `batch`, `channels`
 * with `int()`, `imgsz`, `names`, `kpt_shape`, `kpt_names`, `args`, `end2end` as Python literals, every other
 * key kept as text.
 *
 * @throws MetadataParseError `PYTHON_LITERAL_PARSE` naming the key.
 */
export function parseMetadataValues(raw: Record<string, string>): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  for (const [key, text] of Object.entries(raw)) {
    if (INT_KEYS.has(key)) out[key] = parsePythonInt(text, key);
    else if (LITERAL_KEYS.has(key)) out[key] = parsePythonLiteral(text, key);
    else out[key] = text;
  }
  return out;
}

/** The Ultralytics metadata a decoder needs, typed. Every field is absent when the model does not carry it. */
export interface UltralyticsMetadata {
  /** Class names indexed by class id (gaps filled with the id as text). */
  names?: string[];
  /** Network input size `[height, width]` (a single int means a square). */
  imgsz?: [number, number];
  /** The largest model stride (32 for detect models). */
  stride?: number;
  /** `detect`, `segment`, `pose`, `obb` or `classify`. */
  task?: string;
  /** Fixed batch size of the export. */
  batch?: number;
  /** Input channels. */
  channels?: number;
  /** True when the model output is already final (`end2end` metadata, or exported with `nms=True`). */
  end2end?: boolean;
  /** True for dynamic-shape exports (`args['dynamic']`): Ultralytics letterboxes with `auto=True` then. */
  dynamic?: boolean;
  /** The export arguments, as parsed. */
  args?: Map<PyValue, PyValue>;
  /** Every entry parsed as AutoBackend would (see {@link parseMetadataValues}). */
  values: Record<string, PyValue>;
  /** The raw strings. */
  raw: Record<string, string>;
}

/**
 * Interprets ONNX `metadata_props` written by an Ultralytics (or legacy YOLOv5) export.
 *
 * @example
 * const meta = parseUltralyticsMetadata(readOnnxMetadata(bytes));
 * meta.names // ['open', 'short', ...]; meta.imgsz // [640, 640]; meta.end2end // false
 */
export function parseUltralyticsMetadata(raw: Record<string, string>): UltralyticsMetadata {
  const values = parseMetadataValues(raw);
  const meta: UltralyticsMetadata = { values, raw };
  const names = values.names;
  if (names !== undefined) meta.names = namesToArray(names);
  const imgsz = values.imgsz;
  if (typeof imgsz === 'number') meta.imgsz = [imgsz, imgsz];
  else if (Array.isArray(imgsz) && imgsz.length >= 1 && imgsz.every((v) => typeof v === 'number')) {
    meta.imgsz = [imgsz[0] as number, (imgsz[1] ?? imgsz[0]) as number];
  } else if (imgsz !== undefined) throw badField('imgsz', raw.imgsz, 'an int or a list of ints');
  for (const key of ['stride', 'batch', 'channels'] as const) {
    const value = values[key];
    if (typeof value === 'number') meta[key] = value;
  }
  if (typeof values.task === 'string') meta.task = values.task;
  const args = values.args;
  if (args instanceof Map) {
    meta.args = args;
    if (typeof args.get('dynamic') === 'boolean') meta.dynamic = args.get('dynamic') as boolean;
  }
  const end2end = values.end2end === true || (args instanceof Map && args.get('nms') === true);
  if (values.end2end !== undefined || args instanceof Map) meta.end2end = end2end;
  return meta;
}

/** `{0: 'a', 1: 'b'}` (or a list of names) → `['a', 'b']`. */
export function namesToArray(names: PyValue): string[] {
  if (Array.isArray(names)) return names.map(String);
  if (!(names instanceof Map)) throw badField('names', String(names), 'a dict of int → name or a list');
  let size = 0;
  for (const key of names.keys()) {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 0) throw badField('names', String(key), 'non-negative int keys');
    size = Math.max(size, key + 1);
  }
  const out = Array.from({ length: size }, (_, i) => String(i));
  for (const [key, value] of names) out[key as number] = String(value);
  return out;
}

function parsePythonInt(text: string, key: string): number {
  // int() accepts surrounding whitespace, a sign and underscores between digits.
  const trimmed = text.trim();
  if (!/^[-+]?\d+(?:_\d+)*$/.test(trimmed)) throw badField(key, text, 'an integer');
  return Number(trimmed.replace(/_/g, ''));
}

function badField(key: string, text: string | undefined, expected: string): MetadataParseError {
  return new MetadataParseError('PYTHON_LITERAL_PARSE', `Metadata '${key}' must be ${expected}, got ${JSON.stringify(text)}`, {
    field: key,
    value: text,
  });
}
