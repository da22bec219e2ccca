/**
 * Dataset validation: geometric checks on the model, merged with what the readers found while parsing.
 * Nothing is fixed silently: the report lists every problem; `withoutInvalidBoxes` drops bad boxes on request.
 */
import type { Finding, FindingRule } from './findings.js';
import type { Box, Dataset, ImageRecord } from './model.js';

/** The outcome of validating a dataset. */
export interface ValidationReport {
  /** Images in the dataset as read (images the reader had to leave out are not counted). */
  images: number;
  /** Boxes in the dataset as read. */
  boxes: number;
  errors: number;
  warnings: number;
  /** The number of findings per rule. */
  byRule: Partial<Record<FindingRule, number>>;
  /** Every finding: reader findings first, then the geometric checks, each naming file and line. */
  findings: Finding[];
}

/**
 * How far (as a fraction of the image size) a box may poke outside the image before it counts as out of bounds:
 * the rounding of 6-decimal YOLO labels moves edges by up to 1e-6 of the size, and a box drawn to the border
 * must survive a round trip through YOLO.
 */
export const BOUNDS_TOLERANCE = 1e-6;

function boxFinding(rule: FindingRule, message: string, box: Box, image: ImageRecord): Finding {
  const file = box.source?.file ?? image.path;
  return { rule, severity: 'error', file, ...(box.source?.line === undefined ? {} : { line: box.source.line }), image: image.path, message };
}

/** The geometric findings of one image's boxes: inverted corners, zero size, out of bounds, duplicates. */
export function checkImageBoxes(image: ImageRecord): { finding: Finding; box: Box }[] {
  const out: { finding: Finding; box: Box }[] = [];
  const seen = new Set<string>();
  for (const box of image.boxes) {
    const add = (rule: FindingRule, message: string) => out.push({ finding: boxFinding(rule, message, box, image), box });
    const { x1, y1, x2, y2 } = box;
    const coords = `(${x1}, ${y1}, ${x2}, ${y2})`;
    if (![x1, y1, x2, y2].every(Number.isFinite)) {
      add('bad-number', `box ${coords} has a non-finite coordinate`);
      continue;
    }
    if (x2 < x1 || y2 < y1) add('inverted-corners', `box ${coords} has x2 < x1 or y2 < y1`);
    else if (x2 === x1 || y2 === y1) add('zero-size', `box ${coords} has zero width or height`);
    const tx = BOUNDS_TOLERANCE * image.width;
    const ty = BOUNDS_TOLERANCE * image.height;
    if (Math.min(x1, x2) < -tx || Math.min(y1, y2) < -ty || Math.max(x1, x2) > image.width + tx || Math.max(y1, y2) > image.height + ty) {
      add('out-of-bounds', `box ${coords} lies outside the ${image.width}x${image.height} image`);
    }
    const key = `${box.classId}:${x1}:${y1}:${x2}:${y2}`;
    if (seen.has(key)) add('duplicate-box', `box ${coords} of class ${box.classId} repeats an earlier box on the same image`);
    seen.add(key);
  }
  return out;
}

/**
 * Validates a dataset: runs the geometric checks and merges them with the reader's findings.
 * @param readerFindings the findings a reader returned (unparseable lines, unknown classes, missing files).
 * @example const { dataset, findings } = await readDataset(dir, 'yolo'); const report = validateDataset(dataset, findings);
 */
export function validateDataset(dataset: Dataset, readerFindings: readonly Finding[] = []): ValidationReport {
  const findings = [...readerFindings];
  let boxes = 0;
  for (const image of dataset.images) {
    boxes += image.boxes.length;
    for (const { finding } of checkImageBoxes(image)) findings.push(finding);
  }
  const byRule: Partial<Record<FindingRule, number>> = {};
  for (const f of findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { images: dataset.images.length, boxes, errors, warnings: findings.length - errors, byRule, findings };
}

/**
 * Drops every box that breaks a geometric rule (a duplicate keeps its first copy).
 * @returns the cleaned dataset (a copy) and how many boxes were dropped.
 */
export function withoutInvalidBoxes(dataset: Dataset): { dataset: Dataset; droppedBoxes: number } {
  let droppedBoxes = 0;
  const images = dataset.images.map((image) => {
    const bad = new Set(checkImageBoxes(image).map((x) => x.box));
    droppedBoxes += bad.size;
    return bad.size === 0 ? image : { ...image, boxes: image.boxes.filter((b) => !bad.has(b)) };
  });
  return { dataset: { ...dataset, images }, droppedBoxes };
}
