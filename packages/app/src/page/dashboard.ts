import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { InspectionSummary } from '@defectkit/inspection';

// The inspection dashboard: filters → GET /api/summary → KPI tiles and four ECharts charts (bundled by esbuild,
// served from this origin), drawn without animation so what is shown is final at once. Tooltips render as rich text on the canvas: the page's CSP allows no inline styles.

echarts.use([BarChart, HeatmapChart, LineChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const FILTERS = ['from', 'to', 'line', 'model'] as const;
const percent = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const charts = new Map<string, echarts.ECharts>();

function chart(id: string): echarts.ECharts {
  let c = charts.get(id);
  if (!c) {
    c = echarts.init($(id), undefined, { renderer: 'canvas' });
    charts.set(id, c);
  }
  return c;
}

const tooltip = { trigger: 'axis' as const, renderMode: 'richText' as const };

/** Sets a KPI tile: the text shown and the exact value (data-value) it came from. */
function kpi(id: string, value: number | null, text: string): void {
  const el = $(id);
  el.textContent = text;
  el.dataset.value = value === null ? '' : String(value);
}

/** Keeps a select's options equal to `values` (plus its first "all" option), keeping the choice. */
function fillSelect(id: string, values: readonly string[]): void {
  const select = $<HTMLSelectElement>(id);
  const chosen = select.value;
  const all = select.options[0]!;
  select.replaceChildren(all, ...values.map((v) => new Option(v, v)));
  select.value = values.includes(chosen) ? chosen : '';
}

function render(s: InspectionSummary): void {
  kpi('kpi-boards', s.boards, String(s.boards));
  kpi('kpi-passed', s.passed, String(s.passed));
  kpi('kpi-failed', s.failed, String(s.failed));
  kpi('kpi-yield', s.yield, percent(s.yield));
  kpi('kpi-defect-rate', s.defectRate, percent(s.defectRate));
  kpi('kpi-false-call-rate', s.falseCallRate, `${percent(s.falseCallRate)}${s.reviewedCalls > 0 ? ` of ${s.reviewedCalls}` : ''}`);

  chart('chart-trend').setOption(
    {
      animation: false,
      tooltip,
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 30 },
      xAxis: { type: 'category', data: s.trend.map((t) => t.date) },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      series: [
        { name: 'yield', type: 'line', data: s.trend.map((t) => t.yield) },
        { name: 'defect rate', type: 'line', data: s.trend.map((t) => t.defectRate) },
      ],
    },
    true,
  );

  const total = s.defectsByClass.reduce((n, c) => n + c.defects, 0);
  let running = 0;
  const cumulative = s.defectsByClass.map((c) => ((running += c.defects), total === 0 ? 0 : running / total));
  chart('chart-pareto').setOption(
    {
      animation: false,
      tooltip,
      legend: { top: 0 },
      grid: { left: 50, right: 50, top: 30, bottom: 30 },
      xAxis: { type: 'category', data: s.defectsByClass.map((c) => c.detectedClass) },
      yAxis: [
        { type: 'value', name: 'defects' },
        { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      ],
      series: [
        { name: 'defects', type: 'bar', data: s.defectsByClass.map((c) => c.defects) },
        { name: 'cumulative share', type: 'line', yAxisIndex: 1, data: cumulative },
      ],
    },
    true,
  );

  const lines = [...new Set(s.lineShift.map((c) => c.line ?? '(none)'))];
  const shifts = [...new Set(s.lineShift.map((c) => c.shift ?? '(none)'))];
  chart('chart-heatmap').setOption(
    {
      animation: false,
      tooltip: { renderMode: 'richText' },
      grid: { left: 70, right: 80, top: 10, bottom: 30 },
      xAxis: { type: 'category', data: shifts },
      yAxis: { type: 'category', data: lines },
      visualMap: { min: 0, max: 1, calculable: true, orient: 'vertical', right: 0, top: 'center', itemHeight: 120, inRange: { color: ['#e8f3ea', '#f4c36b', '#c2412d'] } },
      series: [
        {
          name: 'defect rate',
          type: 'heatmap',
          label: { show: true, formatter: (p: { value: [number, number, number] }) => percent(p.value[2]) },
          data: s.lineShift.map((c) => [shifts.indexOf(c.shift ?? '(none)'), lines.indexOf(c.line ?? '(none)'), c.defectRate ?? 0]),
        },
      ],
    },
    true,
  );

  const weeks = [...new Set(s.falseCallTrend.map((w) => w.week))];
  const models = [...new Set(s.falseCallTrend.map((w) => w.modelVersion))];
  chart('chart-fpr').setOption(
    {
      animation: false,
      tooltip,
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 30 },
      xAxis: { type: 'category', data: weeks },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      series: models.map((m) => ({
        name: m,
        type: 'line',
        connectNulls: true,
        data: weeks.map((w) => s.falseCallTrend.find((x) => x.week === w && x.modelVersion === m)?.falseCallRate ?? null),
      })),
    },
    true,
  );
}

/** The seed spec's KPI: cut the false-call rate by 25 % with a model change. */
const KPI_CUT = 0.25;

/** The false-call rate of the latest reviewed model version against the one before it. */
function fprChange(s: InspectionSummary): void {
  const el = $('fpr-change');
  const rated = s.falseCallRateByModel.filter((m) => m.falseCallRate !== null);
  const [before, after] = rated.slice(-2);
  if (!before || !after || before.falseCallRate === 0) {
    el.textContent = 'Review calls of two model versions to compare their false-call rates.';
    el.dataset.value = '';
    return;
  }
  const change = (after.falseCallRate! - before.falseCallRate!) / before.falseCallRate!;
  el.dataset.value = String(change);
  el.textContent =
    `${after.modelVersion} against ${before.modelVersion}: false-call rate ${percent(before.falseCallRate)} → ${percent(after.falseCallRate)} ` +
    `(${change <= 0 ? '−' : '+'}${Math.abs(change * 100).toFixed(1)}%; target −${KPI_CUT * 100}%: ${change <= -KPI_CUT ? 'met' : 'not met'})`;
}

function query(): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTERS) {
    const value = $<HTMLInputElement>(key).value;
    if (value !== '') params.set(key, value);
  }
  return params;
}

let generation = 0;
async function refresh(): Promise<void> {
  const mine = ++generation;
  const params = query();
  history.replaceState(null, '', `/dashboard${params.size > 0 ? `?${params}` : ''}`);
  document.body.dataset.state = 'loading';
  const error = $('error');
  try {
    const response = await fetch(`/api/summary?${params}`);
    const body = (await response.json()) as InspectionSummary & { error?: { code: string; message: string } };
    if (mine !== generation) return;
    if (!response.ok || body.error) throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`);
    fillSelect('line', body.lines);
    fillSelect('model', body.models);
    render(body);
    fprChange(body);
    error.hidden = true;
    document.body.dataset.state = 'ready';
  } catch (e) {
    if (mine !== generation) return;
    error.textContent = `Could not load the summary: ${(e as Error).message}`;
    error.hidden = false;
    document.body.dataset.state = 'error';
  }
}

/** For tests and debugging: the data each chart draws (categories and series values), read from ECharts. */
(window as unknown as { defectkitDashboard: unknown }).defectkitDashboard = {
  chartData(id: string) {
    const option = charts.get(id)?.getOption() as { xAxis?: { data?: unknown[] }[]; yAxis?: { data?: unknown[] }[]; series?: { name?: string; data?: unknown[] }[] } | undefined;
    return option ? { x: option.xAxis?.[0]?.data ?? [], y: option.yAxis?.[0]?.data ?? [], series: (option.series ?? []).map((s) => ({ name: s.name, data: s.data })) } : null;
  },
};

const initial = new URLSearchParams(location.search);
for (const key of FILTERS) {
  const el = $<HTMLInputElement | HTMLSelectElement>(key);
  const value = initial.get(key);
  if (value !== null) {
    // A select needs the option before the value sticks; the first summary fills the rest.
    if (el instanceof HTMLSelectElement) el.add(new Option(value, value));
    el.value = value;
  }
  el.addEventListener('change', () => void refresh());
}
window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
void refresh();
