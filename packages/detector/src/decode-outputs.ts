import type { Detection } from '@defectkit/core';
import { applyInverse, decodeTorchvision, decodeYoloImage, type DetectionRows, type YoloLayout } from '@defectkit/postprocess';
import { ModelSpecError } from './errors.js';
import type { PreparedImage } from './image-preprocessor.js';
import { checkOutputDims, type ModelSpec } from './model-spec.js';
import type { Tensor } from './tensor.js';

/** Thresholds for turning raw outputs into detections. */
export interface DetectionThresholds {
  /** Keep scores strictly above this. */
  conf: number;
  /** Suppress boxes whose IoU with a better box of the same class is above this. */
  iou: number;
  /** At most this many detections per image. */
  maxDet: number;
  /** Keep only these class ids. */
  classFilter?: number[];
  /** Suppress across classes. */
  agnostic?: boolean;
}

const YOLO_LAYOUTS: ReadonlySet<string> = new Set<YoloLayout>(['ultralytics-bcn', 'ultralytics-bnc', 'yolov5-bnc', 'end2end-bn6']);

/**
 * Decodes one image's outputs (batch size 1) with the `@defectkit/postprocess` decoders (YOLO layouts: decode +
 * Ultralytics NMS; torchvision layouts: the graph's final boxes), then maps the boxes from network-input
 * pixels back to the original image (clipped to it).
 */
export function decodeImageOutputs(
  spec: ModelSpec,
  outputs: Readonly<Record<string, Tensor>>,
  image: Pick<PreparedImage, 'width' | 'height' | 'placement'>,
  options: DetectionThresholds,
): Detection[] {
  const ordered = spec.outputNames.map((name) => outputs[name]);
  const first = ordered[0];
  if (!first) throw new ModelSpecError('MODEL_OUTPUT_SHAPE', `the model returned no output "${spec.outputNames[0]}"`, { output: spec.outputNames[0] });
  checkOutputDims(spec, ordered.map((t) => t?.dims ?? []));
  let rows: DetectionRows;
  if (YOLO_LAYOUTS.has(spec.layout)) {
    rows = decodeYoloImage(first, spec.layout as YoloLayout, 0, {
      conf: options.conf,
      iou: options.iou,
      maxDet: options.maxDet,
      classes: options.classFilter ?? null,
      agnostic: options.agnostic ?? false,
    });
  } else if (spec.layout === 'torchvision-rcnn' || spec.layout === 'torchvision-retinanet') {
    // The graph already ran its own NMS; only the score threshold, class filter and cap apply here.
    rows = decodeTorchvision(ordered as Tensor[], spec.layout, { conf: options.conf, maxDet: options.maxDet, classes: options.classFilter ?? null });
  } else {
    throw new ModelSpecError('MODEL_LAYOUT_UNSUPPORTED', `layout "${spec.layout}" is a classifier output, not detections`, { layout: spec.layout });
  }
  const { width, height, placement } = image;
  const gain = placement?.gain ?? 1;
  const padX = placement?.padLeft ?? 0;
  const padY = placement?.padTop ?? 0;
  const box = [0, 0, 0, 0];
  const detections: Detection[] = new Array(rows.scores.length);
  for (let i = 0; i < rows.scores.length; i++) {
    applyInverse(rows.boxes.subarray(i * 4, i * 4 + 4), gain, padX, padY, width, height, box);
    const classId = rows.classIds[i]!;
    detections[i] = { x1: box[0]!, y1: box[1]!, x2: box[2]!, y2: box[3]!, score: rows.scores[i]!, classId, label: spec.classes[classId] ?? String(classId) };
  }
  return detections;
}
