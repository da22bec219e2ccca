import type { Command } from 'commander';

const PROTOCOLS = ['coco', 'voc', 'deeppcb', 'ultralytics'] as const;
type Protocol = (typeof PROTOCOLS)[number];

interface EvalFlags {
  gt: string;
  pred: string;
  protocol: string;
  gtFormat?: string;
  split?: string;
  json?: boolean;
  conf: string;
  iou: string;
}

/** One row of the per-class table. */
interface TableRow {
  name: string;
  images: number;
  instances: number;
  p: number;
  r: number;
  map50: number | null;
  map50_95: number | null;
}

/** Registers `defectkit eval`: detection metrics of predictions against a ground truth. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('Evaluate predictions against ground truth: COCO (pycocotools-identical), VOC, DeepPCB protocol or Ultralytics-style mAP')
    .requiredOption('--gt <path>', 'ground truth: a COCO annotation JSON file, or a dataset folder (see --gt-format)')
    .requiredOption('--pred <path>', 'predictions: a COCO results JSON file, or a folder of DeepPCB result files <image stem>.txt')
    .requiredOption('--protocol <name>', 'coco, voc, deeppcb or ultralytics')
    .option('--gt-format <fmt>', 'format of a ground-truth folder: deeppcb, yolo, voc or coco')
    .option('--split <name>', 'evaluate only this split of a ground-truth folder (train, val or test)')
    .option('--conf <n>', 'score threshold of the P / R / F1 / confusion-matrix figures (scores strictly above count)', '0.25')
    .option('--iou <n>', 'IoU threshold of the P / R / F1 / confusion-matrix figures', '0.5')
    .option('--json', 'print one JSON object (for coco: `stats` = the 12 pycocotools numbers in order)')
    .action(async (flags: EvalFlags) => {
      const { InvalidArgumentError } = await import('@defectkit/core');
      const protocol = flags.protocol.toLowerCase() as Protocol;
      if (!PROTOCOLS.includes(protocol)) {
        throw new InvalidArgumentError('UNKNOWN_PROTOCOL', `--protocol "${flags.protocol}" is not one of ${PROTOCOLS.join(', ')}`, {
          field: 'protocol',
          value: flags.protocol,
        });
      }
      const conf = parseNumber(flags.conf, 'conf', InvalidArgumentError);
      const iou = parseNumber(flags.iou, 'iou', InvalidArgumentError);
      const data = await loadInputs(flags);
      const report = await evaluate(protocol, data, conf, iou);
      process.stdout.write(flags.json ? `${JSON.stringify(report.json)}\n` : `${report.text}\n`);
    });
}

function parseNumber(text: string, field: string, ErrorClass: typeof import('@defectkit/core').InvalidArgumentError): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new ErrorClass('INVALID_NUMBER', `--${field} "${text}" is not a number`, { field, value: text });
  }
  return value;
}

type Postprocess = typeof import('@defectkit/postprocess');

interface LoadedInputs {
  pp: Postprocess;
  input: import('@defectkit/postprocess').CocoEvalInput;
  /** Category id → class name. */
  names: Map<number, string>;
  deeppcbImages: () => import('@defectkit/postprocess').DeepPcbImage[];
}

async function readJson(path: string, what: string): Promise<unknown> {
  const { readFile } = await import('node:fs/promises');
  const { EvaluationInputError } = await import('@defectkit/postprocess');
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new EvaluationInputError(`${path}: the ${what} is not valid JSON (${(cause as Error).message})`, { file: path });
  }
}

async function loadInputs(flags: EvalFlags): Promise<LoadedInputs> {
  const { stat } = await import('node:fs/promises');
  const pp = await import('@defectkit/postprocess');
  const { InvalidArgumentError } = await import('@defectkit/core');
  const gtIsFile = (await stat(flags.gt)).isFile();
  const predIsFile = (await stat(flags.pred)).isFile();
  if (gtIsFile) {
    // COCO files are evaluated straight from their [x, y, w, h] numbers, exactly as pycocotools reads them.
    if (flags.split !== undefined) {
      throw new InvalidArgumentError('UNSUPPORTED_INPUT', `--split applies to a ground-truth folder; ${flags.gt} is a COCO file (one split already)`, {
        field: 'split',
      });
    }
    if (!predIsFile) {
      throw new InvalidArgumentError('UNSUPPORTED_INPUT', `With a COCO ground-truth file (${flags.gt}) --pred must be a COCO results JSON file`, {
        field: 'pred',
        value: flags.pred,
      });
    }
    const gtJson = await readJson(flags.gt, 'ground truth');
    const results = await readJson(flags.pred, 'results list');
    const input = pp.cocoEvalInputFromJson(gtJson, results, { gt: flags.gt, results: flags.pred });
    const categories = (gtJson as { categories: { id: number; name?: unknown }[] }).categories;
    const names = new Map(categories.map((c) => [c.id, typeof c.name === 'string' ? c.name : String(c.id)]));
    return { pp, input, names, deeppcbImages: () => pp.deeppcbImagesFromEvalInput(input, names) };
  }
  if (flags.gtFormat === undefined) {
    throw new InvalidArgumentError('MISSING_OPTION', `--gt ${flags.gt} is a folder: name its format with --gt-format deeppcb|yolo|voc|coco`, {
      field: 'gt-format',
    });
  }
  const { parseDatasetFormat } = await import('@defectkit/annotations');
  const { readDataset } = await import('@defectkit/annotations/node');
  const { dataset: whole } = await readDataset(flags.gt, parseDatasetFormat(flags.gtFormat, 'gt-format'));
  const dataset = flags.split === undefined ? whole : { ...whole, images: whole.images.filter((image) => image.split === flags.split) };
  if (dataset.images.length === 0) {
    throw new InvalidArgumentError('EMPTY_SPLIT', `--split ${flags.split}: ${flags.gt} has no image in that split`, { field: 'split', file: flags.gt });
  }
  const predictions = predIsFile
    ? pp.predictionsFromCocoResults(await readJson(flags.pred, 'results list'), dataset, flags.pred)
    : await readDeepPcbResultFolder(pp, flags.pred, dataset);
  const input = pp.evalInputFromDataset(dataset, predictions);
  const names = new Map(dataset.classes.map((name, c) => [pp.categoryIdOf(dataset, c), name]));
  return { pp, input, names, deeppcbImages: () => pp.deeppcbImagesFromDataset(dataset, predictions) };
}

/** Reads `<stem>.txt` (or the stem without DeepPCB's `_test` suffix) for every image; a missing file = no result. */
async function readDeepPcbResultFolder(
  pp: Postprocess,
  dir: string,
  dataset: import('@defectkit/annotations').Dataset,
): Promise<import('@defectkit/postprocess').ImagePredictions[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const files = new Set((await readdir(dir)).filter((f) => f.endsWith('.txt')));
  return Promise.all(
    dataset.images.map(async (image) => {
      const stem = pp.fileStem(image.path);
      const name = [`${stem}.txt`, `${stem.replace(/_test$/, '')}.txt`].find((n) => files.has(n));
      if (name === undefined) return { imageKey: pp.imageKeyOf(image), detections: null };
      const file = join(dir, name);
      return { imageKey: pp.imageKeyOf(image), detections: pp.parseDeepPcbResults(await readFile(file, 'utf8'), dataset.classes, file) };
    }),
  );
}

async function evaluate(protocol: Protocol, data: LoadedInputs, conf: number, iou: number): Promise<{ json: unknown; text: string }> {
  const { pp, input, names } = data;
  const threshold = pp.thresholdMetrics(input, { scoreThreshold: conf, iouThreshold: iou });
  const atThreshold = { scoreThreshold: conf, iouThreshold: iou, overall: threshold.overall, perClass: threshold.perClass, confusionMatrix: threshold.matrix };
  const nameOf = (c: number) => names.get(c) ?? String(c);
  const ap = new Map<number, { map50: number | null; map50_95: number | null }>();
  let json: Record<string, unknown>;
  let summary: string;
  let all: { map50: number | null; map50_95: number | null };
  if (protocol === 'coco') {
    const r = pp.cocoEvaluate(input);
    for (const c of r.perClass) ap.set(c.categoryId, { map50: c.ap50, map50_95: c.ap50_95 });
    all = { map50: r.stats[1]!, map50_95: r.stats[0]! };
    json = {
      protocol,
      stats: r.stats,
      statsLabels: pp.COCO_STATS_LABELS,
      perClass: r.perClass.map(({ precisionIou50: _curve, ...c }) => ({ ...c, name: nameOf(c.categoryId) })),
    };
    summary = pp.COCO_STATS_LABELS.map((label, i) => `  ${label.padEnd(20)} ${fmt(r.stats[i]!)}`).join('\n');
  } else if (protocol === 'voc') {
    const r = pp.vocEvaluate(input);
    for (const c of r) ap.set(c.categoryId, { map50: c.allPoint, map50_95: null });
    const valid = r.filter((c) => c.allPoint !== null);
    const mean = (f: (c: (typeof r)[number]) => number) => (valid.length ? valid.reduce((a, c) => a + f(c), 0) / valid.length : 0);
    all = { map50: mean((c) => c.allPoint!), map50_95: null };
    json = { protocol, iouThreshold: 0.5, mAP: all.map50, mAP11: mean((c) => c.elevenPoint!), perClass: r.map((c) => ({ ...c, name: nameOf(c.categoryId) })) };
    summary = `  VOC mAP@0.5 all-point ${fmt(all.map50!)}, 11-point ${fmt(json.mAP11 as number)}`;
  } else if (protocol === 'ultralytics') {
    const r = pp.ultralyticsMap(input);
    for (const c of r.perClass) ap.set(c.categoryId, { map50: c.ap50, map50_95: c.ap50_95 });
    all = { map50: r.map50, map50_95: r.map50_95 };
    json = { protocol, note: 'Ultralytics-style mAP (validator matching, 101-point trapezoid AP), not COCO', ...r, perClass: r.perClass.map((c) => ({ ...c, name: nameOf(c.categoryId) })) };
    summary = `  Ultralytics-style mAP50 ${fmt(r.map50)}, mAP50-95 ${fmt(r.map50_95)}, fitness ${fmt(r.fitness)} (not COCO numbers)`;
  } else {
    const r = pp.deeppcbEvaluate(data.deeppcbImages());
    all = { map50: null, map50_95: null };
    json = { protocol, iouConstraint: pp.DEEPPCB_IOU_CONSTRAINT, precision: r.precision, recall: r.recall, fscore: r.hmean, ap: r.ap, perSample: r.perSample };
    summary = `  DeepPCB protocol (IoU > 0.33, class-blind pairing): precision ${fmt(r.precision)}, recall ${fmt(r.recall)}, F-score ${fmt(r.hmean)}, pooled AP ${fmt(r.ap)}`;
  }
  json.atThreshold = atThreshold;
  const rows = tableRows(input, threshold, ap, nameOf);
  const overall: TableRow = {
    name: 'all',
    images: input.imageIds.length,
    instances: input.groundTruth.length,
    p: threshold.overall.precision,
    r: threshold.overall.recall,
    ...all,
  };
  const text = [`${protocol} evaluation: ${input.imageIds.length} images, ${input.groundTruth.length} instances, ${input.detections.length} detections`, summary, '', formatTable([overall, ...rows]), `  (P and R at score > ${conf}, IoU >= ${iou})`].join('\n');
  return { json, text };
}

function tableRows(
  input: import('@defectkit/postprocess').CocoEvalInput,
  threshold: import('@defectkit/postprocess').ThresholdMetricsResult,
  ap: Map<number, { map50: number | null; map50_95: number | null }>,
  nameOf: (c: number) => string,
): TableRow[] {
  return threshold.categoryIds.map((categoryId, k) => {
    const gts = input.groundTruth.filter((g) => g.categoryId === categoryId);
    const counts = threshold.perClass[k]!;
    return {
      name: nameOf(categoryId),
      images: new Set(gts.map((g) => g.imageId)).size,
      instances: gts.length,
      p: counts.precision,
      r: counts.recall,
      map50: ap.get(categoryId)?.map50 ?? null,
      map50_95: ap.get(categoryId)?.map50_95 ?? null,
    };
  });
}

function formatTable(rows: TableRow[]): string {
  const header = ['class', 'images', 'instances', 'P', 'R', 'mAP50', 'mAP50-95'];
  const cells = rows.map((r) => [r.name, String(r.images), String(r.instances), fmt(r.p), fmt(r.r), fmt(r.map50), fmt(r.map50_95)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}

function fmt(value: number | null): string {
  return value === null ? '-' : value < 0 ? 'n/a' : value.toFixed(3);
}
