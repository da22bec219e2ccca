import sharp from 'sharp';
import type { Detection } from '@defectkit/core';
import { assertOutputsApart, writeFileAtomic } from '@defectkit/core/node';
import { ImageError } from '../errors.js';
import { describeImage, type ImageInput } from '../sharp-preprocessor.js';

/** A fixed, high-contrast palette; class k gets colour k mod 10. */
const PALETTE = ['#ff3838', '#2c99a8', '#ff9d97', '#ff701f', '#48f90a', '#00c2ff', '#cfd231', '#3ddb86', '#8438ff', '#ff95c8'];

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** The SVG overlay (boxes, then a filled tag with `label score`) for an image of `width × height`. */
export function detectionsSvg(detections: readonly Detection[], width: number, height: number): string {
  const line = Math.max(1, Math.round(Math.min(width, height) / 320));
  const font = Math.max(10, Math.round(Math.min(width, height) / 40));
  const parts = detections.map((d) => {
    const colour = PALETTE[d.classId % PALETTE.length]!;
    const text = `${escapeXml(d.label)} ${d.score.toFixed(2)}`;
    const tagWidth = Math.ceil(text.length * font * 0.6) + 4;
    const tagY = d.y1 - font - 2 >= 0 ? d.y1 - font - 2 : d.y1;
    return (
      `<rect x="${d.x1}" y="${d.y1}" width="${d.x2 - d.x1}" height="${d.y2 - d.y1}" fill="none" stroke="${colour}" stroke-width="${line}"/>` +
      `<rect x="${d.x1}" y="${tagY}" width="${tagWidth}" height="${font + 2}" fill="${colour}"/>` +
      `<text x="${d.x1 + 2}" y="${tagY + font - 1}" font-family="sans-serif" font-size="${font}" fill="#ffffff">${text}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/**
 * Draws the detections on the image (`result.width × result.height`, as the detector reported it) with EXIF orientation
 * applied, so boxes line up with what the detector saw, and writes an RGB PNG atomically to `outPath`
 * (refused with `OUTPUT_OVERLAPS_INPUT` when `outPath` is the image itself or a folder around it).
 *
 * @example
 * await writeAnnotatedImage('board.jpg', result, 'board.annotated.png');
 */
export async function writeAnnotatedImage(
  image: ImageInput,
  result: { detections: readonly Detection[]; width: number; height: number },
  outPath: string,
): Promise<void> {
  if (typeof image === 'string') await assertOutputsApart([outPath], [image]);
  let png: Buffer;
  try {
    const overlay = Buffer.from(detectionsSvg(result.detections, result.width, result.height));
    png = await sharp(image, { autoOrient: true }).removeAlpha().toColourspace('srgb').composite([{ input: overlay, top: 0, left: 0 }]).png().toBuffer();
  } catch (error) {
    throw new ImageError('IMAGE_DECODE', `${describeImage(image)}: cannot draw the annotated image (${(error as Error).message})`, { file: describeImage(image) }, { cause: error });
  }
  await writeFileAtomic(outPath, png);
}
