import type { Detection } from '@defectkit/core';

/** Class colours, distinguishable on a grey board and for common colour-vision deficiencies (Okabe-Ito). */
const PALETTE = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#999999'];

/** The colour of a class id. */
export function classColour(classId: number): string {
  return PALETTE[classId % PALETTE.length]!;
}

/**
 * Draws the image and its detections on a canvas of the image's own size: a box per detection in its class
 * colour, with `label score` on a filled tag. Line width and font scale with the image so tags stay legible.
 */
export function drawDetections(canvas: HTMLCanvasElement, image: ImageBitmap, detections: readonly Detection[]): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d')!;
  context.drawImage(image, 0, 0);
  // An even line width on whole-pixel edges draws crisp boxes (no anti-aliased blend of colour and board).
  const line = 2 * Math.max(1, Math.round(Math.max(image.width, image.height) / 640));
  const font = Math.max(12, line * 6);
  context.lineWidth = line;
  context.font = `${font}px system-ui, sans-serif`;
  context.textBaseline = 'top';
  for (const d of detections) {
    const colour = classColour(d.classId);
    context.strokeStyle = colour;
    const [x1, y1, x2, y2] = [Math.round(d.x1), Math.round(d.y1), Math.round(d.x2), Math.round(d.y2)];
    context.strokeRect(x1, y1, x2 - x1, y2 - y1);
    const tag = `${d.label} ${d.score.toFixed(2)}`;
    const width = context.measureText(tag).width + line * 2;
    // The tag sits above the box (below it at the top edge), so it never covers the box's own edges.
    const top = y1 - line / 2 - font - line >= 0 ? y1 - line / 2 - font - line : y2 + line / 2;
    context.fillStyle = colour;
    context.fillRect(x1 - line / 2, top, width, font + line);
    context.fillStyle = '#000000';
    context.fillText(tag, x1 + line / 2, top + line / 2);
  }
}
