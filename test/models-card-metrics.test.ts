// The shipped model card's validation metrics are reproduced by the CLI alone: convert (same seeded split),
// detect, eval. This is the check behind the figures in models/pcb-defects/model.json and models/README.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deeppcbDir, repoRoot } from './support/paths.js';
import { cli } from './support/run-cli.js';
import { scratchFolder } from './support/scratch-folder.js';

const work = scratchFolder('defectkit-card-');

interface Card {
  thresholds: { conf: number };
  training: { split: { command: string } };
  metrics: { coco: { map50: number; map50_95: number }; deeppcb: { fscore: number; precision: number; recall: number } };
}

describe('models/pcb-defects card metrics', () => {
  it('are reproduced by defectkit convert + detect + eval on the seeded val split', async () => {
    const card = JSON.parse(readFileSync(join(repoRoot, 'models', 'pcb-defects', 'model.json'), 'utf8')) as Card;
    const data = join(work, 'yolo');
    // The split the model was trained and validated on, as the card records it.
    const [, split, seed] = /--split (\S+) --seed (\d+)/.exec(card.training.split.command)!;
    const convert = await cli('convert', '--from', 'deeppcb', '--to', 'yolo', '--input', deeppcbDir, '--output', data, '--split', split!, '--seed', seed!);
    expect(convert.code, convert.stderr).toBe(0);

    const coco = join(work, 'val.coco.json');
    const detect = await cli('detect', join(data, 'images', 'val'), '--conf', '0.001', '--format', 'coco', '--out', coco);
    expect(detect.code, detect.stderr).toBe(0);
    const cocoEval = await cli('eval', '--gt', data, '--gt-format', 'yolo', '--split', 'val', '--pred', coco, '--protocol', 'coco', '--json');
    expect(cocoEval.code, cocoEval.stderr).toBe(0);
    const stats = (JSON.parse(cocoEval.stdout) as { stats: number[] }).stats;
    expect(stats[1]).toBeCloseTo(card.metrics.coco.map50, 3);
    expect(stats[0]).toBeCloseTo(card.metrics.coco.map50_95, 3);

    const results = join(work, 'deeppcb-results');
    const atCard = await cli('detect', join(data, 'images', 'val'), '--format', 'deeppcb', '--out', results);
    expect(atCard.code, atCard.stderr).toBe(0);
    const pcbEval = await cli('eval', '--gt', data, '--gt-format', 'yolo', '--split', 'val', '--pred', results, '--protocol', 'deeppcb', '--json');
    expect(pcbEval.code, pcbEval.stderr).toBe(0);
    const pcb = JSON.parse(pcbEval.stdout) as { fscore: number; precision: number; recall: number };
    expect(pcb.fscore).toBeCloseTo(card.metrics.deeppcb.fscore, 3);
    expect(pcb.precision).toBeCloseTo(card.metrics.deeppcb.precision, 3);
    expect(pcb.recall).toBeCloseTo(card.metrics.deeppcb.recall, 3);
  });
});
