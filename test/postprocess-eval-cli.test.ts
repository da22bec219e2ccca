import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';
import { deeppcbDir, goldenDir } from './support/paths.js';
import { scratchFolder } from './support/scratch-folder.js';

const work = scratchFolder('defectkit-eval-');

const golden = JSON.parse(readFileSync(join(goldenDir, 'coco_eval_pycocotools.json'), 'utf8')) as {
  cases: { id: string; gt: unknown; detections: unknown[]; expected: { stats: number[] } }[];
};

describe('defectkit eval', () => {
  for (const c of golden.cases) {
    it(`--protocol coco --json prints the pycocotools stats for ${c.id}`, async () => {
      const gt = join(work, `${c.id}.gt.json`);
      const pred = join(work, `${c.id}.res.json`);
      writeFileSync(gt, JSON.stringify(c.gt));
      writeFileSync(pred, JSON.stringify(c.detections));
      const { code, stdout } = await cli('eval', '--gt', gt, '--pred', pred, '--protocol', 'coco', '--json');
      expect(code).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const report = JSON.parse(lines[0]!) as { stats: number[] };
      report.stats.forEach((v, i) => expect(Math.abs(v - c.expected.stats[i]!)).toBeLessThanOrEqual(1e-9));
    });
  }

  it('prints a per-class table without --json, for every protocol', async () => {
    const c = golden.cases[0]!;
    const gt = join(work, 'table.gt.json');
    const pred = join(work, 'table.res.json');
    writeFileSync(gt, JSON.stringify(c.gt));
    writeFileSync(pred, JSON.stringify(c.detections));
    for (const protocol of ['coco', 'voc', 'ultralytics', 'deeppcb']) {
      const { code, stdout } = await cli('eval', '--gt', gt, '--pred', pred, '--protocol', protocol);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^class\s+images\s+instances\s+P\s+R\s+mAP50\s+mAP50-95$/m);
      expect(stdout).toMatch(/^all\s+8\s+40\s/m);
    }
  });

  it('evaluates a DeepPCB folder against DeepPCB result files with the DeepPCB protocol', async () => {
    // A two-pair copy of the trainval data in the upstream layout.
    const root = join(work, 'deeppcb');
    const lines = readFileSync(join(deeppcbDir, 'PCBData', 'trainval.txt'), 'utf8').trim().split(/\r?\n/).slice(0, 2);
    for (const line of lines) {
      const [image, label] = line.split(/\s+/) as [string, string];
      for (const suffix of ['_test.jpg', '_temp.jpg']) {
        const rel = image.replace(/\.jpg$/, suffix);
        mkdirSync(dirname(join(root, 'PCBData', rel)), { recursive: true });
        copyFileSync(join(deeppcbDir, 'PCBData', rel), join(root, 'PCBData', rel));
      }
      mkdirSync(dirname(join(root, 'PCBData', label)), { recursive: true });
      copyFileSync(join(deeppcbDir, 'PCBData', label), join(root, 'PCBData', label));
    }
    writeFileSync(join(root, 'PCBData', 'trainval.txt'), lines.join('\n'));
    // Results: the first image predicted perfectly (class names), the second image has no result file.
    const results = join(work, 'deeppcb-results');
    mkdirSync(results);
    const [firstImage, firstLabel] = lines[0]!.split(/\s+/) as [string, string];
    const gtLines = readFileSync(join(deeppcbDir, 'PCBData', firstLabel), 'utf8').trim().split(/\r?\n/);
    const names = ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'];
    const stem = firstImage.split('/').pop()!.replace(/\.jpg$/, '');
    writeFileSync(
      join(results, `${stem}.txt`),
      gtLines.map((l, i) => {
        const [x1, y1, x2, y2, type] = l.trim().split(/[\s,]+/);
        return `${x1},${y1},${x2},${y2},${(0.9 - i * 0.01).toFixed(2)},${names[Number(type) - 1]}`;
      }).join('\n'),
    );
    const secondLabel = lines[1]!.split(/\s+/)[1]!;
    const secondCount = readFileSync(join(deeppcbDir, 'PCBData', secondLabel), 'utf8').trim().split(/\r?\n/).length;
    const { code, stdout, stderr } = await cli('eval', '--gt', root, '--gt-format', 'deeppcb', '--pred', results, '--protocol', 'deeppcb', '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { precision: number; recall: number; ap: number };
    expect(report.precision).toBe(1);
    expect(report.recall).toBeCloseTo(gtLines.length / (gtLines.length + secondCount), 12);
    expect(report.ap).toBeCloseTo(gtLines.length / (gtLines.length + secondCount), 12);
  });

  it('fails with typed errors: unknown protocol, folder without --gt-format, results on unknown images', async () => {
    const c = golden.cases[0]!;
    const gt = join(work, 'err.gt.json');
    const pred = join(work, 'err.res.json');
    writeFileSync(gt, JSON.stringify(c.gt));
    writeFileSync(pred, JSON.stringify([{ image_id: 999, category_id: 1, bbox: [0, 0, 1, 1], score: 0.5 }]));
    let r = await cli('eval', '--gt', gt, '--pred', pred, '--protocol', 'bogus');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('UNKNOWN_PROTOCOL');
    r = await cli('eval', '--gt', gt, '--pred', pred, '--protocol', 'coco');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EVAL_INPUT');
    r = await cli('eval', '--gt', work, '--pred', pred, '--protocol', 'coco');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MISSING_OPTION');
  });
});
