/**
 * The one rule for telling images apart across `convert`, `detect` and `eval`: an image is known by its
 * file name (no folders), because that is all a detector sees of a dataset image and it survives moving the
 * dataset. COCO files need integer ids, so the COCO id is derived from that key the same way everywhere.
 */

/**
 * How an image given as a path or as encoded bytes is named in detection outcomes, progress events and errors:
 * the path as given, or `<buffer N bytes>`.
 */
export function describeImageInput(image: string | Uint8Array): string {
  return typeof image === 'string' ? image : `<buffer ${image.byteLength} bytes>`;
}

/** Largest number of digits a file stem may have to be its own COCO id (below 2^40, where hashed ids start). */
const MAX_NUMERIC_DIGITS = 12;
/** Hashed ids live in [2^40, 2^40 + 2^32): never equal to a numeric stem of up to 12 digits. */
const HASHED_ID_BASE = 2 ** 40;

/** The image key: the file name of `path` (`boards/00041000_test.jpg` → `00041000_test.jpg`; `\` counts as a separator). */
export function imageKey(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** The file name without its extension (`a/b/00041_test.jpg` → `00041_test`). */
export function imageFileStem(path: string): string {
  const base = imageKey(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** FNV-1a over the UTF-16 code units of `text`: 32 bits, stable across platforms and runs. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The COCO image id of an image, from its {@link imageKey}: the file stem as a number when it is at most 12
 * digits (a DeepPCB `_test` suffix dropped: `00041000_test.jpg` → 41000), otherwise 2^40 plus a 32-bit FNV-1a
 * hash of the file name. `defectkit convert --to coco` writes these ids for images that have none, `detect
 * --format coco` writes them, and `eval` matches results to ground-truth images with them.
 *
 * @example
 * cocoImageId('PCBData/group00041/00041/00041000_test.jpg'); // 41000
 * cocoImageId('boards/left.png');                             // 1099511627776 + hash('left.png')
 */
export function cocoImageId(path: string): number {
  const stem = imageFileStem(path).replace(/_test$/, '');
  if (/^\d+$/.test(stem) && stem.length <= MAX_NUMERIC_DIGITS) return Number(stem);
  return HASHED_ID_BASE + fnv1a32(imageKey(path));
}
