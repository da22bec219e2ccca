import { UnknownFormatError } from './errors.js';

/** The dataset formats DefectKit reads and writes. */
export const DATASET_FORMATS = ['deeppcb', 'yolo', 'voc', 'coco'] as const;
/** One of `DATASET_FORMATS`. */
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Checks a format name (e.g. from the command line); throws `UnknownFormatError` otherwise. */
export function parseDatasetFormat(name: string, field = 'format'): DatasetFormat {
  const lower = name.toLowerCase();
  if ((DATASET_FORMATS as readonly string[]).includes(lower)) return lower as DatasetFormat;
  throw new UnknownFormatError(name, field);
}
