import { describe, expect, it } from 'vitest';
import { LOG_TABLES } from './inspection-schema.js';
import { setupStatements } from './inspection-setup.js';
import { VIEW_NAMES } from './inspection-views.js';
import { snowflakeSetupSql } from './snowflake/snowflake-store.js';
import { SqlInspectionStore } from './sql-inspection-store.js';
import type { SqlRunner } from './sql-runner.js';

const dialect = { type: (t: string) => t.toUpperCase(), qualify: (name: string) => `"LOG"."${name}"` };

describe('setupStatements', () => {
  it('lists every table, then every view, and is exactly what a store runs to set up (apart from its column probes)', async () => {
    const statements = setupStatements(dialect);
    expect(statements.map((s) => s.name)).toEqual([...LOG_TABLES.map((t) => t.name), ...VIEW_NAMES]);
    const ran: string[] = [];
    const runner: SqlRunner = {
      dialect,
      location: 'LOG',
      query: async (sql) => (ran.push(sql), []),
      insert: async () => undefined,
      transaction: (work) => work(),
      close: async () => undefined,
    };
    await new SqlInspectionStore('duckdb', runner).setup();
    expect(ran.filter((sql) => !sql.startsWith('SELECT '))).toEqual(statements.map((s) => s.sql));
  });

  it('snowflakeSetupSql: the schema first, then the log in quoted "DATABASE"."SCHEMA"."NAME" form', () => {
    const sql = snowflakeSetupSql('defectkit', 'inspection');
    expect(sql[0]).toEqual({ kind: 'SCHEMA', name: 'DEFECTKIT.INSPECTION', sql: 'CREATE SCHEMA IF NOT EXISTS "DEFECTKIT"."INSPECTION"' });
    expect(sql.find((s) => s.name === 'DEFECTKIT.INSPECTION.DEFECT_LOGS')!.sql).toMatch(/^CREATE TABLE IF NOT EXISTS "DEFECTKIT"\."INSPECTION"\."DEFECT_LOGS" \("DEFECT_ID" VARCHAR, "INFERENCE_ID" VARCHAR, "BOARD_ID" VARCHAR, "TIMESTAMP" TIMESTAMP_NTZ/);
    expect(() => snowflakeSetupSql('a"b', 'x')).toThrow();
  });
});
