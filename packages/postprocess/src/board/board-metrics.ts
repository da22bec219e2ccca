import type { CocoEvalInput, ImageKey } from '../metrics/coco-eval.js';
import { xywhIou } from '../metrics/xywh-iou.js';
import { boardVerdict, mergeVerdictRule, verdictThreshold, type VerdictRule } from './board-verdict.js';

/** Board-level figures at one verdict rule. */
export interface BoardCounts {
  /** The rule's score for every class (the sweep's threshold). */
  conf: number;
  /** Boards with at least one ground-truth defect, and boards without any (good boards). */
  defectiveBoards: number;
  goodBoards: number;
  /** Defective boards judged `pass`: they would leave the line. */
  escapes: number;
  /** escapes / defectiveBoards (0 without defective boards). */
  escapeRate: number;
  /** Good boards judged `fail`: stopped for nothing. */
  falseCallBoards: number;
  /** falseCallBoards / goodBoards (0 without good boards). */
  falseCallRate: number;
  /** Detections at or above their class threshold that match no ground-truth defect of their class (IoU ≥ `iou`). */
  falseBoxes: number;
  /** falseBoxes over every board, and over good boards only. */
  falseBoxesPerBoard: number;
  falseBoxesPerGoodBoard: number;
  /** Ground-truth defects no detection at or above its class threshold found (IoU ≥ `iou`, same class). */
  missedDefects: number;
  defects: number;
}

/** What {@link boardMetrics} returns: the operating point, its escaped and false-call boards, and the sweep. */
export interface BoardMetricsResult {
  /** The figures under the operating rule (`conf` and the per-class thresholds). */
  atRule: BoardCounts & { rule: VerdictRule };
  /** The defective boards that passed and the good boards that failed under the operating rule. */
  escapedBoards: ImageKey[];
  falseCallBoardKeys: ImageKey[];
  /** One entry per sweep threshold (one score for every class), ascending: escape rate against false-call rate. */
  sweep: BoardCounts[];
  iou: number;
}

/** Options of {@link boardMetrics}. */
export interface BoardMetricsOptions {
  /** The operating score for every class (a board fails at a detection scoring ≥ its class threshold). */
  conf: number;
  /** IoU a detection needs with a defect of its class to count as finding it (default 0.5). */
  iou?: number;
  /** Per-class thresholds (and a replacement `conf`) of the operating rule. */
  verdict?: Partial<VerdictRule>;
  /** Sweep thresholds (default 0.05, 0.10, …, 0.95). */
  sweep?: readonly number[];
}

/** The default sweep: 0.05 to 0.95 in steps of 0.05 (rounded to two decimals). */
export const BOARD_SWEEP: readonly number[] = Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100);

interface Board {
  key: ImageKey;
  gts: { categoryId: number; bbox: readonly number[] }[];
  dets: { label: string; categoryId: number; bbox: readonly number[]; score: number }[];
}

function groupBoards(input: CocoEvalInput, names: ReadonlyMap<number, string>): Board[] {
  const boards = new Map<ImageKey, Board>(input.imageIds.map((key) => [key, { key, gts: [], dets: [] }]));
  for (const g of input.groundTruth) boards.get(g.imageId)?.gts.push({ categoryId: g.categoryId, bbox: g.bbox });
  for (const d of input.detections) boards.get(d.imageId)?.dets.push({ label: names.get(d.categoryId) ?? String(d.categoryId), categoryId: d.categoryId, bbox: d.bbox, score: d.score });
  for (const b of boards.values()) b.dets.sort((x, y) => y.score - x.score);
  return [...boards.values()];
}

/** Greedy matching by score: each kept detection takes the unmatched defect of its class with the highest IoU ≥ iou. */
function matchBoard(board: Board, rule: VerdictRule, iou: number): { falseBoxes: number; missed: number } {
  const used = new Uint8Array(board.gts.length);
  let falseBoxes = 0;
  for (const d of board.dets) {
    if (d.score < verdictThreshold(d.label, rule)) continue;
    let best = -1;
    let bestIou = iou;
    board.gts.forEach((g, k) => {
      if (used[k] || g.categoryId !== d.categoryId) return;
      const v = xywhIou(d.bbox, g.bbox);
      if (v >= bestIou) {
        bestIou = v;
        best = k;
      }
    });
    if (best < 0) falseBoxes++;
    else used[best] = 1;
  }
  return { falseBoxes, missed: used.length - used.reduce((a, u) => a + u, 0) };
}

function countBoards(boards: readonly Board[], rule: VerdictRule, iou: number): { counts: BoardCounts; escaped: ImageKey[]; falseCalls: ImageKey[] } {
  const escaped: ImageKey[] = [];
  const falseCalls: ImageKey[] = [];
  let defective = 0;
  let falseBoxes = 0;
  let falseBoxesGood = 0;
  let missed = 0;
  let defects = 0;
  for (const b of boards) {
    const verdict = boardVerdict(b.dets, rule);
    const m = matchBoard(b, rule, iou);
    falseBoxes += m.falseBoxes;
    missed += m.missed;
    defects += b.gts.length;
    if (b.gts.length > 0) {
      defective++;
      if (verdict === 'pass') escaped.push(b.key);
    } else {
      falseBoxesGood += m.falseBoxes;
      if (verdict === 'fail') falseCalls.push(b.key);
    }
  }
  const good = boards.length - defective;
  const counts: BoardCounts = {
    conf: rule.conf,
    defectiveBoards: defective,
    goodBoards: good,
    escapes: escaped.length,
    escapeRate: defective ? escaped.length / defective : 0,
    falseCallBoards: falseCalls.length,
    falseCallRate: good ? falseCalls.length / good : 0,
    falseBoxes,
    falseBoxesPerBoard: boards.length ? falseBoxes / boards.length : 0,
    falseBoxesPerGoodBoard: good ? falseBoxesGood / good : 0,
    missedDefects: missed,
    defects,
  };
  return { counts, escaped, falseCalls };
}

/**
 * Board-level inspection figures: every image is a board; a board with ground-truth defects is defective, one
 * without is good. Under the verdict rule (`boardVerdict`: a board fails when a detection scores at or above its
 * class threshold) it counts escapes (defective boards passed), false-call boards (good boards failed), false
 * boxes per board and missed defects, at the operating rule and along a sweep of one score for every class.
 *
 * @example
 * const { atRule, sweep } = boardMetrics(input, names, { conf: 0.25 });
 * atRule.escapes; atRule.falseCallRate; sweep.map((s) => [s.conf, s.escapeRate, s.falseCallRate]);
 */
export function boardMetrics(input: CocoEvalInput, names: ReadonlyMap<number, string>, options: BoardMetricsOptions): BoardMetricsResult {
  const iou = options.iou ?? 0.5;
  const boards = groupBoards(input, names);
  const rule = mergeVerdictRule({ conf: options.conf, classConf: {} }, options.verdict);
  const at = countBoards(boards, rule, iou);
  const thresholds = [...new Set(options.sweep ?? BOARD_SWEEP)].sort((a, b) => a - b);
  return {
    atRule: { ...at.counts, rule },
    escapedBoards: at.escaped,
    falseCallBoardKeys: at.falseCalls,
    sweep: thresholds.map((t) => countBoards(boards, { conf: t, classConf: {} }, iou).counts),
    iou,
  };
}
