import { InvalidArgumentError } from '../errors.js';

/** One tile of an image, in image pixels. */
export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Start offsets along one axis: every `step`, the last one flush with the far edge. */
function starts(length: number, size: number, step: number): number[] {
  if (length <= size) return [0];
  const out: number[] = [];
  for (let s = 0; s + size < length; s += step) out.push(s);
  out.push(length - size);
  return out;
}

/**
 * Cuts a `width × height` image into `size × size` tiles that overlap by `overlap` (a fraction of the tile, in
 * [0, 1)): tiles start every `floor(size · (1 − overlap))` pixels (at least 1) and the last tile of a row or column
 * is moved back to end at the image's edge, so every tile is whole and every pixel is covered. A side shorter than
 * `size` is one tile of that side. Tiles are listed row by row.
 *
 * @example
 * tileGrid(1000, 640, 640, 0.2); // x 0, 360 (the last one flush right); y 0: two tiles of 640 × 640
 */
export function tileGrid(width: number, height: number, size: number, overlap: number): Tile[] {
  for (const [field, v] of [['width', width], ['height', height], ['size', size]] as const)
    if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError('INVALID_SIZE', `tile grid: ${field} must be a positive integer (got ${v})`, { field, value: v });
  if (!Number.isFinite(overlap) || overlap < 0 || overlap >= 1)
    throw new InvalidArgumentError('INVALID_NUMBER', `tile grid: overlap must be a fraction in [0, 1) (got ${overlap})`, { field: 'overlap', value: overlap });
  const step = Math.max(1, Math.floor(size * (1 - overlap)));
  const tiles: Tile[] = [];
  for (const y of starts(height, size, step))
    for (const x of starts(width, size, step)) tiles.push({ x, y, width: Math.min(size, width), height: Math.min(size, height) });
  return tiles;
}
