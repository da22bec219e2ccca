/// <reference lib="dom" />
import { WebImageError } from './errors.js';

/**
 * An image for the browser backend: a URL (fetched), a `Blob` / `File` (decoded), or pixels the page already has
 * (`ImageBitmap`, `HTMLImageElement`, `HTMLCanvasElement`, `OffscreenCanvas`, `ImageData`).
 */
export type WebImageInput = string | Blob | ImageBitmap | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | ImageData;

/** Decoded RGBA pixels, EXIF orientation applied. */
export interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** The name an image has in results, progress events and errors. */
export function describeWebImage(image: WebImageInput): string {
  if (typeof image === 'string') return image;
  if (typeof File !== 'undefined' && image instanceof File) return image.name;
  if (typeof Blob !== 'undefined' && image instanceof Blob) return `<blob ${image.size} bytes>`;
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement) return image.currentSrc || image.src || '<img>';
  const kind = (image as object).constructor?.name ?? 'image';
  return `<${kind} ${(image as { width: number }).width}x${(image as { height: number }).height}>`;
}

async function fetchBlob(url: string): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new WebImageError('IMAGE_NOT_FOUND', `${url}: cannot fetch the image (${(error as Error).message})`, { image: url }, { cause: error });
  }
  if (!response.ok) throw new WebImageError('IMAGE_NOT_FOUND', `${url}: cannot fetch the image (HTTP ${response.status})`, { image: url, status: response.status });
  return response.blob();
}

function checkSize(width: number, height: number, name: string, maxPixels: number): void {
  if (width * height > maxPixels)
    throw new WebImageError('IMAGE_TOO_LARGE', `${name}: the image has more than ${maxPixels} pixels (the limit; raise maxPixels to allow it)`, { image: name, maxPixels, width, height });
}

/**
 * Decodes any {@link WebImageInput} to RGBA with the browser's decoders (`createImageBitmap`, EXIF orientation
 * from the file, no premultiplied alpha) and reads the pixels back through an `OffscreenCanvas`.
 * Throws {@link WebImageError} naming the image.
 */
export async function decodeWebImage(image: WebImageInput, maxPixels: number): Promise<RgbaImage> {
  const name = describeWebImage(image);
  if (typeof ImageData !== 'undefined' && image instanceof ImageData) {
    checkSize(image.width, image.height, name, maxPixels);
    return { data: image.data, width: image.width, height: image.height };
  }
  const source = typeof image === 'string' ? await fetchBlob(image) : image;
  if (source instanceof Blob && source.size === 0) throw new WebImageError('IMAGE_DECODE', `${name}: the image data is empty`, { image: name });
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(source, { imageOrientation: 'from-image', premultiplyAlpha: 'none' });
  } catch (error) {
    throw new WebImageError('IMAGE_DECODE', `${name}: cannot decode the image (${(error as Error).message})`, { image: name }, { cause: error });
  }
  try {
    const { width, height } = bitmap;
    checkSize(width, height, name, maxPixels);
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new WebImageError('IMAGE_DECODE', `${name}: no 2D canvas to read the pixels with`, { image: name });
    context.drawImage(bitmap, 0, 0);
    return { data: context.getImageData(0, 0, width, height).data, width, height };
  } finally {
    // Only bitmaps made here are closed: a caller's ImageBitmap stays usable.
    if (bitmap !== image) bitmap.close();
  }
}
