import { dirname, join, relative, resolve, sep } from 'node:path';
import { stat } from 'node:fs/promises';
import { FileSystemError, assertOutputsApart, uniqueNames, writeFileAtomic } from '@defectkit/core/node';
import { deepPcbResultName, formatCocoResults, formatDeepPcbTxt, formatJson, formatYoloTxt, imageStem, type ImageDetections } from '@defectkit/postprocess';
import type { ImageInput } from '../sharp-preprocessor.js';
import { writeAnnotatedImage } from './annotate.js';

/** The result formats of a detection run: one file (`json`, `coco`) or one file per image (`yolo`, `deeppcb`). */
export const RESULT_FORMATS = ['json', 'yolo', 'coco', 'deeppcb'] as const;
/** One of {@link RESULT_FORMATS}. */
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** Options of {@link DetectionOutputs.prepare}. */
export interface DetectionOutputOptions {
  format: ResultFormat;
  /** A file for `json`/`coco` (absent: the caller prints the text), a folder for `yolo`/`deeppcb`. */
  out?: string;
  /** A folder for annotated PNGs, one per image. */
  annotatedDir?: string;
  /** The images that will be detected, in order. */
  images: readonly string[];
  /** Every other input of the run (folders and lists given, the model): no output may overlap them either. */
  otherInputs?: readonly string[];
}

/** Throws `NOT_A_FOLDER` / `IS_A_FOLDER` when `path` exists and is not the kind of output it will be. */
async function expectKind(path: string, kind: 'file' | 'folder'): Promise<void> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTDIR') throw new FileSystemError('NOT_A_FOLDER', `cannot write ${path}: a part of the path is a file, not a folder`, { file: path, operation: 'write', errno: 'ENOTDIR' });
    return undefined; // absent: it will be created
  });
  if (info === undefined) return;
  if (kind === 'folder' && !info.isDirectory()) throw new FileSystemError('NOT_A_FOLDER', `cannot write into ${path}: it is a file, not a folder`, { file: path, operation: 'write into' });
  if (kind === 'file' && info.isDirectory()) throw new FileSystemError('IS_A_FOLDER', `cannot write ${path}: it is a folder, not a file`, { file: path, operation: 'write' });
}

/** The deepest folder holding every path (all absolute). */
function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return sep;
  let common = dirname(paths[0]!);
  for (const path of paths) while (common !== dirname(common) && relative(common, path).startsWith('..')) common = dirname(common);
  return common;
}

/** Per-image output names that stay unique: the image stem, or its folders from the common folder joined by `__`. */
function perImageNames(images: readonly string[], name: (image: string) => string): Map<string, string> {
  const absolute = images.map((image) => resolve(image));
  const root = commonFolder(absolute);
  const names = uniqueNames(
    images.map((image, i) => {
      const folders = relative(root, dirname(absolute[i]!)).split(sep).filter((part) => part !== '');
      return { preferred: name(image), specific: [...folders, name(image)].join('__') };
    }),
  );
  return new Map(images.map((image, i) => [image, names[i]!]));
}

/**
 * Where the results of a detection run go, decided before the first image runs: outputs are checked against every
 * input with the one overlap rule (`OUTPUT_OVERLAPS_INPUT`) and against what already exists there (a file where the
 * folder goes: `NOT_A_FOLDER`; a folder where the file goes: `IS_A_FOLDER`), and per-image files get names that stay unique when
 * images from different folders share a name (`a/x.jpg`, `b/x.jpg` → `a__x.txt`, `b__x.txt`). Every file is
 * written atomically.
 *
 * @example
 * const outputs = await DetectionOutputs.prepare({ format: 'yolo', out: 'labels', images });
 * for (const item of results) await outputs.writeImage(item, item.image);
 */
export class DetectionOutputs {
  private constructor(
    private readonly options: DetectionOutputOptions,
    private readonly resultNames: ReadonlyMap<string, string>,
    private readonly annotatedNames: ReadonlyMap<string, string>,
  ) {}

  /** Checks the outputs against the inputs and fixes the per-image names. */
  static async prepare(options: DetectionOutputOptions): Promise<DetectionOutputs> {
    const outputs = [options.out, options.annotatedDir].filter((path): path is string => path !== undefined);
    await assertOutputsApart(outputs, [...options.images, ...(options.otherInputs ?? [])]);
    if (options.out !== undefined && options.annotatedDir !== undefined) await assertOutputsApart([options.out], [options.annotatedDir]);
    const perImage = options.format === 'yolo' || options.format === 'deeppcb';
    // Checked now, not at the first write after minutes of detection: a file where a folder goes and vice versa.
    if (options.out !== undefined) await expectKind(options.out, perImage ? 'folder' : 'file');
    if (options.annotatedDir !== undefined) await expectKind(options.annotatedDir, 'folder');
    const resultNames = perImage ? perImageNames(options.images, options.format === 'yolo' ? (image) => `${imageStem(image)}.txt` : deepPcbResultName) : new Map<string, string>();
    const annotatedNames = options.annotatedDir !== undefined ? perImageNames(options.images, (image) => `${imageStem(image)}.png`) : new Map<string, string>();
    return new DetectionOutputs(options, resultNames, annotatedNames);
  }

  /** The per-image result file of `image` (`yolo`, `deeppcb`), else undefined. */
  resultFile(image: string): string | undefined {
    const name = this.resultNames.get(image);
    return name === undefined || this.options.out === undefined ? undefined : join(this.options.out, name);
  }

  /** The annotated PNG of `image` when annotated images were asked for. */
  annotatedFile(image: string): string | undefined {
    const name = this.annotatedNames.get(image);
    return name === undefined || this.options.annotatedDir === undefined ? undefined : join(this.options.annotatedDir, name);
  }

  /** Writes what belongs to one image as soon as it is detected: its result file and its annotated image. */
  async writeImage(item: ImageDetections, input: ImageInput): Promise<void> {
    const resultFile = this.resultFile(item.image);
    if (resultFile !== undefined) await writeFileAtomic(resultFile, this.options.format === 'yolo' ? formatYoloTxt(item) : formatDeepPcbTxt(item));
    const annotated = this.annotatedFile(item.image);
    if (annotated !== undefined) await writeAnnotatedImage(input, item, annotated);
  }

  /**
   * Finishes a `json`/`coco` run: writes the whole results file to `out`, or returns its text when there is no
   * `out` (for standard output). Returns undefined for the per-image formats.
   */
  async finish(items: readonly ImageDetections[]): Promise<string | undefined> {
    const { format, out } = this.options;
    if (format !== 'json' && format !== 'coco') return undefined;
    const text = format === 'json' ? formatJson(items) : formatCocoResults(items);
    if (out === undefined) return text;
    await writeFileAtomic(out, text);
    return undefined;
  }
}
