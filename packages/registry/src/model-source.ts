import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError } from './errors.js';

/** The files a model folder must hold: the network and its model card. */
export const modelFiles = ['model.onnx', 'model.json'] as const;

/** The part of a `defectkit.model-card/v1` card the registry reads (the detector reads the rest). */
export interface ModelCardSummary {
  /** The whole parsed card. */
  card: Record<string, unknown>;
  /** The card's `name`, if any. */
  name: string | null;
  /** The class names. */
  classes: string[];
  /** The card's `metrics` object ({} when absent). */
  metrics: Record<string, unknown>;
}

/** Reads and checks a model folder; throws `REGISTRY_MODEL_SOURCE` naming the missing file or bad field. */
export async function readModelSource(dir: string): Promise<ModelCardSummary> {
  for (const file of modelFiles) {
    const path = join(dir, file);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) {
      throw new RegistryError('REGISTRY_MODEL_SOURCE', `${path}: missing; a model folder holds model.onnx and model.json`, { file: path });
    }
  }
  const cardPath = join(dir, 'model.json');
  return parseModelCard(await readFile(cardPath, 'utf8'), cardPath);
}

/** Parses a model card's text; `file` is named in errors. */
export function parseModelCard(text: string, file: string): ModelCardSummary {
  let card: unknown;
  try {
    card = JSON.parse(text);
  } catch (error) {
    throw new RegistryError('REGISTRY_MODEL_SOURCE', `${file}: not valid JSON (${(error as Error).message})`, { file }, { cause: error });
  }
  if (typeof card !== 'object' || card === null || Array.isArray(card)) {
    throw new RegistryError('REGISTRY_MODEL_SOURCE', `${file}: a model card is a JSON object`, { file });
  }
  const record = card as Record<string, unknown>;
  if (record.format !== 'defectkit.model-card/v1') {
    throw new RegistryError('REGISTRY_MODEL_SOURCE', `${file}: field "format" must be "defectkit.model-card/v1", got ${JSON.stringify(record.format)}`, { file, field: 'format' });
  }
  const classes = record.classes;
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((name) => typeof name === 'string')) {
    throw new RegistryError('REGISTRY_MODEL_SOURCE', `${file}: field "classes" must be a non-empty array of strings`, { file, field: 'classes' });
  }
  const metrics = record.metrics;
  return {
    card: record,
    name: typeof record.name === 'string' ? record.name : null,
    classes: classes as string[],
    metrics: typeof metrics === 'object' && metrics !== null && !Array.isArray(metrics) ? (metrics as Record<string, unknown>) : {},
  };
}

/** Checks user-given class names against the card's; throws `REGISTRY_MODEL_SOURCE` on a count mismatch. */
export function resolveClasses(card: ModelCardSummary, given: string[] | undefined, file: string): string[] {
  if (given === undefined) return card.classes;
  if (given.length !== card.classes.length || !given.every((name) => typeof name === 'string' && name !== '')) {
    throw new RegistryError(
      'REGISTRY_MODEL_SOURCE',
      `classes: ${given.length} names given but ${file} declares ${card.classes.length}`,
      { file, field: 'classes', given: given.length, card: card.classes.length },
    );
  }
  return given;
}
