import { InvalidArgumentError } from '../errors.js';
import { validateLayout } from './output-layout.js';
import { valueAt, type OutputTensor } from './output-tensor.js';

/** One class of a classifier's top-k. */
export interface ClassScore {
  classId: number;
  label: string;
  /** The probability after the activation. */
  score: number;
}

/** Options of {@link decodeClassifier}. */
export interface ClassifierDecodeOptions {
  /**
   * `softmax` (default; single-label logits), `sigmoid` (multi-label logits) or `none` (the model already
   * outputs probabilities, e.g. Ultralytics classify exports, which end in a softmax).
   */
  activation?: 'softmax' | 'sigmoid' | 'none';
  /** How many classes to return per image, best first; default 5 (all when fewer). */
  topK?: number;
  /** Class names; default the class index as text. */
  names?: readonly string[];
}

/**
 * Turns a classifier output `[B, nc]` into the top-k classes per image (ties: lower class id first).
 * Softmax subtracts the row maximum first so large logits do not overflow.
 *
 * @example decodeClassifier({ data: Float32Array.of(2, 0.5), dims: [1, 2] }, { names: ['normal', 'pneumonia'], topK: 1 })
 * // [[{ classId: 0, label: 'normal', score: 0.817... }]]
 */
export function decodeClassifier(output: OutputTensor, options: ClassifierDecodeOptions = {}): ClassScore[][] {
  validateLayout('classifier', [output], options.names?.length);
  const { activation = 'softmax', topK = 5, names } = options;
  if (!Number.isInteger(topK) || topK < 0) {
    throw new InvalidArgumentError('INVALID_SIZE', `topK must be an integer >= 0, got ${topK}`, { field: 'topK', value: topK });
  }
  if (activation !== 'softmax' && activation !== 'sigmoid' && activation !== 'none') {
    throw new InvalidArgumentError('UNKNOWN_ACTIVATION', `activation must be 'softmax', 'sigmoid' or 'none', got '${String(activation)}'`, {
      field: 'activation',
      value: activation,
    });
  }
  const [batch, nc] = output.dims as [number, number];
  const result: ClassScore[][] = [];
  for (let b = 0; b < batch; b++) {
    const row = Array.from({ length: nc }, (_, c) => valueAt(output.data, b * nc + c));
    const probs = activate(row, activation);
    const order = probs.map((_, c) => c).sort((x, y) => probs[y]! - probs[x]! || x - y);
    result.push(order.slice(0, topK).map((c) => ({ classId: c, label: names?.[c] ?? String(c), score: probs[c]! })));
  }
  return result;
}

function activate(row: number[], activation: 'softmax' | 'sigmoid' | 'none'): number[] {
  if (activation === 'none') return row;
  if (activation === 'sigmoid') return row.map((x) => 1 / (1 + Math.exp(-x)));
  const max = Math.max(...row);
  const exps = row.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
