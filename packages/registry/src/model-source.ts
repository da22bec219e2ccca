import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelCardText, type ModelCard } from '@defectkit/detector';
import { RegistryError } from './errors.js';
import { checkModelSignature } from './model-signature.js';

/** The files a model folder must hold: the network and its model card. */
export const modelFiles = ['model.onnx', 'model.json'] as const;

/** What the registry reads from a model card (parsed by `parseModelCardText` of `@defectkit/detector`). */
export interface ModelCardSummary {
  /** The card's JSON object as written (stored unchanged). */
  card: Record<string, unknown>;
  /** The card as the one parser of `@defectkit/detector` reads it. */
  model: ModelCard;
  /** The card's `name`. */
  name: string | null;
  /** The class names. */
  classes: string[];
  /** The card's `metrics` object ({} when absent). */
  metrics: Record<string, unknown>;
}

/** Reads and checks a model folder: `REGISTRY_MODEL_SOURCE` names a missing file or an ONNX graph that does not match its card, `MODEL_CARD_INVALID` a bad card field. */
export async function readModelSource(dir: string): Promise<ModelCardSummary> {
  for (const file of modelFiles) {
    const path = join(dir, file);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) {
      throw new RegistryError('REGISTRY_MODEL_SOURCE', `${path}: missing; a model folder holds model.onnx and model.json`, { file: path });
    }
  }
  const cardPath = join(dir, 'model.json');
  const summary = parseModelCard(await readFile(cardPath, 'utf8'), cardPath);
  // Any bytes named model.onnx are not a model: the graph must have the input and outputs the card declares.
  await checkModelSignature(join(dir, 'model.onnx'), summary.model, cardPath);
  return summary;
}

/**
 * Parses a model card's text with the one parser of `@defectkit/detector` (`MODEL_CARD_INVALID` naming the file
 * and the field); `card` keeps the JSON object as written, for storing it unchanged.
 */
export function parseModelCard(text: string, file: string): ModelCardSummary {
  const model = parseModelCardText(text, file);
  return { card: JSON.parse(text) as Record<string, unknown>, model, name: model.name, classes: model.classes, metrics: model.metrics ?? {} };
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
