// The SQL the emitted Streamlit apps send, run for real: each app page executes (in snowflake-local's CPython 3.11
// handler environment, with recording stand-ins for streamlit and altair, which only draw) against a recording
// session; every statement it sent then runs on snowflake-local through the real snowflake-sdk, after
// `defectkit snowflake setup`, `defectkit detect --log snowflake:local` and `defectkit registry log --registry
// snowflake:local`. The Vision Lab's MODEL(...)!PREDICT answers through the one model handler, its answer fed back
// to the page draws and logs the board, and the rows it logs insert into the inspection log.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emitApp, resolveOptions, trainingLogTableSql, type AppName } from '@defectkit/notebooks';
import { SnowflakeSession } from '@defectkit/snowflake';
import { handlerPython, startSnowflakeLocal } from '@defectkit/snowflake-local';
import { snowflakeHomeFor } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { deeppcbBoardImages } from './support/deeppcb-detections.js';
import { cli } from './support/run-cli.js';
import { repoRoot } from './support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'defectkit-app-sql-'));

/** Runs one app page with stand-ins; returns the statements it sent and the frames it wrote. */
const HARNESS = String.raw`
import datetime, io, json, os, sys, types
from unittest import mock
import pandas as pd
st = mock.MagicMock(name='streamlit')
class Upload:
    name = 'board.jpg'
    def getvalue(self): return open(os.environ['IMAGE'], 'rb').read()
st.file_uploader.return_value = Upload()
st.sidebar.text_input.side_effect = lambda label, value='': {'Factory line': 'L9', 'Shift': 'night', 'Reviewer': 'qa'}.get(label, value)
st.sidebar.date_input.return_value = (datetime.date(2000, 1, 1), datetime.date(2100, 1, 1))
st.sidebar.multiselect.side_effect = lambda label, options, default: default
st.sidebar.number_input.return_value = 5
st.columns.side_effect = lambda spec: [mock.MagicMock() for _ in range(spec if isinstance(spec, int) else len(spec))]
st.text_input.return_value = 'What is the defect rate per factory line for the last 30 days?'
st.button.return_value = False
sys.modules['streamlit'] = st
sys.modules['altair'] = mock.MagicMock(name='altair')
sent, written = [], []
answer = json.loads(os.environ.get('ANSWER') or 'null')
def plain(v):
    return v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v
class Result:
    def __init__(self, sql): self.sql = sql
    def collect(self):
        return [{'P': json.dumps(answer)}] if '!PREDICT(' in self.sql else []
    def to_pandas(self):
        if 'REVIEW_VERDICT IS NULL' in self.sql:
            return pd.DataFrame([{'DEFECT_ID': os.environ.get('DEFECT_ID', 'd-1'), 'BOARD_ID': 'b', 'DETECTED_CLASS': 'short',
                                  'CONFIDENCE_SCORE': 0.5, 'BOUNDING_BOX_COORDINATES': '[1,2,3,4]', 'TIMESTAMP': None}])
        return pd.DataFrame()
class Session:
    def sql(self, q, params=None):
        sent.append({'sql': q, 'params': [plain(p) for p in (params or [])]})
        return Result(q)
    def write_pandas(self, df, table, database=None, schema=None, **kw):
        written.append({'table': f'{database}.{schema}.{table}', 'columns': list(df.columns), 'rows': json.loads(df.to_json(orient='values', date_format='iso'))})
ctx = types.ModuleType('snowflake.snowpark.context'); ctx.get_active_session = lambda: Session()
for name in ['snowflake', 'snowflake.snowpark']:
    sys.modules[name] = types.ModuleType(name)
sys.modules['snowflake.snowpark.context'] = ctx
page = os.environ['PAGE']
exec(compile(open(page).read(), page, 'exec'), {'__name__': '__main__', '__file__': page})
print(json.dumps({'sent': sent, 'written': written}))
`;

let server: Awaited<ReturnType<typeof startSnowflakeLocal>>;
let session: SnowflakeSession;
let python: string;
const image = deeppcbBoardImages(1)[0]!;

beforeAll(async () => {
  python = await handlerPython();
  writeFileSync(join(work, 'harness.py'), HARNESS);
  server = await startSnowflakeLocal();
  vi.stubEnv('SNOWFLAKE_HOME', await snowflakeHomeFor(server.url, { database: 'DEFECTKIT_PCB_DEFECTS', schema: 'TRAINING' }));
  vi.stubEnv('DEFECTKIT_HOME', join(work, 'home'));
  session = await SnowflakeSession.connect({});
  await session.execute('CREATE DATABASE IF NOT EXISTS DEFECTKIT_PCB_DEFECTS');
  await session.execute('CREATE SCHEMA IF NOT EXISTS DEFECTKIT_PCB_DEFECTS.TRAINING');
  expect((await cli('snowflake', 'setup', '--connection', 'local')).code).toBe(0);
  const run = await cli('detect', ...deeppcbBoardImages(3), '--out', join(work, 'detect.json'), '--log', 'snowflake:local', '--line', 'L1', '--shift', 'day');
  expect(run.code, run.stderr).toBe(0);
  const logged = await cli('registry', 'log', join(repoRoot, 'models', 'pcb-defects'), '--name', 'PCB_DEFECTS', '--registry', 'snowflake:local');
  expect(logged.code, logged.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  await session?.close();
  await server?.close();
  vi.unstubAllEnvs();
  rmSync(work, { recursive: true, force: true });
});

type Page = { sent: { sql: string; params: unknown[] }[]; written: { table: string; columns: string[]; rows: unknown[][] }[] };
function runPage(dir: string, page: string, env: Record<string, string> = {}): Page {
  const r = spawnSync(python, [join(work, 'harness.py')], { encoding: 'utf8', env: { ...process.env, PAGE: join(dir, page), IMAGE: image, ...env } });
  expect(r.status, `${page}: ${r.stderr.slice(-3000)}`).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Page;
}
const runAll = async (sent: Page['sent']): Promise<Record<string, unknown>[][]> => {
  const out: Record<string, unknown>[][] = [];
  for (const s of sent) out.push(await session.execute(s.sql, s.params as never));
  return out;
};
const emitted = (app: AppName) => emitApp({ app, out: join(work, app) });

describe('the apps\' SQL on snowflake-local', () => {
  it('dashboard: every query of every page runs on the inspection-log views and the daily one returns the logged boards', async () => {
    const { dir } = await emitted('dashboard');
    const main = runPage(dir, 'streamlit_app.py');
    expect(main.sent.length).toBeGreaterThanOrEqual(6);
    const results = await runAll(main.sent);
    const daily = results[main.sent.findIndex((s) => /SUM\(PASSED\)/.test(s.sql))]!;
    expect(daily.reduce((n, r) => n + Number(r.BOARDS), 0)).toBe(6);
    expect(results[main.sent.findIndex((s) => /V_DEFECT_RATE_BY_LINE_30D/.test(s.sql))]!.map((r) => r.FACTORY_LINE_ID)).toEqual(['L1']);
    const falseCalls = runPage(dir, 'pages/1_False_calls.py');
    await runAll(falseCalls.sent);
    expect(runPage(dir, 'pages/2_Ask_Cortex.py').sent).toEqual([]); // asks only when the button is pressed
  }, 120_000);

  it('vision-lab: MODEL(...)!PREDICT answers through the handler; the page draws and logs that answer; the review page updates a call', async () => {
    const { dir } = await emitted('vision-lab');
    const first = runPage(dir, 'streamlit_app.py', { ANSWER: JSON.stringify({ DETECTIONS: [], WIDTH: 1, HEIGHT: 1 }) });
    const predict = first.sent.find((s) => s.sql.includes('!PREDICT('))!;
    expect(predict.sql).toBe("SELECT MODEL(DEFECTKIT_PCB_DEFECTS.TRAINING.PCB_DEFECTS)!PREDICT(TO_BINARY(?, 'BASE64')) AS P");
    expect(Buffer.from(predict.params[0] as string, 'base64')).toEqual(readFileSync(image));
    const [[row]] = (await runAll([predict])) as [[Record<string, unknown>]];
    const answer = typeof row.P === 'string' ? (JSON.parse(row.P) as Record<string, unknown>) : (row.P as Record<string, unknown>);
    const detections = typeof answer.DETECTIONS === 'string' ? (JSON.parse(answer.DETECTIONS) as unknown[]) : (answer.DETECTIONS as unknown[]);
    expect(detections.length).toBeGreaterThan(0);
    expect([answer.WIDTH, answer.HEIGHT]).toEqual([640, 640]);

    // The real answer back into the page: it draws it and logs the board with its calls.
    const second = runPage(dir, 'streamlit_app.py', { ANSWER: JSON.stringify(answer) });
    const tables = second.written.map((w) => w.table);
    expect(tables).toEqual(['DEFECTKIT_PCB_DEFECTS.TRAINING.BOARD_INSPECTIONS', 'DEFECTKIT_PCB_DEFECTS.TRAINING.DEFECT_LOGS']);
    for (const w of second.written) {
      const sql = `INSERT INTO ${w.table} (${w.columns.map((c) => `"${c}"`).join(', ')}) VALUES (${w.columns.map(() => '?').join(', ')})`;
      await session.execute(sql, w.rows.map((r) => r.map((v) => (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? v.replace('T', ' ').replace(/Z$/, '') : v))) as never);
    }
    const l9 = await session.execute("SELECT BOARDS, DEFECTS FROM DEFECTKIT_PCB_DEFECTS.TRAINING.V_LINE_SHIFT WHERE FACTORY_LINE_ID = 'L9'");
    expect(l9.map((r) => [Number(r.BOARDS), Number(r.DEFECTS)])).toEqual([[1, detections.length]]);

    const defectId = String(second.written[1]!.rows[0]![0]);
    const review = runPage(dir, 'pages/1_Review.py', { DEFECT_ID: defectId });
    await runAll(review.sent);
    const reviewed = await session.execute('SELECT REVIEW_VERDICT, REVIEWER FROM DEFECTKIT_PCB_DEFECTS.TRAINING.DEFECT_LOGS WHERE DEFECT_ID = ?', [defectId]);
    // Both buttons of the one call were "pressed" by the stand-in: the last verdict wins.
    expect(reviewed).toEqual([{ REVIEW_VERDICT: 'false_call', REVIEWER: 'qa' }]);
  }, 300_000);

  it('xray: the Training page reads the TRAINING_LOG table the container job writes', async () => {
    const { dir } = await emitted('xray');
    await session.execute('CREATE DATABASE IF NOT EXISTS DEFECTKIT_XRAY_PNEUMONIA');
    await session.execute('CREATE SCHEMA IF NOT EXISTS DEFECTKIT_XRAY_PNEUMONIA.TRAINING');
    await session.execute(trainingLogTableSql(resolveOptions({ recipe: 'classifier' })));
    await session.execute("INSERT INTO DEFECTKIT_XRAY_PNEUMONIA.TRAINING.TRAINING_LOG VALUES ('run-1', 1, 0.5, 0.8, 12, CURRENT_TIMESTAMP())");
    const page = runPage(dir, 'pages/1_Training.py');
    expect(page.sent).toHaveLength(1);
    expect((await runAll(page.sent))[0]).toEqual([expect.objectContaining({ RUN_ID: 'run-1', EPOCH: 1, VAL_ACCURACY: 0.8 })]);
  }, 120_000);
});
