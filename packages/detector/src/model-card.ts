import { OUTPUT_LAYOUTS, type OutputLayout } from '@defectkit/postprocess';
import { ModelCardError } from './errors.js';

/** The output layouts a model card may name: the `@defectkit/postprocess` list, so decoders and cards agree. */
export { OUTPUT_LAYOUTS, type OutputLayout };

/** The format tag of version 1 of the model card: what DefectKit writes for a model that needs no v2 field. */
export const MODEL_CARD_FORMAT = 'defectkit.model-card/v1';

/**
 * Version 2 adds `input.reference` (the model compares each image with a golden reference) and `verdict` (per-class
 * pass/fail thresholds). A card that uses either must say v2, so a DefectKit that reads only v1 refuses it instead of
 * running a reference model on one image or judging boards by another rule.
 */
export const MODEL_CARD_FORMAT_V2 = 'defectkit.model-card/v2';

/** Every card format this parser reads, oldest first; a newer card is refused with a message saying so. */
export const MODEL_CARD_FORMATS: readonly string[] = [MODEL_CARD_FORMAT, MODEL_CARD_FORMAT_V2];

/** The card format versions this parser reads. */
export type ModelCardFormat = typeof MODEL_CARD_FORMAT | typeof MODEL_CARD_FORMAT_V2;

const FORMAT_PATTERN = /^defectkit\.model-card\/v(\d+)$/;

/** How images are fed to the network. */
export interface ModelInputSpec {
  /** The ONNX input name. */
  name: string;
  /** Network input width and height in pixels (ignored for `resize: "none"` apart from documentation). */
  width: number;
  height: number;
  /** 1 = greyscale, 3 = RGB. */
  channels: 1 | 3;
  /** `letterbox` (Ultralytics: centred, padded) or `none` (the image at its own size; the graph resizes). */
  resize: 'letterbox' | 'none';
  /** True when the input is `[B, C, H, W]`; false for torchvision detection graphs taking `[C, H, W]`. */
  batchAxis: boolean;
  stride: number;
  padValue: number;
  /** Pixels are multiplied by this (1/255 maps 8-bit to [0, 1]). */
  scale: number;
  /** Optional per-channel mean / std applied after `scale`: (x * scale - mean) / std. */
  mean: number[] | null;
  std: number[] | null;
  /**
   * Card v2: `stacked` when the model compares the image with a golden reference of the same board design. The
   * input tensor then holds the image's `channels` followed by the reference's `channels` (same size, same
   * preprocessing); absent for a model that takes the image alone.
   */
  reference?: 'stacked';
}

/**
 * Card v2: the rule that turns a board's detections into a verdict. A board fails when at least one of its kept
 * detections scores at or above the threshold of its class (`classConf[label]`, else `conf`).
 */
export interface VerdictThresholds {
  conf: number;
  classConf: Record<string, number>;
}

/** Default score / IoU thresholds and the detection cap. */
export interface ModelThresholds {
  conf: number;
  iou: number;
  maxDet: number;
}

/** The `model.json` model card beside `model.onnx` (`defectkit.model-card/v1` or `/v2`). */
export interface ModelCard {
  format: ModelCardFormat;
  name: string;
  task: 'detect' | 'classify';
  classes: string[];
  input: ModelInputSpec;
  output: { layout: OutputLayout };
  thresholds: ModelThresholds;
  /** Card v2: the verdict rule (default: any kept detection fails the board). */
  verdict?: VerdictThresholds;
  /** Informational: how the model was trained and how well it scored. */
  recipe?: Record<string, unknown>;
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

type Json = Record<string, unknown>;

class CardReader {
  constructor(private readonly source: string) {}

  fail(field: string, problem: string): never {
    throw new ModelCardError('MODEL_CARD_INVALID', `${this.source}: field "${field}" ${problem}`, {
      file: this.source,
      field,
    });
  }

  object(value: unknown, field: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'must be an object');
    return value as Json;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string' || value.length === 0) this.fail(field, 'must be a non-empty string');
    return value;
  }

  number(value: unknown, field: string, check: (n: number) => boolean, expected: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) this.fail(field, `must be ${expected} (got ${JSON.stringify(value)})`);
    return value;
  }

  positiveInt(value: unknown, field: string): number {
    return this.number(value, field, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
  }

  unit(value: unknown, field: string): number {
    return this.number(value, field, (n) => n >= 0 && n <= 1, 'a number in [0, 1]');
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
    if (!allowed.includes(value as T)) this.fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')} (got ${JSON.stringify(value)})`);
    return value as T;
  }

  optionalVector(value: unknown, field: string, length: number): number[] | null {
    if (value === null || value === undefined) return null;
    if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === 'number' && Number.isFinite(v)))
      this.fail(field, `must be null or an array of ${length} numbers (one per channel)`);
    return value as number[];
  }
}

/** The card's schema version: missing, another schema, or a version this parser does not read are told apart. */
function checkFormat(r: CardReader, format: unknown): void {
  if (typeof format === 'string' && MODEL_CARD_FORMATS.includes(format)) return;
  if (format === undefined) r.fail('format', `is missing (a DefectKit model card starts with "format": "${MODEL_CARD_FORMAT}")`);
  const version = typeof format === 'string' ? FORMAT_PATTERN.exec(format)?.[1] : undefined;
  if (version !== undefined) r.fail('format', `is version ${version} of the model card; this DefectKit reads ${MODEL_CARD_FORMATS.join(', ')} (a newer DefectKit wrote it)`);
  r.fail('format', `must be "${MODEL_CARD_FORMAT}" (got ${JSON.stringify(format)})`);
}

/**
 * The one model-card parser of DefectKit (detector, registry, notebooks and CLI all call it).
 * Validates a parsed `model.json` against the `defectkit.model-card/v1` or `/v2` contract. Every problem is a
 * {@link ModelCardError} (code `MODEL_CARD_INVALID`) naming `source` and the field.
 *
 * @param value The parsed JSON.
 * @param source The file name to quote in errors.
 * @example
 * const card = parseModelCard(JSON.parse(text), 'models/pcb-defects/model.json');
 * card.classes; // ['open', 'short', ...]
 */
export function parseModelCard(value: unknown, source = 'model.json'): ModelCard {
  const r: CardReader = new CardReader(source);
  const root = r.object(value, '(root)');
  checkFormat(r, root.format);
  const name = r.string(root.name, 'name');
  const task = r.oneOf(root.task, 'task', ['detect', 'classify'] as const);
  const rawClasses = root.classes;
  if (!Array.isArray(rawClasses) || rawClasses.length === 0) r.fail('classes', 'must be a non-empty array of class names');
  const classes = (rawClasses as unknown[]).map((c, i) => r.string(c, `classes[${i}]`));

  const inp = r.object(root.input, 'input');
  const channels = r.number(inp.channels, 'input.channels', (n) => n === 1 || n === 3, '1 or 3') as 1 | 3;
  const batchAxis = inp.batchAxis;
  if (typeof batchAxis !== 'boolean') r.fail('input.batchAxis', 'must be true or false');
  const input: ModelInputSpec = {
    name: r.string(inp.name, 'input.name'),
    width: r.positiveInt(inp.width, 'input.width'),
    height: r.positiveInt(inp.height, 'input.height'),
    channels,
    resize: r.oneOf(inp.resize, 'input.resize', ['letterbox', 'none'] as const),
    batchAxis,
    stride: r.positiveInt(inp.stride, 'input.stride'),
    padValue: r.number(inp.padValue, 'input.padValue', (n) => n >= 0 && n <= 255, 'a number in [0, 255]'),
    scale: r.number(inp.scale, 'input.scale', (n) => n > 0, 'a positive number'),
    mean: r.optionalVector(inp.mean, 'input.mean', channels),
    std: r.optionalVector(inp.std, 'input.std', channels),
  };
  if (input.std?.some((s) => s === 0)) r.fail('input.std', 'must not contain 0');
  const format = root.format as ModelCardFormat;
  const needsV2 = (field: string): void => {
    if (format === MODEL_CARD_FORMAT) r.fail(field, `needs "format": "${MODEL_CARD_FORMAT_V2}" (version 1 cards have no such field)`);
  };
  if (inp.reference !== undefined && inp.reference !== null) {
    needsV2('input.reference');
    input.reference = r.oneOf(inp.reference, 'input.reference', ['stacked'] as const);
  }

  const out = r.object(root.output, 'output');
  const layout = r.oneOf(out.layout, 'output.layout', OUTPUT_LAYOUTS);
  if ((task === 'classify') !== (layout === 'classifier')) r.fail('output.layout', `"${layout}" does not fit task "${task}"`);

  const th = r.object(root.thresholds, 'thresholds');
  const thresholds: ModelThresholds = {
    conf: r.unit(th.conf, 'thresholds.conf'),
    iou: r.unit(th.iou, 'thresholds.iou'),
    maxDet: r.positiveInt(th.maxDet, 'thresholds.maxDet'),
  };

  const card: ModelCard = { format, name, task, classes, input, output: { layout }, thresholds };
  if (root.verdict !== undefined && root.verdict !== null) {
    needsV2('verdict');
    const v = r.object(root.verdict, 'verdict');
    const classConf: Record<string, number> = {};
    if (v.classConf !== undefined && v.classConf !== null) {
      for (const [label, value] of Object.entries(r.object(v.classConf, 'verdict.classConf'))) {
        if (!classes.includes(label)) r.fail(`verdict.classConf.${label}`, `names no class of the card (classes: ${classes.join(', ')})`);
        classConf[label] = r.unit(value, `verdict.classConf.${label}`);
      }
    }
    card.verdict = { conf: v.conf === undefined ? thresholds.conf : r.unit(v.conf, 'verdict.conf'), classConf };
  }
  for (const key of ['recipe', 'training', 'metrics'] as const) {
    if (root[key] !== undefined && root[key] !== null) card[key] = r.object(root[key], key);
  }
  return card;
}

/**
 * Parses the text of a `model.json`; invalid JSON is a `MODEL_CARD_INVALID` error naming the file.
 */
export function parseModelCardText(text: string, source = 'model.json'): ModelCard {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelCardError('MODEL_CARD_INVALID', `${source}: not valid JSON (${(error as Error).message})`, { file: source }, { cause: error });
  }
  return parseModelCard(value, source);
}
