// The classifier as a Snowpark Container Services job: the job specification parses and runs the emitted train.py in
// job mode on the pool's GPUs, job.sql holds the documented statements (image repository, TRAINING_LOG, PUT of the
// spec, EXECUTE JOB SERVICE, the service logs), the Dockerfile copies files the project has, and the job's per-epoch
// TRAINING_LOG rows (written by the emitted script's own writer, under Debian's python3) insert and read back on
// snowflake-local through the real snowflake-sdk.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { emitNotebookProject, splitSqlStatements, trainingLogTableSql } from '@defectkit/notebooks';
import { SnowflakeSession } from '@defectkit/snowflake';
import { startSnowflakeLocal } from '@defectkit/snowflake-local';
import { snowflakeHomeFor } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { systemPython } from './support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'defectkit-job-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('classifier container job', () => {
  const emitted = emitNotebookProject({ recipe: 'classifier', out: join(work, 'xray'), gpus: 2 });

  it('job-spec.yaml runs train.py --job on the GPUs; the Dockerfile copies files the project has', async () => {
    const { dir } = await emitted;
    const spec = parseYaml(readFileSync(join(dir, 'job', 'job-spec.yaml'), 'utf8')) as { spec: { containers: Record<string, any>[]; volumes: Record<string, unknown>[] } };
    const [main] = spec.spec.containers;
    expect(main).toMatchObject({ name: 'main', image: '/defectkit_xray_pneumonia/training/defectkit_images/defectkit-xray-pneumonia:latest', command: ['python', '/app/train.py', '--job'] });
    expect(main!.resources).toEqual({ requests: { 'nvidia.com/gpu': 2 }, limits: { 'nvidia.com/gpu': 2 } });
    expect(main!.env).toMatchObject({ SNOWFLAKE_WAREHOUSE: 'DEFECTKIT_XRAY_PNEUMONIA_WH', DEFECTKIT_TRAINING_LOG: 'DEFECTKIT_XRAY_PNEUMONIA.TRAINING.TRAINING_LOG' });
    expect(spec.spec.volumes).toEqual([{ name: 'dshm', source: 'memory', size: '8Gi' }]);
    const docker = readFileSync(join(dir, 'job', 'Dockerfile'), 'utf8');
    const copied = /^COPY (.+) \/app\/$/m.exec(docker)![1]!.split(' ');
    for (const f of copied) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'train.py'), 'utf8')).toMatch(/p\.add_argument\('--job', action='store_true'/);
  });

  it('job.sql holds the documented statements in order', async () => {
    const { dir } = await emitted;
    const sql = splitSqlStatements(readFileSync(join(dir, 'job', 'job.sql'), 'utf8'), 'job.sql').map((s) => s.text.replace(/\s+/g, ' '));
    const forms = [
      /^CREATE IMAGE REPOSITORY IF NOT EXISTS DEFECTKIT_XRAY_PNEUMONIA\.TRAINING\.DEFECTKIT_IMAGES$/,
      /^CREATE TABLE IF NOT EXISTS DEFECTKIT_XRAY_PNEUMONIA\.TRAINING\.TRAINING_LOG \(RUN_ID VARCHAR, EPOCH INTEGER, LOSS DOUBLE, VAL_ACCURACY DOUBLE, SECONDS DOUBLE, LOGGED_AT TIMESTAMP_NTZ\)$/,
      /^PUT file:\/\/job-spec\.yaml @DEFECTKIT_XRAY_PNEUMONIA\.TRAINING\.DEFECTKIT_STAGE\/jobs\/xray-pneumonia\/ AUTO_COMPRESS = FALSE OVERWRITE = TRUE$/,
      // EXECUTE JOB SERVICE IN COMPUTE POOL <pool> NAME = <name> [EXTERNAL_ACCESS_INTEGRATIONS = (...)] [QUERY_WAREHOUSE = <wh>] FROM @<stage> SPECIFICATION_FILE = '<file>'
      /^EXECUTE JOB SERVICE IN COMPUTE POOL DEFECTKIT_XRAY_PNEUMONIA_POOL NAME = DEFECTKIT_XRAY_PNEUMONIA\.TRAINING\.XRAY_PNEUMONIA_TRAIN_JOB EXTERNAL_ACCESS_INTEGRATIONS = \(DEFECTKIT_XRAY_PNEUMONIA_ACCESS\) QUERY_WAREHOUSE = DEFECTKIT_XRAY_PNEUMONIA_WH FROM @DEFECTKIT_XRAY_PNEUMONIA\.TRAINING\.DEFECTKIT_STAGE\/jobs\/xray-pneumonia SPECIFICATION_FILE = 'job-spec\.yaml'$/,
      /^SELECT RUN_ID, EPOCH, LOSS, VAL_ACCURACY, SECONDS, LOGGED_AT FROM DEFECTKIT_XRAY_PNEUMONIA\.TRAINING\.TRAINING_LOG ORDER BY LOGGED_AT DESC$/,
      /^SELECT SYSTEM\$GET_SERVICE_LOGS\('DEFECTKIT_XRAY_PNEUMONIA\.TRAINING\.XRAY_PNEUMONIA_TRAIN_JOB', 0, 'main', \d+\)$/,
      /^SHOW SERVICE CONTAINERS IN SERVICE DEFECTKIT_XRAY_PNEUMONIA\.TRAINING\.XRAY_PNEUMONIA_TRAIN_JOB$/,
      /^DROP SERVICE IF EXISTS DEFECTKIT_XRAY_PNEUMONIA\.TRAINING\.XRAY_PNEUMONIA_TRAIN_JOB$/,
    ];
    expect(sql).toHaveLength(forms.length);
    sql.forEach((s, i) => expect(s).toMatch(forms[i]!));
  });

  it("train.py's TRAINING_LOG writer: one row per epoch line, inserted and read back on snowflake-local", async () => {
    const { dir, options } = await emitted;
    const harness = [
      'import importlib.util, json, os',
      "spec = importlib.util.spec_from_file_location('train', os.environ['TRAIN_PY'])",
      'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
      'calls = []',
      'class Q:',
      '    def __init__(self, sql, params): calls.append([sql, params])',
      '    def collect(self): return []',
      'class S:',
      '    def sql(self, sql, params=None): return Q(sql, params)',
      "w = m.training_log_writer(S(), 'DEFECTKIT_XRAY_PNEUMONIA.TRAINING.TRAINING_LOG', 'run-1', log=lambda line: None)",
      "w('data: 8 train / 4 val images')",
      "w(json.dumps({'epoch': 1, 'loss': 0.7, 'val_accuracy': 0.5, 'seconds': 3}))",
      "w(json.dumps({'epoch': 2, 'loss': 0.4, 'val_accuracy': 0.75, 'seconds': 6}))",
      'print(json.dumps(calls))',
    ].join('\n');
    const r = spawnSync(systemPython, ['-c', harness], { encoding: 'utf8', env: { ...process.env, TRAIN_PY: join(dir, 'train.py') } });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const calls = JSON.parse(r.stdout.trim().split('\n').pop()!) as [string, (string | number)[]][];
    expect(calls).toHaveLength(2); // the non-JSON line is only printed
    const server = await startSnowflakeLocal();
    try {
      const session = await SnowflakeSession.connect({ env: { SNOWFLAKE_HOME: await snowflakeHomeFor(server.url, {}) } });
      await session.execute('CREATE DATABASE DEFECTKIT_XRAY_PNEUMONIA');
      await session.execute('CREATE SCHEMA DEFECTKIT_XRAY_PNEUMONIA.TRAINING');
      await session.execute(trainingLogTableSql(options));
      for (const [sql, params] of calls) await session.execute(sql, params);
      const rows = await session.execute('SELECT RUN_ID, EPOCH, LOSS, VAL_ACCURACY, SECONDS, LOGGED_AT FROM DEFECTKIT_XRAY_PNEUMONIA.TRAINING.TRAINING_LOG ORDER BY EPOCH');
      expect(rows.map((x) => [x.RUN_ID, x.EPOCH, x.LOSS, x.VAL_ACCURACY, x.SECONDS])).toEqual([
        ['run-1', 1, 0.7, 0.5, 3],
        ['run-1', 2, 0.4, 0.75, 6],
      ]);
      expect(rows.every((x) => x.LOGGED_AT instanceof Date)).toBe(true);
      await session.close();
    } finally {
      await server.close();
    }
  }, 120_000);
});
