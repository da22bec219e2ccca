import { parseUltralyticsMetadata } from '@defectkit/postprocess';
import { describe, expect, it } from 'vitest';
import type { BackendInfo } from './backend.js';
import { parseModelCard } from './model-card.js';
import { checkOutputDims, resolveModelSpec } from './model-spec.js';
import { errorOfCall } from '../../../test/support/errors.js';

const classes = ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'];

function info(output: (number | string | null)[], input: (number | string | null)[] = [1, 1, 640, 640]): BackendInfo {
  return {
    backend: 'fake',
    requestedDevice: 'cpu',
    provider: 'cpu',
    inputs: [{ name: 'images', type: 'float32', shape: input }],
    outputs: [{ name: 'output0', type: 'float32', shape: output }],
    metadata: {},
  };
}

function card(overrides: Record<string, unknown> = {}) {
  return parseModelCard({
    format: 'defectkit.model-card/v1',
    name: 'pcb-defects',
    task: 'detect',
    classes,
    input: { name: 'images', width: 640, height: 640, channels: 1, resize: 'letterbox', batchAxis: true, stride: 8, padValue: 114, scale: 1 / 255, mean: null, std: null },
    output: { layout: 'ultralytics-bcn' },
    thresholds: { conf: 0.3, iou: 0.6, maxDet: 100 },
    ...overrides,
  });
}

const ultralyticsMeta = parseUltralyticsMetadata({
  names: "{0: 'a', 1: 'b'}",
  imgsz: '[320, 480]',
  stride: '32',
  channels: '3',
  task: 'detect',
});

describe('resolveModelSpec', () => {
  it('takes classes, input, layout and thresholds from the card over the metadata', () => {
    const spec = resolveModelSpec({ info: info([1, 10, 8400]), card: card(), metadata: ultralyticsMeta });
    expect(spec.classes).toEqual(classes);
    expect(spec.source).toBe('card');
    expect(spec.input.channels).toBe(1);
    expect(spec.input.width).toBe(640);
    expect(spec.layout).toBe('ultralytics-bcn');
    expect(spec.thresholds).toEqual({ conf: 0.3, iou: 0.6, maxDet: 100 });
    expect(spec.dynamicBatch).toBe(false);
  });

  it('lets explicit options override the card', () => {
    const spec = resolveModelSpec({ info: info([1, 10, 8400]), card: card(), overrides: { conf: 0.5, maxDet: 7, classes: ['1', '2', '3', '4', '5', '6'] } });
    expect(spec.thresholds).toEqual({ conf: 0.5, iou: 0.6, maxDet: 7 });
    expect(spec.classes[0]).toBe('1');
    expect(spec.source).toBe('options');
  });

  it('falls back to Ultralytics metadata without a card and infers the layout from the output shape', () => {
    const spec = resolveModelSpec({ info: info([1, 6, 3150], [1, 3, 320, 480]), metadata: ultralyticsMeta });
    expect(spec.source).toBe('metadata');
    expect(spec.classes).toEqual(['a', 'b']);
    expect([spec.input.height, spec.input.width, spec.input.channels, spec.input.stride]).toEqual([320, 480, 3, 32]);
    expect(spec.layout).toBe('ultralytics-bcn');
    expect(spec.thresholds).toEqual({ conf: 0.25, iou: 0.7, maxDet: 300 });
    expect(resolveModelSpec({ info: info([1, 300, 6], [1, 3, 320, 480]), metadata: ultralyticsMeta }).layout).toBe('end2end-bn6');
    expect(resolveModelSpec({ info: info([1, 3150, 7], [1, 3, 320, 480]), metadata: ultralyticsMeta }).layout).toBe('yolov5-bnc');
  });

  it('sees a dynamic batch axis', () => {
    expect(resolveModelSpec({ info: info([null, 10, 8400], ['batch', 1, 640, 640]), card: card() }).dynamicBatch).toBe(true);
  });

  it('refuses a model without class names', () => {
    expect(errorOfCall(() => resolveModelSpec({ info: info([1, 10, 8400]) })).code).toBe('MODEL_SPEC_MISSING');
  });

  it('refuses a class-count mismatch between model and card, naming both counts', () => {
    const error = errorOfCall(() => resolveModelSpec({ info: info([1, 9, 8400]), card: card() }));
    expect(error.code).toBe('MODEL_CLASS_COUNT');
    expect(error.details).toMatchObject({ modelClasses: 5, specClasses: 6, source: 'card' });
  });

  it('refuses an unexpected output shape and a wrong input shape', () => {
    expect(errorOfCall(() => resolveModelSpec({ info: info([1, 8400]), card: card() })).code).toBe('MODEL_OUTPUT_SHAPE');
    expect(errorOfCall(() => resolveModelSpec({ info: info([1, 10, 8400], [1, 3, 640, 640]), card: card() })).code).toBe('MODEL_INPUT_SHAPE');
    expect(errorOfCall(() => resolveModelSpec({ info: info([1, 10, 8400], [1, 1, 320, 320]), card: card() })).code).toBe('MODEL_INPUT_SHAPE');
    expect(errorOfCall(() => resolveModelSpec({ info: info([1, 2, 8400], [1, 3, 320, 480]), metadata: ultralyticsMeta, overrides: { layout: 'ultralytics-bcn' } })).code).toBe('MODEL_OUTPUT_SHAPE');
  });

  it('checks real output dims after a run (dynamic dimensions)', () => {
    const spec = resolveModelSpec({ info: info([null, null, null], ['b', 1, 640, 640]), card: card() });
    expect(() => checkOutputDims(spec, [[2, 10, 8400]])).not.toThrow();
    expect(errorOfCall(() => checkOutputDims(spec, [[2, 12, 8400]])).code).toBe('MODEL_CLASS_COUNT');
  });
});
