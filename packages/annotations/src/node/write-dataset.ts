import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DatasetFormat } from '../formats.js';
import type { Dataset } from '../model.js';
import { assertOutputsApart, writeFolderAtomically } from '@defectkit/core/node';
import type { ImageMode } from './image-files.js';
import { writeCoco } from './write-coco.js';
import { writeDeepPcb } from './write-deeppcb.js';
import { writeVoc } from './write-voc.js';
import { writeYolo, type WriteOptions } from './write-yolo.js';

const writers: Record<DatasetFormat, (dataset: Dataset, dir: string, options: WriteOptions) => Promise<void>> = {
  deeppcb: writeDeepPcb,
  yolo: writeYolo,
  voc: writeVoc,
  coco: writeCoco,
};

/** Options of `writeDataset`. */
export interface WriteDatasetOptions {
  /** The folder the dataset's relative image paths are relative to (a reader's `root`). */
  root: string;
  /** Link (default) or copy the images. */
  images?: ImageMode;
  /** Replace a non-empty output folder (refused otherwise with `OutputExistsError`). */
  overwrite?: boolean;
  /** Extra files (name -> text) written at the top of the output folder, e.g. a conversion report. */
  extraFiles?: Record<string, string>;
}

/**
 * Writes a dataset folder in the given format, atomically (temporary sibling folder renamed into place). Refuses an
 * output that is, contains or lies inside `options.root` (`OUTPUT_OVERLAPS_INPUT`).
 * @example await writeDataset(dataset, 'out/pcb-yolo', 'yolo', { root });
 */
export async function writeDataset(dataset: Dataset, output: string, format: DatasetFormat, options: WriteDatasetOptions): Promise<void> {
  const finalDir = resolve(output);
  // The images are read from `root`; replacing the folder that holds them would destroy the source.
  await assertOutputsApart([finalDir], [options.root]);
  await writeFolderAtomically(finalDir, { overwrite: options.overwrite ?? false }, async (temp) => {
    const common = { root: options.root, finalDir, ...(options.images === undefined ? {} : { images: options.images }) };
    await writers[format](dataset, temp, common);
    for (const [name, text] of Object.entries(options.extraFiles ?? {})) await writeFile(resolve(temp, name), text);
  });
}
