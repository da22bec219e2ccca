// Board-level inspection figures per model, on validation boards and their golden templates:
//   npx tsx benchmarks/board.ts --data <yolo folder> [--split val] [--models models/pcb-defects,models/pcb-defects-ref]
//        [--misalign 0] [--latency-runs 40] [--max-boards 0 (all)] [--out benchmarks/results/board.json]
// The YOLO folder is DeepPCB trainval converted with `defectkit convert --from deeppcb --to yolo --split
// train=0.8,val=0.2 --seed 0` (the split models/pcb-defects-ref was trained on). Each validation board X_test.jpg
// is a defective board; its template X_temp.jpg (found under DEEPPCB_DIR) is a good board. A reference model runs
// each board against its template and each template against itself (the only defect-free pair DeepPCB has; with
// --misalign N the reference is moved by a fixed pseudo-random shift of up to N pixels, as a misaligned scan would
// be, and the model runs with and without --align shift). Per model: COCO mAP50 (every detection above 0.001),
// board figures at the card's threshold (escapes, false-call boards, false boxes per board) and the sweep, the
// phase-correlation shifts found, and the median latency per board (batch 1, one image at a time).
import { cpus, loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { readDataset, readDeepPcb } from '@defectkit/annotations/node';
import { loadDetector, type NodeDetector } from '@defectkit/backend-node';
import { writeFileAtomic } from '@defectkit/core/node';
import { estimateShift, type DetectorInput } from '@defectkit/detector';
import { boardMetrics, cocoEvaluate, evalInputFromDataset, categoryIdOf, type ImagePredictions } from '@defectkit/postprocess';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    split: { type: 'string', default: 'val' },
    models: { type: 'string', default: 'models/pcb-defects,models/pcb-defects-ref' },
    misalign: { type: 'string', default: '0' },
    'latency-runs': { type: 'string', default: '40' },
    'max-boards': { type: 'string', default: '0' },
    out: { type: 'string', default: join('benchmarks', 'results', 'board.json') },
  },
});
if (!values.data) throw new Error('give --data <yolo folder> (defectkit convert --from deeppcb --to yolo --split train=0.8,val=0.2 --seed 0)');
const deeppcb = resolve(process.env.DEEPPCB_DIR ?? resolve('..', 'shared', 'data', 'deeppcb'));
const misalign = Number(values.misalign);

// Ground truth: the split's boards, then their templates as boards without defects.
const { dataset: whole } = await readDataset(values.data, 'yolo');
// Only the X_test boards: a folder that also holds the templates (as training negatives) lists them without labels.
const maxBoards = Number(values['max-boards']);
const boards = whole.images.filter((im) => im.split === values.split && /_test\.jpg$/.test(im.path)).slice(0, maxBoards > 0 ? maxBoards : undefined);
// Each board's template as the DeepPCB reader pairs them, by the board's file name.
const pcb = await readDeepPcb(deeppcb);
const templates = new Map(pcb.dataset.images.flatMap((im) => (im.templatePath ? [[basename(im.path), resolve(pcb.root, im.templatePath)] as const] : [])));
const templateOf = (board: string): string => {
  const t = templates.get(basename(board));
  if (!t) throw new Error(`${board}: no template under ${deeppcb}`);
  return t;
};
const boardPaths = boards.map((im) => resolve(values.data!, im.path));
const good = boardPaths.map((p) => ({ path: templateOf(p), width: 640, height: 640, boxes: [] }));
const gt = { ...whole, images: [...boards.map((im, i) => ({ ...im, path: boardPaths[i]! })), ...good] };
console.log(`${boards.length} ${values.split} boards + ${good.length} templates (good boards), ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`);

/** A fixed pseudo-random shift per board index, each axis in [-n, n], never (0, 0) when n > 0. */
function shiftOf(i: number, n: number): { dx: number; dy: number } {
  if (n <= 0) return { dx: 0, dy: 0 };
  const span = 2 * n + 1;
  const dx = ((i * 7919 + 13) % span) - n;
  const dy = ((i * 104729 + 7) % span) - n;
  return dx === 0 && dy === 0 ? { dx: n, dy: 0 } : { dx, dy };
}

/** The image moved by (dx, dy) (edges repeated), as PNG bytes: a misaligned reference. */
async function shifted(path: string, s: { dx: number; dy: number }): Promise<Uint8Array> {
  const { data, info } = await sharp(path).greyscale().raw().toBuffer({ resolveWithObject: true });
  const pad = Math.max(Math.abs(s.dx), Math.abs(s.dy));
  // Two pipelines: within one, sharp extracts before it extends.
  const extended = await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } })
    .extend({ top: pad, bottom: pad, left: pad, right: pad, extendWith: 'copy' })
    .png()
    .toBuffer();
  const moved = await sharp(extended).extract({ left: pad - s.dx, top: pad - s.dy, width: info.width, height: info.height }).greyscale().png().toBuffer();
  return new Uint8Array(moved);
}

async function greyPlane(input: string | Uint8Array): Promise<Float32Array> {
  const { data } = await sharp(input).greyscale().raw().toBuffer({ resolveWithObject: true });
  return Float32Array.from(data, (v) => v / 255);
}

/** The operating point picked on one half of the boards and scored on the other. */
interface CrossCheckFold {
  pickedOn: 'even' | 'odd';
  conf: number;
  heldOut: { escapes: number; defectiveBoards: number; falseCallBoards: number; goodBoards: number };
}

interface RunResult {
  label: string;
  map50: number;
  map50_95: number;
  board: ReturnType<typeof boardMetrics>['atRule'];
  sweep: ReturnType<typeof boardMetrics>['sweep'];
  escapedBoards: unknown[];
  falseCallBoards: unknown[];
  crossCheck: { rule: string; folds: CrossCheckFold[]; escapes: number; falseCallBoards: number; defectiveBoards: number; goodBoards: number };
}

/**
 * How well an operating point read off validation boards carries to boards it was not read from: the boards (each
 * with its template) are split into even and odd positions; on one half the highest sweep threshold with no escape is
 * picked, and the other half is scored at it; then the other way round.
 */
function crossCheck(predictions: ImagePredictions[], names: ReadonlyMap<number, string>): RunResult['crossCheck'] {
  const half = (parity: number) => {
    // Board j and its template (position boards + j) go to the same half.
    const keep = gt.images.map((_, k) => (k < boards.length ? k : k - boards.length) % 2 === parity);
    return evalInputFromDataset({ ...gt, images: gt.images.filter((_, k) => keep[k]) }, predictions.filter((_, k) => keep[k]));
  };
  const halves = [half(0), half(1)];
  const folds = halves.map((pick, i): CrossCheckFold => {
    const sweep = boardMetrics(pick, names, { conf: 0.5 }).sweep;
    const conf = sweep.filter((s) => s.escapes === 0).at(-1)?.conf ?? sweep[0]!.conf;
    const b = boardMetrics(halves[1 - i]!, names, { conf }).atRule;
    return { pickedOn: i === 0 ? 'even' : 'odd', conf, heldOut: { escapes: b.escapes, defectiveBoards: b.defectiveBoards, falseCallBoards: b.falseCallBoards, goodBoards: b.goodBoards } };
  });
  const sum = (f: (x: CrossCheckFold['heldOut']) => number): number => folds.reduce((a, x) => a + f(x.heldOut), 0);
  return {
    rule: 'highest sweep threshold with 0 escapes on one half of the boards (even / odd positions), scored on the other half',
    folds,
    escapes: sum((x) => x.escapes),
    defectiveBoards: sum((x) => x.defectiveBoards),
    falseCallBoards: sum((x) => x.falseCallBoards),
    goodBoards: sum((x) => x.goodBoards),
  };
}

async function evaluate(detector: NodeDetector, label: string, inputs: DetectorInput<string | Uint8Array>[]): Promise<RunResult> {
  const predictions: ImagePredictions[] = [];
  let k = 0;
  for await (const o of detector.detectAll(inputs, { concurrency: 2, conf: 0.001, maxDet: 300 })) {
    if (!o.ok) throw o.error;
    const image = gt.images[k++]!;
    predictions.push({ imageKey: image.path, detections: o.result.detections });
  }
  const input = evalInputFromDataset(gt, predictions);
  const coco = cocoEvaluate(input);
  const names = new Map(gt.classes.map((n, c) => [categoryIdOf(gt, c), n]));
  const b = boardMetrics(input, names, { conf: detector.spec.verdict.conf, verdict: { classConf: detector.spec.verdict.classConf } });
  return { label, map50: coco.stats[1]!, map50_95: coco.stats[0]!, board: b.atRule, sweep: b.sweep, escapedBoards: b.escapedBoards, falseCallBoards: b.falseCallBoardKeys, crossCheck: crossCheck(predictions, names) };
}

async function latency(detector: NodeDetector, inputs: DetectorInput<string | Uint8Array>[], runs: number): Promise<{ totalMs: number; inferenceMs: number }> {
  const totals: number[] = [];
  const inference: number[] = [];
  for (let r = 0; r < runs + 3; r++) {
    const t0 = performance.now();
    const result = await detector.detect(inputs[r % inputs.length]!);
    if (r < 3) continue;
    totals.push(performance.now() - t0);
    inference.push(result.timings.inference);
  }
  const med = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  return { totalMs: med(totals), inferenceMs: med(inference) };
}

const report: Record<string, unknown>[] = [];
for (const model of values.models!.split(',')) {
  const detector = await loadDetector(model, { device: 'cpu', threads: 2 });
  const entry: Record<string, unknown> = { model, name: detector.spec.name, reference: detector.spec.input.reference ?? null, verdict: detector.spec.verdict };
  try {
    if (!detector.spec.input.reference) {
      const inputs = [...boardPaths, ...good.map((g) => g.path)];
      entry.runs = [await evaluate(detector, 'single image', inputs)];
      entry.latency = await latency(detector, boardPaths, Number(values['latency-runs']));
    } else {
      const aligned: DetectorInput<string | Uint8Array>[] = [...boardPaths.map((p) => ({ image: p, reference: templateOf(p) })), ...good.map((g) => ({ image: g.path, reference: g.path }))];
      const runs = [await evaluate(detector, 'reference as given', aligned)];
      // Shifts phase correlation finds on the DeepPCB pairs as given (they are registered: expect 0, 0).
      const found = new Map<string, number>();
      for (const p of boardPaths) {
        const s = estimateShift(await greyPlane(p), await greyPlane(templateOf(p)), 640, 640);
        found.set(`${s.dx},${s.dy}`, (found.get(`${s.dx},${s.dy}`) ?? 0) + 1);
      }
      entry.shiftsFoundOnPairs = Object.fromEntries([...found].sort((a, b) => b[1] - a[1]));
      if (misalign > 0) {
        const moved: DetectorInput<string | Uint8Array>[] = [];
        let recovered = 0;
        for (const [i, input] of aligned.entries()) {
          const s = shiftOf(i, misalign);
          const { image, reference } = input as { image: string; reference: string };
          const ref = await shifted(reference, s);
          // Moving the reference by s moves the shift of the pair (its own offset, often a pixel) by -s.
          const own = estimateShift(await greyPlane(image), await greyPlane(reference), 640, 640);
          const est = estimateShift(await greyPlane(image), await greyPlane(ref), 640, 640);
          if (est.dx === own.dx - s.dx && est.dy === own.dy - s.dy) recovered++;
          moved.push({ image, reference: ref });
        }
        entry.misalign = { maxShift: misalign, pairs: moved.length, shiftRecoveredExactly: recovered };
        runs.push(await evaluate(detector, `reference moved up to ${misalign} px, not aligned`, moved));
        const alignedDetector = await loadDetector(model, { device: 'cpu', threads: 2, align: 'shift' });
        try {
          runs.push(await evaluate(alignedDetector, `reference moved up to ${misalign} px, --align shift`, moved));
        } finally {
          await alignedDetector.dispose();
        }
      }
      entry.runs = runs;
      entry.latency = await latency(detector, aligned.slice(0, boardPaths.length), Number(values['latency-runs']));
    }
  } finally {
    await detector.dispose();
  }
  report.push(entry);
  for (const r of entry.runs as RunResult[]) {
    const b = r.board;
    console.log(
      `${entry.name} [${r.label}]: mAP50 ${r.map50.toFixed(4)} (50-95 ${r.map50_95.toFixed(4)}); at conf ${b.rule.conf}: escapes ${b.escapes}/${b.defectiveBoards}, ` +
        `false-call boards ${b.falseCallBoards}/${b.goodBoards} (${(b.falseCallRate * 100).toFixed(1)}%), false boxes/board ${b.falseBoxesPerBoard.toFixed(3)} (good ${b.falseBoxesPerGoodBoard.toFixed(3)}), missed defects ${b.missedDefects}/${b.defects}`,
    );
    const x = r.crossCheck;
    console.log(
      `  operating point picked on half the boards, scored on the other (${x.folds.map((f) => `conf ${f.conf} from the ${f.pickedOn} half`).join(', ')}): ` +
        `escapes ${x.escapes}/${x.defectiveBoards}, false-call boards ${x.falseCallBoards}/${x.goodBoards} (${((100 * x.falseCallBoards) / x.goodBoards).toFixed(1)}%)`,
    );
  }
  const lat = entry.latency as { totalMs: number; inferenceMs: number };
  console.log(`${entry.name}: latency per board ${lat.totalMs.toFixed(1)} ms (inference ${lat.inferenceMs.toFixed(1)} ms), batch 1, 2 threads`);
  if (entry.shiftsFoundOnPairs) console.log(`${entry.name}: shifts found on the pairs as given: ${JSON.stringify(entry.shiftsFoundOnPairs)}`);
  if (entry.misalign) console.log(`${entry.name}: misaligned references: ${JSON.stringify(entry.misalign)}`);
}
await writeFileAtomic(values.out!, `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model, load: loadavg(), data: values.data, split: values.split, boards: boards.length, templates: good.length, models: report }, null, 2)}\n`);
console.log(`written ${values.out}`);
