// The notebooks' batch-inference step (fragment templates/fragments/inspection_log.py, spliced into every detector
// recipe's train.py) end to end: it lists a stage folder of board images, runs the logged model's PREDICT (here the
// one model handler, defectkit_handler.py, on the shipped pcb-defects model, in snowflake-local's CPython 3.11 handler
// environment, behind a ModelVersion-shaped wrapper) and hands BOARD_INSPECTIONS / DEFECT_LOGS frames to
// session.write_pandas. The frames insert into the tables `defectkit snowflake setup` created on snowflake-local,
// and the views count them: every board (clean ones too) and as many calls as the TypeScript detector makes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadDetector } from '@defectkit/backend-node';
import { BOARD_INSPECTIONS, DEFECT_LOGS } from '@defectkit/inspection';
import { handlerPath, templatesDir } from '@defectkit/notebooks';
import { SnowflakeSession } from '@defectkit/snowflake';
import { handlerPython, startSnowflakeLocal } from '@defectkit/snowflake-local';
import { snowflakeHomeFor } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { deeppcbBoardImages } from './support/deeppcb-detections.js';
import { cli } from './support/run-cli.js';
import { repoRoot } from './support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'defectkit-batch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const HARNESS = String.raw`
import importlib.util, io, json, os, sys, time
import pandas as pd
CONFIG = {}
exec(open(os.environ['FRAGMENT']).read())
spec = importlib.util.spec_from_file_location('defectkit_handler', os.environ['HANDLER'])
handler = importlib.util.module_from_spec(spec); spec.loader.exec_module(handler)
model = handler.Handler.from_files(os.path.join(os.environ['MODEL'], 'model.onnx'), os.path.join(os.environ['MODEL'], 'model.json'))
class ModelVersion:
    """What Registry.log_model returns: run() is PREDICT of the logged handler."""
    model_name, version_name = 'PCB_DEFECTS', 'V20261130_060000'
    def run(self, df, function_name=None):
        assert function_name == 'predict'
        return model.predict_frame(df)
files = json.loads(os.environ['FILES'])
class Rows:
    def __init__(self, rows): self.rows = rows
    def collect(self): return self.rows
class Files:
    def get_stream(self, path):
        return io.BytesIO(open(files[path.split('/inbox/pcb-defects/', 1)[1]], 'rb').read())
written = []
class Session:
    file = Files()
    def sql(self, q):
        assert q == 'LIST @FACTORY.LOGS.DEFECTKIT_STAGE/inbox/pcb-defects/', q
        return Rows([{'name': 'defectkit_stage/inbox/pcb-defects/' + k} for k in files] + [{'name': 'defectkit_stage/inbox/pcb-defects/notes.txt'}])
    def write_pandas(self, df, table, database=None, schema=None, quote_identifiers=True, auto_create_table=False, overwrite=False):
        assert (database, schema, quote_identifiers, auto_create_table, overwrite) == ('FACTORY', 'LOGS', True, False, False)
        written.append({'table': table, 'columns': list(df.columns), 'rows': json.loads(df.to_json(orient='values', date_format='iso'))})
n = batch_inference(Session(), ModelVersion(), '@FACTORY.LOGS.DEFECTKIT_STAGE/inbox/pcb-defects', 'FACTORY', 'LOGS', 'L7', 'night', batch=3, log=lambda m: None)
print(json.dumps({'boards': n, 'written': written}))
`;

describe('notebook batch inference into the inspection log', () => {
  it('logs every board and its calls through the inspection-log schema; the views on snowflake-local count them', async () => {
    const images = deeppcbBoardImages(3); // 3 boards and their 3 defect-free templates
    const files = Object.fromEntries(images.map((p) => [basename(p), p]));
    const python = await handlerPython();
    const model = join(repoRoot, 'models', 'pcb-defects');
    writeFileSync(join(work, 'harness.py'), HARNESS);
    const r = spawnSync(python, [join(work, 'harness.py')], {
      encoding: 'utf8',
      env: { ...process.env, FRAGMENT: join(templatesDir(), 'fragments', 'inspection_log.py'), HANDLER: handlerPath(), MODEL: model, FILES: JSON.stringify(files) },
    });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { boards: number; written: { table: string; columns: string[]; rows: unknown[][] }[] };
    expect(out.boards).toBe(images.length); // notes.txt is not an image
    const boards = out.written.find((w) => w.table === 'BOARD_INSPECTIONS')!;
    const defects = out.written.find((w) => w.table === 'DEFECT_LOGS')!;
    expect(boards.columns).toEqual(BOARD_INSPECTIONS.columns.map((c) => c.name));
    expect(defects.columns).toEqual(DEFECT_LOGS.columns.map((c) => c.name));

    // As many calls per board as the TypeScript detector makes with the same model.
    const detector = await loadDetector(model);
    const expected: Record<string, number> = {};
    for (const image of images) expected[basename(image, '.jpg')] = (await detector.detect(image)).detections.length;
    await detector.dispose();
    const col = (name: string): number => BOARD_INSPECTIONS.columns.findIndex((c) => c.name === name);
    expect(Object.fromEntries(boards.rows.map((row) => [row[col('BOARD_ID')], row[col('DEFECT_COUNT')]]))).toEqual(expected);
    expect(defects.rows.length).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(boards.rows.every((row) => row[col('VERDICT')] === (Number(row[col('DEFECT_COUNT')]) > 0 ? 'fail' : 'pass'))).toBe(true);

    // The frames insert into the tables `defectkit snowflake setup` creates, and the views count them.
    const server = await startSnowflakeLocal();
    try {
      vi.stubEnv('SNOWFLAKE_HOME', await snowflakeHomeFor(server.url, { database: 'FACTORY', schema: 'LOGS' }));
      const session = await SnowflakeSession.connect({});
      await session.execute('CREATE DATABASE IF NOT EXISTS FACTORY');
      expect((await cli('snowflake', 'setup', '--connection', 'local')).code).toBe(0);
      for (const w of [boards, defects]) {
        // write_pandas writes the frame's values into the same-named columns; ISO timestamps bind as text.
        const sql = `INSERT INTO FACTORY.LOGS.${w.table} (${w.columns.map((c) => `"${c}"`).join(', ')}) VALUES (${w.columns.map(() => '?').join(', ')})`;
        await session.execute(sql, w.rows.map((row) => row.map((v) => (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? v.replace('T', ' ').replace(/Z$/, '') : v))) as never);
      }
      const line = await session.execute('SELECT FACTORY_LINE_ID, BOARDS, DEFECTIVE_BOARDS, DEFECTS FROM FACTORY.LOGS.V_DEFECT_RATE_BY_LINE_30D');
      const failed = Object.values(expected).filter((n) => n > 0).length;
      expect(line.map((x) => [x.FACTORY_LINE_ID, Number(x.BOARDS), Number(x.DEFECTIVE_BOARDS), Number(x.DEFECTS)])).toEqual([['L7', images.length, failed, defects.rows.length]]);
      const pareto = await session.execute('SELECT SUM(DEFECTS) AS N FROM FACTORY.LOGS.V_DEFECT_PARETO');
      expect(Number(pareto[0]!.N)).toBe(defects.rows.length);
      await session.close();
    } finally {
      vi.unstubAllEnvs();
      await server.close();
    }
  }, 300_000);
});
