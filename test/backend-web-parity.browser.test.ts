import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServer } from '@defectkit/app';
import { loadDetector, pcbDefectsModelDir, type NodeDetector } from '@defectkit/backend-node';
import type { Detection } from '@defectkit/core';
import { launchChromium, type HeadlessChromium } from './support/chromium.js';
import { imageRoutes, startTestApp, waitForState } from './support/browser-app.js';
import { deeppcbDir } from './support/paths.js';

// Parity of the browser (Vision Lab page: browser JPEG decoder + backend-web on onnxruntime-web WASM) with
// backend-node (sharp + onnxruntime-node) on DeepPCB boards and the shipped pcb-defects model, at the card's
// threshold: the same detections, boxes within 1 px, scores within 1e-3.

const BOX_TOLERANCE_PX = 1;
const SCORE_TOLERANCE = 1e-3;

/** Boards from every DeepPCB group of the shared data: the first test image of the listed folders. */
function boards(): string[] {
  const list = readFileSync(join(deeppcbDir, 'PCBData', 'trainval.txt'), 'utf8').trim().split('\n');
  const picked: string[] = [];
  const groups = new Set<string>();
  for (const line of list) {
    const image = line.split(/\s+/)[0]!.replace('.jpg', '_test.jpg');
    const group = image.split('/')[0]!;
    if (groups.has(group) && picked.length >= 4) continue;
    groups.add(group);
    picked.push(join(deeppcbDir, 'PCBData', image));
    if (picked.length === 8) break;
  }
  return picked;
}

describe('backend-web in Chromium agrees with backend-node on DeepPCB boards', () => {
  const files = boards();
  let app: AppServer;
  let chromium: HeadlessChromium;
  let node: NodeDetector;
  let urls: string[];
  const worst = { box: 0, score: 0, detections: 0 };

  beforeAll(async () => {
    const images = await imageRoutes(files);
    urls = images.urls;
    app = await startTestApp(images.routes);
    chromium = await launchChromium();
    node = await loadDetector(pcbDefectsModelDir);
  });
  afterAll(async () => {
    // The measured agreement, for the README: largest box and score differences over every matched detection.
    console.log(`parity over ${files.length} boards, ${worst.detections} detections: max box difference ${worst.box.toExponential(2)} px, max score difference ${worst.score.toExponential(2)}`);
    await node?.dispose();
    await chromium?.close();
    await app?.close();
  });

  it('uses boards from the DeepPCB data (DEEPPCB_DIR)', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files.map((file, index) => [file.split('/').pop()!, index] as const))('%s: same detections, boxes within 1 px, scores within 1e-3', async (_name, index) => {
    const page = await chromium.context.newPage();
    try {
      await page.goto(`${app.url}?device=cpu&image=${encodeURIComponent(urls[index]!)}`);
      expect(await waitForState(page, ['done', 'error'])).toBe('done');
      const [web] = JSON.parse((await page.textContent('#detections')) ?? '') as { detections: Detection[] }[];
      const want = (await node.detect(files[index]!)).detections;
      const got = web!.detections;
      expect(got.length, 'detection count').toBe(want.length);
      // Paired by class and nearest box: two detections whose scores differ by less than the tolerance may swap places.
      const unmatched = new Set(got.keys());
      want.forEach((e, k) => {
        let best = -1;
        let bestBox = Infinity;
        for (const j of unmatched) {
          const d = got[j]!;
          if (d.classId !== e.classId) continue;
          const box = Math.max(...(['x1', 'y1', 'x2', 'y2'] as const).map((key) => Math.abs(d[key] - e[key])));
          if (box < bestBox) [best, bestBox] = [j, box];
        }
        expect(best, `node detection ${k} (${e.label}) has a browser counterpart`).toBeGreaterThanOrEqual(0);
        unmatched.delete(best);
        const score = Math.abs(got[best]!.score - e.score);
        worst.box = Math.max(worst.box, bestBox);
        worst.score = Math.max(worst.score, score);
        worst.detections += 1;
        expect(bestBox, `detection ${k} box`).toBeLessThanOrEqual(BOX_TOLERANCE_PX);
        expect(score, `detection ${k} score`).toBeLessThanOrEqual(SCORE_TOLERANCE);
      });
    } finally {
      await page.close();
    }
  });
});
