import { createTableSql, LOG_TABLES, type SqlDialect } from './inspection-schema.js';
import { viewsSql } from './inspection-views.js';

/** One statement of the log's setup: a table or a view, by name. */
export interface SetupStatement {
  kind: 'TABLE' | 'VIEW';
  name: string;
  sql: string;
}

/**
 * What setting up the inspection log runs, in order: `CREATE TABLE IF NOT EXISTS` of every table, then
 * `CREATE OR REPLACE VIEW` of every view. Stores run this list, and `snowflake deploy --dry-run` prints it.
 *
 * @example
 * for (const s of setupStatements(dialect)) await run(s.sql);
 */
export function setupStatements(dialect: SqlDialect): SetupStatement[] {
  return [
    ...LOG_TABLES.map((table): SetupStatement => ({ kind: 'TABLE', name: table.name, sql: createTableSql(table, dialect) })),
    ...viewsSql(dialect).map((view): SetupStatement => ({ kind: 'VIEW', name: view.name, sql: view.sql })),
  ];
}
