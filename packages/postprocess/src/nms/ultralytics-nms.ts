import { InvalidArgumentError } from '../errors.js';
import { pickRows, type DetectionRows } from './detection-rows.js';
import { nms } from './nms.js';
import { stableDescendingOrder } from './score-order.js';

/** Options of the Ultralytics `non_max_suppression` pipeline. */
export interface UltralyticsNmsOptions {
  /** Keep scores strictly above this; default 0.25 (predict; the validator uses 0.001). */
  conf?: number;
  /** IoU above which a box is suppressed; default 0.7 (`model.predict()`; the bare function uses 0.45). */
  iou?: number;
  /** Keep only these class ids; default all. */
  classes?: readonly number[] | null;
  /** Suppress across classes; default false. */
  agnostic?: boolean;
  /** One row per (anchor, class) above `conf` instead of the best class only (ignored when nc = 1); default false. */
  multiLabel?: boolean;
  /** Keep at most this many detections per image; default 300. */
  maxDet?: number;
  /** Before NMS keep at most this many highest-scoring rows (`max_nms`); default 30000. */
  maxCandidates?: number;
  /** The per-class coordinate offset of class-aware NMS (`max_wh`); default 7680. */
  maxWh?: number;
}

/** The defaults applied by {@link ultralyticsNms} (those of `model.predict()`). */
export const ULTRALYTICS_NMS_DEFAULTS = {
  conf: 0.25,
  iou: 0.7,
  classes: null,
  agnostic: false,
  multiLabel: false,
  maxDet: 300,
  maxCandidates: 30000,
  maxWh: 7680,
} as const satisfies Required<UltralyticsNmsOptions>;

/** Options with defaults filled in and validated. */
export type ResolvedNmsOptions = Required<Omit<UltralyticsNmsOptions, 'classes'>> & { classes: ReadonlySet<number> | null };

/** Fills defaults and validates (`INVALID_NUMBER` for NaN/non-finite thresholds, `INVALID_SIZE` for negative limits). */
export function resolveNmsOptions(options: UltralyticsNmsOptions = {}): ResolvedNmsOptions {
  const o = { ...ULTRALYTICS_NMS_DEFAULTS, ...stripUndefined(options) };
  for (const field of ['conf', 'iou', 'maxWh'] as const) {
    if (typeof o[field] !== 'number' || Number.isNaN(o[field])) {
      throw new InvalidArgumentError('INVALID_NUMBER', `${field} must be a number, got ${String(o[field])}`, { field, value: o[field] });
    }
  }
  for (const field of ['maxDet', 'maxCandidates'] as const) {
    if (!Number.isInteger(o[field]) || o[field] < 0) {
      throw new InvalidArgumentError('INVALID_SIZE', `${field} must be an integer >= 0, got ${o[field]}`, { field, value: o[field] });
    }
  }
  return { ...o, classes: o.classes === null ? null : new Set(o.classes) };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The tail of Ultralytics' `non_max_suppression` for one image, after candidate rows were built: `classes`
 * filter, cut to `maxCandidates` best scores, class-aware NMS by the offset trick (class × `maxWh` added to
 * all coordinates in float32, none when `agnostic`) with torchvision NMS semantics, first `maxDet` kept rows.
 */
export function ultralyticsNms(rows: DetectionRows, options: ResolvedNmsOptions): DetectionRows {
  let current = rows;
  if (options.classes !== null) {
    const keep: number[] = [];
    for (let i = 0; i < current.scores.length; i++) if (options.classes.has(current.classIds[i]!)) keep.push(i);
    current = pickRows(current, keep);
  }
  if (current.scores.length > options.maxCandidates) {
    current = pickRows(current, stableDescendingOrder(current.scores).subarray(0, options.maxCandidates));
  }
  const n = current.scores.length;
  const shifted = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const offset = options.agnostic ? 0 : Math.fround(current.classIds[i]! * options.maxWh);
    for (let k = 0; k < 4; k++) shifted[i * 4 + k] = current.boxes[i * 4 + k]! + offset;
  }
  const keep = nms(shifted, current.scores, options.iou);
  return pickRows(current, keep.subarray(0, Math.min(keep.length, options.maxDet)));
}
