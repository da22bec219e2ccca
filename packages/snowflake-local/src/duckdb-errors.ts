import { DefectKitError } from '@defectkit/core';
import { SnowflakeSqlError } from './errors.js';

/**
 * Maps a DuckDB error to the Snowflake code and SQLSTATE a client would get for the same mistake.
 * DuckDB messages start with their error class ("Catalog Error: …"), which decides the mapping.
 */
export function mapDuckDbError(error: unknown, sql: string): SnowflakeSqlError | DefectKitError {
  if (DefectKitError.isInstance(error)) return error;
  const raw = error instanceof Error ? error.message : String(error);
  // Statements without binds go through DuckDB's statement extraction, which prefixes its own text.
  const message = raw.split('\n')[0]!.replace(/^Failed to extract statements:\s*/, '');
  const details = { duckdb: message, sql };
  const missing = /(?:Table|View|Schema|Catalog) with name "?([^"\s]+)"? does not exist/i.exec(message);
  if (missing) {
    return new SnowflakeSqlError('002003', '42S02', `SQL compilation error:\nObject '${missing[1]!.toUpperCase()}' does not exist or not authorized.`, details, { cause: error });
  }
  const column = /Referenced column "?([^"\s]+)"? not found/i.exec(message);
  if (column) {
    return new SnowflakeSqlError('000904', '42000', `SQL compilation error: error line 1 at position 0\ninvalid identifier '${column[1]}'`, details, { cause: error });
  }
  if (/^INTERRUPT Error/i.test(message)) return new SnowflakeSqlError('000604', '57014', 'SQL execution canceled', details, { cause: error });
  if (/^Parser Error/i.test(message)) return new SnowflakeSqlError('001003', '42000', `SQL compilation error:\nsyntax error: ${message.replace(/^Parser Error:\s*/, '')}`, details, { cause: error });
  if (/^Catalog Error: Scalar Function with name (\S+) does not exist/i.test(message)) {
    const name = /with name (\S+) does not exist/i.exec(message)![1]!;
    return new SnowflakeSqlError('002140', '42601', `SQL compilation error:\nUnknown function ${name.toUpperCase()}`, details, { cause: error });
  }
  if (/^Catalog Error/i.test(message)) {
    if (/already exists/i.test(message)) return new SnowflakeSqlError('002002', '42710', `SQL compilation error:\n${message.replace(/^Catalog Error:\s*/, '')}`, details, { cause: error });
    return new SnowflakeSqlError('002003', '02000', `SQL compilation error:\n${message.replace(/^Catalog Error:\s*/, '')}`, details, { cause: error });
  }
  if (/^Permission Error/i.test(message)) {
    // The sandbox refused a file, extension or setting: Snowflake's answer for an action the user may not take.
    return new SnowflakeSqlError('003001', '42501', `SQL access control error:\nInsufficient privileges: ${message.replace(/^Permission Error:\s*/, '')}`, details, { cause: error });
  }
  if (/^Invalid Input Error: Cannot change configuration option/i.test(message)) {
    return new SnowflakeSqlError('003001', '42501', `SQL access control error:\nInsufficient privileges: ${message.replace(/^Invalid Input Error:\s*/, '')}`, details, { cause: error });
  }
  if (/^Binder Error/i.test(message)) return new SnowflakeSqlError('002262', '42000', `SQL compilation error:\n${message.replace(/^Binder Error:\s*/, '')}`, details, { cause: error });
  if (/^Conversion Error|^Invalid Input Error.*(convert|cast)/i.test(message)) {
    return new SnowflakeSqlError('100038', '22018', `Numeric value or conversion not recognized: ${message.replace(/^\w+ Error:\s*/, '')}`, details, { cause: error });
  }
  if (/^Constraint Error/i.test(message)) {
    if (/NOT NULL/i.test(message)) return new SnowflakeSqlError('100072', '22000', `NULL result in a non-nullable column: ${message}`, details, { cause: error });
    return new SnowflakeSqlError('100116', '23505', message, details, { cause: error });
  }
  if (/^Out of Range Error/i.test(message)) return new SnowflakeSqlError('100046', '22003', `Number out of representable range: ${message}`, details, { cause: error });
  if (/^Invalid Input Error/i.test(message)) return new SnowflakeSqlError('100069', '22P02', message, details, { cause: error });
  if (/^TransactionContext Error/i.test(message)) return new SnowflakeSqlError('000603', 'XX000', message, details, { cause: error });
  return new SnowflakeSqlError('100090', '22000', message, details, { cause: error });
}
