import { InvalidArgumentError, OutputShapeError } from '../errors.js';
import { assertTensorSize, isIntegerTensor, type OutputTensor } from './output-tensor.js';

/**
 * How a model's outputs are laid out (shared contract with the model card's `output.layout`):
 * - `ultralytics-bcn`: one output `[B, 4+nc, A]` (YOLOv8/11/12, YOLOv5u): cx, cy, w, h, nc sigmoid scores;
 * - `ultralytics-bnc`: the same transposed, `[B, A, 4+nc]`;
 * - `yolov5-bnc`: legacy YOLOv5 `[B, A, 5+nc]`: cx, cy, w, h, objectness, nc class scores;
 * - `end2end-bn6`: `[B, K, 6]` rows x1, y1, x2, y2, score, class (YOLOv10/YOLO26, exports with NMS inside);
 * - `torchvision-rcnn`: three outputs boxes `[N,4]`, labels `[N]` (1-based), scores `[N]` (Faster/Mask R-CNN);
 * - `torchvision-retinanet`: boxes `[N,4]`, scores `[N]`, labels `[N]` (RetinaNet, SSD, SSDlite, FCOS);
 * - `classifier`: `[B, nc]` logits or probabilities.
 */
export type OutputLayout =
  | 'ultralytics-bcn'
  | 'ultralytics-bnc'
  | 'yolov5-bnc'
  | 'end2end-bn6'
  | 'torchvision-rcnn'
  | 'torchvision-retinanet'
  | 'classifier';

/** Every layout identifier, in documentation order. */
export const OUTPUT_LAYOUTS: readonly OutputLayout[] = [
  'ultralytics-bcn',
  'ultralytics-bnc',
  'yolov5-bnc',
  'end2end-bn6',
  'torchvision-rcnn',
  'torchvision-retinanet',
  'classifier',
];

/** What the model's metadata says, used to pick a layout. */
export interface LayoutHints {
  /** The number of classes (e.g. `names.length`). */
  numClasses?: number;
  /** True when the metadata marks the model end-to-end; false when it says it is not. */
  end2end?: boolean;
  /** The Ultralytics task (`classify` selects the classifier layout). */
  task?: string;
}

const EXPECTED: Record<OutputLayout, string> = {
  'ultralytics-bcn': '[B, 4+nc, A]',
  'ultralytics-bnc': '[B, A, 4+nc]',
  'yolov5-bnc': '[B, A, 5+nc]',
  'end2end-bn6': '[B, K, 6]',
  'torchvision-rcnn': 'boxes [N, 4], labels [N] (integer), scores [N]',
  'torchvision-retinanet': 'boxes [N, 4], scores [N], labels [N] (integer)',
  classifier: '[B, nc]',
};

/** Throws `UNKNOWN_LAYOUT` for a string that is not an {@link OutputLayout}. */
export function assertOutputLayout(value: string): asserts value is OutputLayout {
  if (!(OUTPUT_LAYOUTS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError('UNKNOWN_LAYOUT', `Unknown output layout '${value}'; expected one of ${OUTPUT_LAYOUTS.join(', ')}`, {
      field: 'layout',
      value,
      expected: OUTPUT_LAYOUTS,
    });
  }
}

/**
 * Picks the layout from the output shapes (and dtypes) plus metadata hints.
 * Rules: three outputs → torchvision, told apart by which of outputs 1/2 holds integers; `task: classify` or a
 * single rank-2 output → classifier; rank 3 with `end2end` → `end2end-bn6`; otherwise with `numClasses` the
 * dimension equal to 4+nc / 5+nc decides (a last dimension of 6 means end-to-end unless `end2end` is false,
 * as in Ultralytics); without it: last dim 6 → end2end, `[B, C, A]` with C < A → `ultralytics-bcn`,
 * C > A → `yolov5-bnc` (pass the layout explicitly for a transposed Ultralytics head without names).
 *
 * @throws OutputShapeError `OUTPUT_LAYOUT_UNKNOWN` listing the expected and the actual shapes.
 */
export function detectLayout(outputs: readonly OutputTensor[], hints: LayoutHints = {}): OutputLayout {
  const found = guessLayout(outputs, hints);
  if (found === undefined) {
    throw new OutputShapeError(
      'OUTPUT_LAYOUT_UNKNOWN',
      `No output layout fits shapes ${describeShapes(outputs)}${hints.numClasses === undefined ? '' : ` with ${hints.numClasses} classes`}; expected one of: ${OUTPUT_LAYOUTS.map((l) => `${l} ${EXPECTED[l]}`).join('; ')}`,
      { actual: outputs.map((o) => [...o.dims]), expected: EXPECTED, numClasses: hints.numClasses },
    );
  }
  validateLayout(found, outputs, hints.numClasses);
  return found;
}

function guessLayout(outputs: readonly OutputTensor[], hints: LayoutHints): OutputLayout | undefined {
  if (outputs.length === 3) {
    if (isIntegerTensor(outputs[1]!) && !isIntegerTensor(outputs[2]!)) return 'torchvision-rcnn';
    if (isIntegerTensor(outputs[2]!) && !isIntegerTensor(outputs[1]!)) return 'torchvision-retinanet';
    return undefined;
  }
  const first = outputs[0];
  if (first === undefined) return undefined;
  if (hints.task === 'classify' || (outputs.length === 1 && first.dims.length === 2)) return 'classifier';
  if (first.dims.length !== 3) return undefined;
  const [, d1, d2] = first.dims as [number, number, number];
  if (hints.end2end === true) return 'end2end-bn6';
  const nc = hints.numClasses;
  if (nc !== undefined) {
    if (d2 === 6 && hints.end2end === undefined) return 'end2end-bn6';
    if (d1 === 4 + nc) return 'ultralytics-bcn';
    if (d2 === 5 + nc) return 'yolov5-bnc';
    if (d2 === 4 + nc) return 'ultralytics-bnc';
    return undefined;
  }
  if (d2 === 6 && hints.end2end !== false) return 'end2end-bn6';
  if (d1 > 4 && d1 < d2) return 'ultralytics-bcn';
  if (d2 > 5 && d1 > d2) return 'yolov5-bnc';
  return undefined;
}

/**
 * Checks that the outputs fit `layout` (and `numClasses` when known).
 * @throws OutputShapeError `OUTPUT_SHAPE_MISMATCH` stating the expected and the actual shapes.
 */
export function validateLayout(layout: OutputLayout, outputs: readonly OutputTensor[], numClasses?: number): void {
  assertOutputLayout(layout);
  outputs.forEach((o, i) => assertTensorSize(o, `output ${i}`));
  const dims = outputs.map((o) => o.dims);
  const fail = (why: string): never => {
    throw new OutputShapeError(
      'OUTPUT_SHAPE_MISMATCH',
      `Outputs ${describeShapes(outputs)} do not fit layout '${layout}' (expected ${EXPECTED[layout]}${numClasses === undefined ? '' : `, nc = ${numClasses}`}): ${why}`,
      { layout, expected: EXPECTED[layout], actual: dims.map((d) => [...d]), numClasses },
    );
  };
  if (layout === 'torchvision-rcnn' || layout === 'torchvision-retinanet') {
    if (outputs.length !== 3) fail(`need 3 outputs, got ${outputs.length}`);
    const [boxes, a, b] = dims as [readonly number[], readonly number[], readonly number[]];
    if (boxes.length !== 2 || boxes[1] !== 4) fail('boxes must be [N, 4]');
    if (a.length !== 1 || b.length !== 1 || a[0] !== boxes[0] || b[0] !== boxes[0]) fail('labels and scores must be [N]');
    const labels = layout === 'torchvision-rcnn' ? outputs[1]! : outputs[2]!;
    const scores = layout === 'torchvision-rcnn' ? outputs[2]! : outputs[1]!;
    if (!isIntegerTensor(labels) && isIntegerTensor(scores)) fail('labels and scores are swapped (scores are integers)');
    return;
  }
  const shape = dims[0];
  if (shape === undefined) return fail('no output');
  if (layout === 'classifier') {
    if (shape.length !== 2 || shape[1]! < 1) fail('need a rank-2 output [B, nc]');
    if (numClasses !== undefined && shape[1] !== numClasses) fail(`nc is ${shape[1]}`);
    return;
  }
  if (shape.length !== 3) return fail(`need a rank-3 output, got rank ${shape.length}`);
  const [, d1, d2] = shape as [number, number, number];
  if (layout === 'end2end-bn6' && d2 !== 6) fail(`last dimension is ${d2}, not 6`);
  if (layout === 'ultralytics-bcn' && (d1 < 5 || (numClasses !== undefined && d1 !== 4 + numClasses))) fail(`dimension 1 is ${d1}`);
  if (layout === 'ultralytics-bnc' && (d2 < 5 || (numClasses !== undefined && d2 !== 4 + numClasses))) fail(`last dimension is ${d2}`);
  if (layout === 'yolov5-bnc' && (d2 < 6 || (numClasses !== undefined && d2 !== 5 + numClasses))) fail(`last dimension is ${d2}`);
}

function describeShapes(outputs: readonly OutputTensor[]): string {
  return outputs.length === 0 ? '(none)' : outputs.map((o) => `[${o.dims.join(', ')}]`).join(', ');
}
