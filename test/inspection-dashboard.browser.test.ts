import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { dashboardRoutes, startAppServer, type AppServer } from '@defectkit/app';
import { boardsFromDetections, inspectionSource, openDuckDbInspectionStore, type InspectionSource, type InspectionSummary } from '@defectkit/inspection';
import { launchChromium, type HeadlessChromium } from './support/chromium.js';
import { detectDeepPcbBoards } from './support/deeppcb-detections.js';
import { repoRoot } from './support/paths.js';

// The dashboard and review pages of `defectkit serve` in headless Chromium, on a local log of real detector
// results (DeepPCB boards and templates on two lines, two shifts, three days, two model versions): the numbers
// shown equal GET /api/summary, the filters change what the charts draw, and a review moves the false-call rate.
// Screenshots go to test-output/ (gitignored); packages/inspection/docs/dashboard.png is a copy of one.

const outputDir = join(repoRoot, 'test-output');
const daysAgo = (n: number, hour: number): Date => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - n, hour));
};

interface ChartData {
  x: unknown[];
  y: unknown[];
  series: { name: string; data: unknown[] }[];
}

describe('the inspection dashboard in headless Chromium', () => {
  let dir: string;
  let app: AppServer;
  let source: InspectionSource;
  let chromium: HeadlessChromium;
  let page: Page;

  const api = async (query = ''): Promise<InspectionSummary> => (await (await fetch(`${app.url}api/summary${query}`)).json()) as InspectionSummary;
  const chart = (id: string): Promise<ChartData> => page.evaluate((chartId) => (window as unknown as { defectkitDashboard: { chartData(id: string): unknown } }).defectkitDashboard.chartData(chartId), id) as Promise<ChartData>;
  const ready = async (): Promise<void> => void (await page.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'error', undefined, { timeout: 60_000 }));
  const kpis = (): Promise<Record<string, string>> =>
    page.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll<HTMLElement>('.kpi .value')).map((el) => [el.id, el.dataset.value ?? ''])));
  const expectShown = async (summary: InspectionSummary): Promise<void> => {
    const shown = await kpis();
    const text = (v: number | null): string => (v === null ? '' : String(v));
    expect(shown).toEqual({
      'kpi-boards': text(summary.boards),
      'kpi-passed': text(summary.passed),
      'kpi-failed': text(summary.failed),
      'kpi-yield': text(summary.yield),
      'kpi-defect-rate': text(summary.defectRate),
      'kpi-false-call-rate': text(summary.falseCallRate),
    });
    const pareto = await chart('chart-pareto');
    expect(pareto.x).toEqual(summary.defectsByClass.map((c) => c.detectedClass));
    expect(pareto.series[0]!.data).toEqual(summary.defectsByClass.map((c) => c.defects));
    const trend = await chart('chart-trend');
    expect(trend.x).toEqual(summary.trend.map((t) => t.date));
    expect(trend.series[0]!.data).toEqual(summary.trend.map((t) => t.yield));
    const heatmap = await chart('chart-heatmap');
    expect((heatmap.series[0]!.data as number[][]).map((cell) => cell[2])).toEqual(summary.lineShift.map((c) => c.defectRate ?? 0));
    const rated = summary.falseCallRateByModel.filter((m) => m.falseCallRate !== null);
    const change = rated.length < 2 || rated.at(-2)!.falseCallRate === 0 ? '' : String((rated.at(-1)!.falseCallRate! - rated.at(-2)!.falseCallRate!) / rated.at(-2)!.falseCallRate!);
    expect(await page.getAttribute('#fpr-change', 'data-value')).toBe(change);
    const fpr = await chart('chart-fpr');
    expect(fpr.series.map((s) => s.name).sort()).toEqual([...new Set(summary.falseCallTrend.map((w) => w.modelVersion))].sort());
  };

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), 'defectkit-dashboard-'));
    const file = join(dir, 'inspection.duckdb');
    const { results } = await detectDeepPcbBoards(6);
    const store = await openDuckDbInspectionStore({ file });
    const batches = [
      { line: 'L1', shift: 'day', at: daysAgo(12, 8), model: 'v1' },
      { line: 'L2', shift: 'night', at: daysAgo(11, 22), model: 'v1' },
      { line: 'L1', shift: 'night', at: daysAgo(3, 21), model: 'v2' },
      { line: 'L2', shift: 'day', at: daysAgo(2, 9), model: 'v2' },
    ];
    for (const [k, b] of batches.entries()) {
      const part = results.filter((_, i) => Math.floor(i / 2) % batches.length === k || (k === 0 && Math.floor(i / 2) >= batches.length * 2));
      await store.log(boardsFromDetections(part, { modelName: 'pcb-defects', modelVersion: b.model, line: b.line, shift: b.shift, at: b.at }));
    }
    // Reviews: calls on templates (defect-free boards) are false calls; every third v2 call is left for the review page.
    for (const [i, call] of (await store.defects({ limit: 10_000 })).entries()) {
      if (call.modelVersion === 'v2' && i % 3 === 0) continue;
      await store.review({ defectId: call.defectId, verdict: call.imagePath.endsWith('_temp.jpg') ? 'false_call' : 'true_defect' });
    }
    await store.close();
    source = inspectionSource('local', { file });
    app = await startAppServer({ port: 0, routes: await dashboardRoutes(source) });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await app?.close();
    await source?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the numbers of GET /api/summary in the tiles and every chart', async () => {
    await page.goto(`${app.url}dashboard`);
    await ready();
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    const all = await api();
    expect(all.boards).toBe(12);
    await expectShown(all);
    expect(await page.textContent('#kpi-yield')).toBe(all.yield === null ? '–' : `${(all.yield * 100).toFixed(1)}%`);
    await page.screenshot({ path: join(outputDir, 'dashboard.png') });
  });

  it('the line, model and date filters change the charts, each time to what /api/summary says', async () => {
    const before = await chart('chart-pareto');
    await page.selectOption('#line', 'L2');
    await ready();
    const l2 = await api('?line=L2');
    await expectShown(l2);
    expect(l2.boards).toBeLessThan(12);
    expect(new URL(page.url()).search).toBe('?line=L2');
    expect(await chart('chart-heatmap').then((h) => h.y)).toEqual(['L2']);
    expect(JSON.stringify(await chart('chart-pareto'))).not.toBe(JSON.stringify(before));

    await page.selectOption('#model', 'v2');
    await ready();
    await expectShown(await api('?line=L2&model=v2'));

    await page.selectOption('#line', '');
    await page.selectOption('#model', '');
    const from = daysAgo(3, 0).toISOString().slice(0, 10);
    await page.fill('#from', from);
    await page.dispatchEvent('#from', 'change');
    await ready();
    const recent = await api(`?from=${from}`);
    await expectShown(recent);
    expect((await chart('chart-trend')).x).toEqual([daysAgo(3, 0), daysAgo(2, 0)].map((d) => d.toISOString().slice(0, 10)));
  });

  it('a deep link opens with its filters; a line with no boards shows zeros; a bad date is a typed 400', async () => {
    await page.goto(`${app.url}dashboard?line=L1&model=v1`);
    await ready();
    await expectShown(await api('?line=L1&model=v1'));
    await page.goto(`${app.url}dashboard?line=L9`);
    await ready();
    const none = await api('?line=L9');
    expect([none.boards, none.yield]).toEqual([0, null]);
    await expectShown(none);
    expect(await page.textContent('#kpi-yield')).toBe('–');
    const bad = await fetch(`${app.url}api/summary?from=2026-99-01`);
    expect([bad.status, ((await bad.json()) as { error: { code: string } }).error.code]).toEqual([400, 'INSPECTION_INPUT']);
    expect((await fetch(`${app.url}api/summary?shift=day`)).status).toBe(400);
  });

  it('the review page records a verdict and the false-call rate follows', async () => {
    await page.goto(`${app.url}review`);
    await ready();
    const rows = await page.$$eval('#calls tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.defectId!));
    const unreviewed = await (await fetch(`${app.url}api/defects?unreviewed=1&limit=500`)).json() as { defectId: string }[];
    expect(rows).toEqual(unreviewed.map((r) => r.defectId));
    const before = await api();
    expect(await page.getAttribute('#false-call-rate', 'data-value')).toBe(String(before.falseCallRate));
    await page.fill('#reviewer', 'qa-lead');
    await page.click(`#calls tr[data-defect-id="${rows[0]}"] button[data-verdict="false_call"]`);
    await page.waitForFunction((id) => !document.querySelector(`#calls tr[data-defect-id="${id}"]`) && document.body.dataset.state === 'ready', rows[0]);
    const after = await api();
    expect([after.reviewedCalls, after.falseCalls]).toEqual([before.reviewedCalls + 1, before.falseCalls + 1]);
    expect(await page.getAttribute('#false-call-rate', 'data-value')).toBe(String(after.falseCallRate));
    await page.screenshot({ path: join(outputDir, 'review.png') });
    const bad = await fetch(`${app.url}api/review`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ defectId: 'nope', verdict: 'false_call' }) });
    expect([bad.status, ((await bad.json()) as { error: { code: string } }).error.code]).toEqual([400, 'INSPECTION_REVIEW']);
  });
});
