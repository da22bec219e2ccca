import type { Detection } from '@defectkit/core';
import { describe, expect, it } from 'vitest';
import { classCounts, filterDetections, resultView, verdictOf } from './result-view.js';

const d = (score: number, classId: number, label: string): Detection => ({ x1: 0, y1: 0, x2: 1, y2: 1, score, classId, label });
const classes = ['open', 'short', 'spur'];
const all = [d(0.9, 0, 'open'), d(0.5, 1, 'short'), d(0.25, 0, 'open'), d(0.1, 2, 'spur')];

describe('the Vision Lab result view', () => {
  it('keeps detections strictly above the confidence, as the decoders do', () => {
    expect(filterDetections(all, 0.25).map((x) => x.score)).toEqual([0.9, 0.5]);
    expect(filterDetections(all, 0.05)).toHaveLength(4);
    expect(filterDetections(all, 0.95)).toEqual([]);
  });

  it('hides the classes switched off and counts every class, zero included', () => {
    const shown = filterDetections(all, 0.05, new Set([0]));
    expect(shown.map((x) => x.label)).toEqual(['short', 'spur']);
    expect(classCounts(shown, classes)).toEqual({ open: 0, short: 1, spur: 1 });
  });

  it('passes a board only when nothing is shown', () => {
    expect(verdictOf([])).toBe('pass');
    expect(resultView(all, classes, 0.95).verdict).toBe('pass');
    expect(resultView(all, classes, 0.3)).toEqual({ detections: [all[0], all[1]], counts: { open: 1, short: 1, spur: 0 }, verdict: 'fail' });
  });
});
