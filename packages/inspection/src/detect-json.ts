import { readFile } from 'node:fs/promises';
import type { Detection } from '@defectkit/core';
import { asTypedError } from '@defectkit/core/node';
import type { DetectedImage } from './board-inspections.js';
import { InspectionError } from './errors.js';

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Reads the JSON that `defectkit detect --format json` writes (an array of `{ image, width, height,
 * detections }`), checking every field; an error names the file, the entry and the field.
 */
export function parseDetectJson(text: string, file: string): DetectedImage[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new InspectionError('INSPECTION_INPUT', `${file}: not valid JSON (${(cause as Error).message})`, { file });
  }
  if (!Array.isArray(data)) throw new InspectionError('INSPECTION_INPUT', `${file}: expected the array \`defectkit detect --format json\` writes`, { file });
  return data.map((entry: unknown, index) => {
    const bad = (field: string, expected: string): InspectionError =>
      new InspectionError('INSPECTION_INPUT', `${file}: entry ${index}: ${field} must be ${expected}`, { file, entry: index, field });
    if (typeof entry !== 'object' || entry === null) throw bad('the entry', 'an object');
    const e = entry as Record<string, unknown>;
    if (typeof e.image !== 'string' || e.image === '') throw bad('image', 'a non-empty string');
    if (!isNumber(e.width) || e.width <= 0) throw bad('width', 'a positive number');
    if (!isNumber(e.height) || e.height <= 0) throw bad('height', 'a positive number');
    if (!Array.isArray(e.detections)) throw bad('detections', 'an array');
    const detections = e.detections.map((d: unknown, n): Detection => {
      const r = (typeof d === 'object' && d !== null ? d : {}) as Record<string, unknown>;
      for (const key of ['x1', 'y1', 'x2', 'y2', 'score', 'classId'] as const) if (!isNumber(r[key])) throw bad(`detections[${n}].${key}`, 'a finite number');
      if (typeof r.label !== 'string' || r.label === '') throw bad(`detections[${n}].label`, 'a non-empty string');
      if ((r.score as number) < 0 || (r.score as number) > 1) throw bad(`detections[${n}].score`, 'in [0, 1]');
      return { x1: r.x1 as number, y1: r.y1 as number, x2: r.x2 as number, y2: r.y2 as number, score: r.score as number, classId: r.classId as number, label: r.label };
    });
    if (e.verdict !== undefined && e.verdict !== 'pass' && e.verdict !== 'fail') throw bad('verdict', 'pass or fail when given');
    return { image: e.image, width: e.width, height: e.height, ...(e.verdict === undefined ? {} : { verdict: e.verdict }), detections };
  });
}

/** Reads a detect JSON file (see {@link parseDetectJson}). */
export async function readDetectJson(file: string): Promise<DetectedImage[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw asTypedError(error);
  }
  return parseDetectJson(text, file);
}
