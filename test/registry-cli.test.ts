import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDetector } from '@defectkit/backend-node';
import { formatJson } from '@defectkit/postprocess';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { SnowflakeSession } from '@defectkit/snowflake';
import { fixtureModelFolder, smallDeepPcb } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { cli } from './support/run-cli.js';
import { deeppcbDir } from './support/paths.js';
import { startLocalSnowflake } from './support/snowflake-local.js';

const images = ['00041000_test.jpg', '00041003_test.jpg'].map((name) => join(deeppcbDir, 'PCBData', 'group00041', '00041', name));

describe('defectkit registry / defectkit snowflake', () => {
  let model: string;
  let server: SnowflakeLocal;

  beforeAll(async () => {
    model = await fixtureModelFolder();
    let home: string;
    ({ server, home } = await startLocalSnowflake({ database: 'CLI', schema: 'REG' }));
    vi.stubEnv('SNOWFLAKE_HOME', home);
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await server?.close();
  });

  it('every registry command on a local registry folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defectkit-cli-registry-'));
    const reg = ['--registry-dir', dir];
    expect(await cli('registry', 'log', model, '--name', 'pcb', '--comment', 'first', ...reg)).toMatchObject({ code: 0, stdout: 'logged PCB V1 (local)\n' });
    expect((await cli('registry', 'log', model, '--name', 'pcb', '--version', 'exp2', '--json', ...reg)).stdout).toBe(`${JSON.stringify({ model: 'PCB', version: 'EXP2', registry: 'local' }, null, 2)}\n`);
    expect(JSON.parse((await cli('registry', 'list', '--json', ...reg)).stdout)).toEqual([{ name: 'PCB', versions: ['V1', 'EXP2'], default: 'V1' }]);
    const versions = JSON.parse((await cli('registry', 'versions', 'PCB', '--json', ...reg)).stdout) as Array<{ name: string; comment: string | null }>;
    expect(versions.map((v) => [v.name, v.comment])).toEqual([['V1', 'first'], ['EXP2', null]]);
    expect(JSON.parse((await cli('registry', 'show', 'pcb', '--version', 'EXP2', '--json', ...reg)).stdout)).toMatchObject({ name: 'EXP2', isDefault: false });
    expect(JSON.parse((await cli('registry', 'set-default', 'pcb', 'exp2', '--json', ...reg)).stdout)).toMatchObject({ default: 'EXP2' });
    // An export may not land inside the registry it reads from.
    const inside = await cli('registry', 'export', 'pcb', '--out', join(dir, 'exported'), ...reg);
    expect([inside.code, inside.stderr]).toEqual([1, expect.stringContaining('error OUTPUT_OVERLAPS_INPUT')]);
    const out = join(await mkdtemp(join(tmpdir(), 'defectkit-cli-export-')), 'exported');
    expect((await cli('registry', 'export', 'pcb', '--out', out, ...reg)).code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['model.json', 'model.onnx']);

    const predicted = await cli('registry', 'predict', 'pcb', ...images, ...reg);
    expect(predicted.code).toBe(0);
    const detector = await loadDetector(model);
    const expected = [];
    for (const image of images) expected.push({ image, ...(await detector.detect(image)) });
    await detector.dispose();
    expect(predicted.stdout).toBe(formatJson(expected));

    const missing = await cli('registry', 'show', 'nope', ...reg);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error REGISTRY_MODEL_NOT_FOUND');
    expect((await cli('registry', 'delete', 'pcb', '--version', 'v1', ...reg)).code).toBe(0);
    expect(JSON.parse((await cli('registry', 'list', '--json', ...reg)).stdout)).toEqual([{ name: 'PCB', versions: ['EXP2'], default: 'EXP2' }]);
    expect((await cli('registry', 'list', '--registry', 'elsewhere', ...reg)).stderr).toContain('error REGISTRY_SPEC');
  });

  it('registry commands on snowflake:<connection>', async () => {
    const sf = ['--registry', 'snowflake:local'];
    expect(await cli('registry', 'log', model, '--name', 'remote_pcb', ...sf)).toMatchObject({ code: 0, stdout: 'logged REMOTE_PCB V1 (snowflake)\n' });
    expect(JSON.parse((await cli('registry', 'list', '--json', ...sf)).stdout)).toEqual([{ name: 'REMOTE_PCB', versions: ['V1'], default: 'V1' }]);
    // registry predict on snowflake:<connection> runs the logged Python handler: test/model-handler-cli.python.test.ts.
    expect((await cli('registry', 'delete', 'REMOTE_PCB', ...sf)).code).toBe(0);
    expect(JSON.parse((await cli('registry', 'list', '--json', ...sf)).stdout)).toEqual([]);
  }, 120_000);

  it('defectkit detect --log snowflake:<connection> logs the board and every detection to the inspection log', async () => {
    expect((await cli('snowflake', 'setup', '--connection', 'local')).code).toBe(0);
    const detected = await cli('detect', images[0]!, '--model', model, '--log', 'snowflake:local');
    expect(detected.code).toBe(0);
    const count = (JSON.parse(detected.stdout) as Array<{ detections: unknown[] }>)[0]!.detections.length;
    expect(count).toBeGreaterThan(0);
    expect(detected.stderr).toContain(`logged 1 boards (${count} defect calls) to CLI.REG`);
    const session = await SnowflakeSession.connect();
    try {
      expect(await session.execute("SELECT COUNT(*) AS N FROM CLI.REG.DEFECT_LOGS WHERE BOARD_ID = '00041000_test' AND MODEL_NAME = 'synthetic-bcn'")).toEqual([{ N: count }]);
    } finally {
      await session.close();
    }
    const bad = await cli('detect', images[0]!, '--model', model, '--log', 'postgres');
    expect([bad.code, bad.stderr.includes('error INVALID_OPTION')]).toEqual([1, true]);
  }, 120_000);

  it('defectkit snowflake setup and upload-dataset', async () => {
    expect(JSON.parse((await cli('snowflake', 'setup', '--json')).stdout)).toMatchObject({ tables: ['CLI.REG.BOARD_INSPECTIONS', 'CLI.REG.DEFECT_LOGS', 'CLI.REG.PCB_METADATA'] });
    const dir = await smallDeepPcb(deeppcbDir);
    const first = await cli('snowflake', 'upload-dataset', dir, '--format', 'deeppcb', '--stage', '@CLI.REG.IMAGES/g41', '--table', 'CLI.REG.LABELS', '--json');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as { uploaded: number; skipped: number; rows: number };
    expect(summary.uploaded).toBe(6);
    expect(first.stderr).toContain(`${summary.uploaded}/${summary.uploaded} files`);
    const second = JSON.parse((await cli('snowflake', 'upload-dataset', dir, '--format', 'deeppcb', '--stage', '@CLI.REG.IMAGES/g41', '--table', 'CLI.REG.LABELS', '--json')).stdout);
    expect(second).toEqual({ uploaded: 0, skipped: summary.uploaded, rows: summary.rows });
  }, 120_000);
});
