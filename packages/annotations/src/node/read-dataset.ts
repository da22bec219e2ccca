import type { DatasetFormat } from '../formats.js';
import { readCoco } from './read-coco.js';
import { readDeepPcb } from './read-deeppcb.js';
import type { ReadResult } from './read-result.js';
import { readVoc } from './read-voc.js';
import { readYolo } from './read-yolo.js';

const readers: Record<DatasetFormat, (dir: string) => Promise<ReadResult>> = { deeppcb: readDeepPcb, yolo: readYolo, voc: readVoc, coco: readCoco };

/**
 * Reads a dataset folder of any supported format into the model, with the reader's findings.
 * @example const { dataset, root, findings } = await readDataset('data/pcb-yolo', 'yolo');
 */
export function readDataset(dir: string, format: DatasetFormat): Promise<ReadResult> {
  return readers[format](dir);
}
