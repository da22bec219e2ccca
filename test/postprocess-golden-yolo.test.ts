import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeDetections, decodeYoloImage, detectLayout, parseUltralyticsMetadata, readOnnxMetadata, type YoloLayout } from '@defectkit/postprocess';
import { goldenDir } from './support/paths.js';

interface YoloCase {
  id: string;
  layout: 'ultralytics_bcn' | 'yolov5_legacy_bnc' | 'end2end_bn6';
  input: string;
  params: { conf: number; iou?: number; classes?: number[] | null; agnostic?: boolean; multi_label?: boolean; max_det: number; max_nms?: number };
  expected_rows_xyxy_conf_cls: number[][];
  expected_source_index: number[];
}
const golden = JSON.parse(readFileSync(join(goldenDir, 'yolo_postprocess_derived.json'), 'utf8')) as {
  inputs: Record<string, { shape: number[]; base64_le: string }>;
  cases: YoloCase[];
};

const layouts: Record<YoloCase['layout'], YoloLayout> = {
  ultralytics_bcn: 'ultralytics-bcn',
  yolov5_legacy_bnc: 'yolov5-bnc',
  end2end_bn6: 'end2end-bn6',
};

function goldenTensor(name: string): { data: Float32Array; dims: number[] } {
  const input = golden.inputs[name]!;
  const bytes = Uint8Array.from(Buffer.from(input.base64_le, 'base64')); // copied: aligned, own buffer
  return { data: new Float32Array(bytes.buffer), dims: input.shape };
}

describe('golden yolo_postprocess_derived.json', () => {
  for (const c of golden.cases) {
    it(`${c.id}: rows and source anchors exactly`, () => {
      const tensor = goldenTensor(c.input);
      const p = c.params;
      const rows = decodeYoloImage(tensor, layouts[c.layout], 0, {
        conf: p.conf,
        iou: p.iou,
        classes: p.classes ?? null,
        agnostic: p.agnostic,
        multiLabel: p.multi_label,
        maxDet: p.max_det,
        maxCandidates: p.max_nms,
      });
      expect(Array.from(rows.sourceIndex)).toEqual(c.expected_source_index);
      const actual = Array.from(rows.scores, (score, i) => [...rows.boxes.subarray(i * 4, i * 4 + 4), score, rows.classIds[i]!]);
      expect(actual).toEqual(c.expected_rows_xyxy_conf_cls);
    });
  }

  it('detects every golden layout from the shape and the class count', () => {
    for (const c of golden.cases) {
      const tensor = goldenTensor(c.input);
      const nc = c.layout === 'end2end_bn6' ? 6 : c.layout === 'yolov5_legacy_bnc' ? tensor.dims[2]! - 5 : tensor.dims[1]! - 4;
      expect(detectLayout([tensor], { numClasses: nc })).toBe(layouts[c.layout]);
      expect(detectLayout([tensor])).toBe(layouts[c.layout]);
    }
  });

  const fixtures = JSON.parse(readFileSync(join(goldenDir, 'onnx_metadata_fixtures.json'), 'utf8')) as {
    fixtures: { file: string; output0_shape: number[]; matches_yolo_case: string }[];
  };
  for (const fixture of fixtures.fixtures) {
    it(`${fixture.file}: metadata from the .onnx bytes picks the layout and decodeDetections reproduces ${fixture.matches_yolo_case}`, () => {
      const metadata = parseUltralyticsMetadata(readOnnxMetadata(new Uint8Array(readFileSync(join(goldenDir, fixture.file)))));
      const c = golden.cases.find((x) => x.id === fixture.matches_yolo_case)!;
      const tensor = goldenTensor(c.input);
      expect(tensor.dims).toEqual(fixture.output0_shape);
      expect(detectLayout([tensor], { numClasses: metadata.names!.length, end2end: metadata.end2end })).toBe(layouts[c.layout]);
      // Library defaults are Ultralytics predict()'s: conf 0.25, iou 0.7, max 300, exactly this case's parameters.
      expect(c.params.conf).toBe(0.25);
      const [detections] = decodeDetections([tensor], { metadata });
      expect(detections!.map((d) => [d.x1, d.y1, d.x2, d.y2, d.score, d.classId])).toEqual(c.expected_rows_xyxy_conf_cls);
      detections!.forEach((d) => expect(d.label).toBe(metadata.names![d.classId]));
    });
  }
});
