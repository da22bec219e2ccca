import { boardMetrics, type BoardCounts } from '../board/board-metrics.js';
import type { VerdictRule } from '../board/board-verdict.js';
import { InvalidArgumentError } from '../errors.js';
import { cocoEvaluate, type CocoEvalInput } from './coco-eval.js';
import { COCO_STATS_LABELS } from './coco-params.js';
import { DEEPPCB_IOU_CONSTRAINT, deeppcbEvaluate, type DeepPcbImage } from './deeppcb-protocol.js';
import { thresholdMetrics, type ThresholdMetricsResult } from './threshold-metrics.js';
import { ultralyticsMap } from './ultralytics-map.js';
import { vocEvaluate } from './voc-ap.js';

/** The evaluation protocols {@link evaluateDetections} runs. */
export const EVAL_PROTOCOLS = ['coco', 'voc', 'deeppcb', 'ultralytics', 'board'] as const;
/** One of {@link EVAL_PROTOCOLS}. */
export type EvalProtocol = (typeof EVAL_PROTOCOLS)[number];

/** Reads a protocol name (any case); `UNKNOWN_PROTOCOL` naming the field otherwise. */
export function parseEvalProtocol(text: string, field = 'protocol'): EvalProtocol {
  const protocol = text.toLowerCase();
  if (!(EVAL_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new InvalidArgumentError('UNKNOWN_PROTOCOL', `protocol "${text}" is not one of ${EVAL_PROTOCOLS.join(', ')}`, { field, value: text });
  }
  return protocol as EvalProtocol;
}

/** Ground truth and predictions ready to score: the COCO input, class names, and the DeepPCB view of them. */
export interface EvalData {
  input: CocoEvalInput;
  /** Category id → class name. */
  names: ReadonlyMap<number, string>;
  /** The same images for the DeepPCB protocol (built only when that protocol runs). */
  deeppcbImages: () => DeepPcbImage[];
}

/** Options of {@link evaluateDetections}. */
export interface EvaluateOptions {
  protocol: EvalProtocol;
  /** Score threshold of the P / R / F1 / confusion-matrix figures (scores strictly above count); default 0.25. */
  scoreThreshold?: number;
  /** IoU threshold of those figures; default 0.5. */
  iouThreshold?: number;
  /** `board`: per-class thresholds over `scoreThreshold` for the verdicts (a detection at or above fails its board). */
  verdict?: Partial<VerdictRule>;
  /** `board`: the sweep's thresholds (default 0.05 … 0.95). */
  sweep?: readonly number[];
}

/** One row of the per-class table (`name` `all` for the whole set). */
export interface EvalTableRow {
  name: string;
  images: number;
  instances: number;
  p: number;
  r: number;
  map50: number | null;
  map50_95: number | null;
}

/** What {@link evaluateDetections} returns: the protocol's numbers as JSON, a one-paragraph summary and the table. */
export interface EvalReport {
  protocol: EvalProtocol;
  /** The machine-readable result (for coco: `stats` = the 12 pycocotools numbers in order). */
  json: Record<string, unknown>;
  /** The protocol's headline numbers as indented text lines. */
  summary: string;
  /** `all`, then one row per category. */
  table: EvalTableRow[];
  images: number;
  instances: number;
  detections: number;
  scoreThreshold: number;
  iouThreshold: number;
}

type ApByClass = Map<number, { map50: number | null; map50_95: number | null }>;

/**
 * Scores predictions against ground truth with one protocol, plus precision / recall / confusion matrix at a
 * score and IoU threshold: the evaluation behind `defectkit eval`, as a library function.
 *
 * @example
 * const report = evaluateDetections(await readEvalData({ gt: 'gt.json', pred: 'pred.json' }), { protocol: 'coco' });
 * console.log(formatEvalReport(report));
 */
export function evaluateDetections(data: EvalData, options: EvaluateOptions): EvalReport {
  const { input, names } = data;
  const { protocol } = options;
  const conf = options.scoreThreshold ?? 0.25;
  const iou = options.iouThreshold ?? 0.5;
  const threshold = thresholdMetrics(input, { scoreThreshold: conf, iouThreshold: iou });
  const nameOf = (c: number): string => names.get(c) ?? String(c);
  const ap: ApByClass = new Map();
  let json: Record<string, unknown>;
  let summary: string;
  let all: { map50: number | null; map50_95: number | null };
  if (protocol === 'coco') {
    const r = cocoEvaluate(input);
    for (const c of r.perClass) ap.set(c.categoryId, { map50: c.ap50, map50_95: c.ap50_95 });
    all = { map50: r.stats[1]!, map50_95: r.stats[0]! };
    json = { protocol, stats: r.stats, statsLabels: COCO_STATS_LABELS, perClass: r.perClass.map(({ precisionIou50: _curve, ...c }) => ({ ...c, name: nameOf(c.categoryId) })) };
    summary = COCO_STATS_LABELS.map((label, i) => `  ${label.padEnd(20)} ${formatFigure(r.stats[i]!)}`).join('\n');
  } else if (protocol === 'voc') {
    const r = vocEvaluate(input);
    for (const c of r) ap.set(c.categoryId, { map50: c.allPoint, map50_95: null });
    const valid = r.filter((c) => c.allPoint !== null);
    const mean = (f: (c: (typeof r)[number]) => number): number => (valid.length ? valid.reduce((a, c) => a + f(c), 0) / valid.length : 0);
    all = { map50: mean((c) => c.allPoint!), map50_95: null };
    const map11 = mean((c) => c.elevenPoint!);
    json = { protocol, iouThreshold: 0.5, mAP: all.map50, mAP11: map11, perClass: r.map((c) => ({ ...c, name: nameOf(c.categoryId) })) };
    summary = `  VOC mAP@0.5 all-point ${formatFigure(all.map50)}, 11-point ${formatFigure(map11)}`;
  } else if (protocol === 'ultralytics') {
    const r = ultralyticsMap(input);
    for (const c of r.perClass) ap.set(c.categoryId, { map50: c.ap50, map50_95: c.ap50_95 });
    all = { map50: r.map50, map50_95: r.map50_95 };
    json = { protocol, note: 'Ultralytics-style mAP (validator matching, 101-point trapezoid AP), not COCO', ...r, perClass: r.perClass.map((c) => ({ ...c, name: nameOf(c.categoryId) })) };
    summary = `  Ultralytics-style mAP50 ${formatFigure(r.map50)}, mAP50-95 ${formatFigure(r.map50_95)}, fitness ${formatFigure(r.fitness)} (not COCO numbers)`;
  } else if (protocol === 'board') {
    const coco = cocoEvaluate(input);
    for (const c of coco.perClass) ap.set(c.categoryId, { map50: c.ap50, map50_95: c.ap50_95 });
    all = { map50: coco.stats[1]!, map50_95: coco.stats[0]! };
    const r = boardMetrics(input, names, { conf, iou, ...(options.verdict ? { verdict: options.verdict } : {}), ...(options.sweep ? { sweep: options.sweep } : {}) });
    json = { protocol, cocoMap50: coco.stats[1], cocoMap50_95: coco.stats[0], ...r };
    summary = formatBoardSummary(r.atRule, r.sweep, iou);
  } else {
    const r = deeppcbEvaluate(data.deeppcbImages());
    all = { map50: null, map50_95: null };
    json = { protocol, iouConstraint: DEEPPCB_IOU_CONSTRAINT, precision: r.precision, recall: r.recall, fscore: r.hmean, ap: r.ap, perSample: r.perSample };
    summary = `  DeepPCB protocol (IoU > 0.33, class-blind pairing): precision ${formatFigure(r.precision)}, recall ${formatFigure(r.recall)}, F-score ${formatFigure(r.hmean)}, pooled AP ${formatFigure(r.ap)}`;
  }
  json.atThreshold = { scoreThreshold: conf, iouThreshold: iou, overall: threshold.overall, perClass: threshold.perClass, confusionMatrix: threshold.matrix };
  const overall: EvalTableRow = { name: 'all', images: input.imageIds.length, instances: input.groundTruth.length, p: threshold.overall.precision, r: threshold.overall.recall, ...all };
  return {
    protocol,
    json,
    summary,
    table: [overall, ...classRows(input, threshold, ap, nameOf)],
    images: input.imageIds.length,
    instances: input.groundTruth.length,
    detections: input.detections.length,
    scoreThreshold: conf,
    iouThreshold: iou,
  };
}

function classRows(input: CocoEvalInput, threshold: ThresholdMetricsResult, ap: ApByClass, nameOf: (c: number) => string): EvalTableRow[] {
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

/** The board protocol's text: the operating point, then the sweep as a table (escape rate against false-call rate). */
function formatBoardSummary(at: BoardCounts & { rule: VerdictRule }, sweep: readonly BoardCounts[], iou: number): string {
  const classes = Object.entries(at.rule.classConf).map(([k, v]) => `${k}=${v}`);
  const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
  const lines = [
    `  Boards: ${at.defectiveBoards} defective, ${at.goodBoards} good; verdict: fail at a detection scoring >= ${at.rule.conf}${classes.length ? ` (${classes.join(', ')})` : ''}`,
    `  escapes ${at.escapes} (${pct(at.escapeRate)} of defective boards), false-call boards ${at.falseCallBoards} (${pct(at.falseCallRate)} of good boards)`,
    `  false boxes ${at.falseBoxes} (${at.falseBoxesPerBoard.toFixed(3)} per board, ${at.falseBoxesPerGoodBoard.toFixed(3)} per good board), missed defects ${at.missedDefects} of ${at.defects} (IoU >= ${iou}, same class)`,
    '  sweep (one score for every class):',
    '    conf  escapes  escape rate  false calls  false-call rate  false boxes/board',
    ...sweep.map((s) => `    ${s.conf.toFixed(2)}  ${String(s.escapes).padStart(7)}  ${pct(s.escapeRate).padStart(11)}  ${String(s.falseCallBoards).padStart(11)}  ${pct(s.falseCallRate).padStart(15)}  ${s.falseBoxesPerBoard.toFixed(3).padStart(17)}`),
  ];
  return lines.join('\n');
}

/** A figure with three decimals; `-` for none, `n/a` for COCO's −1 (no ground truth). */
export function formatFigure(value: number | null): string {
  return value === null ? '-' : value < 0 ? 'n/a' : value.toFixed(3);
}

/** The report as text: headline, protocol summary, the per-class table and the thresholds of P and R. */
export function formatEvalReport(report: EvalReport): string {
  const header = ['class', 'images', 'instances', 'P', 'R', 'mAP50', 'mAP50-95'];
  const cells = report.table.map((r) => [r.name, String(r.images), String(r.instances), formatFigure(r.p), formatFigure(r.r), formatFigure(r.map50), formatFigure(r.map50_95)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [
    `${report.protocol} evaluation: ${report.images} images, ${report.instances} instances, ${report.detections} detections`,
    report.summary,
    '',
    [line(header), ...cells.map(line)].join('\n'),
    `  (P and R at score > ${report.scoreThreshold}, IoU >= ${report.iouThreshold})`,
  ].join('\n');
}
