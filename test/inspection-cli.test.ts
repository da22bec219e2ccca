import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readDetectJson, type DetectedImage } from '@defectkit/inspection';
import { deeppcbBoardImages } from './support/deeppcb-detections.js';
import { cli } from './support/run-cli.js';

// `defectkit detect --log local`, `log import`, `log review` and `log summary` on a DEFECTKIT_HOME of their own,
// checked against the detect JSON the same run wrote; and a logging failure that loses no result.

describe('defectkit detect --log / log import / log review / log summary', () => {
  let home: string;
  let results: DetectedImage[];
  const images = deeppcbBoardImages(3);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'defectkit-home-'));
    vi.stubEnv('DEFECTKIT_HOME', home);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(home, { recursive: true, force: true });
  });

  const summary = async (...args: string[]) => JSON.parse((await cli('log', 'summary', '--json', ...args)).stdout) as Record<string, unknown> & { boards: number; passed: number; calls: number; falseCallRate: number | null; defectsByClass: { detectedClass: string; defects: number; missed: number }[] };

  it('detect --log local logs every board (clean ones too) to $DEFECTKIT_HOME/inspection.duckdb with line, shift and model version', async () => {
    const out = join(home, 'detect.json');
    const run = await cli('detect', ...images, '--out', out, '--log', 'local', '--line', 'L1', '--shift', 'day');
    expect(run.code).toBe(0);
    results = await readDetectJson(out);
    const calls = results.reduce((n, r) => n + r.detections.length, 0);
    expect(run.stderr).toContain(`logged ${images.length} boards (${calls} defect calls) to ${join(home, 'inspection.duckdb')}`);
    const s = await summary();
    expect([s.boards, s.passed, s.calls]).toEqual([images.length, results.filter((r) => r.verdict === 'pass').length, calls]);
    expect(results.every((r) => r.verdict === 'pass' || r.verdict === 'fail')).toBe(true);
    expect(s.lines).toEqual(['L1']);
    expect((s.models as string[])[0]).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect((await summary('--line', 'L2')).boards).toBe(0);
  }, 120_000);

  it('log import adds results made elsewhere once (a repeated import is skipped); PCB_METADATA holds one row per board', async () => {
    const file = join(home, 'detect.json');
    const args = ['log', 'import', file, '--model-version', 'v9', '--line', 'L2', '--shift', 'night', '--at', '2026-11-02T22:30:00Z', '--product-type', 'deeppcb'];
    expect((await cli(...args)).stdout).toContain(`logged ${images.length} boards`);
    expect((await cli(...args)).stdout).toContain(`logged 0 boards (0 defect calls) to ${join(home, 'inspection.duckdb')}; ${images.length} already logged`);
    const l2 = await summary('--line', 'L2', '--model', 'v9');
    expect([l2.boards, l2.calls]).toEqual([images.length, results.reduce((n, r) => n + r.detections.length, 0)]);
    expect((await summary('--from', '2026-11-03', '--to', '2026-11-03', '--model', 'v9')).boards).toBe(0);
    const instance = await DuckDBInstance.create(join(home, 'inspection.duckdb'));
    const connection = await instance.connect();
    try {
      const rows = (await connection.runAndReadAll("SELECT COUNT(*) AS N, COUNT(DISTINCT BOARD_ID) AS B, MIN(PRODUCT_TYPE) AS P FROM PCB_METADATA")).getRowObjectsJS();
      expect(rows).toEqual([{ N: BigInt(images.length), B: BigInt(images.length), P: 'deeppcb' }]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('log review lists calls, records verdicts (the false-call rate follows) and adds missed defects', async () => {
    const listed = JSON.parse((await cli('log', 'review', '--unreviewed', '--line', 'L1', '--json', '--limit', '1000')).stdout) as { defectId: string; inferenceId: string; imagePath: string }[];
    expect(listed.length).toBe(results.reduce((n, r) => n + r.detections.length, 0));
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect((await summary()).falseCallRate).toBeNull();
    expect((await cli('log', 'review', listed[0]!.defectId, 'false', '--reviewer', 'ana')).stdout).toBe(`${listed[0]!.defectId}: false_call\n`);
    expect((await summary()).falseCallRate).toBe(1);
    await cli('log', 'review', listed[1]!.defectId, 'true');
    expect((await summary()).falseCallRate).toBe(0.5);
    const added = await cli('log', 'review', '--missed', listed[0]!.inferenceId, '--class', 'short', '--box', '1,2,30,40');
    expect(added.stdout).toMatch(/^added missed short as [0-9a-f-]{36}\n$/);
    const shorts = (await summary('--line', 'L1')).defectsByClass.find((c) => c.detectedClass === 'short');
    expect(shorts?.missed).toBe(1);
    expect((await cli('log', 'review', '--unreviewed', '--line', 'L1', '--json', '--limit', '1000')).stdout).not.toContain(listed[0]!.defectId);
    const bad = await cli('log', 'review', 'no-such-id', 'true');
    expect([bad.code, bad.stderr.includes('error INSPECTION_REVIEW')]).toEqual([1, true]);
    expect((await cli('log', 'review', listed[0]!.defectId, 'maybe')).stderr).toContain('error INVALID_OPTION');
  });

  it('a logging failure loses no result: the results file is written and the error says what was not logged', async () => {
    vi.stubEnv('SNOWFLAKE_HOME', await mkdtemp(join(tmpdir(), 'defectkit-no-snowflake-'))); // restored by the describe's afterAll
    const out = join(home, 'kept.json');
    const run = await cli('detect', images[0]!, images[1]!, '--out', out, '--log', 'snowflake:nowhere', '--line', 'L3');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error INSPECTION_NOT_LOGGED: 2 boards');
    expect(run.stderr).toContain('were not logged to snowflake:nowhere');
    expect(existsSync(out)).toBe(true);
    expect((JSON.parse(await readFile(out, 'utf8')) as unknown[]).length).toBe(2);
    expect((await cli('detect', images[0]!, '--line', 'L1')).stderr).toContain('error INVALID_OPTION');
  }, 120_000);
});
