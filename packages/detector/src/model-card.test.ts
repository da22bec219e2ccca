import { DefectKitError } from '@defectkit/core';
import { describe, expect, it } from 'vitest';
import { parseModelCard, parseModelCardText, type ModelCard } from './model-card.js';

function sampleCard(): ModelCard & Record<string, unknown> {
  return {
    format: 'defectkit.model-card/v1',
    name: 'pcb-defects',
    task: 'detect',
    classes: ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'],
    input: { name: 'images', width: 640, height: 640, channels: 1, resize: 'letterbox', batchAxis: true, stride: 8, padValue: 114, scale: 1 / 255, mean: null, std: null },
    output: { layout: 'ultralytics-bcn' },
    thresholds: { conf: 0.25, iou: 0.7, maxDet: 300 },
    recipe: { name: 'pcb-detector', options: {} },
    training: { epochs: 3 },
    metrics: { split: 'val' },
  };
}

function codeAndField(fn: () => unknown): { code: string; field: unknown } {
  try {
    fn();
  } catch (error) {
    if (!DefectKitError.isInstance(error)) throw error;
    return { code: error.code, field: error.details.field };
  }
  throw new Error('expected an error');
}

describe('parseModelCard', () => {
  it('accepts the contract and keeps the informational sections', () => {
    const card = parseModelCard(sampleCard(), 'm/model.json');
    expect(card.classes).toHaveLength(6);
    expect(card.input.channels).toBe(1);
    expect(card.output.layout).toBe('ultralytics-bcn');
    expect(card.thresholds).toEqual({ conf: 0.25, iou: 0.7, maxDet: 300 });
    expect(card.training).toEqual({ epochs: 3 });
  });

  it.each([
    ['format', (c: any) => (c.format = 'other/v2')],
    ['classes', (c: any) => (c.classes = [])],
    ['classes[1]', (c: any) => (c.classes[1] = 3)],
    ['input.channels', (c: any) => (c.input.channels = 2)],
    ['input.width', (c: any) => (c.input.width = 0)],
    ['input.resize', (c: any) => (c.input.resize = 'stretch')],
    ['input.batchAxis', (c: any) => delete c.input.batchAxis],
    ['input.mean', (c: any) => (c.input.mean = [0.1, 0.2])],
    ['output.layout', (c: any) => (c.output.layout = 'yolov9')],
    ['output.layout', (c: any) => (c.output.layout = 'classifier')],
    ['thresholds.conf', (c: any) => (c.thresholds.conf = 1.5)],
    ['thresholds.maxDet', (c: any) => (c.thresholds.maxDet = 2.5)],
    ['thresholds', (c: any) => delete c.thresholds],
  ])('names the bad field %s', (field, mutate) => {
    const card = sampleCard();
    mutate(card);
    const error = codeAndField(() => parseModelCard(card, 'm/model.json'));
    expect(error).toEqual({ code: 'MODEL_CARD_INVALID', field });
  });

  it.each([
    [undefined, /m\/model\.json: field "format" is missing/],
    ['defectkit.model-card/v3', /m\/model\.json: field "format" is version 3 of the model card; this DefectKit reads defectkit\.model-card\/v1, defectkit\.model-card\/v2/],
    ['yolo', /m\/model\.json: field "format" must be "defectkit\.model-card\/v1" \(got "yolo"\)/],
  ])('tells a missing, newer or foreign format apart (%s)', (format, message) => {
    const card = sampleCard() as Record<string, unknown>;
    if (format === undefined) delete card.format;
    else card.format = format;
    expect(() => parseModelCard(card, 'm/model.json')).toThrow(message);
    expect(codeAndField(() => parseModelCard(card, 'm/model.json'))).toEqual({ code: 'MODEL_CARD_INVALID', field: 'format' });
  });

  it('reads v2: input.reference and the verdict thresholds (conf defaults to thresholds.conf)', () => {
    const card = sampleCard() as any;
    card.format = 'defectkit.model-card/v2';
    card.input.reference = 'stacked';
    card.verdict = { classConf: { short: 0.4 } };
    const parsed = parseModelCard(card, 'm/model.json');
    expect(parsed.format).toBe('defectkit.model-card/v2');
    expect(parsed.input.reference).toBe('stacked');
    expect(parsed.verdict).toEqual({ conf: 0.25, classConf: { short: 0.4 } });
    expect(parseModelCard(sampleCard(), 'm/model.json').verdict).toBeUndefined();
  });

  it.each([
    ['input.reference', (c: any) => (c.input.reference = 'stacked')],
    ['verdict', (c: any) => (c.verdict = { conf: 0.5 })],
  ])('refuses the v2 field %s in a v1 card', (field, mutate) => {
    const card = sampleCard();
    mutate(card);
    expect(() => parseModelCard(card, 'm/model.json')).toThrow(/needs "format": "defectkit\.model-card\/v2"/);
    expect(codeAndField(() => parseModelCard(card, 'm/model.json'))).toEqual({ code: 'MODEL_CARD_INVALID', field });
  });

  it.each([
    ['input.reference', (c: any) => (c.input.reference = 'difference')],
    ['verdict.conf', (c: any) => (c.verdict = { conf: 2 })],
    ['verdict.classConf.solder', (c: any) => (c.verdict = { classConf: { solder: 0.5 } })],
    ['verdict.classConf.open', (c: any) => (c.verdict = { classConf: { open: -1 } })],
  ])('names the bad v2 field %s', (field, mutate) => {
    const card = sampleCard() as any;
    card.format = 'defectkit.model-card/v2';
    mutate(card);
    expect(codeAndField(() => parseModelCard(card, 'm/model.json'))).toEqual({ code: 'MODEL_CARD_INVALID', field });
  });

  it('reports invalid JSON with the file name', () => {
    expect(() => parseModelCardText('{"format":', 'models/x/model.json')).toThrow(/models\/x\/model\.json: not valid JSON/);
  });
});
