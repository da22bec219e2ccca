// The Node detector with inference in worker threads (`loadDetector(..., { workers })`): the same detections as the
// in-process session over a folder, and an idle pool never holds a process open.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelDir, expandImageInputs, loadDetector } from '@defectkit/backend-node';
import type { DetectionResult } from '@defectkit/detector';
import { deeppcbDir } from './support/paths.js';
import { spawnTsx } from './support/tsx-process.js';

describe('loadDetector with workers', () => {
  it('detects a folder with two workers exactly as the in-process session does, in input order', async () => {
    const images = (await expandImageInputs([join(deeppcbDir, 'PCBData')])).filter((p) => p.endsWith('_test.jpg')).slice(0, 12);
    expect(images).toHaveLength(12);
    const inProcess = await loadDetector(defaultModelDir(), { device: 'cpu' });
    const pooled = await loadDetector(defaultModelDir(), { device: 'cpu', workers: 2 });
    try {
      expect(pooled.backend.info?.concurrentRuns).toBe(2);
      const collect = async (detector: typeof pooled): Promise<{ image: string; result: DetectionResult }[]> => {
        const results: { image: string; result: DetectionResult }[] = [];
        for await (const o of detector.detectAll(images, { concurrency: 4 })) {
          if (!o.ok) throw o.error;
          results.push({ image: o.image, result: o.result });
        }
        return results;
      };
      const [a, b] = [await collect(inProcess), await collect(pooled)];
      expect(b.map((r) => r.image)).toEqual(images);
      expect(a.reduce((n, r) => n + r.result.detections.length, 0)).toBeGreaterThan(images.length);
      // One graph on the same CPU provider; only the intra-op threads differ (1 per worker, 2 in-process), which may
      // change the order of float sums, so coordinates and scores are compared to 1e-4.
      b.forEach((r, i) => {
        const want = a[i]!.result.detections;
        expect(r.result.detections.map((d) => d.classId)).toEqual(want.map((d) => d.classId));
        r.result.detections.forEach((d, k) => {
          for (const key of ['x1', 'y1', 'x2', 'y2', 'score'] as const) expect(Math.abs(d[key] - want[k]![key])).toBeLessThanOrEqual(1e-4);
        });
      });
    } finally {
      await inProcess.dispose();
      await pooled.dispose();
    }
  });

  it('refuses a worker count outside 0..64 naming the field, before loading anything', async () => {
    for (const workers of [Number.NaN, -1, 65]) await expect(loadDetector(defaultModelDir(), { workers })).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { field: 'workers' } });
  });

  it('lets the process exit when the app never disposes the detector (idle workers are not waited for)', async () => {
    const script = [
      "import('@defectkit/backend-node').then(async ({ loadDetector }) => {",
      `  const detector = await loadDetector(undefined, { workers: 2 });`,
      `  const { detections } = await detector.detect(${JSON.stringify(join(deeppcbDir, 'PCBData', 'group00041', '00041', '00041000_test.jpg'))});`,
      "  console.log('detections', detections.length);",
      '});',
    ].join('\n');
    const child = spawnTsx(['-e', script]);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // A fail-safe, not a measurement: a child still running after a minute is stuck on its workers.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    clearTimeout(guard);
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(stdout).toMatch(/^detections [1-9]\d*$/m);
  }, 90_000);

  it('works in an app that Node runs as an ES module (--input-type=module, where eval\'d worker code is ESM too)', async () => {
    const script = [
      "const { loadDetector } = await import('@defectkit/backend-node');",
      'const detector = await loadDetector(undefined, { workers: 2 });',
      `const { detections } = await detector.detect(${JSON.stringify(join(deeppcbDir, 'PCBData', 'group00041', '00041', '00041000_test.jpg'))});`,
      "console.log('detections', detections.length);",
      'await detector.dispose();',
    ].join('\n');
    const child = spawnTsx(['--input-type=module', '-e', script]);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(guard);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^detections [1-9]\d*$/m);
  }, 90_000);
});
