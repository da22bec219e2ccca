import { InvalidArgumentError } from '../errors.js';
import type { DetectionRows } from '../nms/detection-rows.js';
import { validateLayout, type OutputLayout } from './output-layout.js';
import { valueAt, type OutputTensor } from './output-tensor.js';

/** Options of {@link decodeTorchvision}. */
export interface TorchvisionDecodeOptions {
  /** Keep scores strictly above this; default: keep every row (the model already applied its own threshold). */
  conf?: number;
  /**
   * Subtracted from each label to get the 0-based class id; default 1 for `torchvision-rcnn` (label 0 is the
   * background, so label k is class k − 1) and 0 for `torchvision-retinanet` (raw class indices).
   */
  labelOffset?: number;
  /** Keep only these class ids (after the offset). */
  classes?: readonly number[] | null;
  /** Keep at most this many rows (they are already sorted by score). */
  maxDet?: number;
}

/**
 * Reads the three outputs of an exported torchvision detector (one image, boxes already x1,y1,x2,y2 in the
 * pixels of the image fed to the model). Position decides the meaning: `torchvision-rcnn` is (boxes, labels,
 * scores), `torchvision-retinanet` (RetinaNet, SSD, SSDlite, FCOS) is (boxes, scores, labels). Empty outputs
 * (`[0, 4]`) give no rows.
 *
 * @throws OutputShapeError `OUTPUT_SHAPE_MISMATCH` when the outputs do not fit the layout.
 * @example decodeTorchvision([boxes, labels, scores], 'torchvision-rcnn', { conf: 0.5 })
 */
export function decodeTorchvision(
  outputs: readonly OutputTensor[],
  layout: Extract<OutputLayout, 'torchvision-rcnn' | 'torchvision-retinanet'>,
  options: TorchvisionDecodeOptions = {},
): DetectionRows {
  validateLayout(layout, outputs);
  const [boxes, second, third] = outputs as [OutputTensor, OutputTensor, OutputTensor];
  const labels = layout === 'torchvision-rcnn' ? second : third;
  const scores = layout === 'torchvision-rcnn' ? third : second;
  const offset = options.labelOffset ?? (layout === 'torchvision-rcnn' ? 1 : 0);
  const conf = options.conf;
  if (conf !== undefined && Number.isNaN(conf)) {
    throw new InvalidArgumentError('INVALID_NUMBER', 'conf must be a number, got NaN', { field: 'conf', value: conf });
  }
  const classes = options.classes ? new Set(options.classes) : null;
  const maxDet = options.maxDet ?? Infinity;
  const keep: number[] = [];
  const n = boxes.dims[0]!;
  for (let i = 0; i < n && keep.length < maxDet; i++) {
    if (conf !== undefined && !(valueAt(scores.data, i) > conf)) continue;
    if (classes !== null && !classes.has(valueAt(labels.data, i) - offset)) continue;
    keep.push(i);
  }
  const out: DetectionRows = {
    boxes: new Float32Array(keep.length * 4),
    scores: new Float32Array(keep.length),
    classIds: new Int32Array(keep.length),
    sourceIndex: Int32Array.from(keep),
  };
  keep.forEach((i, k) => {
    for (let c = 0; c < 4; c++) out.boxes[k * 4 + c] = valueAt(boxes.data, i * 4 + c);
    out.scores[k] = valueAt(scores.data, i);
    out.classIds[k] = valueAt(labels.data, i) - offset;
  });
  return out;
}
