import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDbInspectionStore } from '@defectkit/inspection';
import { describeInspectionStoreConformance } from '../packages/inspection/src/testing/index.js';
import { detectDeepPcbBoards } from './support/deeppcb-detections.js';

// The inspection-store contract on the local store: a real DuckDB file, real detector results on DeepPCB boards.
describeInspectionStoreConformance('duckdb', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'defectkit-inspection-duckdb-'));
  const { results } = await detectDeepPcbBoards();
  return { store: await openDuckDbInspectionStore({ file: join(dir, 'log', 'inspection.duckdb') }), results, cleanup: () => rm(dir, { recursive: true, force: true }) };
});
