import { describe, expect, it } from 'vitest';
import { parseDetectJson } from './detect-json.js';

const good = { image: 'b.jpg', width: 640, height: 480, verdict: 'fail', detections: [{ x1: 1, y1: 2, x2: 3, y2: 4, score: 0.5, classId: 0, label: 'open' }] };

describe('parseDetectJson', () => {
  it('reads what detect --format json writes, verdict included', () => {
    expect(parseDetectJson(JSON.stringify([good, { ...good, verdict: undefined, detections: [] }]), 'r.json')).toEqual([good, { image: 'b.jpg', width: 640, height: 480, detections: [] }]);
  });

  it.each([
    ['not JSON', '[{', undefined],
    ['not an array', '{}', undefined],
    ['a width of 0', JSON.stringify([{ ...good, width: 0 }]), 'width'],
    ['a score above 1', JSON.stringify([{ ...good, detections: [{ ...good.detections[0], score: 1.5 }] }]), 'detections[0].score'],
    ['a missing label', JSON.stringify([good, { ...good, detections: [{ ...good.detections[0], label: '' }] }]), 'detections[0].label'],
    ['an unknown verdict', JSON.stringify([{ ...good, verdict: 'maybe' }]), 'verdict'],
  ])('refuses %s with INSPECTION_INPUT naming the file, entry and field', (_what, text, field) => {
    try {
      parseDetectJson(text, 'r.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INSPECTION_INPUT', details: { file: 'r.json', ...(field === undefined ? {} : { field }) } });
      expect((error as Error).message).toContain('r.json');
    }
  });
});
