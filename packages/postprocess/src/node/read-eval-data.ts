import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseDatasetFormat, type Dataset, type DatasetFormat, type ImageRecord } from '@defectkit/annotations';
import { readDataset, readImageSize } from '@defectkit/annotations/node';
import { imageFileStem } from '@defectkit/core';
import { EvaluationInputError, InvalidArgumentError } from '../errors.js';
import { alignResultImageIds } from '../metrics/coco-image-ids.js';
import { cocoEvalInputFromJson } from '../metrics/coco-json.js';
import { categoryIdOf, deeppcbImagesFromDataset, deeppcbImagesFromEvalInput, evalInputFromDataset, imageKeyOf, type ImagePredictions } from '../metrics/dataset-input.js';
import { evaluateDetections, type EvalData, type EvalReport, type EvaluateOptions } from '../metrics/evaluate-detections.js';
import { parseDeepPcbResults, predictionsFromCocoResults } from '../metrics/prediction-files.js';

/** Where the ground truth and the predictions are. */
export interface EvalSources {
  /** A COCO annotation JSON file, or a dataset folder (then `gtFormat` names its format). */
  gt: string;
  /** A COCO results JSON file, or a folder of DeepPCB result files `<image stem>.txt`. */
  pred: string;
  /** The format of a ground-truth folder: deeppcb, yolo, voc or coco. */
  gtFormat?: DatasetFormat | string;
  /** Evaluate only this split of a ground-truth folder. */
  split?: string;
  /**
   * A folder of defect-free boards (searched recursively) added to the ground truth as images without defects, so
   * the board protocol counts false calls on them (DeepPCB's `_temp` templates are such boards). Their predictions
   * come from the same `pred` file or folder. Only with a ground-truth folder.
   */
  good?: string;
}

const GOOD_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp']);

/** Every image file under `dir` (sorted), as ground-truth images without boxes. */
async function readGoodBoards(dir: string): Promise<ImageRecord[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && GOOD_EXTENSIONS.has(e.name.slice(e.name.lastIndexOf('.')).toLowerCase()))
    .map((e) => resolve(e.parentPath ?? dir, e.name))
    .sort();
  if (files.length === 0) throw new InvalidArgumentError('EMPTY_SPLIT', `${dir} holds no image (defect-free boards for --good)`, { field: 'good', file: dir });
  return Promise.all(
    files.map(async (path) => {
      const size = await readImageSize(path);
      if (!size.ok) throw new EvaluationInputError(`${path}: ${size.message}`, { file: path, field: 'good' });
      return { path, width: size.width, height: size.height, boxes: [] };
    }),
  );
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new EvaluationInputError(`${path}: the ${what} is not valid JSON (${(cause as Error).message})`, { file: path });
  }
}

/** Reads `<stem>.txt` (or the stem without DeepPCB's `_test` suffix) for every image; a missing file = no result. */
async function readDeepPcbResultFolder(dir: string, dataset: Dataset): Promise<ImagePredictions[]> {
  const files = new Set((await readdir(dir)).filter((f) => f.endsWith('.txt')));
  return Promise.all(
    dataset.images.map(async (image) => {
      const stem = imageFileStem(image.path);
      const name = [`${stem}.txt`, `${stem.replace(/_test$/, '')}.txt`].find((n) => files.has(n));
      if (name === undefined) return { imageKey: imageKeyOf(image), detections: null };
      const file = join(dir, name);
      return { imageKey: imageKeyOf(image), detections: parseDeepPcbResults(await readFile(file, 'utf8'), dataset.classes, file) };
    }),
  );
}

/**
 * Reads ground truth and predictions into {@link EvalData}. A COCO ground-truth file is scored straight from
 * its `[x, y, w, h]` numbers (exactly as pycocotools reads them) against a COCO results file; a dataset folder
 * is read with `@defectkit/annotations` and takes a COCO results file or a DeepPCB result folder. Images are
 * matched by their own ids, else by the one image-identity rule (`cocoImageId` of the file name), so the output
 * of `detect --format coco` scores against the output of `convert --to coco`.
 *
 * @throws InvalidArgumentError `UNSUPPORTED_INPUT`, `MISSING_OPTION` or `EMPTY_SPLIT` naming the field;
 *   EvaluationInputError `EVAL_INPUT` naming the file and entry.
 */
export async function readEvalData(sources: EvalSources): Promise<EvalData> {
  const gtIsFile = (await stat(sources.gt)).isFile();
  const predIsFile = (await stat(sources.pred)).isFile();
  if (gtIsFile && sources.good !== undefined) {
    throw new InvalidArgumentError('UNSUPPORTED_INPUT', `good boards are added to a ground-truth folder; ${sources.gt} is a COCO file`, { field: 'good', file: sources.gt });
  }
  if (gtIsFile) {
    if (sources.split !== undefined) {
      throw new InvalidArgumentError('UNSUPPORTED_INPUT', `a split applies to a ground-truth folder; ${sources.gt} is a COCO file (one split already)`, { field: 'split', file: sources.gt });
    }
    if (!predIsFile) {
      throw new InvalidArgumentError('UNSUPPORTED_INPUT', `with a COCO ground-truth file (${sources.gt}) the predictions must be a COCO results JSON file, not the folder ${sources.pred}`, {
        field: 'pred',
        value: sources.pred,
      });
    }
    const gtJson = await readJson(sources.gt, 'ground truth');
    const results = alignResultImageIds(gtJson, await readJson(sources.pred, 'results list'));
    const input = cocoEvalInputFromJson(gtJson, results, { gt: sources.gt, results: sources.pred });
    const categories = (gtJson as { categories: { id: number; name?: unknown }[] }).categories;
    const names = new Map(categories.map((c) => [c.id, typeof c.name === 'string' ? c.name : String(c.id)]));
    return { input, names, deeppcbImages: () => deeppcbImagesFromEvalInput(input, names) };
  }
  if (sources.gtFormat === undefined) {
    throw new InvalidArgumentError('MISSING_OPTION', `${sources.gt} is a folder: name its ground-truth format (deeppcb, yolo, voc or coco)`, { field: 'gt-format', file: sources.gt });
  }
  const { dataset: whole } = await readDataset(sources.gt, parseDatasetFormat(sources.gtFormat, 'gt-format'));
  const picked = sources.split === undefined ? whole : { ...whole, images: whole.images.filter((image) => image.split === sources.split) };
  if (picked.images.length === 0) {
    throw new InvalidArgumentError('EMPTY_SPLIT', `${sources.gt} has no image in split "${sources.split}"`, { field: 'split', value: sources.split, file: sources.gt });
  }
  const dataset = sources.good === undefined ? picked : { ...picked, images: [...picked.images, ...(await readGoodBoards(sources.good))] };
  const predictions = predIsFile ? predictionsFromCocoResults(await readJson(sources.pred, 'results list'), dataset, sources.pred) : await readDeepPcbResultFolder(sources.pred, dataset);
  const input = evalInputFromDataset(dataset, predictions);
  const names = new Map(dataset.classes.map((name, c) => [categoryIdOf(dataset, c), name]));
  return { input, names, deeppcbImages: () => deeppcbImagesFromDataset(dataset, predictions) };
}

/**
 * Reads the inputs and scores them: {@link readEvalData} then `evaluateDetections`.
 *
 * @example
 * const report = await evaluateFiles({ gt: 'coco/annotations/instances.json', pred: 'out/results.json' }, { protocol: 'coco' });
 */
export async function evaluateFiles(sources: EvalSources, options: EvaluateOptions): Promise<EvalReport> {
  return evaluateDetections(await readEvalData(sources), options);
}
