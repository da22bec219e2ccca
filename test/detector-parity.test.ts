import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDetector, type NodeDetector } from '@defectkit/backend-node';
import { goldenDir } from './support/paths.js';

// Golden section 5: each fixture returns a stored raw tensor whatever the image; the detector's decoded
// output must equal the golden post-processing of that tensor (yolo_postprocess_derived.json).
interface GoldenCase {
  id: string;
  layout: string;
  params: { conf: number; iou?: number; classes?: number[] | null; agnostic?: boolean; multi_label?: boolean; max_det: number; max_nms?: number };
  expected_rows_xyxy_conf_cls: number[][];
}
const golden = JSON.parse(readFileSync(join(goldenDir, 'yolo_postprocess_derived.json'), 'utf8')) as { cases: GoldenCase[] };
const byId = new Map(golden.cases.map((c) => [c.id, c]));
const SIZE = 320;
const clip = (v: number): number => Math.min(Math.max(v, 0), SIZE);

let image: Buffer;
beforeAll(async () => {
  // A 320x320 image: the letterbox is the identity, so network pixels are image pixels (clipped).
  image = await sharp({ create: { width: SIZE, height: SIZE, channels: 3, background: '#406080' } }).png().toBuffer();
});

function expectRows(detections: { x1: number; y1: number; x2: number; y2: number; score: number; classId: number; label: string }[], c: GoldenCase): void {
  const names = ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'];
  expect(detections).toHaveLength(c.expected_rows_xyxy_conf_cls.length);
  c.expected_rows_xyxy_conf_cls.forEach(([x1, y1, x2, y2, score, cls], i) => {
    const d = detections[i]!;
    expect(d.x1).toBeCloseTo(clip(x1!), 4);
    expect(d.y1).toBeCloseTo(clip(y1!), 4);
    expect(d.x2).toBeCloseTo(clip(x2!), 4);
    expect(d.y2).toBeCloseTo(clip(y2!), 4);
    expect(d.score).toBe(score);
    expect(d.classId).toBe(cls);
    expect(d.label).toBe(names[cls!]);
  });
}

describe.each([
  ['synthetic_ultralytics_detect_bcn.onnx', ['v8_predict_defaults', 'v8_function_defaults', 'v8_agnostic', 'v8_classes_filter', 'v8_small_max_det']],
  ['synthetic_ultralytics_end2end.onnx', ['end2end_conf_025', 'end2end_classes_and_max_det']],
])('detector parity on %s', (file, caseIds) => {
  let detector: NodeDetector;
  beforeAll(async () => {
    detector = await loadDetector(join(goldenDir, 'fixtures', file), { device: 'cpu' });
  });
  afterAll(async () => detector?.dispose());

  it('resolves the spec from the ONNX metadata (no model card)', () => {
    expect(detector.spec.source).toBe('metadata');
    expect(detector.spec.classes).toEqual(['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole']);
    expect([detector.spec.input.width, detector.spec.input.height, detector.spec.input.channels]).toEqual([SIZE, SIZE, 3]);
    expect(detector.spec.layout).toBe(file.includes('end2end') ? 'end2end-bn6' : 'ultralytics-bcn');
  });

  it.each(caseIds)('equals the golden post-processing for %s', async (id) => {
    const c = byId.get(id)!;
    const result = await detector.detect(image, {
      conf: c.params.conf,
      iou: c.params.iou ?? 0.7,
      maxDet: c.params.max_det,
      ...(c.params.classes ? { classFilter: c.params.classes } : {}),
      agnostic: c.params.agnostic ?? false,
    });
    expect(result.width).toBe(SIZE);
    expect(result.height).toBe(SIZE);
    expectRows(result.detections, c);
  });
});
