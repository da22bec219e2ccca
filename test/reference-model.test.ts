import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDetector, type NodeDetector } from '@defectkit/backend-node';
import { deeppcbDir, repoRoot } from './support/paths.js';
import { cli } from './support/run-cli.js';

// The shipped reference model (models/pcb-defects-ref) on a DeepPCB pair: the board against its template fails
// with its defects found, the template against itself passes, and the CLI pairs X_test with X_temp itself.
const model = join(repoRoot, 'models', 'pcb-defects-ref');
const folder = join(deeppcbDir, 'PCBData', 'group00041', '00041');
const test = join(folder, '00041000_test.jpg');
const temp = join(folder, '00041000_temp.jpg');

let detector: NodeDetector;
const scratch = mkdtempSync(join(tmpdir(), 'defectkit-ref-model-'));
beforeAll(async () => {
  detector = await loadDetector(model);
});
afterAll(async () => {
  await detector?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

describe('models/pcb-defects-ref', () => {
  it('is a card v2 reference model', () => {
    expect(detector.spec.input.reference).toBe('stacked');
    expect(detector.backend.info!.inputs[0]!.shape[1]).toBe(2);
  });

  it('fails the board against its template (defects found), passes the template against itself', async () => {
    const board = await detector.detect({ image: test, reference: temp });
    expect(board.verdict).toBe('fail');
    expect(board.detections.length).toBeGreaterThan(3);
    const clean = await detector.detect({ image: temp, reference: temp });
    expect(clean.verdict).toBe('pass');
    expect(clean.detections).toEqual([]);
  });

  it('a board without its reference is REFERENCE_MISSING naming it', async () => {
    await expect(detector.detect(test)).rejects.toMatchObject({ code: 'REFERENCE_MISSING', details: { file: test } });
  });

  it('defectkit detect --reference auto inspects the X_test boards against the X_temp beside them', async () => {
    for (const f of ['00041000_test.jpg', '00041000_temp.jpg', '00041001_test.jpg', '00041001_temp.jpg']) cpSync(join(folder, f), join(scratch, f));
    const r = await cli('detect', scratch, '--model', model, '--reference', 'auto', '--align', 'shift', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const items = JSON.parse(r.stdout) as { image: string; verdict: string; detections: unknown[] }[];
    expect(items.map((i) => [i.image.split('/').pop(), i.verdict])).toEqual([
      ['00041000_test.jpg', 'fail'],
      ['00041001_test.jpg', 'fail'],
    ]);
    const missing = await cli('detect', join(scratch, '00041000_test.jpg'), '--model', model, '--reference', join(scratch, 'nowhere'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/REFERENCE_MISSING: .*00041000_test\.jpg: no reference .*nowhere/);
  });
});
