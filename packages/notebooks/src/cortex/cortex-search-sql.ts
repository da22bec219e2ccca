/** Names of the Cortex Search objects over a stage of manuals (IPC standards, repair guides). */
export interface CortexSearchNames {
  database: string;
  schema: string;
  warehouse: string;
  /** Stage holding the PDF manuals (default MANUALS). */
  stage?: string;
  /** Chunk table (default MANUAL_CHUNKS). */
  chunks?: string;
  /** The search service (default MANUALS_SEARCH). */
  service?: string;
}

/**
 * The Cortex Search SQL: a directory-enabled stage for the manuals, a chunk table filled from it (PARSE_DOCUMENT in
 * layout mode, then SPLIT_TEXT_RECURSIVE_CHARACTER into about 1800-character chunks with overlap; files already
 * chunked are skipped, so it can run again after new uploads), and `CREATE CORTEX SEARCH SERVICE` on the chunk text
 * with the file path as a filter attribute, refreshed daily.
 */
export function cortexSearchSql(n: CortexSearchNames): string {
  const schema = `${n.database}.${n.schema}`;
  const stage = `${schema}.${n.stage ?? 'MANUALS'}`;
  const chunks = `${schema}.${n.chunks ?? 'MANUAL_CHUNKS'}`;
  const service = `${schema}.${n.service ?? 'MANUALS_SEARCH'}`;
  return `-- Cortex Search over the manuals in @${stage} (upload PDFs with PUT or snow stage copy first).
CREATE STAGE IF NOT EXISTS ${stage}
  DIRECTORY = (ENABLE = TRUE)
  ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE')
  COMMENT = 'DefectKit: manuals for Cortex Search';
ALTER STAGE ${stage} REFRESH;

CREATE TABLE IF NOT EXISTS ${chunks} (RELATIVE_PATH VARCHAR, CHUNK_INDEX INTEGER, CHUNK VARCHAR);

INSERT INTO ${chunks} (RELATIVE_PATH, CHUNK_INDEX, CHUNK)
SELECT d.RELATIVE_PATH, c.INDEX, c.VALUE::VARCHAR
FROM DIRECTORY(@${stage}) d,
  LATERAL FLATTEN(INPUT => SNOWFLAKE.CORTEX.SPLIT_TEXT_RECURSIVE_CHARACTER(
    SNOWFLAKE.CORTEX.PARSE_DOCUMENT('@${stage}', d.RELATIVE_PATH, {'mode': 'LAYOUT'}):content::VARCHAR,
    'markdown', 1800, 200)) c
WHERE d.RELATIVE_PATH ILIKE '%.pdf'
  AND d.RELATIVE_PATH NOT IN (SELECT DISTINCT RELATIVE_PATH FROM ${chunks});

CREATE CORTEX SEARCH SERVICE IF NOT EXISTS ${service}
  ON CHUNK
  ATTRIBUTES RELATIVE_PATH
  WAREHOUSE = ${n.warehouse}
  TARGET_LAG = '1 day'
  COMMENT = 'DefectKit: search the manuals'
  AS SELECT CHUNK, RELATIVE_PATH, CHUNK_INDEX FROM ${chunks};
`;
}
