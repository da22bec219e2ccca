import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { describeImageInput } from '@defectkit/core';
import { letterbox } from '@defectkit/postprocess';
import { fillChw, type ImagePreprocessor, type LetterboxPlacement, type ModelInputSpec, type PreparedImage } from '@defectkit/detector';
import { ImageError } from './errors.js';

// The one CHW writer lives in the detector package (shared with the browser preprocessor); re-exported for callers of this package.
export { fillChw };

/** An image for the Node backend: a file path, or the encoded bytes (JPEG, PNG, WebP, TIFF, ...). */
export type ImageInput = string | Uint8Array;

/** Options of {@link SharpPreprocessor}. */
export interface SharpPreprocessorOptions {
  /** Images with more pixels than this are refused with `IMAGE_TOO_LARGE` (default 100 megapixels). */
  maxPixels?: number;
  /**
   * Told once per preprocessor (one per detector) when a colour image meets a single-channel model, which was trained
   * on greyscale scans; default: `process.emitWarning` with code `DEFECTKIT_COLOUR_INPUT`.
   */
  onWarning?: (message: string) => void;
}

/** The default pixel limit: 100 megapixels, far above any board photo, far below what exhausts memory. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

// Files up to this size are read once into memory and decoded from there: sharp given a path opens and reads the file
// twice (header, then pixels), which costs about 15% of decoding a 640x640 board JPEG. Larger files stream from disk.
const READ_WHOLE_BYTES = 64 * 1024 * 1024;

/** A decoded image: 8-bit interleaved pixels with the model's channel count, EXIF orientation applied. */
export interface DecodedImage {
  pixels: Buffer;
  width: number;
  height: number;
  channels: 1 | 3;
  /** The source image has colour bands (three or more, alpha not counted, not a greyscale colour space). */
  colour: boolean;
}

/** The name an image has in results and errors (`describeImageInput` of `@defectkit/core`, the one naming rule). */
export function describeImage(image: ImageInput): string {
  return describeImageInput(image);
}

function imageError(error: unknown, name: string, maxPixels: number): ImageError {
  const message = (error as Error)?.message ?? String(error);
  if (/pixel limit/i.test(message))
    return new ImageError('IMAGE_TOO_LARGE', `${name}: the image has more than ${maxPixels} pixels (the limit; raise maxPixels to allow it)`, { file: name, maxPixels }, { cause: error });
  if (/Input file is missing/i.test(message)) return new ImageError('IMAGE_NOT_FOUND', `${name}: file not found`, { file: name }, { cause: error });
  return new ImageError('IMAGE_DECODE', `${name}: cannot decode the image (${message.split('\n')[0]})`, { file: name }, { cause: error });
}

/**
 * Decodes an image with sharp: EXIF orientation applied, alpha dropped, 16-bit scaled to 8-bit, and
 * converted to greyscale (`channels` 1) or sRGB (`channels` 3). Throws {@link ImageError} naming the file.
 */
export async function decodeImage(image: ImageInput, channels: 1 | 3, maxPixels = DEFAULT_MAX_PIXELS): Promise<DecodedImage> {
  const name = describeImage(image);
  let source: string | Uint8Array = image;
  if (typeof image === 'string') {
    let size: number;
    try {
      size = (await stat(image)).size;
    } catch (error) {
      throw new ImageError('IMAGE_NOT_FOUND', `${name}: file not found`, { file: name }, { cause: error });
    }
    if (size === 0) throw new ImageError('IMAGE_DECODE', `${name}: the file is empty (0 bytes)`, { file: name });
    if (size <= READ_WHOLE_BYTES) {
      try {
        source = await readFile(image);
      } catch (error) {
        throw imageError(error, name, maxPixels);
      }
    }
  } else if (image.byteLength === 0) throw new ImageError('IMAGE_DECODE', `${name}: the image data is empty`, { file: name });
  try {
    const pipeline = sharp(source, { limitInputPixels: maxPixels, failOn: 'warning', autoOrient: true });
    const header = await pipeline.metadata();
    const colour = header.space !== 'b-w' && header.space !== 'grey16' && (header.channels ?? 0) - (header.hasAlpha ? 1 : 0) >= 3;
    const { data, info } = await pipeline
      .removeAlpha()
      .toColourspace(channels === 1 ? 'b-w' : 'srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`decoded ${info.channels} channels, expected ${channels}`);
    return { pixels: data, width: info.width, height: info.height, channels, colour };
  } catch (error) {
    throw imageError(error, name, maxPixels);
  }
}

/**
 * The sharp {@link ImagePreprocessor}: path or bytes → decode (timed as `decode`) → letterbox resize
 * (bilinear) and CHW float32 (timed as `preprocess`), with the geometry of `letterbox()` from
 * `@defectkit/postprocess` so boxes map back exactly.
 *
 * @example
 * const prep = new SharpPreprocessor({ maxPixels: 50e6 });
 * const prepared = await prep.prepare('board.jpg', spec.input);
 */
export class SharpPreprocessor implements ImagePreprocessor<ImageInput> {
  readonly maxPixels: number;
  private readonly warn: (message: string) => void;
  private warnedColour = false;

  constructor(options: SharpPreprocessorOptions = {}) {
    this.maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
    this.warn = options.onWarning ?? ((message) => process.emitWarning(message, { type: 'DefectKitWarning', code: 'DEFECTKIT_COLOUR_INPUT' }));
  }

  describe(image: ImageInput): string {
    return describeImage(image);
  }

  async prepare(image: ImageInput, input: ModelInputSpec): Promise<PreparedImage> {
    const t0 = performance.now();
    const decoded = await decodeImage(image, input.channels, this.maxPixels);
    const t1 = performance.now();
    if (decoded.colour && input.channels === 1 && !this.warnedColour) {
      // Said once, not per image: the conversion is right, but colour photos are not what the model was trained on.
      this.warnedColour = true;
      this.warn(
        `${describeImage(image)} is a colour image, but the model expects single-channel ${input.width}x${input.height} input (trained on greyscale scans): ` +
          'colour images are converted to greyscale, and detections on colour photos may fall short of the model card',
      );
    }
    const { width, height, channels } = decoded;
    let placement: LetterboxPlacement | null = null;
    let data: Float32Array;
    let dims: [number, number, number];
    if (input.resize === 'none') {
      data = new Float32Array(channels * width * height);
      fillChw(data, width, height, decoded.pixels, width, height, channels, 0, 0, input);
      dims = [channels, height, width];
    } else {
      const lb = letterbox(height, width, input.height, input.width, { paddingValue: input.padValue, stride: input.stride });
      let pixels: Uint8Array = decoded.pixels;
      if (lb.resizedWidth !== width || lb.resizedHeight !== height) {
        try {
          const resized = await sharp(decoded.pixels, { raw: { width, height, channels } })
            .resize(lb.resizedWidth, lb.resizedHeight, { fit: 'fill', kernel: 'linear' })
            // libvips hands a 1-band raw image back as sRGB unless told to stay greyscale.
            .toColourspace(channels === 1 ? 'b-w' : 'srgb')
            .raw()
            .toBuffer({ resolveWithObject: true });
          if (resized.info.channels !== channels) throw new Error(`resize returned ${resized.info.channels} channels, expected ${channels}`);
          pixels = resized.data;
        } catch (error) {
          throw imageError(error, describeImage(image), this.maxPixels);
        }
      }
      data = new Float32Array(channels * lb.outputWidth * lb.outputHeight);
      fillChw(data, lb.outputWidth, lb.outputHeight, pixels, lb.resizedWidth, lb.resizedHeight, channels, lb.padLeft, lb.padTop, input);
      dims = [channels, lb.outputHeight, lb.outputWidth];
      placement = { gain: lb.gain, padLeft: lb.padLeft, padTop: lb.padTop };
    }
    return { data, dims, width, height, placement, timings: { decode: t1 - t0, preprocess: performance.now() - t1 } };
  }
}
