import { letterbox } from '@defectkit/postprocess';
import { fillChw, type ImagePreprocessor, type LetterboxPlacement, type ModelInputSpec, type PreparedImage } from '@defectkit/detector';
import { rgbaToChannels } from './pixel-channels.js';
import { resizeLinear } from './pixel-resize.js';
import { decodeWebImage, describeWebImage, type WebImageInput } from './web-image.js';

/** The default pixel limit: 100 megapixels (as the Node backend). */
export const DEFAULT_MAX_PIXELS = 100_000_000;

/** Options of {@link BrowserPreprocessor}. */
export interface BrowserPreprocessorOptions {
  /** Images with more pixels are refused with `IMAGE_TOO_LARGE` (default 100 megapixels). */
  maxPixels?: number;
}

/**
 * The browser {@link ImagePreprocessor}: decode with the browser (timed as `decode`), then channel conversion,
 * letterbox resize (separable linear filter in plain arithmetic, not canvas resampling, so the result does not
 * depend on the browser or GPU) and the CHW tensor with the one `fillChw` of `@defectkit/detector` (timed as
 * `preprocess`). Geometry comes from `letterbox()` of `@defectkit/postprocess`, so boxes map back exactly.
 *
 * @example
 * const prep = new BrowserPreprocessor();
 * const prepared = await prep.prepare(fileInput.files[0], spec.input);
 */
export class BrowserPreprocessor implements ImagePreprocessor<WebImageInput> {
  readonly maxPixels: number;

  constructor(options: BrowserPreprocessorOptions = {}) {
    this.maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  }

  describe(image: WebImageInput): string {
    return describeWebImage(image);
  }

  async prepare(image: WebImageInput, input: ModelInputSpec): Promise<PreparedImage> {
    const t0 = performance.now();
    const rgba = await decodeWebImage(image, this.maxPixels);
    const t1 = performance.now();
    const { width, height } = rgba;
    const channels = input.channels;
    const pixels = rgbaToChannels(rgba.data, width, height, channels);
    let placement: LetterboxPlacement | null = null;
    let data: Float32Array;
    let dims: [number, number, number];
    if (input.resize === 'none') {
      data = new Float32Array(channels * width * height);
      fillChw(data, width, height, pixels, width, height, channels, 0, 0, input);
      dims = [channels, height, width];
    } else {
      const lb = letterbox(height, width, input.height, input.width, { paddingValue: input.padValue, stride: input.stride });
      const resized = resizeLinear(pixels, width, height, channels, lb.resizedWidth, lb.resizedHeight);
      data = new Float32Array(channels * lb.outputWidth * lb.outputHeight);
      fillChw(data, lb.outputWidth, lb.outputHeight, resized, lb.resizedWidth, lb.resizedHeight, channels, lb.padLeft, lb.padTop, input);
      dims = [channels, lb.outputHeight, lb.outputWidth];
      placement = { gain: lb.gain, padLeft: lb.padLeft, padTop: lb.padTop };
    }
    return { data, dims, width, height, placement, timings: { decode: t1 - t0, preprocess: performance.now() - t1 } };
  }
}
