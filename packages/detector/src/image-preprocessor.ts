import type { ModelInputSpec } from './model-card.js';

/** Where a letterboxed image sits inside the network input (gain, then the left / top padding). */
export interface LetterboxPlacement {
  gain: number;
  padLeft: number;
  padTop: number;
}

/** One image decoded and turned into the network's input tensor. */
export interface PreparedImage {
  /**
   * CHW float32 pixels, `channels × height × width` of the network input (or of the image for `resize: "none"`). A
   * fresh array per `prepare` call: the detector hands it to its backend, which may take its memory.
   */
  data: Float32Array;
  dims: [channels: number, height: number, width: number];
  /** The original image size (after EXIF orientation). */
  width: number;
  height: number;
  /** The letterbox placement; `null` when the image is fed at its own size (boxes already in image pixels). */
  placement: LetterboxPlacement | null;
  /** Milliseconds spent decoding the file and building the tensor. */
  timings: { decode: number; preprocess: number };
}

/**
 * Turns whatever the platform calls an image (a path or Buffer in Node, an ImageBitmap in a browser)
 * into a network input. The detector stays browser-safe by leaving decoding to this interface.
 */
export interface ImagePreprocessor<TImage> {
  prepare(image: TImage, input: ModelInputSpec): Promise<PreparedImage>;
  /** A short name for the image in results, progress events and errors (a file path, say). */
  describe(image: TImage): string;
}
