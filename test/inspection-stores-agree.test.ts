import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dashboardRoutes, startAppServer, type AppServer } from '@defectkit/app';
import { boardsFromDetections, inspectionSource, openDuckDbInspectionStore, openSnowflakeInspectionStore, VIEW_NAMES, type InspectionSource, type InspectionStore } from '@defectkit/inspection';
import { SnowflakeSession } from '@defectkit/snowflake';
import { startSnowflakeLocal, type SnowflakeLocal } from '@defectkit/snowflake-local';
import { snowflakeHomeFor } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { detectDeepPcbBoards } from './support/deeppcb-detections.js';

// The same boards and reviews in both stores give the same rows in every view and the same summary; and the
// dashboard's GET /api/summary, served from Snowflake (`defectkit serve --log snowflake:<connection>`), answers
// what the local store answers.

/** Rows made comparable across drivers: dates as YYYY-MM-DD, numbers rounded to 9 digits, sorted. */
function canonical(rows: Record<string, unknown>[]): string[] {
  return rows
    .map((row) =>
      JSON.stringify(
        Object.fromEntries(
          Object.entries(row)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : typeof v === 'bigint' ? Number(v) : v]),
        ),
      ),
    )
    .sort();
}

describe('the DuckDB and Snowflake stores agree', () => {
  let dir: string;
  let server: SnowflakeLocal;
  let session: SnowflakeSession;
  let local: InspectionStore;
  let remote: InspectionStore;
  let source: InspectionSource;
  let app: AppServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defectkit-agree-'));
    server = await startSnowflakeLocal();
    vi.stubEnv('SNOWFLAKE_HOME', await snowflakeHomeFor(server.url, { database: 'FACTORY', schema: 'QA' }));
    session = await SnowflakeSession.connect();
    local = await openDuckDbInspectionStore({ file: join(dir, 'inspection.duckdb') });
    remote = await openSnowflakeInspectionStore({ session, setup: true });
    const { results } = await detectDeepPcbBoards(4);
    const day = (n: number): Date => new Date(Date.now() - n * 86_400_000);
    for (const [k, context] of [
      { line: 'L1', shift: 'A', at: day(1), modelVersion: 'v2' },
      { line: 'L2', shift: 'B', at: day(8), modelVersion: 'v1' },
    ].entries()) {
      const boards = boardsFromDetections(results.filter((_, i) => i % 2 === k), { modelName: 'pcb-defects', ...context });
      await local.log(boards);
      await remote.log(boards);
    }
    // The same reviews on both: every third call is a false call; one missed defect.
    const calls = await local.defects({ limit: 10_000 });
    for (const [i, call] of calls.entries()) {
      const review = { defectId: call.defectId, verdict: i % 3 === 0 ? ('false_call' as const) : ('true_defect' as const) };
      await local.review(review);
      await remote.review(review);
    }
    const missed = { inferenceId: calls[0]!.inferenceId, detectedClass: 'open', boundingBox: [1, 2, 3, 4] as [number, number, number, number] };
    await local.addMissed(missed);
    await remote.addMissed(missed);
    source = inspectionSource('snowflake:local');
    app = await startAppServer({ port: 0, routes: await dashboardRoutes(source) });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await source?.close();
    await local?.close();
    await remote?.close();
    await session?.close();
    await server?.close();
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(VIEW_NAMES.map((v) => [v]))('%s has the same rows on both', async (view) => {
    const rows = canonical(await local.view(view));
    expect(rows.length).toBeGreaterThan(0);
    expect(canonical(await remote.view(view))).toEqual(rows);
  });

  it('the summary is the same on both, and GET /api/summary served from Snowflake answers it', async () => {
    for (const query of ['', '?line=L1', '?model=v1', '?line=L2&model=v1']) {
      const filter = Object.fromEntries(new URLSearchParams(query));
      const expected = await local.summary(filter);
      expect(expected.boards).toBeGreaterThan(0);
      expect(await remote.summary(filter)).toEqual(expected);
      expect(await (await fetch(`${app.url}api/summary${query}`)).json()).toEqual(JSON.parse(JSON.stringify(expected)));
    }
  });
});
