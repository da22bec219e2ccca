import ndarray from 'ndarray';
import { InvalidArgumentError } from '../errors.js';
import { RowBuilder, type DetectionRows } from '../nms/detection-rows.js';
import { resolveNmsOptions, ultralyticsNms, type ResolvedNmsOptions, type UltralyticsNmsOptions } from '../nms/ultralytics-nms.js';
import type { OutputLayout } from './output-layout.js';
import { asFloat32, type OutputTensor } from './output-tensor.js';

/** The YOLO-family layouts {@link decodeYoloImage} reads. */
export type YoloLayout = Extract<OutputLayout, 'ultralytics-bcn' | 'ultralytics-bnc' | 'yolov5-bnc' | 'end2end-bn6'>;

/** A strided `[rows, channels]` view of one batch image, whatever the tensor layout (no copy). */
interface RowView {
  data: Float32Array;
  offset: number;
  rowStride: number;
  channelStride: number;
  rows: number;
  channels: number;
}

function rowView(output: OutputTensor, layout: YoloLayout, batchIndex: number): RowView {
  const dims = output.dims as [number, number, number];
  if (!Number.isInteger(batchIndex) || batchIndex < 0 || batchIndex >= dims[0]) {
    throw new InvalidArgumentError('INVALID_SIZE', `batchIndex ${batchIndex} is outside the batch of ${dims[0]}`, {
      field: 'batchIndex',
      value: batchIndex,
    });
  }
  const data = asFloat32(output.data);
  let view = ndarray(data, [...dims]).pick(batchIndex, null, null);
  // [B, 4+nc, A] is read as its transpose [A, 4+nc]: only the strides change.
  if (layout === 'ultralytics-bcn') view = view.transpose(1, 0);
  return {
    data,
    offset: view.offset,
    rowStride: view.stride[0]!,
    channelStride: view.stride[1]!,
    rows: view.shape[0]!,
    channels: view.shape[1]!,
  };
}

/**
 * Decodes one image of a YOLO-family output into final detections in network-input (letterbox) pixels,
 * following Ultralytics' order of operations exactly:
 * - `ultralytics-bcn` / `ultralytics-bnc`: anchors whose best class score > conf; cx,cy,w,h → xyxy in float32;
 *   best class (first on ties) or, with `multiLabel` and nc > 1, one row per class score > conf
 *   (anchor-major); then {@link ultralyticsNms};
 * - `yolov5-bnc`: anchors with objectness > conf; class scores × objectness (float32); same selection and NMS;
 * - `end2end-bn6`: rows with score > conf, `classes` filter, first `maxDet` rows; no NMS.
 *
 * @example
 * const rows = decodeYoloImage({ data, dims: [1, 84, 8400] }, 'ultralytics-bcn', 0, { conf: 0.25, iou: 0.7 });
 */
export function decodeYoloImage(
  output: OutputTensor,
  layout: YoloLayout,
  batchIndex: number,
  options: UltralyticsNmsOptions = {},
): DetectionRows {
  return decodeYoloResolved(output, layout, batchIndex, resolveNmsOptions(options));
}

/** {@link decodeYoloImage} with options already resolved (decoding a batch resolves them once). */
export function decodeYoloResolved(output: OutputTensor, layout: YoloLayout, batchIndex: number, opts: ResolvedNmsOptions): DetectionRows {
  const view = rowView(output, layout, batchIndex);
  if (layout === 'end2end-bn6') return decodeEnd2End(view, opts);
  return ultralyticsNms(layout === 'yolov5-bnc' ? yolov5Candidates(view, opts) : anchorFreeCandidates(view, opts), opts);
}

function pushBox(rows: RowBuilder, v: RowView, base: number, score: number, classId: number, source: number): void {
  const { data, channelStride: s } = v;
  const cx = data[base]!;
  const cy = data[base + s]!;
  const hw = Math.fround(data[base + 2 * s]! / 2);
  const hh = Math.fround(data[base + 3 * s]! / 2);
  const f = Math.fround;
  rows.push(f(cx - hw), f(cy - hh), f(cx + hw), f(cy + hh), score, classId, source);
}

function anchorFreeCandidates(v: RowView, opts: ResolvedNmsOptions): DetectionRows {
  const { data, channelStride: s } = v;
  const nc = v.channels - 4;
  const multi = opts.multiLabel && nc > 1;
  const rows = new RowBuilder();
  for (let a = 0; a < v.rows; a++) {
    const base = v.offset + a * v.rowStride;
    let best = -Infinity;
    let bestClass = 0;
    for (let c = 0; c < nc; c++) {
      const score = data[base + (4 + c) * s]!;
      if (score > best) {
        best = score;
        bestClass = c;
      }
    }
    if (!(best > opts.conf)) continue;
    if (multi) {
      for (let c = 0; c < nc; c++) {
        const score = data[base + (4 + c) * s]!;
        if (score > opts.conf) pushBox(rows, v, base, score, c, a);
      }
    } else {
      pushBox(rows, v, base, best, bestClass, a);
    }
  }
  return rows.build();
}

function yolov5Candidates(v: RowView, opts: ResolvedNmsOptions): DetectionRows {
  const { data, channelStride: s } = v;
  const nc = v.channels - 5;
  const multi = opts.multiLabel && nc > 1;
  const rows = new RowBuilder();
  const f = Math.fround;
  for (let a = 0; a < v.rows; a++) {
    const base = v.offset + a * v.rowStride;
    const objectness = data[base + 4 * s]!;
    if (!(objectness > opts.conf)) continue;
    if (multi) {
      for (let c = 0; c < nc; c++) {
        const score = f(data[base + (5 + c) * s]! * objectness);
        if (score > opts.conf) pushBox(rows, v, base, score, c, a);
      }
    } else {
      let best = -Infinity;
      let bestClass = 0;
      for (let c = 0; c < nc; c++) {
        const score = f(data[base + (5 + c) * s]! * objectness);
        if (score > best) {
          best = score;
          bestClass = c;
        }
      }
      if (best > opts.conf) pushBox(rows, v, base, best, bestClass, a);
    }
  }
  return rows.build();
}

function decodeEnd2End(v: RowView, opts: ResolvedNmsOptions): DetectionRows {
  const { data, channelStride: s } = v;
  const rows = new RowBuilder();
  let kept = 0;
  for (let r = 0; r < v.rows && kept < opts.maxDet; r++) {
    const base = v.offset + r * v.rowStride;
    const score = data[base + 4 * s]!;
    if (!(score > opts.conf)) continue;
    const classId = Math.trunc(data[base + 5 * s]!);
    if (opts.classes !== null && !opts.classes.has(classId)) continue;
    rows.push(data[base]!, data[base + s]!, data[base + 2 * s]!, data[base + 3 * s]!, score, classId, r);
    kept++;
  }
  return rows.build();
}
