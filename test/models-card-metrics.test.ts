// The shipped model cards' validation metrics are reproduced by the CLI alone: convert (same seeded split), detect,
// eval. This is the check behind the figures in models/*/model.json and models/README.md. The reference model
// inspects each val board against its DeepPCB template, linked beside it as `X_temp.jpg` (`--reference auto`).
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readDeepPcb } from '@defectkit/annotations/node';
import { describe, expect, it } from 'vitest';
import { deeppcbDir, repoRoot } from './support/paths.js';
import { cli } from './support/run-cli.js';
import { scratchFolder } from './support/scratch-folder.js';

const work = scratchFolder('defectkit-card-');

interface Card {
  input: { reference?: 'stacked' };
  training: { split: { command: string } };
  metrics: { coco: { map50: number; map50_95: number }; deeppcb: { fscore: number; precision: number; recall: number } };
}

/** Each DeepPCB board's template (as the DeepPCB reader pairs them), by the board's file name. */
async function templatesByBoard(): Promise<Map<string, string>> {
  const { dataset, root } = await readDeepPcb(deeppcbDir);
  return new Map(dataset.images.flatMap((im) => (im.templatePath ? [[basename(im.path), resolve(root, im.templatePath)] as const] : [])));
}

describe.each(['pcb-defects', 'pcb-defects-ref'])('models/%s card metrics', (name) => {
  it('are reproduced by defectkit convert + detect + eval on the seeded val split', async () => {
    const model = join(repoRoot, 'models', name);
    const card = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')) as Card;
    const data = join(work, name, 'yolo');
    // The split the model was trained and validated on, as the card records it.
    const [, split, seed] = /--split (\S+) --seed (\d+)/.exec(card.training.split.command)!;
    const convert = await cli('convert', '--from', 'deeppcb', '--to', 'yolo', '--input', deeppcbDir, '--output', data, '--split', split!, '--seed', seed!);
    expect(convert.code, convert.stderr).toBe(0);
    const val = join(data, 'images', 'val');
    const reference: string[] = [];
    if (card.input.reference) {
      const templates = await templatesByBoard();
      for (const board of readdirSync(val).filter((f) => f.endsWith('_test.jpg'))) {
        const template = templates.get(board);
        expect(template, `${board}: no DeepPCB template`).toBeDefined();
        symlinkSync(template!, join(val, board.replace(/_test\.jpg$/, '_temp.jpg')));
      }
      reference.push('--reference', 'auto');
    }

    const coco = join(work, name, 'val.coco.json');
    const detect = await cli('detect', val, '--model', model, ...reference, '--conf', '0.001', '--format', 'coco', '--out', coco);
    expect(detect.code, detect.stderr).toBe(0);
    const cocoEval = await cli('eval', '--gt', data, '--gt-format', 'yolo', '--split', 'val', '--pred', coco, '--protocol', 'coco', '--json');
    expect(cocoEval.code, cocoEval.stderr).toBe(0);
    const stats = (JSON.parse(cocoEval.stdout) as { stats: number[] }).stats;
    expect(stats[1]).toBeCloseTo(card.metrics.coco.map50, 3);
    expect(stats[0]).toBeCloseTo(card.metrics.coco.map50_95, 3);

    const results = join(work, name, 'deeppcb-results');
    const atCard = await cli('detect', val, '--model', model, ...reference, '--format', 'deeppcb', '--out', results);
    expect(atCard.code, atCard.stderr).toBe(0);
    const pcbEval = await cli('eval', '--gt', data, '--gt-format', 'yolo', '--split', 'val', '--pred', results, '--protocol', 'deeppcb', '--json');
    expect(pcbEval.code, pcbEval.stderr).toBe(0);
    const pcb = JSON.parse(pcbEval.stdout) as { fscore: number; precision: number; recall: number };
    expect(pcb.fscore).toBeCloseTo(card.metrics.deeppcb.fscore, 3);
    expect(pcb.precision).toBeCloseTo(card.metrics.deeppcb.precision, 3);
    expect(pcb.recall).toBeCloseTo(card.metrics.deeppcb.recall, 3);
  });
});
