import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { compilationError } from './errors.js';

/** DuckDB statement kinds that client SQL may run; file, extension, setting and catalog-attach kinds are not among them. */
const ALLOWED = new Set<StatementType>([
  StatementType.SELECT,
  StatementType.INSERT,
  StatementType.UPDATE,
  StatementType.DELETE,
  StatementType.MERGE_INTO,
  StatementType.CREATE,
  StatementType.CREATE_FUNC,
  StatementType.ALTER,
  StatementType.DROP,
  StatementType.TRANSACTION,
]);

/**
 * Prepares translated client SQL after DuckDB itself has parsed it: it must be exactly one statement
 * of an allowed kind. Whatever the translator believed about quotes and comments, DuckDB's own
 * reading is what runs, so this is where a smuggled second statement or a COPY/ATTACH/SET/LOAD/PRAGMA
 * is stopped. The caller destroys the returned statement.
 */
export async function prepareClientStatement(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const extracted = await conn.extractStatements(sql);
  if (extracted.count !== 1) {
    throw compilationError(`the statement reads as ${extracted.count} statements to the database engine; send one statement per request (or use MULTI_STATEMENT_COUNT).`, { statements: extracted.count });
  }
  const prepared = await extracted.prepare(0);
  if (!ALLOWED.has(prepared.statementType)) {
    const kind = StatementType[prepared.statementType] ?? String(prepared.statementType);
    prepared.destroySync();
    throw compilationError(`statement kind ${kind} is not allowed (snowflake-local runs queries, DML, DDL and transactions only).`, { construct: kind });
  }
  return prepared;
}
