import { letterbox, type Tile } from '@defectkit/postprocess';
import type { PreparedImage } from './image-preprocessor.js';
import type { ModelInputSpec } from './model-card.js';

/**
 * Cuts one tile out of an image prepared at its own size (CHW, `resize: "none"`) into a network input of
 * `input.width × input.height`: the tile at scale 1 (tiles are never resized, so defects keep the pixel size the
 * model was trained on), centred as the letterbox centres, the rest the normalised pad value of each channel.
 * Stacked reference planes use the image's per-channel normalisation.
 */
export function cutTile(full: PreparedImage, tile: Tile, input: Pick<ModelInputSpec, 'width' | 'height' | 'padValue' | 'scale' | 'mean' | 'std' | 'channels'>): PreparedImage {
  const [channels, height, width] = full.dims;
  const lb = letterbox(tile.height, tile.width, input.height, input.width, { scaleup: false });
  const plane = input.width * input.height;
  const data = new Float32Array(channels * plane);
  for (let c = 0; c < channels; c++) {
    const k = c % input.channels;
    const pad = (input.padValue * input.scale - (input.mean?.[k] ?? 0)) / (input.std?.[k] ?? 1);
    const base = c * plane;
    data.fill(pad, base, base + plane);
    for (let y = 0; y < tile.height; y++) {
      const from = c * width * height + (tile.y + y) * width + tile.x;
      data.set(full.data.subarray(from, from + tile.width), base + (lb.padTop + y) * input.width + lb.padLeft);
    }
  }
  return {
    data,
    dims: [channels, input.height, input.width],
    width: tile.width,
    height: tile.height,
    placement: { gain: 1, padLeft: lb.padLeft, padTop: lb.padTop },
    timings: { decode: 0, preprocess: 0 },
  };
}
