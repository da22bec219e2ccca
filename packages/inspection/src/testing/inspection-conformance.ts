import { DefectKitError } from '@defectkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardsFromDetections, type DetectedImage } from '../board-inspections.js';
import type { InspectionFilter, InspectionStore } from '../inspection-store.js';

/** What {@link describeInspectionStoreConformance} runs against. */
export interface InspectionConformanceFixture {
  /** An empty store, set up; the suite closes it. */
  store: InspectionStore;
  /**
   * Real detector output (`defectkit detect --format json`) for DeepPCB boards: `*_test.jpg` images and their
   * `*_temp.jpg` templates, at least 8 images with calls on both kinds.
   */
  results: DetectedImage[];
  /** Called after the suite (stop a server, remove a folder). */
  cleanup?(): Promise<void>;
}

/** How the suite spreads the images over lines, shifts, days and model versions: image i goes to batch i % 4. */
interface Batch {
  line: string;
  shift: string;
  daysAgo: number;
  hour: number;
  model: string;
}
const BATCHES: readonly Batch[] = [
  { line: 'L1', shift: 'day', daysAgo: 2, hour: 8, model: 'v1' },
  { line: 'L1', shift: 'night', daysAgo: 9, hour: 22, model: 'v1' },
  { line: 'L2', shift: 'day', daysAgo: 3, hour: 9, model: 'v2' },
  // Older than 30 days: outside the golden question's window.
  { line: 'L2', shift: 'night', daysAgo: 40, hour: 23, model: 'v1' },
];

/** One image with the batch it was logged in: the suite's own record, independent of the store's code. */
interface Logged {
  result: DetectedImage;
  batch: Batch;
  at: Date;
  template: boolean;
}

const day = (date: Date): string => date.toISOString().slice(0, 10);
/** Monday of the date's week (UTC), as Snowflake (WEEK_START 0) and DuckDB truncate to weeks. */
function week(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return day(d);
}

/** A board fails by the verdict in the detect results; results without one fail on any call. */
const fails = (r: DetectedImage): boolean => (r.verdict ?? (r.detections.length > 0 ? 'fail' : 'pass')) === 'fail';

/** View rows with dates as `YYYY-MM-DD` and numbers as numbers (rates rounded to 9 digits), sorted by `keys`. */
function normalise(rows: Record<string, unknown>[], keys: string[]): Record<string, unknown>[] {
  const out = rows.map((row) => {
    const r: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (v instanceof Date) r[k] = day(v);
      else if (typeof v === 'bigint') r[k] = Number(v);
      else if (typeof v === 'number') r[k] = Number.isInteger(v) ? v : Math.round(v * 1e9) / 1e9;
      else r[k] = v;
    }
    return r;
  });
  const key = (r: Record<string, unknown>): string => keys.map((k) => String(r[k])).join('|');
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
const rate = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 1e9) / 1e9);

/** Counts into a map of records keyed by `key`, created by `init`. */
function tally<T>(map: Map<string, T>, key: string, init: () => T, add: (t: T) => void): void {
  const entry = map.get(key) ?? init();
  add(entry);
  map.set(key, entry);
}

/**
 * Registers the vitest suite every {@link InspectionStore} driver passes (DuckDB and Snowflake alike): real
 * detector results spread over two lines, two shifts, four days and two model versions are logged, then every
 * view and the summary (with each filter) are compared with numbers the suite computes itself from the
 * detect results; reviews (calls on templates are false calls, calls on test images true defects) set the
 * false-call rate, a changed verdict moves it, a missed defect joins the Pareto; a repeated log is skipped;
 * unknown ids are typed errors.
 *
 * @example
 * describeInspectionStoreConformance('duckdb', async () => ({ store: await openDuckDbInspectionStore({ file }), results }));
 */
export function describeInspectionStoreConformance(name: string, open: () => Promise<InspectionConformanceFixture>): void {
  describe(`inspection store conformance: ${name}`, () => {
    let fixture: InspectionConformanceFixture;
    let store: InspectionStore;
    const logged: Logged[] = [];
    const now = new Date();

    beforeAll(async () => {
      fixture = await open();
      store = fixture.store;
      const { results } = fixture;
      expect(results.length).toBeGreaterThanOrEqual(8);
      expect(results.some((r) => r.image.endsWith('_temp.jpg') && r.detections.length > 0)).toBe(true);
      expect(results.some((r) => !fails(r))).toBe(true);
      // A board and its template go to the same batch: board pair p (in name order) to batch p % 4.
      const pairOf = (image: string): string => image.replace(/_(test|temp)\.jpg$/, '');
      const pairs = [...new Set(results.map((r) => pairOf(r.image)))].sort();
      BATCHES.forEach((batch, k) => {
        const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - batch.daysAgo, batch.hour, 15, 0, 250));
        const images = results.filter((r) => pairs.indexOf(pairOf(r.image)) % BATCHES.length === k);
        for (const result of images) logged.push({ result, batch, at, template: result.image.endsWith('_temp.jpg') });
      });
    });

    afterAll(async () => {
      await store?.close();
      await fixture?.cleanup?.();
    });

    const boardsOf = (k: number) =>
      boardsFromDetections(
        logged.filter((l) => l.batch === BATCHES[k]).map((l) => l.result),
        { modelName: 'pcb-defects', modelVersion: BATCHES[k]!.model, line: BATCHES[k]!.line, shift: BATCHES[k]!.shift, at: logged.find((l) => l.batch === BATCHES[k])!.at, productType: 'deeppcb' },
      );

    it('logs every board (clean ones too) with its calls and metadata; logging the same boards again is skipped', async () => {
      let boards = 0;
      let defects = 0;
      for (let k = 0; k < BATCHES.length; k++) {
        const summary = await store.log(boardsOf(k));
        boards += summary.boards;
        defects += summary.defects;
        expect(summary.skipped).toBe(0);
      }
      expect(boards).toBe(logged.length);
      expect(defects).toBe(logged.reduce((n, l) => n + l.result.detections.length, 0));
      const again = await store.log(boardsOf(0));
      expect(again).toEqual({ boards: 0, defects: 0, skipped: boardsOf(0).length });
      expect((await store.summary()).boards).toBe(logged.length);
    });

    it('V_YIELD_DAILY and V_DEFECT_RATE_DAILY equal the counts computed from the detect results', async () => {
      const expected = new Map<string, { boards: number; passed: number; failed: number; calls: number; l: Logged }>();
      for (const l of logged) {
        tally(expected, `${day(l.at)}|${l.batch.line}|${l.batch.shift}|${l.batch.model}`, () => ({ boards: 0, passed: 0, failed: 0, calls: 0, l }), (e) => {
          e.boards++;
          if (!fails(l.result)) e.passed++;
          else e.failed++;
          e.calls += l.result.detections.length;
        });
      }
      const keys = ['INSPECTION_DATE', 'FACTORY_LINE_ID', 'SHIFT'];
      const yieldRows = [...expected.values()].map((e) => ({
        INSPECTION_DATE: day(e.l.at),
        FACTORY_LINE_ID: e.l.batch.line,
        SHIFT: e.l.batch.shift,
        MODEL_NAME: 'pcb-defects',
        MODEL_VERSION: e.l.batch.model,
        BOARDS: e.boards,
        PASSED: e.passed,
        FAILED: e.failed,
        YIELD: rate(e.passed, e.boards),
      }));
      expect(normalise(await store.view('V_YIELD_DAILY'), keys)).toEqual(normalise(yieldRows, keys));
      const rateRows = [...expected.values()].map((e) => ({
        INSPECTION_DATE: day(e.l.at),
        FACTORY_LINE_ID: e.l.batch.line,
        SHIFT: e.l.batch.shift,
        MODEL_NAME: 'pcb-defects',
        MODEL_VERSION: e.l.batch.model,
        BOARDS: e.boards,
        DEFECTIVE_BOARDS: e.failed,
        DEFECTS: e.calls,
        DEFECT_RATE: rate(e.failed, e.boards),
        DEFECTS_PER_BOARD: rate(e.calls, e.boards),
      }));
      expect(normalise(await store.view('V_DEFECT_RATE_DAILY'), keys)).toEqual(normalise(rateRows, keys));
    });

    it('V_LINE_SHIFT (the heatmap) and V_DEFECT_RATE_BY_LINE_30D (the golden question) equal the computed ones', async () => {
      const cells = new Map<string, { line: string; shift: string; boards: number; failed: number; calls: number }>();
      const lines = new Map<string, { line: string; boards: number; failed: number; calls: number }>();
      for (const l of logged) {
        const failed = fails(l.result) ? 1 : 0;
        tally(cells, `${l.batch.line}|${l.batch.shift}`, () => ({ line: l.batch.line, shift: l.batch.shift, boards: 0, failed: 0, calls: 0 }), (e) => {
          e.boards++;
          e.failed += failed;
          e.calls += l.result.detections.length;
        });
        if (l.batch.daysAgo <= 30) {
          tally(lines, l.batch.line, () => ({ line: l.batch.line, boards: 0, failed: 0, calls: 0 }), (e) => {
            e.boards++;
            e.failed += failed;
            e.calls += l.result.detections.length;
          });
        }
      }
      expect(normalise(await store.view('V_LINE_SHIFT'), ['FACTORY_LINE_ID', 'SHIFT'])).toEqual(
        normalise(
          [...cells.values()].map((e) => ({ FACTORY_LINE_ID: e.line, SHIFT: e.shift, BOARDS: e.boards, FAILED: e.failed, DEFECTS: e.calls, DEFECT_RATE: rate(e.failed, e.boards) })),
          ['FACTORY_LINE_ID', 'SHIFT'],
        ),
      );
      const golden = normalise(await store.view('V_DEFECT_RATE_BY_LINE_30D'), ['FACTORY_LINE_ID']);
      expect(golden).toEqual(
        normalise(
          [...lines.values()].map((e) => ({ FACTORY_LINE_ID: e.line, BOARDS: e.boards, DEFECTIVE_BOARDS: e.failed, DEFECTS: e.calls, DEFECT_RATE: rate(e.failed, e.boards) })),
          ['FACTORY_LINE_ID'],
        ),
      );
      // The batch logged 40 days ago is outside the window.
      expect(golden.reduce((n, r) => n + Number(r.BOARDS), 0)).toBe(logged.filter((l) => l.batch.daysAgo <= 30).length);
    });

    it('the summary equals the computed numbers under every filter', async () => {
      const filters: InspectionFilter[] = [{}, { line: 'L1' }, { line: 'L2' }, { model: 'v2' }, { from: day(logged.find((l) => l.batch.daysAgo === 3)!.at) }, { to: day(logged.find((l) => l.batch.daysAgo === 9)!.at), line: 'L1' }, { line: 'L9' }];
      for (const filter of filters) {
        const rows = logged.filter(
          (l) =>
            (filter.line === undefined || l.batch.line === filter.line) &&
            (filter.model === undefined || l.batch.model === filter.model) &&
            (filter.from === undefined || day(l.at) >= filter.from) &&
            (filter.to === undefined || day(l.at) <= filter.to),
        );
        const passed = rows.filter((l) => !fails(l.result)).length;
        const byClass = new Map<string, number>();
        for (const l of rows) for (const d of l.result.detections) byClass.set(d.label, (byClass.get(d.label) ?? 0) + 1);
        const summary = await store.summary(filter);
        expect([summary.boards, summary.passed, summary.failed], JSON.stringify(filter)).toEqual([rows.length, passed, rows.length - passed]);
        expect(summary.yield).toBe(rows.length === 0 ? null : passed / rows.length);
        expect(summary.calls).toBe(rows.reduce((n, l) => n + l.result.detections.length, 0));
        expect(Object.fromEntries(summary.defectsByClass.map((c) => [c.detectedClass, c.defects]))).toEqual(Object.fromEntries(byClass));
        expect(summary.trend.reduce((n, t) => n + t.boards, 0)).toBe(rows.length);
        expect(summary.lineShift.reduce((n, c) => n + c.failed, 0)).toBe(rows.length - passed);
        expect(summary.falseCallRate).toBeNull();
      }
      const all = await store.summary();
      expect(all.lines).toEqual(['L1', 'L2']);
      expect(all.models).toEqual(['v1', 'v2']);
      await expect(store.summary({ from: '2026-13-45' })).rejects.toMatchObject({ code: 'INSPECTION_INPUT' });
    });

    it('reviews set the false-call rate per class, line and week; a changed verdict moves it; a missed defect joins the Pareto', async () => {
      const calls = await store.defects({ limit: 10_000 });
      expect(calls.length).toBe(logged.reduce((n, l) => n + l.result.detections.length, 0));
      expect(calls.every((c) => c.reviewVerdict === null && c.source === 'model')).toBe(true);
      // Templates are defect-free boards: their calls are false calls; calls on test images are confirmed.
      for (const call of calls) await store.review({ defectId: call.defectId, verdict: call.imagePath.endsWith('_temp.jpg') ? 'false_call' : 'true_defect', reviewer: 'qa' });
      expect(await store.defects({ unreviewed: true })).toEqual([]);

      const fpr = new Map<string, { reviewed: number; falseCalls: number; l: Logged; cls: string }>();
      for (const l of logged) {
        for (const d of l.result.detections) {
          tally(fpr, `${week(l.at)}|${l.batch.line}|${l.batch.model}|${d.label}`, () => ({ reviewed: 0, falseCalls: 0, l, cls: d.label }), (e) => {
            e.reviewed++;
            if (l.template) e.falseCalls++;
          });
        }
      }
      const keys = ['INSPECTION_WEEK', 'FACTORY_LINE_ID', 'MODEL_VERSION', 'DETECTED_CLASS'];
      const expectedFpr = [...fpr.values()].map((e) => ({
        INSPECTION_WEEK: week(e.l.at),
        FACTORY_LINE_ID: e.l.batch.line,
        MODEL_NAME: 'pcb-defects',
        MODEL_VERSION: e.l.batch.model,
        DETECTED_CLASS: e.cls,
        REVIEWED_CALLS: e.reviewed,
        FALSE_CALLS: e.falseCalls,
        FALSE_CALL_RATE: rate(e.falseCalls, e.reviewed),
      }));
      expect(normalise(await store.view('V_FALSE_CALL_RATE'), keys)).toEqual(normalise(expectedFpr, keys));

      const templateCalls = logged.filter((l) => l.template).reduce((n, l) => n + l.result.detections.length, 0);
      const allCalls = calls.length;
      let summary = await store.summary();
      expect([summary.reviewedCalls, summary.falseCalls, summary.falseCallRate]).toEqual([allCalls, templateCalls, templateCalls / allCalls]);
      // Per model version, oldest first (v1 was first inspected 40 days ago, v2 3 days ago): the KPI's comparison.
      const perModel = ['v1', 'v2'].map((model) => {
        const rows = logged.filter((l) => l.batch.model === model);
        const reviewed = rows.reduce((n, l) => n + l.result.detections.length, 0);
        const falseCalls = rows.filter((l) => l.template).reduce((n, l) => n + l.result.detections.length, 0);
        const first = rows.map((l) => week(l.at)).sort()[0]!;
        return { modelVersion: model, firstWeek: first, reviewedCalls: reviewed, falseCalls, falseCallRate: reviewed === 0 ? null : falseCalls / reviewed };
      });
      expect(summary.falseCallRateByModel).toEqual(perModel.filter((m) => m.reviewedCalls > 0));

      // A reviewer changes one false call to a true defect: one false call fewer.
      const flipped = calls.find((c) => c.imagePath.endsWith('_temp.jpg'))!;
      await store.review({ defectId: flipped.defectId, verdict: 'true_defect', reviewer: 'lead' });
      summary = await store.summary();
      expect([summary.falseCalls, summary.falseCallRate]).toEqual([templateCalls - 1, (templateCalls - 1) / allCalls]);

      // Pareto: defects = calls not rejected as false calls (+ missed); computed from the results and verdicts.
      const defects = new Map<string, number>();
      for (const l of logged) for (const d of l.result.detections) if (!l.template) defects.set(d.label, (defects.get(d.label) ?? 0) + 1);
      defects.set(flipped.detectedClass, (defects.get(flipped.detectedClass) ?? 0) + 1);
      const board = logged.find((l) => !l.template && l.batch.line === 'L2')!;
      const [boardRecord] = await store.defects({ line: 'L2', limit: 10_000 }).then((rows) => rows.filter((r) => r.imagePath === board.result.image));
      const missedId = await store.addMissed({ inferenceId: boardRecord!.inferenceId, detectedClass: 'pin-hole', boundingBox: [10, 20, 30, 40], reviewer: 'qa' });
      defects.set('pin-hole', (defects.get('pin-hole') ?? 0) + 1);
      const total = [...defects.values()].reduce((a, b) => a + b, 0);
      const ranked = [...defects.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      let cumulative = 0;
      const expectedPareto = ranked.map(([cls, n], i) => {
        cumulative += n;
        return { DETECTED_CLASS: cls, DEFECTS: n, SHARE: rate(n, total), CUMULATIVE_SHARE: rate(cumulative, total), PARETO_RANK: i + 1 };
      });
      expect(normalise(await store.view('V_DEFECT_PARETO'), ['PARETO_RANK'])).toEqual(normalise(expectedPareto, ['PARETO_RANK']));
      const missed = (await store.defects({ line: 'L2', limit: 10_000 })).find((r) => r.defectId === missedId)!;
      expect(missed).toMatchObject({ source: 'reviewer', reviewVerdict: 'missed', confidenceScore: null, boundingBox: [10, 20, 30, 40], detectedClass: 'pin-hole', reviewer: 'qa' });
      // A missed defect is not a call: the false-call rate is unchanged.
      expect((await store.summary()).falseCallRate).toBe((templateCalls - 1) / allCalls);
    });

    it('refuses unknown defects, unknown inspections, verdicts on missed defects and unknown verdicts, typed', async () => {
      const codeOf = async (promise: Promise<unknown>): Promise<string> => {
        try {
          await promise;
        } catch (error) {
          expect(DefectKitError.isInstance(error)).toBe(true);
          return (error as DefectKitError).code;
        }
        throw new Error('expected a rejection');
      };
      expect(await codeOf(store.review({ defectId: 'no-such-defect', verdict: 'false_call' }))).toBe('INSPECTION_REVIEW');
      expect(await codeOf(store.addMissed({ inferenceId: 'no-such-inspection', detectedClass: 'open', boundingBox: null }))).toBe('INSPECTION_REVIEW');
      const missed = (await store.defects({ limit: 10_000 })).find((r) => r.source === 'reviewer')!;
      expect(await codeOf(store.review({ defectId: missed.defectId, verdict: 'true_defect' }))).toBe('INSPECTION_REVIEW');
      const call = (await store.defects({ limit: 1 }))[0]!;
      expect(await codeOf(store.review({ defectId: call.defectId, verdict: 'maybe' as 'false_call' }))).toBe('INSPECTION_REVIEW');
      expect(await codeOf(store.view('V_NOPE' as 'V_LINE_SHIFT'))).toBe('INSPECTION_INPUT');
    });
  });
}
