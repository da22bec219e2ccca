import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromCocoBox, fromYoloBox, toCocoBox, toYoloBox } from './box-geometry.js';

const size = fc.integer({ min: 1, max: 10_000 });
const coord = fc.double({ min: 0, max: 10_000, noNaN: true });
const corners = fc.tuple(coord, coord, coord, coord).map(([a, b, c, d]) => [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)] as [number, number, number, number]);

describe('box geometry', () => {
  it('converts known values', () => {
    expect(toYoloBox([10, 20, 30, 60], 100, 200)).toEqual([0.2, 0.2, 0.2, 0.2]);
    expect(fromYoloBox([0.2, 0.2, 0.2, 0.2], 100, 200)).toEqual([10, 20, 30, 60]);
    expect(toCocoBox([10, 20, 30, 60])).toEqual([10, 20, 20, 40]);
    expect(fromCocoBox([10, 20, 20, 40])).toEqual([10, 20, 30, 60]);
  });

  it('YOLO round trip returns the corners (relative error below 1e-9 of the image size)', () => {
    fc.assert(
      fc.property(corners, size, size, (box, w, h) => {
        const back = fromYoloBox(toYoloBox(box, w, h), w, h);
        const scale = Math.max(w, h, ...box);
        back.forEach((v, i) => expect(Math.abs(v - box[i]!)).toBeLessThanOrEqual(1e-9 * scale));
      }),
    );
  });

  it('YOLO boxes of in-image corners lie in [0, 1] with centre inside the box', () => {
    fc.assert(
      fc.property(corners, (box) => {
        const w = Math.max(1, Math.ceil(box[2]));
        const h = Math.max(1, Math.ceil(box[3]));
        const [cx, cy, bw, bh] = toYoloBox(box, w, h);
        for (const v of [cx, cy, bw, bh]) expect(v >= 0 && v <= 1).toBe(true);
        expect(cx - bw / 2).toBeLessThanOrEqual(cx);
        expect(cy + bh / 2).toBeGreaterThanOrEqual(cy);
      }),
    );
  });

  it('COCO round trip keeps the corners and the area w*h', () => {
    fc.assert(
      fc.property(corners, (box) => {
        const coco = toCocoBox(box);
        const back = fromCocoBox(coco);
        back.forEach((v, i) => expect(Math.abs(v - box[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, ...box)));
        expect(coco[2]).toBeGreaterThanOrEqual(0);
        expect(coco[3]).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('6-decimal YOLO text survives pixels and back: toFixed(6) of the round trip equals the text', () => {
    const sixDecimals = fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1e6);
    fc.assert(
      fc.property(sixDecimals, sixDecimals, sixDecimals, sixDecimals, size, size, (cx, cy, bw, bh, w, h) => {
        const yolo = [cx, cy, bw, bh] as [number, number, number, number];
        const again = toYoloBox(fromYoloBox(yolo, w, h), w, h);
        again.forEach((v, i) => expect(v.toFixed(6)).toBe(yolo[i]!.toFixed(6)));
      }),
    );
  });
});
