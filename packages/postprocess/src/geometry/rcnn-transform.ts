import { assertPositiveSize } from './validate.js';

/** The sizes torchvision's `GeneralizedRCNNTransform` produces inside the exported graph. */
export interface RcnnResize {
  /** The scale factor applied to both sides. */
  scale: number;
  /** The size after the bilinear resize: floor(side · scale). */
  resizedHeight: number;
  resizedWidth: number;
  /** The batch size after padding bottom/right to a multiple of `sizeDivisible`. */
  paddedHeight: number;
  paddedWidth: number;
}

/**
 * torchvision `GeneralizedRCNNTransform` resize: scale = min(minSize / shorter side, maxSize / longer side),
 * resized side = floor(side · scale) (`recompute_scale_factor=True`), then padding to a multiple of 32.
 * Defaults are Faster R-CNN ResNet-50 FPN's 800 / 1333.
 *
 * @example rcnnResize(480, 640) // { resizedHeight: 800, resizedWidth: 1066, paddedWidth: 1088, ... }
 */
export function rcnnResize(height: number, width: number, minSize = 800, maxSize = 1333, sizeDivisible = 32): RcnnResize {
  assertPositiveSize(height, 'height');
  assertPositiveSize(width, 'width');
  assertPositiveSize(minSize, 'minSize');
  assertPositiveSize(maxSize, 'maxSize');
  assertPositiveSize(sizeDivisible, 'sizeDivisible');
  const scale = Math.min(minSize / Math.min(height, width), maxSize / Math.max(height, width));
  const resizedHeight = Math.floor(height * scale);
  const resizedWidth = Math.floor(width * scale);
  return {
    scale,
    resizedHeight,
    resizedWidth,
    paddedHeight: Math.ceil(resizedHeight / sizeDivisible) * sizeDivisible,
    paddedWidth: Math.ceil(resizedWidth / sizeDivisible) * sizeDivisible,
  };
}

/**
 * Maps an xyxy box from the resized image back to the original one like torchvision's `resize_boxes`:
 * per-axis ratios original/resized and products, all in float32; no clipping.
 */
export function rcnnBoxToOriginal(
  box: ArrayLike<number>,
  resizedHeight: number,
  resizedWidth: number,
  originalHeight: number,
  originalWidth: number,
): number[] {
  const f = Math.fround;
  const ratioH = f(f(originalHeight) / f(resizedHeight));
  const ratioW = f(f(originalWidth) / f(resizedWidth));
  return [
    f(f(box[0] as number) * ratioW),
    f(f(box[1] as number) * ratioH),
    f(f(box[2] as number) * ratioW),
    f(f(box[3] as number) * ratioH),
  ];
}
