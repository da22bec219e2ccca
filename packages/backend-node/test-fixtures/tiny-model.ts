import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options of the generated test model (see tiny-model.py). */
export interface TinyModelOptions {
  size?: number;
  channels?: 1 | 3;
  classes?: number;
  shape?: 'bcn' | 'rank2' | 'rcnn';
  staticBatch?: boolean;
  /** Class names written to model.json (default: `classes` names c0, c1, ...); omit the card with `card: false`. */
  cardClasses?: string[];
  card?: boolean;
}

/**
 * The committed export of `tiny-model.py` for these options (`tiny-models/<shape>-<size>px-<channels>ch-<classes>cls[-static].onnx`),
 * so `npm test` needs no Python; `test/tiny-model-fixtures.python.test.ts` proves each one is what the script exports.
 */
export function tinyModelFixture(options: TinyModelOptions = {}): string {
  const { size = 64, channels = 1, classes = 6, shape = 'bcn', staticBatch = false } = options;
  return join(dirname(fileURLToPath(import.meta.url)), 'tiny-models', `${shape}-${size}px-${channels}ch-${classes}cls${staticBatch ? '-static' : ''}.onnx`);
}

/**
 * Writes `dir/model.onnx` (a tiny deterministic detector: the committed export when there is one, else exported
 * now by Debian's Python with torch) and a `model.json` card beside it; returns `dir`.
 */
export function makeTinyModel(dir: string, python: string, options: TinyModelOptions = {}): string {
  const { size = 64, channels = 1, classes = 6, shape = 'bcn', staticBatch = false } = options;
  mkdirSync(dir, { recursive: true });
  const fixture = tinyModelFixture(options);
  if (existsSync(fixture)) copyFileSync(fixture, join(dir, 'model.onnx'));
  else exportTinyModel(join(dir, 'model.onnx'), python, options);
  if (options.card !== false) {
    const card = {
      format: 'defectkit.model-card/v1',
      name: 'tiny-test-model',
      task: 'detect',
      classes: options.cardClasses ?? Array.from({ length: classes }, (_, i) => `c${i}`),
      input: { name: 'images', width: size, height: size, channels, resize: shape === 'rcnn' ? 'none' : 'letterbox', batchAxis: shape !== 'rcnn', stride: 8, padValue: 114, scale: 1 / 255, mean: null, std: null },
      output: { layout: shape === 'rcnn' ? 'torchvision-rcnn' : 'ultralytics-bcn' },
      thresholds: { conf: 0.25, iou: 0.7, maxDet: 300 },
      training: { note: 'not trained: a fixed formula for tests' },
    };
    writeFileSync(join(dir, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
  }
  return dir;
}

/** Runs `tiny-model.py` with `python` (torch needed) to export the model for these options to `out`. */
export function exportTinyModel(out: string, python: string, options: TinyModelOptions = {}): void {
  const { size = 64, channels = 1, classes = 6, shape = 'bcn', staticBatch = false } = options;
  const script = join(dirname(fileURLToPath(import.meta.url)), 'tiny-model.py');
  const args = [script, out, '--size', String(size), '--channels', String(channels), '--classes', String(classes), '--shape', shape];
  if (staticBatch) args.push('--static-batch');
  execFileSync(python, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1' } });
}
