import { assertOutputsApart, writeFileAtomic } from '@defectkit/core/node';
import { resolve } from 'node:path';
import { DatasetValidationError } from '../errors.js';
import type { DatasetFormat } from '../formats.js';
import type { Dataset } from '../model.js';
import { splitDataset, type SplitRatios, type SplitSpec } from '../split-dataset.js';
import { datasetStats, type DatasetStats } from '../dataset-stats.js';
import { validateDataset, withoutInvalidBoxes, type ValidationReport } from '../validate-dataset.js';
import type { ImageMode } from './image-files.js';
import { readDataset } from './read-dataset.js';
import { writeDataset } from './write-dataset.js';

/** Options of `convertDataset`. */
export interface ConvertOptions {
  from: DatasetFormat;
  to: DatasetFormat;
  input: string;
  output: string;
  /**
   * `'upstream'` (or absent) keeps the source's splits; ratios re-split with `seed`, stratified by class (the
   * source's test images stay in test unless the ratios name `test`).
   */
  split?: SplitSpec;
  /** The seed of ratio splits (default 0). */
  seed?: number;
  /** Link (default) or copy the images. */
  images?: ImageMode;
  /** Replace a non-empty output folder. */
  overwrite?: boolean;
  /** Drop invalid boxes (and images that cannot be read) instead of refusing; they are counted in the report. */
  skipInvalid?: boolean;
  /** Where the validation report goes when conversion refuses (default `<output>.validation.json`). */
  reportFile?: string;
}

/** What a conversion did. */
export interface ConversionReport {
  from: DatasetFormat;
  to: DatasetFormat;
  input: string;
  output: string;
  /** The split spec used, and the seed for ratio splits. */
  split: SplitSpec | 'source';
  seed?: number;
  validation: ValidationReport;
  /** Boxes and images left out because of `skipInvalid`. */
  skipped: { boxes: number; images: number };
  /** Images and boxes per split (`all` when the output has no splits). */
  splits: Record<string, DatasetStats['boxesPerClass'] & { images: number; boxes: number }>;
}

/**
 * Re-splits with ratios. When the ratios name no `test` split, the source's own test images stay in `test` and
 * out of the re-split (e.g. full DeepPCB: carve val out of trainval, never leak test images into training).
 */
function resplit(dataset: Dataset, ratios: SplitRatios, seed: number): Dataset {
  if (ratios.test !== undefined) return splitDataset(dataset, ratios, seed);
  const held = dataset.images.filter((i) => i.split === 'test');
  if (held.length === 0) return splitDataset(dataset, ratios, seed);
  const rest = splitDataset({ ...dataset, images: dataset.images.filter((i) => i.split !== 'test') }, ratios, seed);
  const assigned = new Map(rest.images.map((i) => [i.path, i.split]));
  return { ...dataset, images: dataset.images.map((i) => (i.split === 'test' ? i : { ...i, split: assigned.get(i.path)! })) };
}

/** The file name of the report written inside every converted folder. */
export const CONVERSION_REPORT_FILE = 'defectkit-conversion.json';

/**
 * Converts a dataset folder from one format to another through the model: read, validate, (re-)split, write
 * atomically. Refuses with `OutputOverlapError` (`OUTPUT_OVERLAPS_INPUT`) when the output or the report file is, contains
 * or lies inside the input, and with `DatasetValidationError` (after writing the validation report) when the source has
 * errors, unless `skipInvalid` is set. Inputs are never modified.
 * @example await convertDataset({ from: 'deeppcb', to: 'yolo', input: 'data/deeppcb', output: 'data/pcb-yolo', split: { train: 0.9, val: 0.1 }, seed: 0 });
 */
export async function convertDataset(options: ConvertOptions): Promise<ConversionReport> {
  const reportFile = resolve(options.reportFile ?? `${resolve(options.output)}.validation.json`);
  // Both outputs are checked before anything is read or written: `--output D` with `--input D` must never replace D.
  await assertOutputsApart([options.output, reportFile], [options.input]);
  const { dataset: source, root, findings } = await readDataset(options.input, options.from);
  const validation = validateDataset(source, findings);
  if (validation.errors > 0 && !options.skipInvalid) {
    await writeFileAtomic(reportFile, `${JSON.stringify(validation, null, 2)}\n`);
    throw new DatasetValidationError(
      `${options.input}: ${validation.errors} validation error(s); nothing written (report: ${reportFile}; skipping invalid entries drops bad boxes)`,
      validation.findings,
      { file: options.input, reportFile },
    );
  }
  const errors = validation.findings.filter((f) => f.severity === 'error');
  const cleaned = withoutInvalidBoxes(source);
  const skipped = {
    boxes: cleaned.droppedBoxes + errors.reduce((n, f) => n + (f.excludedBoxes ?? 0), 0),
    images: errors.filter((f) => f.excludedImage).length,
  };
  const seed = options.seed ?? 0;
  const ratios = options.split === undefined || options.split === 'upstream' ? undefined : options.split;
  const dataset: Dataset = ratios === undefined ? cleaned.dataset : resplit(cleaned.dataset, ratios, seed);

  const splits: ConversionReport['splits'] = {};
  for (const key of new Set(dataset.images.map((i) => i.split ?? 'all'))) {
    const part = datasetStats({ ...dataset, images: dataset.images.filter((i) => (i.split ?? 'all') === key) });
    splits[key] = { images: part.images, boxes: part.boxes, ...part.boxesPerClass };
  }
  const report: ConversionReport = {
    from: options.from,
    to: options.to,
    input: resolve(options.input),
    output: resolve(options.output),
    split: options.split ?? 'source',
    ...(ratios === undefined ? {} : { seed }),
    validation,
    skipped,
    splits,
  };
  await writeDataset(dataset, options.output, options.to, {
    root,
    overwrite: options.overwrite ?? false,
    ...(options.images === undefined ? {} : { images: options.images }),
    extraFiles: { [CONVERSION_REPORT_FILE]: `${JSON.stringify(report, null, 2)}\n` },
  });
  return report;
}
