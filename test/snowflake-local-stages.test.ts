import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'snowflake-sdk';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { connect, destroy, exec, startServer } from '../packages/snowflake-local/test/driver-harness.js';

interface TransferRow {
  source?: string;
  target?: string;
  file?: string;
  status: string;
  targetCompression?: string | null;
}

describe('snowflake-local stages: PUT, GET, LIST, REMOVE, @~ and persistence', () => {
  let work: string;
  let server: SnowflakeLocal;
  let conn: Connection;
  const binary = randomBytes(300_000);
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sfl-stages-'));
    writeFileSync(join(work, 'model.onnx'), binary);
    writeFileSync(join(work, 'notes.txt'), 'defect notes\n'.repeat(100));
    writeFileSync(join(work, 'a.csv'), 'x\n1\n');
    writeFileSync(join(work, 'b.csv'), 'x\n2\n');
    server = await startServer();
    conn = await connect(server);
    await exec(conn, 'create stage models_stg');
  });
  afterAll(async () => {
    await destroy(conn);
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('PUTs a binary file uncompressed and GETs it back byte-identical', async () => {
    const put = await exec<TransferRow>(conn, `PUT file://${join(work, 'model.onnx')} @models_stg/pcb/v1 AUTO_COMPRESS = FALSE`);
    expect(put.rows).toMatchObject([{ source: 'model.onnx', target: 'model.onnx', status: 'UPLOADED' }]);
    const list = await exec<{ name: string; size: number; md5: string }>(conn, 'LIST @models_stg');
    expect(list.rows).toEqual([
      expect.objectContaining({ name: 'models_stg/pcb/v1/model.onnx', size: 300_000, md5: createHash('md5').update(binary).digest('hex') }),
    ]);
    const out = join(work, 'download');
    mkdirSync(out);
    const get = await exec<TransferRow>(conn, `GET @models_stg/pcb/v1/model.onnx file://${out}`);
    expect(get.rows).toMatchObject([{ file: 'pcb/v1/model.onnx', status: 'DOWNLOADED' }]);
    expect(readFileSync(join(out, 'model.onnx')).equals(binary)).toBe(true);
  });

  it('auto-compresses by default and GET returns the .gz', async () => {
    const put = await exec<TransferRow>(conn, `PUT 'file://${join(work, 'notes.txt')}' '@models_stg/docs'`);
    expect(put.rows).toMatchObject([{ target: 'notes.txt.gz', targetCompression: 'GZIP', status: 'UPLOADED' }]);
    const out = join(work, 'docs-out');
    mkdirSync(out);
    await exec(conn, `GET @models_stg/docs file://${out}/`);
    expect(gunzipSync(readFileSync(join(out, 'notes.txt.gz'))).toString()).toBe('defect notes\n'.repeat(100));
  });

  it('filters LIST and REMOVE with PATTERN and uses the @~ user stage', async () => {
    await exec(conn, `PUT file://${join(work, '*.csv')} @~/csv auto_compress=false`);
    const all = await exec<{ name: string }>(conn, 'LIST @~');
    expect(all.rows.map((r) => r.name)).toEqual(['csv/a.csv', 'csv/b.csv']);
    const onlyB = await exec<{ name: string }>(conn, "LIST @~/csv PATTERN = '.*b[.]csv'");
    expect(onlyB.rows.map((r) => r.name)).toEqual(['csv/b.csv']);
    const removed = await exec<{ name: string; result: string }>(conn, "REMOVE @~ pattern='.*a.csv'");
    expect(removed.rows).toEqual([{ name: 'csv/a.csv', result: 'removed' }]);
    const rest = await exec<{ name: string }>(conn, 'LS @~');
    expect(rest.rows.map((r) => r.name)).toEqual(['csv/b.csv']);
  });

  it('reports a missing stage with 002003 and refuses paths that leave the stage', async () => {
    const missing = await exec(conn, 'LIST @no_such_stage').catch((e: { code: string }) => e);
    expect((missing as { code: string }).code).toBe('002003');
    const commented = await exec(conn, `/* upload */ PUT file://${join(work, 'a.csv')} @models_stg`).catch((e: { code: string; message: string }) => e);
    expect((commented as { message: string }).message).toContain('PUT must be the first word');
    const escape = await exec(conn, 'LIST @models_stg/../../etc').catch((e: { code: string; message: string }) => e);
    expect((escape as { message: string }).message).toContain("'..' is not allowed");
  });

  it('keeps tables, stages and files across a restart with a data dir', async () => {
    const dir = join(work, 'data');
    const first = await startServer({ dir });
    const c1 = await connect(first, { database: 'KEEP' });
    await exec(c1, 'create table kept (id int, name string)');
    await exec(c1, 'insert into kept values (?, ?)', [[1, 'a'], [2, 'b']]);
    await exec(c1, 'create stage keep_stg');
    await exec(c1, `PUT file://${join(work, 'model.onnx')} @keep_stg auto_compress=false`);
    await destroy(c1);
    await first.close();

    const second = await startServer({ dir });
    const c2 = await connect(second, { database: 'KEEP' });
    const { rows } = await exec(c2, 'select id, name from kept order by id');
    expect(rows).toEqual([{ ID: 1, NAME: 'a' }, { ID: 2, NAME: 'b' }]);
    const list = await exec<{ name: string; size: number }>(c2, 'list @keep_stg');
    expect(list.rows.map((r) => [r.name, r.size])).toEqual([['keep_stg/model.onnx', 300_000]]);
    await destroy(c2);
    await second.close();
  });
});
