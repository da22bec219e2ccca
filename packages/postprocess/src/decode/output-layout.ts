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

/** What a layout fixes about the first output: its rank and the size of one axis (from the class count). */
export interface OutputLayoutRule {
  /** Which decoder reads it: the YOLO decode + NMS, torchvision's final boxes, or class scores. */
  family: 'yolo' | 'torchvision' | 'classifier';
  /** The shapes, as messages print them. */
  expected: string;
  /** Outputs the layout reads (torchvision: boxes, labels, scores). */
  outputs: 1 | 3;
  /** YOLO and classifier layouts: the first output's rank, the axis whose size the layout fixes, the size for
   * `nc` classes and the values per row that are not class scores (`extra`; `null` when the size is fixed). */
  shape?: { rank: 2 | 3; axis: 1 | 2; size: (nc: number) => number; extra: number | null };
}

/**
 * The one table of output layouts: every place that names, checks or decodes a layout (model card, spec check,
 * registry signature check, decoders) reads it from here.
 */
export const OUTPUT_LAYOUT_RULES: Readonly<Record<OutputLayout, OutputLayoutRule>> = {
  'ultralytics-bcn': { family: 'yolo', expected: '[B, 4+nc, A]', outputs: 1, shape: { rank: 3, axis: 1, size: (nc) => 4 + nc, extra: 4 } },
  'ultralytics-bnc': { family: 'yolo', expected: '[B, A, 4+nc]', outputs: 1, shape: { rank: 3, axis: 2, size: (nc) => 4 + nc, extra: 4 } },
  'yolov5-bnc': { family: 'yolo', expected: '[B, A, 5+nc]', outputs: 1, shape: { rank: 3, axis: 2, size: (nc) => 5 + nc, extra: 5 } },
  'end2end-bn6': { family: 'yolo', expected: '[B, K, 6]', outputs: 1, shape: { rank: 3, axis: 2, size: () => 6, extra: null } },
  'torchvision-rcnn': { family: 'torchvision', expected: 'boxes [N, 4], labels [N] (integer), scores [N]', outputs: 3 },
  'torchvision-retinanet': { family: 'torchvision', expected: 'boxes [N, 4], scores [N], labels [N] (integer)', outputs: 3 },
  classifier: { family: 'classifier', expected: '[B, nc]', outputs: 1, shape: { rank: 2, axis: 1, size: (nc) => nc, extra: 0 } },
};

/** Every layout identifier, in documentation order. */
export const OUTPUT_LAYOUTS: readonly OutputLayout[] = Object.keys(OUTPUT_LAYOUT_RULES) as OutputLayout[];

/** The layouts of one decoder family (e.g. `layoutsOf('yolo')`). */
export function layoutsOf(family: OutputLayoutRule['family']): OutputLayout[] {
  return OUTPUT_LAYOUTS.filter((layout) => OUTPUT_LAYOUT_RULES[layout].family === family);
}

/** A dimension as a model file or a runtime reports it: a number, or a name / null / undefined when dynamic. */
export type DeclaredDim = number | string | null | undefined;

/** What {@link outputShapeProblem} found: why the shapes do not fit, and the class count they imply when that is the reason. */
export interface OutputShapeProblem {
  problem: string;
  /** Set when the layout fits but for another number of classes. */
  modelClasses?: number;
}

const isStatic = (dim: DeclaredDim): dim is number => typeof dim === 'number' && dim >= 0;

/**
 * Checks output shapes against a layout (and the class count when given) with the rules of
 * {@link OUTPUT_LAYOUT_RULES}. Dimensions that are not numbers are dynamic and accepted, so the same check serves
 * declared shapes (model files) and real ones (after a run). Returns undefined when they fit.
 */
export function outputShapeProblem(layout: OutputLayout, shapes: ReadonlyArray<ReadonlyArray<DeclaredDim>>, numClasses?: number): OutputShapeProblem | undefined {
  const rule = OUTPUT_LAYOUT_RULES[layout];
  if (shapes.length < rule.outputs) return { problem: `need ${rule.outputs} output${rule.outputs === 1 ? '' : 's'}, got ${shapes.length}` };
  if (rule.family === 'torchvision') {
    const [boxes, a, b] = shapes as [ReadonlyArray<DeclaredDim>, ReadonlyArray<DeclaredDim>, ReadonlyArray<DeclaredDim>];
    if (boxes.length !== 2 || (isStatic(boxes[1]) && boxes[1] !== 4)) return { problem: 'boxes must be [N, 4]' };
    if (a.length !== 1 || b.length !== 1) return { problem: 'labels and scores must be [N]' };
    const n = [boxes[0], a[0], b[0]].filter(isStatic);
    if (n.some((v) => v !== n[0])) return { problem: 'labels and scores must be [N]' };
    return undefined;
  }
  const { rank, axis, size, extra } = rule.shape!;
  const shape = shapes[0]!;
  if (shape.length !== rank) return { problem: `need a rank-${rank} output, got rank ${shape.length}` };
  const dim = shape[axis];
  if (!isStatic(dim)) return undefined;
  const where = axis === shape.length - 1 ? 'last dimension' : `dimension ${axis}`;
  if (extra === null) return dim === size(0) ? undefined : { problem: `${where} is ${dim}, not ${size(0)}` };
  if (dim < extra + 1) return { problem: `${where} is ${dim}, fewer than ${extra} + 1 values per ${rule.family === 'classifier' ? 'image' : 'box'}` };
  if (numClasses !== undefined && dim !== size(numClasses)) return { problem: `${where} is ${dim}, not ${size(numClasses)} for ${numClasses} classes`, modelClasses: dim - extra };
  return undefined;
}

/** What the model's metadata says, used to pick a layout. */
export interface LayoutHints {
  /** The number of classes (e.g. `names.length`). */
  numClasses?: number;
  /** True when the metadata marks the model end-to-end; false when it says it is not. */
  end2end?: boolean;
  /** The Ultralytics task (`classify` selects the classifier layout). */
  task?: string;
}

const EXPECTED = Object.fromEntries(OUTPUT_LAYOUTS.map((l) => [l, OUTPUT_LAYOUT_RULES[l].expected])) as Record<OutputLayout, string>;

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

/** An output as layout inference sees it: its (possibly dynamic) dimensions and whether it holds integers. */
export interface OutputDescription {
  dims: ReadonlyArray<DeclaredDim>;
  integer: boolean;
}

/**
 * The layout rules of {@link detectLayout} on declared shapes (dynamic dimensions never match a size), for
 * callers that know a model's outputs before running it. Returns undefined when no layout fits.
 */
export function inferOutputLayout(outputs: readonly OutputDescription[], hints: LayoutHints = {}): OutputLayout | undefined {
  if (outputs.length === 3) {
    if (outputs[1]!.integer && !outputs[2]!.integer) return 'torchvision-rcnn';
    if (outputs[2]!.integer && !outputs[1]!.integer) return 'torchvision-retinanet';
    return undefined;
  }
  const first = outputs[0];
  if (first === undefined) return undefined;
  if (hints.task === 'classify' || (outputs.length === 1 && first.dims.length === 2)) return 'classifier';
  if (first.dims.length !== 3) return undefined;
  if (hints.end2end === true) return 'end2end-bn6';
  const d1 = isStatic(first.dims[1]) ? first.dims[1] : Number.NaN;
  const d2 = isStatic(first.dims[2]) ? first.dims[2] : Number.NaN;
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

function guessLayout(outputs: readonly OutputTensor[], hints: LayoutHints): OutputLayout | undefined {
  return inferOutputLayout(outputs.map((o) => ({ dims: o.dims, integer: isIntegerTensor(o) })), hints);
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
  const found = outputShapeProblem(layout, dims, numClasses);
  if (found) fail(found.problem);
  if (OUTPUT_LAYOUT_RULES[layout].family === 'torchvision') {
    const labels = layout === 'torchvision-rcnn' ? outputs[1]! : outputs[2]!;
    const scores = layout === 'torchvision-rcnn' ? outputs[2]! : outputs[1]!;
    if (!isIntegerTensor(labels) && isIntegerTensor(scores)) fail('labels and scores are swapped (scores are integers)');
  }
}

function describeShapes(outputs: readonly OutputTensor[]): string {
  return outputs.length === 0 ? '(none)' : outputs.map((o) => `[${o.dims.join(', ')}]`).join(', ');
}
