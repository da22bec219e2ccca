import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { SnowflakeSession, uploadDataset } from '@defectkit/snowflake';
import { CuttableProxy, smallDeepPcb as makeSmallDeepPcb, smallDeepPcbIds, snowflakeHomeFor } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { deeppcbDir } from './support/paths.js';
import { errorOf } from './support/errors.js';
import { sessionFor, startLocalSnowflake } from './support/snowflake-local.js';

const ids = smallDeepPcbIds;
const smallDeepPcb = (): Promise<string> => makeSmallDeepPcb(deeppcbDir);

describe('dataset upload against snowflake-local (the inspection log: test/inspection-*.test.ts)', () => {
  let server: SnowflakeLocal;
  let home: string;
  let session: SnowflakeSession;

  beforeAll(async () => {
    ({ server, home } = await startLocalSnowflake({ database: 'ML', schema: 'PCB', create: 'database' }));
    session = await sessionFor(home);
  });

  afterAll(async () => {
    await session?.close();
    await server?.close();
  });

  it('uploads images and labels, skips files already on the stage, and replaces (never duplicates) label rows', async () => {
    const dir = await smallDeepPcb();
    const progress: number[] = [];
    const first = await uploadDataset(session, { dir, format: 'deeppcb', stage: '@ML.PCB.IMAGES/deeppcb', table: 'ML.PCB.LABELS', onProgress: (p) => progress.push(p.done) });
    expect(first).toMatchObject({ uploaded: 6, skipped: 0 });
    expect(first.rows).toBeGreaterThan(0);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    const listed = await session.execute('LIST @ML.PCB.IMAGES/deeppcb');
    expect(listed.map((r) => r.name).sort()).toEqual(ids.flatMap((id) => ['_temp', '_test'].map((s) => `images/deeppcb/group00041/00041/${id}${s}.jpg`)).sort());
    const again = await uploadDataset(session, { dir, format: 'deeppcb', stage: '@ML.PCB.IMAGES/deeppcb', table: 'ML.PCB.LABELS' });
    expect(again).toEqual({ uploaded: 0, skipped: 6, rows: first.rows });
    expect(await session.execute('SELECT COUNT(*) AS N FROM ML.PCB.LABELS')).toEqual([{ N: first.rows }]);
    // A changed file is uploaded again; the others are skipped.
    await copyFile(join(dir, 'PCBData', 'group00041', '00041', '00041001_temp.jpg'), join(dir, 'PCBData', 'group00041', '00041', '00041000_temp.jpg'));
    expect(await uploadDataset(session, { dir, format: 'deeppcb', stage: '@ML.PCB.IMAGES/deeppcb', table: 'ML.PCB.LABELS' })).toMatchObject({ uploaded: 1, skipped: 5 });
    const labels = await session.execute("SELECT IMAGE_PATH, CLASS_NAME, X1, Y1, X2, Y2 FROM ML.PCB.LABELS WHERE IMAGE_PATH LIKE '%00041000%' ORDER BY X1, Y1");
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.every((r) => r.IMAGE_PATH === 'group00041/00041/00041000_test.jpg')).toBe(true);
    expect(labels.every((r) => ['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'].includes(r.CLASS_NAME as string))).toBe(true);
  });

  it('an upload cut by a network drop fails with SNOWFLAKE_UPLOAD and resumes where it stopped', async () => {
    const dir = await smallDeepPcb();
    const proxy = new CuttableProxy(server.port);
    await proxy.start();
    const proxyHome = await snowflakeHomeFor(proxy.url, { database: 'ML', schema: 'PCB' });
    const cut = await SnowflakeSession.connect({ env: { SNOWFLAKE_HOME: proxyHome }, statementTimeoutMs: 4000 });
    proxy.cutOnRequest(3, "PUT 'file:");
    const error = await errorOf(uploadDataset(cut, { dir, format: 'deeppcb', stage: '@ML.PCB.RESUME', table: 'ML.PCB.RESUME_LABELS' }));
    expect(error.code).toBe('SNOWFLAKE_UPLOAD');
    expect(error.details).toMatchObject({ done: 2, total: 6 });
    await proxy.restore();
    const resumed = await SnowflakeSession.connect({ env: { SNOWFLAKE_HOME: proxyHome } });
    try {
      const summary = await uploadDataset(resumed, { dir, format: 'deeppcb', stage: '@ML.PCB.RESUME', table: 'ML.PCB.RESUME_LABELS' });
      expect(summary.skipped).toBeGreaterThanOrEqual(2);
      expect(summary.uploaded + summary.skipped).toBe(6);
      expect(await resumed.execute('LIST @ML.PCB.RESUME')).toHaveLength(6);
    } finally {
      await resumed.close();
      await cut.close();
      await proxy.close();
    }
  }, 120_000);
});
