import { InvalidArgumentError } from '../errors.js';
import { assertPositiveSize } from './validate.js';
import { roundHalfEven } from './python-round.js';

/** Options of the Ultralytics `LetterBox` transform; the defaults are those of a fixed-size ONNX predict. */
export interface LetterboxOptions {
  /** Pad only up to a multiple of `stride` (dynamic exports); default `false` (pad to the full target). */
  auto?: boolean;
  /** Allow enlarging small images; default `true`. When false the gain is capped at 1. */
  scaleup?: boolean;
  /** Split the padding between both sides (default `true`); when false it all goes right/bottom. */
  center?: boolean;
  /** The model stride used by `auto`; default 32. */
  stride?: number;
  /** The grey level of the padding on every channel; default 114. */
  paddingValue?: number;
}

/** Everything needed to letterbox an image and to map boxes back: the exact integers Ultralytics uses. */
export interface Letterbox {
  /** The source image height and width, in pixels. */
  originalHeight: number;
  originalWidth: number;
  /** The requested network input size. */
  targetHeight: number;
  targetWidth: number;
  /** The scale factor r applied to the source image. */
  gain: number;
  /** The size of the resized image before padding (Python rounding). */
  resizedWidth: number;
  resizedHeight: number;
  /** The padding per side before rounding (half the total when centred, else the total). */
  halfPadX: number;
  halfPadY: number;
  /** The integer padding on each side. */
  padLeft: number;
  padTop: number;
  padRight: number;
  padBottom: number;
  /** The final tensor size (the target unless `auto`). */
  outputHeight: number;
  outputWidth: number;
  /** The padding grey level. */
  paddingValue: number;
}

/**
 * Computes the Ultralytics `LetterBox` geometry for an `originalHeight × originalWidth` image and a
 * `targetHeight × targetWidth` network input: gain, resized size (round half to even), padding per side
 * (the ±0.1 split puts an odd extra pixel right/bottom).
 *
 * @example
 * const lb = letterbox(721, 1280, 640, 640); // lb.resizedHeight === 360, lb.padTop === 140, lb.padBottom === 140
 */
export function letterbox(
  originalHeight: number,
  originalWidth: number,
  targetHeight: number,
  targetWidth: number,
  options: LetterboxOptions = {},
): Letterbox {
  assertPositiveSize(originalHeight, 'originalHeight');
  assertPositiveSize(originalWidth, 'originalWidth');
  assertPositiveSize(targetHeight, 'targetHeight');
  assertPositiveSize(targetWidth, 'targetWidth');
  const { auto = false, scaleup = true, center = true, stride = 32, paddingValue = 114 } = options;
  if (auto) assertPositiveSize(stride, 'stride');
  let gain = Math.min(targetHeight / originalHeight, targetWidth / originalWidth);
  if (!scaleup) gain = Math.min(gain, 1);
  const resizedWidth = roundHalfEven(originalWidth * gain);
  const resizedHeight = roundHalfEven(originalHeight * gain);
  let dw = targetWidth - resizedWidth;
  let dh = targetHeight - resizedHeight;
  if (auto) {
    dw %= stride;
    dh %= stride;
  }
  if (center) {
    dw /= 2;
    dh /= 2;
  }
  const padLeft = center ? roundHalfEven(dw - 0.1) : 0;
  const padTop = center ? roundHalfEven(dh - 0.1) : 0;
  const padRight = roundHalfEven(dw + 0.1);
  const padBottom = roundHalfEven(dh + 0.1);
  return {
    originalHeight,
    originalWidth,
    targetHeight,
    targetWidth,
    gain,
    resizedWidth,
    resizedHeight,
    halfPadX: dw,
    halfPadY: dh,
    padLeft,
    padTop,
    padRight,
    padBottom,
    outputHeight: resizedHeight + padTop + padBottom,
    outputWidth: resizedWidth + padLeft + padRight,
    paddingValue,
  };
}

/**
 * The part of a {@link Letterbox} that maps boxes back in `letterbox` mode: the original size, the gain and
 * the left / top padding. A preprocessor that does not keep the whole letterbox passes this (gain 1 and no
 * padding for an image fed at its own size, so boxes are only clipped).
 */
export type BoxPlacement = Pick<Letterbox, 'originalWidth' | 'originalHeight' | 'gain' | 'padLeft' | 'padTop'>;

/**
 * How letterboxed boxes go back to the original image:
 * - `letterbox`: with the real gain and left/top pad of the {@link Letterbox} (exact for every option set;
 *   what the Ultralytics validator does by passing `ratio_pad`);
 * - `current`: recent Ultralytics `scale_boxes` without `ratio_pad` (gain and pad recomputed from the two
 *   shapes, pad = round((W − round(w0·gain))/2 − 0.1));
 * - `legacy`: older releases, pad = round((W − w0·gain)/2 − 0.1) (differs by one pixel for some shapes).
 */
export type InverseMode = 'letterbox' | 'current' | 'legacy';

/** The gain and the left/top pad used to map boxes back, for one {@link InverseMode}. */
export interface InverseTransform {
  gain: number;
  padX: number;
  padY: number;
}

/**
 * Recomputes Ultralytics `scale_boxes`' gain and pad from the network input size (`inputHeight × inputWidth`,
 * the actual tensor size) and the original size.
 */
export function scaleBoxesTransform(
  inputHeight: number,
  inputWidth: number,
  originalHeight: number,
  originalWidth: number,
  mode: 'current' | 'legacy' = 'current',
): InverseTransform {
  assertPositiveSize(inputHeight, 'inputHeight');
  assertPositiveSize(inputWidth, 'inputWidth');
  assertPositiveSize(originalHeight, 'originalHeight');
  assertPositiveSize(originalWidth, 'originalWidth');
  const gain = Math.min(inputHeight / originalHeight, inputWidth / originalWidth);
  const scaledWidth = mode === 'current' ? roundHalfEven(originalWidth * gain) : originalWidth * gain;
  const scaledHeight = mode === 'current' ? roundHalfEven(originalHeight * gain) : originalHeight * gain;
  return {
    gain,
    padX: roundHalfEven((inputWidth - scaledWidth) / 2 - 0.1),
    padY: roundHalfEven((inputHeight - scaledHeight) / 2 - 0.1),
  };
}

/**
 * The inverse transform of a letterbox for the chosen mode (default `letterbox`: the real gain and pad). The
 * `current` and `legacy` modes need the whole {@link Letterbox} (they recompute from the tensor size).
 */
export function inverseTransform(lb: Letterbox | BoxPlacement, mode: InverseMode = 'letterbox'): InverseTransform {
  if (mode === 'letterbox') return { gain: lb.gain, padX: lb.padLeft, padY: lb.padTop };
  if (!('outputHeight' in lb)) {
    throw new InvalidArgumentError('INVALID_OPTION', `inverse mode '${mode}' needs the whole letterbox (tensor size), not only the placement`, { field: 'inverse', value: mode });
  }
  return scaleBoxesTransform(lb.outputHeight, lb.outputWidth, lb.originalHeight, lb.originalWidth, mode);
}

/**
 * Maps an xyxy box from network-input pixels back to the original image and clips it to
 * `[0, originalWidth] × [0, originalHeight]` (coordinates stay floats). Writes into `out` when given.
 *
 * @example
 * const lb = letterbox(480, 640, 640, 640);
 * unletterboxBox([10, 90, 50, 120], lb); // [10, 10, 50, 40]
 */
export function unletterboxBox(
  box: ArrayLike<number>,
  lb: Letterbox,
  mode: InverseMode = 'letterbox',
  out: number[] = [0, 0, 0, 0],
): number[] {
  const { gain, padX, padY } = inverseTransform(lb, mode);
  return applyInverse(box, gain, padX, padY, lb.originalWidth, lb.originalHeight, out);
}

/** (x − pad) / gain on each corner, then clip; the formula shared by every inverse mode. */
export function applyInverse(
  box: ArrayLike<number>,
  gain: number,
  padX: number,
  padY: number,
  width: number,
  height: number,
  out: number[] = [0, 0, 0, 0],
): number[] {
  out[0] = clip(((box[0] as number) - padX) / gain, width);
  out[1] = clip(((box[1] as number) - padY) / gain, height);
  out[2] = clip(((box[2] as number) - padX) / gain, width);
  out[3] = clip(((box[3] as number) - padY) / gain, height);
  return out;
}

/** Maps an xyxy box from the original image into network-input pixels (x·gain + left pad). */
export function letterboxBox(box: ArrayLike<number>, lb: Letterbox): number[] {
  return [
    (box[0] as number) * lb.gain + lb.padLeft,
    (box[1] as number) * lb.gain + lb.padTop,
    (box[2] as number) * lb.gain + lb.padLeft,
    (box[3] as number) * lb.gain + lb.padTop,
  ];
}

function clip(value: number, max: number): number {
  // torch.clamp_ semantics: NaN stays NaN.
  return value < 0 ? 0 : value > max ? max : value;
}
