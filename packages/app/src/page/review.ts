import type { DefectRow, InspectionSummary } from '@defectkit/inspection';

// The review page: lists calls from GET /api/defects, records verdicts with POST /api/review and missed
// defects with POST /api/missed, and shows the false-call rate those verdicts give (GET /api/summary).

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
type Row = Omit<DefectRow, 'timestamp'> & { timestamp: string };

async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const value = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok || value.error) throw new Error(value.error ? `${value.error.code}: ${value.error.message}` : `HTTP ${response.status}`);
  return value;
}

function fail(e: unknown): void {
  const error = $('error');
  error.textContent = (e as Error).message;
  error.hidden = false;
  document.body.dataset.state = 'error';
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

async function showRate(): Promise<void> {
  const line = $<HTMLInputElement>('line').value;
  const s = await api<InspectionSummary>(`/api/summary${line ? `?line=${encodeURIComponent(line)}` : ''}`);
  const rate = $('false-call-rate');
  rate.textContent = s.falseCallRate === null ? '–' : `${(s.falseCallRate * 100).toFixed(1)}%`;
  rate.dataset.value = s.falseCallRate === null ? '' : String(s.falseCallRate);
  $('reviewed').textContent = String(s.reviewedCalls);
}

async function review(row: Row, verdict: 'true_defect' | 'false_call'): Promise<void> {
  const reviewer = $<HTMLInputElement>('reviewer').value;
  await api('/api/review', { defectId: row.defectId, verdict, ...(reviewer ? { reviewer } : {}) });
  await refresh();
}

function rowOf(r: Row): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.defectId = r.defectId;
  tr.dataset.verdict = r.reviewVerdict ?? '';
  const board = cell(r.boardId);
  board.title = `inspection ${r.inferenceId}: click to add a missed defect to it`;
  board.addEventListener('click', () => ($<HTMLInputElement>('missed-inference').value = r.inferenceId));
  tr.append(
    cell(r.timestamp.slice(0, 16).replace('T', ' ')),
    cell(`${r.factoryLineId ?? '–'} / ${r.shift ?? '–'}`),
    board,
    cell(r.detectedClass),
    cell(r.confidenceScore === null ? 'missed' : r.confidenceScore.toFixed(2)),
    cell(r.reviewVerdict ?? 'not reviewed'),
  );
  const actions = document.createElement('td');
  if (r.source === 'model') {
    for (const [verdict, label] of [['true_defect', 'True defect'], ['false_call', 'False call']] as const) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.dataset.verdict = verdict;
      button.addEventListener('click', () => void review(r, verdict).catch(fail));
      actions.append(button);
    }
  }
  tr.append(actions);
  return tr;
}

async function refresh(): Promise<void> {
  document.body.dataset.state = 'loading';
  const params = new URLSearchParams({ limit: '500' });
  const line = $<HTMLInputElement>('line').value;
  if (line) params.set('line', line);
  if ($<HTMLInputElement>('unreviewed').checked) params.set('unreviewed', '1');
  const rows = await api<Row[]>(`/api/defects?${params}`);
  $('calls').replaceChildren(...rows.map(rowOf));
  await showRate();
  $('error').hidden = true;
  document.body.dataset.state = 'ready';
}

$('filters').addEventListener('change', () => void refresh().catch(fail));
$<HTMLFormElement>('missed').addEventListener('submit', (event) => {
  event.preventDefault();
  const boxText = $<HTMLInputElement>('missed-box').value.trim();
  const box = boxText === '' ? null : boxText.split(',').map(Number);
  const reviewer = $<HTMLInputElement>('reviewer').value;
  void api('/api/missed', { inferenceId: $<HTMLInputElement>('missed-inference').value, detectedClass: $<HTMLInputElement>('missed-class').value, boundingBox: box, ...(reviewer ? { reviewer } : {}) })
    .then(refresh)
    .catch(fail);
});
void refresh().catch(fail);
