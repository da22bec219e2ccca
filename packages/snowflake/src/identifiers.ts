import { SnowflakeError } from './errors.js';

// Snowflake's unquoted-identifier rule. We accept only these, so a name can always be quoted safely (no quote
// character can reach SQL) and means the same thing quoted or not.
const identifierPattern = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;

/** Whether `value` is a Snowflake unquoted identifier (a letter or _ then letters, digits, _ or $; at most 255 characters). */
export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && identifierPattern.test(value);
}

/**
 * Validates a database, schema, stage, table or other object name and returns its canonical form (upper case,
 * as Snowflake stores an unquoted identifier). Throws `SNOWFLAKE_IDENTIFIER` naming the field otherwise.
 *
 * @example
 * canonicalIdentifier('pcb_defects', 'name'); // 'PCB_DEFECTS'
 */
export function canonicalIdentifier(value: unknown, field: string): string {
  if (!isIdentifier(value)) {
    throw new SnowflakeError(
      'SNOWFLAKE_IDENTIFIER',
      `${field} must be an identifier (a letter or _ then letters, digits, _ or $; at most 255 characters), got ${JSON.stringify(value)}`,
      { field, value },
    );
  }
  return value.toUpperCase();
}

/** The canonical identifier in double quotes, ready for SQL text (validation guarantees there is no quote inside). */
export function quoteIdentifier(value: string, field: string): string {
  return `"${canonicalIdentifier(value, field)}"`;
}

/** A possibly qualified object name `[DB.[SCHEMA.]]NAME`, each part validated and quoted. */
export function quoteQualifiedName(value: string, field: string): string {
  const parts = value.split('.');
  if (parts.length > 3) {
    throw new SnowflakeError('SNOWFLAKE_IDENTIFIER', `${field} has more than three parts: ${JSON.stringify(value)}`, { field, value });
  }
  return parts.map((part) => quoteIdentifier(part, field)).join('.');
}

/** A stage location `@[DB.[SCHEMA.]]STAGE[/path]`, parsed and re-emitted with quoted identifiers. */
export interface StageLocation {
  /** The quoted stage name, e.g. `"DB"."S"."STG"`. */
  stage: string;
  /** The path inside the stage without leading or trailing slashes ('' for the root). */
  path: string;
}

const stagePathPattern = /^[A-Za-z0-9_.\-/]*$/;

/** Parses `@DB.SCHEMA.STAGE/some/path`; the path may hold letters, digits, `_ . - /` only. */
export function parseStageLocation(value: string, field = 'stage'): StageLocation {
  const match = /^@([^/]+)(?:\/(.*))?$/.exec(value);
  if (!match) {
    throw new SnowflakeError('SNOWFLAKE_IDENTIFIER', `${field} must look like @DB.SCHEMA.STAGE[/path], got ${JSON.stringify(value)}`, { field, value });
  }
  const path = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (!stagePathPattern.test(path) || path.split('/').some((part) => part === '..' || part === '.')) {
    throw new SnowflakeError('SNOWFLAKE_IDENTIFIER', `${field} path may hold only letters, digits, _ . - /: ${JSON.stringify(value)}`, { field, value });
  }
  return { stage: quoteQualifiedName(match[1]!, field), path };
}

/** The SQL text of a stage location, `@"DB"."S"."STG"/path`. */
export function stageLocationSql(location: StageLocation, extra = ''): string {
  const path = [location.path, extra].filter((part) => part !== '').join('/');
  return path === '' ? `@${location.stage}` : `@${location.stage}/${path}`;
}
