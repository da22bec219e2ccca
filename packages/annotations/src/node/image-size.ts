import { access } from 'node:fs/promises';
import sharp from 'sharp';

/** The outcome of reading an image header: its size, or why it could not be read. */
export type ImageSizeResult = { ok: true; width: number; height: number } | { ok: false; reason: 'missing' | 'unreadable'; message: string };

/**
 * Reads an image's width and height from its file header (sharp metadata: no pixel decode), as displayed
 * (EXIF-rotated).
 * Never throws: a missing or unreadable file is reported in the result so the caller can make it a finding.
 */
export async function readImageSize(file: string): Promise<ImageSizeResult> {
  try {
    await access(file);
  } catch {
    return { ok: false, reason: 'missing', message: 'image file not found' };
  }
  try {
    const meta = await sharp(file).metadata();
    if (!meta.width || !meta.height) return { ok: false, reason: 'unreadable', message: 'image header has no size' };
    // EXIF orientations 5-8 rotate by 90°: viewers, and YOLO trainers, see the image with width and height swapped.
    const rotated = meta.orientation !== undefined && meta.orientation >= 5;
    return { ok: true, width: rotated ? meta.height : meta.width, height: rotated ? meta.width : meta.height };
  } catch (error) {
    return { ok: false, reason: 'unreadable', message: `cannot read image header: ${(error as Error).message}` };
  }
}
