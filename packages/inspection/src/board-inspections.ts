import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { imageFileStem, type Detection } from '@defectkit/core';
import { InspectionError } from './errors.js';
import type { BoardInspection } from './inspection-records.js';

/** One image's detections, as `defectkit detect` produces them (its JSON entries). */
export interface DetectedImage {
  /** The image path as given to the detector. */
  image: string;
  width: number;
  height: number;
  detections: readonly Detection[];
  /** The board's verdict as the detector gave it (its thresholds); without one, a board with any call fails. */
  verdict?: 'pass' | 'fail';
  /** The detector's time for the image in ms, when known. */
  inferenceMs?: number;
}

/** How the board id is read from an image path: `name` (the file name without extension) or `folder` (its folder's name). */
export type BoardIdFrom = 'name' | 'folder';

/** The board id rules `--board-id-from` accepts. */
export const BOARD_ID_FROM: readonly BoardIdFrom[] = ['name', 'folder'];

/** Where and how a set of images was inspected. */
export interface InspectionContext {
  /** MODEL_NAME and MODEL_VERSION. */
  modelName: string;
  modelVersion: string;
  /** FACTORY_LINE_ID (default null). */
  line?: string | null;
  /** SHIFT (default null). */
  shift?: string | null;
  /** The inspection time of every board (default now). */
  at?: Date;
  /** How board ids are read from image paths (default `name`). */
  boardIdFrom?: BoardIdFrom;
  /** PCB_METADATA.PRODUCT_TYPE (default null). */
  productType?: string | null;
  /** PCB_METADATA.MANUFACTURING_DATE, `YYYY-MM-DD` (default null). */
  manufacturingDate?: string | null;
}

/** A UUID-shaped id from a SHA-256 of its parts: the same inputs give the same id, so a repeated import is recognised. */
function stableId(...parts: (string | number)[]): string {
  const hex = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The board id of an image path under a rule. */
export function boardIdOf(image: string, rule: BoardIdFrom = 'name'): string {
  const id = rule === 'folder' ? basename(dirname(image.replaceAll('\\', '/'))) : imageFileStem(image);
  if (id === '' || id === '.' || id === '/') throw new InspectionError('INSPECTION_INPUT', `no board id in "${image}" by its ${rule}`, { image, field: 'boardIdFrom' });
  return id;
}

/**
 * The log records of a detection run: one board per image (clean boards too), one defect call per detection.
 * Ids are derived from the time, model, position and image, so importing the same results twice logs them once.
 *
 * @example
 * boardsFromDetections(results, { modelName: 'pcb-defects', modelVersion: 'v2', line: 'L1', shift: 'night' });
 */
export function boardsFromDetections(results: readonly DetectedImage[], context: InspectionContext): BoardInspection[] {
  const at = context.at ?? new Date();
  if (Number.isNaN(at.getTime())) throw new InspectionError('INSPECTION_INPUT', 'the inspection time is not a valid date', { field: 'at' });
  if (context.manufacturingDate != null && !/^\d{4}-\d{2}-\d{2}$/.test(context.manufacturingDate)) {
    throw new InspectionError('INSPECTION_INPUT', `the manufacturing date must be YYYY-MM-DD (got "${context.manufacturingDate}")`, { field: 'manufacturingDate', value: context.manufacturingDate });
  }
  return results.map((result, index) => {
    const inferenceId = stableId(at.toISOString(), context.modelName, context.modelVersion, index, result.image);
    return {
      inferenceId,
      boardId: boardIdOf(result.image, context.boardIdFrom),
      imagePath: result.image,
      timestamp: at,
      factoryLineId: context.line ?? null,
      shift: context.shift ?? null,
      modelName: context.modelName,
      modelVersion: context.modelVersion,
      imageWidth: result.width,
      imageHeight: result.height,
      inferenceMs: result.inferenceMs ?? null,
      productType: context.productType ?? null,
      manufacturingDate: context.manufacturingDate ?? null,
      verdict: result.verdict ?? (result.detections.length > 0 ? 'fail' : 'pass'),
      defects: result.detections.map((d, n) => ({
        defectId: stableId(inferenceId, n),
        detectedClass: d.label,
        confidenceScore: d.score,
        boundingBox: [d.x1, d.y1, d.x2, d.y2],
      })),
    };
  });
}
