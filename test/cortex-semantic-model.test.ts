// The Cortex Analyst semantic model of the inspection log names only tables and columns that
// `defectkit snowflake setup` creates, and each of its verified queries (the golden question first) runs on
// snowflake-local, through the real snowflake-sdk, and returns rows after a logged `defectkit detect` run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { LOG_TABLES, readDetectJson } from '@defectkit/inspection';
import { GOLDEN_QUESTION, inspectionSemanticModel, semanticModelYaml, verifiedQueryToSql, type SemanticModel } from '@defectkit/notebooks';
import { SnowflakeSession } from '@defectkit/snowflake';
import { startSnowflakeLocal } from '@defectkit/snowflake-local';
import { snowflakeHomeFor } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { deeppcbBoardImages } from './support/deeppcb-detections.js';
import { cli } from './support/run-cli.js';

const at = { database: 'FACTORY', schema: 'LOGS' };

describe('Cortex semantic model of the inspection log', () => {
  const model: SemanticModel = parseYaml(semanticModelYaml(at)) as SemanticModel;

  it('is the YAML of the model object, and names only tables and columns `defectkit snowflake setup` creates', () => {
    expect(model).toEqual(JSON.parse(JSON.stringify(inspectionSemanticModel(at))));
    const created = new Map(LOG_TABLES.map((t) => [t.name, new Set(t.columns.map((c) => c.name))]));
    for (const table of model.tables) {
      expect(table.base_table).toMatchObject(at);
      const columns = created.get(table.base_table.table);
      expect(columns, table.base_table.table).toBeDefined();
      for (const c of [...table.dimensions, ...table.time_dimensions, ...table.facts]) {
        // An expression is one column of its table, quoted where the name is a keyword ("TIMESTAMP").
        const column = /^"?([A-Z_]+)"?$/.exec(c.expr)?.[1];
        expect(column && columns!.has(column), `${table.name}.${c.name} = ${c.expr}`).toBe(true);
      }
      for (const key of table.primary_key?.columns ?? []) expect([...table.dimensions].map((d) => d.name)).toContain(key);
    }
    for (const r of model.relationships) {
      const left = model.tables.find((t) => t.name === r.left_table)!;
      const right = model.tables.find((t) => t.name === r.right_table)!;
      for (const rc of r.relationship_columns) {
        expect(left.dimensions.map((d) => d.name)).toContain(rc.left_column);
        expect(right.dimensions.map((d) => d.name)).toContain(rc.right_column);
      }
    }
    expect(model.verified_queries[0]).toMatchObject({ question: GOLDEN_QUESTION, use_as_onboarding_question: true });
    // Verified queries name logical tables (`__name`) and nothing physical.
    for (const q of model.verified_queries) {
      expect(q.sql).toMatch(/\b__(board_inspections|defect_logs|pcb_metadata)\b/);
      expect(q.sql).not.toMatch(/FACTORY|BOARD_INSPECTIONS|DEFECT_LOGS/);
    }
  });

  describe('its verified queries on snowflake-local after `defectkit detect --log snowflake:local`', () => {
    let server: Awaited<ReturnType<typeof startSnowflakeLocal>>;
    let session: SnowflakeSession;
    let home: string;

    beforeAll(async () => {
      server = await startSnowflakeLocal();
      vi.stubEnv('SNOWFLAKE_HOME', await snowflakeHomeFor(server.url, at));
      home = await mkdtemp(join(tmpdir(), 'defectkit-cortex-'));
      vi.stubEnv('DEFECTKIT_HOME', home);
      session = await SnowflakeSession.connect({});
      await session.execute('CREATE DATABASE IF NOT EXISTS FACTORY');
    });
    afterAll(async () => {
      await session?.close();
      await server?.close();
      vi.unstubAllEnvs();
      await rm(home, { recursive: true, force: true });
    });

    it('every verified query runs and returns rows; the golden question counts the logged boards per line', async () => {
      expect((await cli('snowflake', 'setup', '--connection', 'local')).code).toBe(0);
      const out = join(home, 'detect.json');
      const images = deeppcbBoardImages(4);
      const run = await cli('detect', ...images, '--out', out, '--log', 'snowflake:local', '--line', 'L1', '--shift', 'day');
      expect(run.code, run.stderr).toBe(0);
      const results = await readDetectJson(out);
      // The same results again on another line and shift, as another factory would log them.
      expect((await cli('log', 'import', out, '--log', 'snowflake:local', '--line', 'L2', '--shift', 'night', '--model-version', 'v2')).code).toBe(0);

      for (const q of model.verified_queries) {
        const rows = await session.execute(verifiedQueryToSql(model, q));
        expect(rows.length, q.name).toBeGreaterThan(0);
      }
      const golden = await session.execute(verifiedQueryToSql(model, model.verified_queries[0]!));
      // Defective boards are those whose verdict (the model card's rule) is fail.
      const failed = results.filter((r) => r.verdict === 'fail').length;
      expect(results.every((r) => r.verdict !== undefined)).toBe(true);
      expect(golden.map((r) => [r.FACTORY_LINE_ID, Number(r.BOARDS), Number(r.DEFECTIVE_BOARDS)]).sort()).toEqual([
        ['L1', images.length, failed],
        ['L2', images.length, failed],
      ]);
      // It answers what the dashboard's golden-question view answers.
      const view = await session.execute('SELECT FACTORY_LINE_ID, BOARDS, DEFECT_RATE FROM FACTORY.LOGS.V_DEFECT_RATE_BY_LINE_30D ORDER BY FACTORY_LINE_ID');
      expect(view.map((r) => [r.FACTORY_LINE_ID, Number(r.BOARDS), Number(r.DEFECT_RATE)])).toEqual(
        [...golden].sort((a, b) => String(a.FACTORY_LINE_ID).localeCompare(String(b.FACTORY_LINE_ID))).map((r) => [r.FACTORY_LINE_ID, Number(r.BOARDS), Number(r.DEFECT_RATE)]),
      );
      const pareto = await session.execute(verifiedQueryToSql(model, model.verified_queries.find((q) => q.name === 'defect_pareto')!));
      expect(pareto.reduce((n, r) => n + Number(r.DEFECTS), 0)).toBe(2 * results.reduce((n, r) => n + r.detections.length, 0));
    }, 180_000);
  });
});
