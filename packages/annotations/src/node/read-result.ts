import type { Finding } from '../findings.js';
import type { Dataset } from '../model.js';

/** What a folder reader returns: the dataset (image paths relative to `root`), the root, and the problems seen. */
export interface ReadResult {
  dataset: Dataset;
  /** The absolute folder image paths are relative to. */
  root: string;
  /** Problems found while reading (never fixed silently); run `validateDataset` to add the geometric checks. */
  findings: Finding[];
}
