// Scores a shipped model on the validation split with DefectKit's own tools and writes the figures
// into its model.json card: predictions from the Node detector (@defectkit/backend-node), metrics
// from `defectkit eval` (@defectkit/postprocess). See models/README.md for the exact commands.
//
//   npx tsx models/evaluate-val.ts --model models/pcb-defects \
//     --gt /tmp/defectkit/deeppcb-coco/annotations/instances_val.json --images /tmp/defectkit/deeppcb-coco/images \
//     --work /tmp/defectkit/eval/pcb-defects [--update-card]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatCocoResults, loadDetector, type ImageDetections } from '@defectkit/backend-node';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    gt: { type: 'string' },
    images: { type: 'string' },
    work: { type: 'string' },
    threads: { type: 'string', default: '2' },
    'update-card': { type: 'boolean', default: false },
  },
});
if (!values.model || !values.gt || !values.images || !values.work) throw new Error('usage: --model <dir> --gt <coco json> --images <root> --work <dir> [--update-card]');
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const threads = Number(values.threads);
const gt = JSON.parse(readFileSync(values.gt, 'utf8')) as { images: { id: number; file_name: string }[] };
const paths = gt.images.map((im) => join(values.images!, im.file_name));
const imageIds = new Map(gt.images.map((im, i) => [paths[i]!, im.id]));
mkdirSync(values.work, { recursive: true });

/** Runs the detector over the val images; returns detections and mean end-to-end ms per image. */
async function predict(conf: number | undefined): Promise<{ items: ImageDetections[]; ms: number; inferenceMs: number }> {
  const detector = await loadDetector(values.model!, { threads, ...(conf === undefined ? {} : { conf, maxDet: 300 }) });
  try {
    await detector.detect(paths[0]!); // warm-up
    const items: ImageDetections[] = [];
    let inference = 0;
    const t0 = performance.now();
    for (const p of paths) {
      const r = await detector.detect(p);
      inference += r.timings.inference;
      items.push({ image: p, width: r.width, height: r.height, detections: r.detections });
    }
    return { items, ms: (performance.now() - t0) / paths.length, inferenceMs: inference / paths.length };
  } finally {
    await detector.dispose();
  }
}

function evalCli(pred: string, protocol: string): Record<string, any> {
  const r = spawnSync('npx', ['tsx', join(repo, 'packages/cli/src/dev.ts'), 'eval', '--gt', values.gt!, '--pred', pred, '--protocol', protocol, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`defectkit eval failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, any>;
}

// COCO mAP needs the full ranking (conf 0.001, like every COCO evaluation); the DeepPCB protocol
// scores the detections a user gets, at the card's threshold.
const all = await predict(0.001);
const allFile = join(values.work, 'predictions-conf0.001.coco.json');
writeFileSync(allFile, formatCocoResults(all.items, { imageIds }));
const atCard = await predict(undefined);
const cardFile = join(values.work, 'predictions-card-conf.coco.json');
writeFileSync(cardFile, formatCocoResults(atCard.items, { imageIds }));

const coco = evalCli(allFile, 'coco');
const deeppcb = evalCli(cardFile, 'deeppcb');
const metrics = {
  split: 'val',
  images: paths.length,
  evaluator: `defectkit eval --protocol coco (predictions at conf 0.001) and --protocol deeppcb (predictions at the card's conf), predictions by @defectkit/backend-node; ${values.gt}`,
  coco: { map50: coco.stats[1], map50_95: coco.stats[0] },
  deeppcb: { fscore: deeppcb.fscore, precision: deeppcb.precision, recall: deeppcb.recall, ap: deeppcb.ap },
  perClassAp50: Object.fromEntries((coco.perClass as { name: string; ap50: number }[]).map((c) => [c.name, c.ap50])),
  cpuLatencyMs: Math.round(atCard.ms * 10) / 10,
  cpuInferenceMs: Math.round(atCard.inferenceMs * 10) / 10,
  cpuThreads: threads,
};
console.log(JSON.stringify(metrics, null, 2));
if (values['update-card']) {
  const cardPath = join(values.model, 'model.json');
  const card = JSON.parse(readFileSync(cardPath, 'utf8')) as Record<string, unknown>;
  // Keep the training script's own (checkpoint-selection) figures beside ours, once.
  const previous = card.metrics as Record<string, unknown> | undefined;
  card.metrics = { ...metrics, python: previous?.python ?? previous ?? null };
  writeFileSync(`${cardPath}.tmp`, `${JSON.stringify(card, null, 2)}\n`);
  renameSync(`${cardPath}.tmp`, cardPath);
  console.log(`updated ${cardPath}`);
}
