import type { Detection } from '@defectkit/core';
import { InvalidArgumentError } from '../errors.js';
import { inverseTransform, applyInverse, type BoxPlacement, type InverseMode, type Letterbox } from '../geometry/letterbox.js';
import type { UltralyticsMetadata } from '../metadata/ultralytics-metadata.js';
import type { DetectionRows } from '../nms/detection-rows.js';
import { resolveNmsOptions, type UltralyticsNmsOptions } from '../nms/ultralytics-nms.js';
import { assertOutputLayout, detectLayout, validateLayout, type OutputLayout } from './output-layout.js';
import type { OutputTensor } from './output-tensor.js';
import { decodeTorchvision } from './torchvision-decode.js';
import { decodeYoloResolved, type YoloLayout } from './yolo-decode.js';

/** Options of {@link decodeDetections}. Every NMS option keeps the Ultralytics `predict()` default. */
export interface DecodeOptions extends UltralyticsNmsOptions {
  /** The output layout; default detected from the shapes and metadata ({@link detectLayout}). */
  layout?: OutputLayout;
  /** Class names by class id; default `metadata.names`, else the id as text. */
  names?: readonly string[];
  /** Parsed Ultralytics metadata (names, `end2end`, `task`) used for layout detection and names. */
  metadata?: UltralyticsMetadata;
  /**
   * The letterbox of each batch image (or one for all), to map boxes back to original-image pixels and clip
   * them (a {@link BoxPlacement} is enough for the default `letterbox` inverse). Without it boxes stay in the
   * pixels of the model input, unclipped.
   */
  letterbox?: Letterbox | BoxPlacement | readonly (Letterbox | BoxPlacement)[];
  /** How boxes are mapped back; default `letterbox` (the real gain and pad). See {@link InverseMode}. */
  inverse?: InverseMode;
  /** torchvision layouts only: label → class id offset (default 1 for rcnn, 0 for retinanet). */
  labelOffset?: number;
}

/**
 * The one entry point from raw model outputs to detections: picks (or checks) the layout, decodes every batch
 * image with Ultralytics' exact post-processing (or reads torchvision's final outputs), maps boxes back through
 * the letterbox and names the classes.
 *
 * Defaults: `conf` 0.25 (torchvision: no extra threshold), `iou` 0.7, `maxDet` 300, `maxCandidates` 30000,
 * `maxWh` 7680, `agnostic` false, `multiLabel` false, `inverse` `letterbox`.
 *
 * @returns one array of detections per batch image (torchvision models: one image).
 * @throws OutputShapeError when the shapes fit no layout or not the requested one; InvalidArgumentError for
 *   bad options (`UNKNOWN_LAYOUT`, `INVALID_NUMBER`, `INVALID_SIZE`) or a letterbox count that does not match.
 * @example
 * const lb = letterbox(image.height, image.width, 640, 640);
 * const [detections] = decodeDetections([{ data: out.data, dims: out.dims }], { metadata, letterbox: lb });
 */
export function decodeDetections(outputs: readonly OutputTensor[], options: DecodeOptions = {}): Detection[][] {
  const names = options.names ?? options.metadata?.names;
  const numClasses = names?.length;
  let layout: OutputLayout;
  if (options.layout !== undefined) {
    assertOutputLayout(options.layout);
    layout = options.layout;
    validateLayout(layout, outputs, layout === 'end2end-bn6' || layout.startsWith('torchvision') ? undefined : numClasses);
  } else {
    layout = detectLayout(outputs, { numClasses, end2end: options.metadata?.end2end, task: options.metadata?.task });
  }
  if (layout === 'classifier') {
    throw new InvalidArgumentError('UNKNOWN_LAYOUT', "decodeDetections cannot decode a 'classifier' output; use decodeClassifier", {
      field: 'layout',
      value: layout,
    });
  }
  let perImage: DetectionRows[];
  if (layout === 'torchvision-rcnn' || layout === 'torchvision-retinanet') {
    perImage = [
      decodeTorchvision(outputs, layout, {
        conf: options.conf,
        labelOffset: options.labelOffset,
        classes: options.classes,
        maxDet: options.maxDet,
      }),
    ];
  } else {
    const opts = resolveNmsOptions(options);
    const yoloLayout: YoloLayout = layout;
    const batch = outputs[0]!.dims[0]!;
    perImage = Array.from({ length: batch }, (_, b) => decodeYoloResolved(outputs[0]!, yoloLayout, b, opts));
  }
  const letterboxes = options.letterbox === undefined ? undefined : Array.isArray(options.letterbox) ? options.letterbox : [options.letterbox];
  if (letterboxes !== undefined && letterboxes.length !== 1 && letterboxes.length !== perImage.length) {
    throw new InvalidArgumentError('LETTERBOX_COUNT_MISMATCH', `Got ${letterboxes.length} letterboxes for a batch of ${perImage.length} images`, {
      field: 'letterbox',
      letterboxes: letterboxes.length,
      batch: perImage.length,
    });
  }
  return perImage.map((rows, b) => toDetections(rows, names, letterboxes?.[letterboxes.length === 1 ? 0 : b], options.inverse));
}

/**
 * Converts decoded rows to `Detection`s: maps boxes back through `lb` (when given, with clipping) and names
 * each class (the id as text when `names` has no entry).
 */
export function toDetections(rows: DetectionRows, names?: readonly string[], lb?: Letterbox | BoxPlacement, inverse: InverseMode = 'letterbox'): Detection[] {
  const t = lb === undefined ? undefined : inverseTransform(lb, inverse);
  const out: Detection[] = [];
  const box = [0, 0, 0, 0];
  for (let i = 0; i < rows.scores.length; i++) {
    const raw = rows.boxes.subarray(i * 4, i * 4 + 4);
    const [x1, y1, x2, y2] = t === undefined ? raw : applyInverse(raw, t.gain, t.padX, t.padY, lb!.originalWidth, lb!.originalHeight, box);
    const classId = rows.classIds[i]!;
    out.push({ x1: x1!, y1: y1!, x2: x2!, y2: y2!, score: rows.scores[i]!, classId, label: names?.[classId] ?? String(classId) });
  }
  return out;
}
