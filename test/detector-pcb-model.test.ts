// The shipped PCB model (models/pcb-defects) on DeepPCB images: the card is read, and `detect` and
// `detectBatch` agree to 1e-4.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelDir, expandImageInputs, loadDetector, type NodeDetector } from '@defectkit/backend-node';
import type { DetectionResult } from '@defectkit/detector';
import { deeppcbDir } from './support/paths.js';

let detector: NodeDetector;
let images: string[];
beforeAll(async () => {
  detector = await loadDetector(defaultModelDir(), { device: 'cpu' });
  images = (await expandImageInputs([join(deeppcbDir, 'PCBData')])).filter((p) => p.endsWith('_test.jpg')).slice(0, 16);
});
afterAll(async () => detector?.dispose());

describe('shipped model models/pcb-defects', () => {
  it('is described by its model card', () => {
    expect(detector.spec.source).toBe('card');
    expect(detector.spec.classes).toEqual(['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole']);
    expect(images).toHaveLength(16);
  });

  it('finds defects on DeepPCB boards, and detect and detectBatch agree to 1e-4', async () => {
    const single: DetectionResult[] = [];
    for (const image of images) single.push(await detector.detect(image));
    expect(single.reduce((n, r) => n + r.detections.length, 0)).toBeGreaterThan(images.length); // boards carry several defects each
    for (const batch of [images.slice(0, 8), images.slice(8)]) {
      const outcomes = await detector.detectBatch(batch);
      outcomes.forEach((outcome, i) => {
        expect(outcome.ok).toBe(true);
        if (!outcome.ok) return;
        const a = single[images.indexOf(batch[i]!)]!;
        const b = outcome.result;
        expect([b.width, b.height]).toEqual([a.width, a.height]);
        expect(b.detections.map((d) => d.classId)).toEqual(a.detections.map((d) => d.classId));
        b.detections.forEach((d, k) => {
          for (const key of ['x1', 'y1', 'x2', 'y2', 'score'] as const) expect(Math.abs(d[key] - a.detections[k]![key])).toBeLessThanOrEqual(1e-4);
        });
      });
    }
  });
});
