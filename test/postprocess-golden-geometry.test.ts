import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { letterbox, letterboxBox, rcnnBoxToOriginal, rcnnResize, scaleBoxesTransform, unletterboxBox } from '@defectkit/postprocess';
import { goldenDir } from './support/paths.js';

interface Inverse {
  pad_xy: [number, number];
  gain: number;
  box_back: number[];
  outside_box_back_clipped: number[];
}
interface LetterboxCase {
  id: string;
  original_hw: [number, number];
  target_hw: [number, number];
  flags: { auto: boolean; scaleup: boolean; center: boolean; stride: number; padding_value: number };
  expected: {
    gain: number;
    resized_wh: [number, number];
    half_pad_wh: [number, number];
    pad_left: number;
    pad_top: number;
    pad_right: number;
    pad_bottom: number;
    output_hw: [number, number];
  };
  box_original_xyxy: number[];
  box_letterboxed_xyxy: number[];
  inverse: {
    current: Inverse;
    legacy: Inverse;
    current_equals_letterbox_pad: boolean;
    legacy_equals_current: boolean;
    input_box_for_outside: number[];
  };
  round_half_even_hit: boolean;
}
interface RcnnCase {
  min_size: number;
  max_size: number;
  original_hw: [number, number];
  resized_hw: [number, number];
  batched_padded_hw: [number, number];
  box_in_resized_xyxy: number[];
  box_back_in_original_xyxy: number[];
}

const golden = JSON.parse(readFileSync(join(goldenDir, 'letterbox_derived.json'), 'utf8')) as {
  cases: LetterboxCase[];
  torchvision_rcnn_transform: RcnnCase[];
};

function expectClose(actual: number[], expected: number[], tolerance = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThanOrEqual(tolerance));
}

describe('golden letterbox_derived.json', () => {
  it('covers a round-half-even size and a legacy/current pad difference', () => {
    expect(golden.cases.some((c) => c.round_half_even_hit)).toBe(true);
    expect(golden.cases.some((c) => !c.inverse.legacy_equals_current)).toBe(true);
  });

  for (const c of golden.cases) {
    it(`${c.id}: letterbox parameters`, () => {
      const [h0, w0] = c.original_hw;
      const [H, W] = c.target_hw;
      const lb = letterbox(h0, w0, H, W, { auto: c.flags.auto, scaleup: c.flags.scaleup, center: c.flags.center, stride: c.flags.stride });
      const e = c.expected;
      expect(Math.abs(lb.gain - e.gain)).toBeLessThanOrEqual(1e-12);
      expect([lb.resizedWidth, lb.resizedHeight]).toEqual(e.resized_wh);
      expectClose([lb.halfPadX, lb.halfPadY], e.half_pad_wh);
      expect([lb.padLeft, lb.padTop, lb.padRight, lb.padBottom]).toEqual([e.pad_left, e.pad_top, e.pad_right, e.pad_bottom]);
      expect([lb.outputHeight, lb.outputWidth]).toEqual(e.output_hw);
      expect(lb.paddingValue).toBe(c.flags.padding_value);
      expectClose(letterboxBox(c.box_original_xyxy, lb), c.box_letterboxed_xyxy);
      // The real letterbox inverse brings the box home for every flag set.
      expectClose(unletterboxBox(c.box_letterboxed_xyxy, lb, 'letterbox'), c.box_original_xyxy);
    });

    it(`${c.id}: scale_boxes inverse (current and legacy)`, () => {
      const lb = letterbox(c.original_hw[0], c.original_hw[1], c.target_hw[0], c.target_hw[1], {
        auto: c.flags.auto,
        scaleup: c.flags.scaleup,
        center: c.flags.center,
        stride: c.flags.stride,
      });
      for (const mode of ['current', 'legacy'] as const) {
        const expected = c.inverse[mode];
        const t = scaleBoxesTransform(lb.outputHeight, lb.outputWidth, lb.originalHeight, lb.originalWidth, mode);
        expect([t.padX, t.padY]).toEqual(expected.pad_xy);
        expect(Math.abs(t.gain - expected.gain)).toBeLessThanOrEqual(1e-12);
        expectClose(unletterboxBox(c.box_letterboxed_xyxy, lb, mode), expected.box_back);
        expectClose(unletterboxBox(c.inverse.input_box_for_outside, lb, mode), expected.outside_box_back_clipped);
      }
      const current = scaleBoxesTransform(lb.outputHeight, lb.outputWidth, lb.originalHeight, lb.originalWidth, 'current');
      expect(current.padX === lb.padLeft && current.padY === lb.padTop).toBe(c.inverse.current_equals_letterbox_pad);
    });
  }

  for (const c of golden.torchvision_rcnn_transform) {
    it(`torchvision transform ${c.min_size}/${c.max_size} ${c.original_hw.join('x')}`, () => {
      const r = rcnnResize(c.original_hw[0], c.original_hw[1], c.min_size, c.max_size);
      expect([r.resizedHeight, r.resizedWidth]).toEqual(c.resized_hw);
      expect([r.paddedHeight, r.paddedWidth]).toEqual(c.batched_padded_hw);
      const back = rcnnBoxToOriginal(c.box_in_resized_xyxy, r.resizedHeight, r.resizedWidth, c.original_hw[0], c.original_hw[1]);
      expect(back).toEqual(c.box_back_in_original_xyxy);
    });
  }
});
