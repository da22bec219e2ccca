import { EvaluationInputError } from '../errors.js';
import { COCO_AREA_RANGES, COCO_IOU_THRESHOLDS, COCO_MAX_DETS, COCO_RECALL_THRESHOLDS } from './coco-params.js';

/** An image key: the COCO image id (or any unique key). */
export type ImageKey = number | string;

/** One ground-truth box for COCO evaluation (COCO conventions: `[x, y, w, h]`, `area` as given). */
export interface CocoGroundTruth {
  /** The annotation id; must be ≥ 1 (pycocotools treats id 0 as "unmatched"; reproduced, not fixed). */
  id: number;
  imageId: ImageKey;
  categoryId: number;
  bbox: readonly [number, number, number, number];
  /** The area used for the area ranges (COCO takes the `area` field, not w·h). */
  area: number;
  iscrowd: boolean;
}

/** One detection for COCO evaluation. */
export interface CocoDetection {
  imageId: ImageKey;
  categoryId: number;
  bbox: readonly [number, number, number, number];
  score: number;
}

/** Everything `COCOeval` needs: the image and category lists of the ground truth, its boxes, the detections. */
export interface CocoEvalInput {
  imageIds: readonly ImageKey[];
  categoryIds: readonly number[];
  groundTruth: readonly CocoGroundTruth[];
  detections: readonly CocoDetection[];
}

/** Per-category results (area "all", 100 detections); −1 where the category has no ground truth. */
export interface CocoClassResult {
  categoryId: number;
  ap50_95: number;
  ap50: number;
  ap75: number;
  ar100: number;
  /** The 101 interpolated precisions at IoU 0.5. */
  precisionIou50: number[];
}

/** The output of {@link cocoEvaluate}. */
export interface CocoEvalResult {
  /** The 12 `COCOeval.stats` in pycocotools order ({@link COCO_STATS_LABELS}). */
  stats: number[];
  perClass: CocoClassResult[];
  /** precision[t][r][k][a][m] flattened as in pycocotools' `eval['precision']` (T×R×K×A×M). */
  precision: Float64Array;
  /** recall[t][k][a][m] flattened (T×K×A×M). */
  recall: Float64Array;
}

interface EvalImage {
  dtScores: Float64Array;
  /** T×D matched GT id (0 = none), row-major by threshold. */
  dtMatches: Float64Array;
  dtIgnore: Uint8Array;
  gtIgnore: Uint8Array;
}

const EPS = 2.220446049250313e-16; // np.spacing(1)

/**
 * COCO bbox evaluation with exactly the semantics of pycocotools `COCOeval(iouType='bbox')`
 * (evaluate → accumulate → summarize): exact numpy threshold grids, stable score sorts, greedy matching with
 * IoU ≥ t (equal IoU: later GT wins), crowd GT matched by intersection over detection area and ignored,
 * area ranges on the GT `area` field, 100 detections per image and category, −1 for absent categories.
 * Detections of categories outside `categoryIds` are dropped; detections on unknown images are an error.
 *
 * @throws EvaluationInputError `EVAL_INPUT` for a detection on an image that is not in `imageIds`, or NaN input.
 * @example const { stats } = cocoEvaluate(cocoEvalInputFromJson(gtJson, resultsJson));
 */
export function cocoEvaluate(input: CocoEvalInput): CocoEvalResult {
  const imageIds = sortedUnique(input.imageIds);
  const categoryIds = sortedUnique(input.categoryIds) as number[];
  const imageIndex = new Map(imageIds.map((id, i) => [id, i]));
  const categoryIndex = new Map(categoryIds.map((id, k) => [id, k]));
  const I = imageIds.length;
  const K = categoryIds.length;
  const T = COCO_IOU_THRESHOLDS.length;
  const R = COCO_RECALL_THRESHOLDS.length;
  const A = COCO_AREA_RANGES.length;
  const M = COCO_MAX_DETS.length;
  const maxDet = COCO_MAX_DETS[M - 1]!;

  const gts: CocoGroundTruth[][] = Array.from({ length: I * K }, () => []);
  const dts: { det: CocoDetection; id: number; area: number }[][] = Array.from({ length: I * K }, () => []);
  input.groundTruth.forEach((g, n) => {
    const i = imageIndex.get(g.imageId);
    const k = categoryIndex.get(g.categoryId);
    if (i === undefined || k === undefined) {
      throw new EvaluationInputError(`Ground-truth annotation ${g.id} refers to an unknown image ${g.imageId} or category ${g.categoryId}`, {
        field: `groundTruth[${n}]`,
        imageId: g.imageId,
        categoryId: g.categoryId,
      });
    }
    checkBox(g.bbox, `groundTruth[${n}].bbox`);
    gts[i * K + k]!.push(g);
  });
  input.detections.forEach((d, n) => {
    const i = imageIndex.get(d.imageId);
    if (i === undefined) {
      throw new EvaluationInputError(`Detection ${n} is on image ${d.imageId}, which is not in the ground truth`, {
        field: `detections[${n}].image_id`,
        imageId: d.imageId,
      });
    }
    checkBox(d.bbox, `detections[${n}].bbox`);
    if (Number.isNaN(d.score)) throw new EvaluationInputError(`Detection ${n} has a NaN score`, { field: `detections[${n}].score` });
    const k = categoryIndex.get(d.categoryId);
    if (k === undefined) return; // pycocotools evaluates only the GT categories
    dts[i * K + k]!.push({ det: d, id: n + 1, area: d.bbox[2] * d.bbox[3] });
  });

  // evaluateImg for every category × area range × image (maxDet 100).
  const evalImgs: (EvalImage | null)[] = new Array(K * A * I).fill(null);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < I; i++) {
      const gt = gts[i * K + k]!;
      const dtAll = dts[i * K + k]!;
      if (gt.length === 0 && dtAll.length === 0) continue;
      const dt = stableSortByScore(dtAll).slice(0, maxDet);
      const ious = dt.map((d) => gt.map((g) => bboxIou(d.det.bbox, d.area, g.bbox, g.iscrowd)));
      for (let a = 0; a < A; a++) evalImgs[(k * A + a) * I + i] = evaluateImage(gt, dt, ious, COCO_AREA_RANGES[a]!, T);
    }
  }

  // accumulate
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      const E = [];
      for (let i = 0; i < I; i++) {
        const e = evalImgs[(k * A + a) * I + i];
        if (e) E.push(e);
      }
      if (E.length === 0) continue;
      let npig = 0;
      for (const e of E) for (const ig of e.gtIgnore) if (ig === 0) npig++;
      if (npig === 0) continue;
      for (let m = 0; m < M; m++) {
        const mDet = COCO_MAX_DETS[m]!;
        const scores: number[] = [];
        const refs: [EvalImage, number][] = [];
        for (const e of E) {
          const n = Math.min(mDet, e.dtScores.length);
          for (let d = 0; d < n; d++) {
            scores.push(e.dtScores[d]!);
            refs.push([e, d]);
          }
        }
        const order = scores.map((_, j) => j).sort((x, y) => scores[y]! - scores[x]! || x - y);
        const nd = order.length;
        for (let t = 0; t < T; t++) {
          const rc = new Float64Array(nd);
          const pr = new Array<number>(nd);
          let tp = 0;
          let fp = 0;
          for (let j = 0; j < nd; j++) {
            const [e, d] = refs[order[j]!]!;
            const D = e.dtScores.length;
            const matched = e.dtMatches[t * D + d]! !== 0;
            const ignored = e.dtIgnore[t * D + d] === 1;
            if (matched && !ignored) tp++;
            if (!matched && !ignored) fp++;
            rc[j] = tp / npig;
            pr[j] = tp / (fp + tp + EPS);
          }
          recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1]! : 0;
          for (let j = nd - 1; j > 0; j--) if (pr[j]! > pr[j - 1]!) pr[j - 1] = pr[j]!;
          let pos = 0;
          for (let r = 0; r < R; r++) {
            const threshold = COCO_RECALL_THRESHOLDS[r]!;
            while (pos < nd && rc[pos]! < threshold) pos++; // searchsorted(rc, thr, 'left')
            precision[(((t * R + r) * K + k) * A + a) * M + m] = pos < nd ? pr[pos]! : 0;
          }
        }
      }
    }
  }

  const pIndex = (t: number, r: number, k: number, a: number, m: number) => (((t * R + r) * K + k) * A + a) * M + m;
  const rIndex = (t: number, k: number, a: number, m: number) => ((t * K + k) * A + a) * M + m;
  const meanValid = (values: Iterable<number>): number => {
    let sum = 0;
    let n = 0;
    for (const v of values) {
      if (v > -1) {
        sum += v;
        n++;
      }
    }
    return n === 0 ? -1 : sum / n;
  };
  function* precisionSlice(ts: number[], ks: number[], a: number, m: number): Generator<number> {
    for (const t of ts) for (let r = 0; r < R; r++) for (const k of ks) yield precision[pIndex(t, r, k, a, m)]!;
  }
  function* recallSlice(ts: number[], ks: number[], a: number, m: number): Generator<number> {
    for (const t of ts) for (const k of ks) yield recall[rIndex(t, k, a, m)]!;
  }
  const allT = range(T);
  const allK = range(K);
  const t50 = [COCO_IOU_THRESHOLDS.indexOf(0.5)];
  const t75 = [COCO_IOU_THRESHOLDS.indexOf(0.75)];
  const m100 = M - 1;
  const stats = [
    meanValid(precisionSlice(allT, allK, 0, m100)),
    meanValid(precisionSlice(t50, allK, 0, m100)),
    meanValid(precisionSlice(t75, allK, 0, m100)),
    meanValid(precisionSlice(allT, allK, 1, m100)),
    meanValid(precisionSlice(allT, allK, 2, m100)),
    meanValid(precisionSlice(allT, allK, 3, m100)),
    meanValid(recallSlice(allT, allK, 0, 0)),
    meanValid(recallSlice(allT, allK, 0, 1)),
    meanValid(recallSlice(allT, allK, 0, m100)),
    meanValid(recallSlice(allT, allK, 1, m100)),
    meanValid(recallSlice(allT, allK, 2, m100)),
    meanValid(recallSlice(allT, allK, 3, m100)),
  ];
  const perClass = categoryIds.map((categoryId, k) => ({
    categoryId,
    ap50_95: meanValid(precisionSlice(allT, [k], 0, m100)),
    ap50: meanValid(precisionSlice(t50, [k], 0, m100)),
    ap75: meanValid(precisionSlice(t75, [k], 0, m100)),
    ar100: meanValid(recallSlice(allT, [k], 0, m100)),
    precisionIou50: range(R).map((r) => precision[pIndex(t50[0]!, r, k, 0, m100)]!),
  }));
  return { stats, perClass, precision, recall };
}

function evaluateImage(
  gtIn: CocoGroundTruth[],
  dt: { det: CocoDetection; id: number; area: number }[],
  iousIn: number[][],
  [lo, hi]: readonly [number, number],
  T: number,
): EvalImage {
  const ignoreOf = gtIn.map((g) => (g.iscrowd || g.area < lo || g.area > hi ? 1 : 0));
  // Stable: non-ignored GT first.
  const gtOrder = gtIn.map((_, j) => j).sort((x, y) => ignoreOf[x]! - ignoreOf[y]! || x - y);
  const gt = gtOrder.map((j) => gtIn[j]!);
  const gtIgnore = Uint8Array.from(gtOrder.map((j) => ignoreOf[j]!));
  const D = dt.length;
  const G = gt.length;
  const dtMatches = new Float64Array(T * D);
  const dtIgnore = new Uint8Array(T * D);
  const gtMatched = new Uint8Array(T * G);
  if (D > 0 && G > 0) {
    for (let t = 0; t < T; t++) {
      const threshold = COCO_IOU_THRESHOLDS[t]!;
      for (let d = 0; d < D; d++) {
        let best = Math.min(threshold, 1 - 1e-10);
        let m = -1;
        for (let g = 0; g < G; g++) {
          if (gtMatched[t * G + g] === 1 && !gt[g]!.iscrowd) continue;
          if (m > -1 && gtIgnore[m] === 0 && gtIgnore[g] === 1) break;
          const iou = iousIn[d]![gtOrder[g]!]!;
          if (iou < best) continue;
          best = iou;
          m = g;
        }
        if (m === -1) continue;
        dtIgnore[t * D + d] = gtIgnore[m]!;
        dtMatches[t * D + d] = gt[m]!.id;
        gtMatched[t * G + m] = 1;
      }
    }
  }
  for (let d = 0; d < D; d++) {
    const area = dt[d]!.area;
    if (area < lo || area > hi) for (let t = 0; t < T; t++) if (dtMatches[t * D + d] === 0) dtIgnore[t * D + d] = 1;
  }
  return { dtScores: Float64Array.from(dt.map((d) => d.det.score)), dtMatches, dtIgnore, gtIgnore };
}

/** pycocotools `bbIou` for one pair: w·h areas, no +1, crowd GT → intersection over the detection area. */
function bboxIou(d: readonly number[], dArea: number, g: readonly number[], crowd: boolean): number {
  const w = Math.min(d[2]! + d[0]!, g[2]! + g[0]!) - Math.max(d[0]!, g[0]!);
  if (w <= 0) return 0;
  const h = Math.min(d[3]! + d[1]!, g[3]! + g[1]!) - Math.max(d[1]!, g[1]!);
  if (h <= 0) return 0;
  const inter = w * h;
  const union = crowd ? dArea : dArea + g[2]! * g[3]! - inter;
  return inter / union;
}

function stableSortByScore<T extends { det: { score: number } }>(items: T[]): T[] {
  return items
    .map((item, j) => [item, j] as const)
    .sort((x, y) => y[0].det.score - x[0].det.score || x[1] - y[1])
    .map(([item]) => item);
}

function sortedUnique(values: readonly ImageKey[]): ImageKey[] {
  const unique = [...new Set(values)];
  return unique.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function checkBox(bbox: readonly number[], field: string): void {
  if (bbox.length !== 4 || bbox.some((v) => typeof v !== 'number' || Number.isNaN(v))) {
    throw new EvaluationInputError(`${field} must be 4 numbers [x, y, w, h], got ${JSON.stringify(bbox)}`, { field });
  }
}
