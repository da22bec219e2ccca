import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'snowflake-sdk';
import type { Predictor, SnowflakeLocal } from '@defectkit/snowflake-local';
import { connect, destroy, exec, startServer } from '../packages/snowflake-local/test/driver-harness.js';
import { goldenDir } from './support/paths.js';

const MANIFEST = `manifest_version: '1.0'
runtimes:
  python_runtime:
    language: PYTHON
    version: '3.11'
    imports: [model/]
    dependencies:
      conda: runtimes/python_runtime/env/conda.yml
methods:
  - name: PREDICT
    runtime: python_runtime
    type: FUNCTION
    handler: functions.predict.infer
    inputs: [{name: IMAGE, type: BINARY}]
    outputs: [{type: OBJECT}]
`;

/** Writes a registry package (the layout CREATE MODEL reads) around the synthetic Ultralytics ONNX fixture. */
function writePackage(dir: string, manifest = MANIFEST): string[] {
  const files: Record<string, string | Buffer> = {
    'MANIFEST.yml': manifest,
    'functions/predict.py': '# handler run by a Snowflake warehouse\ndef infer(df):\n    raise NotImplementedError\n',
    'runtimes/python_runtime/env/conda.yml': 'name: snow-env\ndependencies: [python==3.11.*, onnxruntime]\n',
    'model/model.yaml': 'model_type: custom\nname: pcb\n',
  };
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), body);
  }
  copyFileSync(join(goldenDir, 'fixtures', 'synthetic_ultralytics_end2end.onnx'), join(dir, 'model', 'model.onnx'));
  return [...Object.keys(files), 'model/model.onnx'];
}

async function putPackage(conn: Connection, dir: string, files: string[], target: string): Promise<void> {
  for (const rel of files) {
    const sub = dirname(rel) === '.' ? '' : `/${dirname(rel)}`;
    await exec(conn, `PUT file://${join(dir, rel)} ${target}${sub} AUTO_COMPRESS=FALSE`);
  }
}

const predicted: { version: string }[] = [];
let image: Buffer;

/** A predictor that answers what it was given: the package's MANIFEST, the method, its inputs and each image. */
const recordingPredictor: Predictor = async ({ dir, method, inputs, rows }) => {
  predicted.push({ version: basename(dir) });
  return rows.map(([value]) => ({
    METHOD: method,
    INPUTS: inputs,
    BYTES: (value as Uint8Array).byteLength,
    SAME_IMAGE: Buffer.from(value as Uint8Array).equals(image),
    MANIFEST: readFileSync(join(dir, 'MANIFEST.yml'), 'utf8'),
  }));
};

describe('snowflake-local model registry statements and MODEL()!PREDICT', () => {
  let work: string;
  let server: SnowflakeLocal;
  let conn: Connection;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sfl-models-'));
    const files = writePackage(join(work, 'pkg'));
    const broken = writePackage(join(work, 'broken'), MANIFEST.replace('functions.predict.infer', 'functions.missing.infer'));
    server = await startServer({ dir: join(work, 'data'), predictor: recordingPredictor });
    conn = await connect(server, { database: 'ML', schema: 'REG' });
    await exec(conn, 'create stage pkg_stg');
    await putPackage(conn, join(work, 'pkg'), files, '@pkg_stg/pcb');
    await putPackage(conn, join(work, 'broken'), broken, '@pkg_stg/broken');
    image = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 200, g: 50, b: 50 } } }).png().toBuffer();
  });
  afterAll(async () => {
    await destroy(conn);
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('creates a model from a staged package and manages versions, aliases, comments and metadata', async () => {
    const created = await exec(conn, 'CREATE MODEL pcb WITH VERSION v1 FROM @pkg_stg/pcb');
    expect(created.rows).toEqual([{ status: 'Model PCB successfully created.' }]);
    await exec(conn, 'ALTER MODEL ml.reg.pcb ADD VERSION v2 FROM @ml.reg.pkg_stg/pcb');
    await exec(conn, 'ALTER MODEL pcb SET DEFAULT_VERSION = v2');
    await exec(conn, "ALTER MODEL pcb MODIFY VERSION v1 SET COMMENT = 'first cut'");
    await exec(conn, 'ALTER MODEL pcb MODIFY VERSION v1 SET METADATA = $${"metrics": {"map50": 0.5}}$$');
    await exec(conn, 'ALTER MODEL pcb VERSION v1 SET ALIAS = stable');
    const models = await exec<Record<string, string>>(conn, "SHOW MODELS LIKE 'pc%' IN SCHEMA ml.reg");
    expect(models.rows).toMatchObject([{ name: 'PCB', database_name: 'ML', schema_name: 'REG', default_version_name: 'V2', model_type: 'custom' }]);
    expect(JSON.parse(models.rows[0]!.versions!)).toEqual(['V1', 'V2']);
    expect(JSON.parse(models.rows[0]!.aliases!)).toEqual({ STABLE: 'V1' });
    const versions = await exec<Record<string, string>>(conn, 'SHOW VERSIONS IN MODEL pcb');
    const v1 = versions.rows.find((v) => v.name === 'V1')!;
    expect(v1).toMatchObject({ comment: 'first cut', is_default_version: 'false', model_name: 'PCB' });
    expect(JSON.parse(v1.metadata!)).toEqual({ metrics: { map50: 0.5 } });
    expect(JSON.parse(v1.aliases!)).toEqual(['STABLE']);
    expect(JSON.parse(v1.functions!)).toEqual(['PREDICT']);
    const fns = await exec<Record<string, string>>(conn, 'SHOW FUNCTIONS IN MODEL pcb VERSION stable');
    expect(fns.rows).toMatchObject([{ name: 'PREDICT', return_type: 'OBJECT', arguments: 'PREDICT(IMAGE BINARY) RETURN OBJECT' }]);
    await exec(conn, 'ALTER MODEL pcb VERSION stable UNSET ALIAS');
    const after = await exec<Record<string, string>>(conn, "SHOW VERSIONS LIKE 'v1' IN MODEL pcb");
    expect(JSON.parse(after.rows[0]!.aliases!)).toEqual([]);
  });

  it('rejects a package whose MANIFEST names a missing handler, naming the file and field', async () => {
    const error = await exec(conn, 'CREATE MODEL bad WITH VERSION v1 FROM @pkg_stg/broken').catch((e: { code: string; message: string }) => e);
    expect((error as { message: string }).message).toContain('MANIFEST.yml');
    expect((error as { message: string }).message).toContain('methods[0].handler');
    expect((error as { message: string }).message).toContain('functions/missing.py');
    const models = await exec(conn, "SHOW MODELS LIKE 'BAD'");
    expect(models.rows).toEqual([]);
  });

  it('lists and GETs version files through snow://model/ locations', async () => {
    const list = await exec<{ name: string }>(conn, "LIST 'snow://model/PCB/versions/V1/'");
    expect(list.rows.map((r) => r.name)).toContain('versions/V1/MANIFEST.yml');
    const out = join(work, 'manifest-out');
    mkdirSync(out);
    await exec(conn, `GET 'snow://model/ML.REG.PCB/versions/V1/MANIFEST.yml' 'file://${out}'`);
    expect(readFileSync(join(out, 'MANIFEST.yml'), 'utf8')).toBe(MANIFEST);
  });

  it('hands MODEL(m, v)!PREDICT rows to the predictor with the version package and returns one OBJECT column', async () => {
    // The default predictor runs the logged Python handler (test/model-handler-*.python.test.ts); here a recording
    // one checks the SQL side: which package, method and argument values reach it, and what comes back.
    await exec(conn, 'create table boards (name string, img binary)');
    await exec(conn, "insert into boards select ?, to_binary(?, 'HEX')", [['b1', image.toString('hex')], ['b2', image.toString('hex')]]);
    const { rows, stmt } = await exec<{ NAME: string; R: Record<string, unknown> }>(conn, 'select name, MODEL(pcb, v1)!PREDICT(img) as r from boards order by name');
    expect(stmt.getColumns()!.map((c) => [c.getName(), c.getType()])).toEqual([['NAME', 'text'], ['R', 'object']]);
    const expected = { METHOD: 'PREDICT', INPUTS: [{ name: 'IMAGE', type: 'BINARY' }], BYTES: image.length, SAME_IMAGE: true, MANIFEST: MANIFEST };
    expect(rows.map((row) => row.R)).toEqual([expected, expected]);
    expect(predicted.map((r) => r.version)).toEqual(['V1']); // one call for both rows
    const withForm = await exec<Record<string, Record<string, unknown>>>(conn, 'WITH mv AS MODEL pcb VERSION v2 SELECT mv!PREDICT(img) FROM boards');
    expect(Object.keys(withForm.rows[0]!)).toEqual(['MV!PREDICT(IMG)']);
    expect(withForm.rows[0]!['MV!PREDICT(IMG)']).toEqual(expected);
    expect(predicted.map((r) => r.version)).toEqual(['V1', 'V2']);
  });

  it('keeps models across a restart and drops them', async () => {
    await destroy(conn);
    await server.close();
    server = await startServer({ dir: join(work, 'data') });
    conn = await connect(server, { database: 'ML', schema: 'REG' });
    const models = await exec<{ name: string; default_version_name: string }>(conn, 'SHOW MODELS');
    expect(models.rows.map((m) => [m.name, m.default_version_name])).toEqual([['PCB', 'V2']]);
    await exec(conn, 'ALTER MODEL pcb DROP VERSION v1');
    await exec(conn, 'DROP MODEL pcb');
    expect((await exec(conn, 'SHOW MODELS')).rows).toEqual([]);
    const gone = await exec(conn, 'DROP MODEL pcb').catch((e: { code: string }) => e);
    expect((gone as { code: string }).code).toBe('002003');
  });
});
