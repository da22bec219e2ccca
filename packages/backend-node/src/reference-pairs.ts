import { statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ImageReferenceError, type ImagePair } from '@defectkit/detector';

/** Where golden references come from: `auto` (DeepPCB naming beside each image) or a folder holding the same file names. */
export type ReferenceSource = 'auto' | { folder: string };

const TEST_SUFFIX = '_test';
const TEMPLATE_SUFFIX = '_temp';

/** True for a DeepPCB template (`X_temp.jpg`): under `auto` pairing it is a reference, not a board to inspect. */
export function isTemplateImage(path: string): boolean {
  return basename(path, extname(path)).endsWith(TEMPLATE_SUFFIX);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The reference path `source` gives `image` (whether or not it exists). */
export function referencePathOf(image: string, source: ReferenceSource): string {
  if (source === 'auto') {
    const ext = extname(image);
    const stem = basename(image, ext);
    const base = stem.endsWith(TEST_SUFFIX) ? stem.slice(0, -TEST_SUFFIX.length) : stem;
    return join(dirname(image), `${base}${TEMPLATE_SUFFIX}${ext}`);
  }
  // Only the file name is used, so the reference is always inside the folder.
  return join(resolve(source.folder), basename(image));
}

/**
 * Pairs each image with its golden reference. `auto`: DeepPCB naming, `X_test.jpg` pairs with `X_temp.jpg` beside
 * it (an image without the `_test` suffix cannot be paired). `{ folder }`: the file of the same name in that folder.
 * Throws `REFERENCE_MISSING` naming the first image without a reference (and how many others lack one) before any
 * image runs.
 *
 * @example
 * const pairs = pairReferences(['b/00041000_test.jpg'], 'auto'); // [{ image: 'b/00041000_test.jpg', reference: 'b/00041000_temp.jpg' }]
 */
export function pairReferences(images: readonly string[], source: ReferenceSource): ImagePair<string>[] {
  const pairs: ImagePair<string>[] = [];
  const missing: { image: string; expected: string; why: string }[] = [];
  for (const image of images) {
    const reference = referencePathOf(image, source);
    const stem = basename(image, extname(image));
    if (source === 'auto' && !stem.endsWith(TEST_SUFFIX)) missing.push({ image, expected: reference, why: `auto pairing needs DeepPCB naming (X${TEST_SUFFIX}${extname(image)} beside X${TEMPLATE_SUFFIX}${extname(image)})` });
    else if (!isFile(reference)) missing.push({ image, expected: reference, why: `no reference ${reference}` });
    else pairs.push({ image, reference });
  }
  if (missing.length > 0) {
    const first = missing[0]!;
    const others = missing.length > 1 ? ` (and ${missing.length - 1} other image(s) without a reference)` : '';
    throw new ImageReferenceError('REFERENCE_MISSING', `${first.image}: ${first.why}${others}`, {
      file: first.image,
      expected: first.expected,
      missing: missing.map((m) => m.image),
    });
  }
  return pairs;
}
