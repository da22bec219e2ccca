import { stringify } from 'yaml';

/** Where the inspection log lives (the tables and views `defectkit snowflake setup` creates). */
export interface LogLocation {
  database: string;
  schema: string;
}

/** A column of a logical table: its name, the SQL over the base table, type and words people use for it. */
export interface SemanticColumn {
  name: string;
  expr: string;
  data_type: string;
  description: string;
  synonyms?: string[];
  sample_values?: string[];
}

/** A metric: an aggregate over the logical table's columns. */
export interface SemanticMetric {
  name: string;
  expr: string;
  description: string;
  synonyms?: string[];
}

/** A logical table of the semantic model (Cortex Analyst semantic model specification). */
export interface SemanticTable {
  name: string;
  description: string;
  base_table: { database: string; schema: string; table: string };
  primary_key?: { columns: string[] };
  dimensions: SemanticColumn[];
  time_dimensions: SemanticColumn[];
  facts: SemanticColumn[];
  metrics: SemanticMetric[];
}

/** A question with its checked answer: the SQL names logical tables as `__<name>` and their logical columns. */
export interface VerifiedQuery {
  name: string;
  question: string;
  sql: string;
  verified_at: number;
  verified_by: string;
  use_as_onboarding_question: boolean;
}

/** The semantic model: logical tables, how they join, and verified queries. */
export interface SemanticModel {
  name: string;
  description: string;
  tables: SemanticTable[];
  relationships: {
    name: string;
    left_table: string;
    right_table: string;
    relationship_columns: { left_column: string; right_column: string }[];
    join_type: 'left_outer' | 'inner';
    relationship_type: 'many_to_one' | 'one_to_one';
  }[];
  verified_queries: VerifiedQuery[];
}

const dim = (name: string, expr: string, description: string, synonyms: string[] = [], data_type = 'VARCHAR'): SemanticColumn => ({
  name,
  expr,
  data_type,
  description,
  ...(synonyms.length > 0 ? { synonyms } : {}),
});

/** When the verified queries were checked (fixed, so the same location always gives the same bytes): 2026-11-30. */
const VERIFIED_AT = 1796083200;

/** The seed spec's golden question. */
export const GOLDEN_QUESTION = 'What is the defect rate per factory line for the last 30 days?';

/**
 * The Cortex Analyst semantic model of the inspection log: boards (BOARD_INSPECTIONS), defect calls and reviews
 * (DEFECT_LOGS) and board metadata (PCB_METADATA), with yield, defect rate and false-call rate as metrics and
 * verified queries for the questions the dashboard answers, the golden question first.
 */
export function inspectionSemanticModel(at: LogLocation): SemanticModel {
  const base = (table: string) => ({ database: at.database, schema: at.schema, table });
  const failed = "SUM(CASE WHEN verdict = 'fail' THEN 1 ELSE 0 END)";
  const boards: SemanticTable = {
    name: 'board_inspections',
    description: 'One row per inspected board image, clean boards included: where, when, by which model, pass or fail.',
    base_table: base('BOARD_INSPECTIONS'),
    primary_key: { columns: ['inference_id'] },
    dimensions: [
      dim('inference_id', 'INFERENCE_ID', 'Id of one inspection of one board image.'),
      dim('board_id', 'BOARD_ID', 'The inspected board.', ['pcb', 'board', 'serial']),
      dim('image_path', 'IMAGE_PATH', 'The inspected image file.'),
      dim('factory_line_id', 'FACTORY_LINE_ID', 'Production line that made the board.', ['line', 'production line', 'factory line']),
      dim('shift', 'SHIFT', 'Work shift of the inspection.', ['crew']),
      dim('model_name', 'MODEL_NAME', 'Detection model that inspected the board.'),
      dim('model_version', 'MODEL_VERSION', 'Version of the detection model.', ['model release']),
      dim('verdict', 'VERDICT', "'pass' (no defect called) or 'fail' (at least one defect called).", ['result', 'outcome'], 'VARCHAR'),
    ],
    time_dimensions: [dim('inspection_time', '"TIMESTAMP"', 'When the board was inspected (UTC).', ['date', 'time', 'inspected at'], 'TIMESTAMP_NTZ')],
    facts: [
      dim('defect_count', 'DEFECT_COUNT', 'Defects the model called on the board.', ['defects found'], 'NUMBER'),
      dim('inference_ms', 'INFERENCE_MS', 'Model time for the image in milliseconds.', ['latency'], 'NUMBER'),
    ],
    metrics: [
      { name: 'boards_inspected', expr: 'COUNT(*)', description: 'Boards inspected.', synonyms: ['volume', 'throughput'] },
      { name: 'yield_rate', expr: "SUM(CASE WHEN verdict = 'pass' THEN 1 ELSE 0 END) / COUNT(*)", description: 'Share of boards that passed.', synonyms: ['yield', 'first pass yield'] },
      { name: 'defect_rate', expr: `${failed} / COUNT(*)`, description: 'Share of boards with at least one defect called.', synonyms: ['failure rate', 'reject rate'] },
    ],
  };
  const defects: SemanticTable = {
    name: 'defect_logs',
    description: 'One row per defect: a model call (source model) or a defect a reviewer added (source reviewer), with its review.',
    base_table: base('DEFECT_LOGS'),
    primary_key: { columns: ['defect_id'] },
    dimensions: [
      dim('defect_id', 'DEFECT_ID', 'Id of the defect row.'),
      dim('inference_id', 'INFERENCE_ID', 'The inspection the defect belongs to.'),
      dim('board_id', 'BOARD_ID', 'The board.'),
      dim('detected_class', 'DETECTED_CLASS', 'Defect type: open, short, mousebite, spur, copper, pin-hole (DeepPCB classes).', ['defect type', 'defect class', 'category']),
      dim('factory_line_id', 'FACTORY_LINE_ID', 'Production line of the inspected board.', ['line', 'production line']),
      dim('shift', 'SHIFT', 'Work shift of the inspection.'),
      dim('model_version', 'MODEL_VERSION', 'Version of the model that made the call.'),
      dim('source', 'SOURCE', "'model' for a model call, 'reviewer' for a defect a reviewer added."),
      dim('review_verdict', 'REVIEW_VERDICT', "'true_defect', 'false_call', 'missed', or empty when not reviewed.", ['review', 'verdict']),
      dim('reviewer', 'REVIEWER', 'Who reviewed the call.'),
      dim('bounding_box_coordinates', 'BOUNDING_BOX_COORDINATES', 'Box [x1, y1, x2, y2] in image pixels (JSON text).'),
    ],
    time_dimensions: [
      dim('defect_time', '"TIMESTAMP"', 'When the board was inspected (UTC).', ['date'], 'TIMESTAMP_NTZ'),
      dim('reviewed_at', 'REVIEWED_AT', 'When the call was reviewed.', [], 'TIMESTAMP_NTZ'),
    ],
    facts: [dim('confidence_score', 'CONFIDENCE_SCORE', 'Model confidence of the call, 0 to 1.', ['score', 'confidence'], 'NUMBER')],
    metrics: [
      { name: 'defect_calls', expr: "SUM(CASE WHEN source = 'model' THEN 1 ELSE 0 END)", description: 'Defects called by the model.' },
      {
        name: 'false_call_rate',
        expr: "SUM(CASE WHEN review_verdict = 'false_call' THEN 1 ELSE 0 END) / NULLIF(SUM(CASE WHEN review_verdict IN ('true_defect', 'false_call') THEN 1 ELSE 0 END), 0)",
        description: 'Share of reviewed model calls that reviewers rejected (the false-positive rate).',
        synonyms: ['false positive rate', 'FPR', 'false alarm rate'],
      },
    ],
  };
  const metadata: SemanticTable = {
    name: 'pcb_metadata',
    description: 'One row per board: when and where it was made and which product it is.',
    base_table: base('PCB_METADATA'),
    primary_key: { columns: ['board_id'] },
    dimensions: [
      dim('board_id', 'BOARD_ID', 'The board.'),
      dim('factory_line_id', 'FACTORY_LINE_ID', 'Production line that made the board.', ['line']),
      dim('product_type', 'PRODUCT_TYPE', 'Product the board belongs to.', ['product', 'sku']),
    ],
    time_dimensions: [dim('manufacturing_date', 'MANUFACTURING_DATE', 'Day the board was made.', ['build date'], 'DATE')],
    facts: [],
    metrics: [],
  };
  const verified = (name: string, question: string, sql: string, onboarding = true): VerifiedQuery => ({
    name,
    question,
    sql,
    verified_at: VERIFIED_AT,
    verified_by: 'DefectKit (checked on snowflake-local)',
    use_as_onboarding_question: onboarding,
  });
  return {
    name: 'defectkit_inspection_log',
    description: 'PCB inspection log written by DefectKit: inspected boards, defect calls with reviews, and board metadata.',
    tables: [boards, defects, metadata],
    relationships: [
      {
        name: 'defect_to_inspection',
        left_table: 'defect_logs',
        right_table: 'board_inspections',
        relationship_columns: [{ left_column: 'inference_id', right_column: 'inference_id' }],
        join_type: 'left_outer',
        relationship_type: 'many_to_one',
      },
      {
        name: 'inspection_to_board',
        left_table: 'board_inspections',
        right_table: 'pcb_metadata',
        relationship_columns: [{ left_column: 'board_id', right_column: 'board_id' }],
        join_type: 'left_outer',
        relationship_type: 'many_to_one',
      },
    ],
    verified_queries: [
      verified(
        'defect_rate_per_line_last_30_days',
        GOLDEN_QUESTION,
        `SELECT factory_line_id, COUNT(*) AS boards, ${failed} AS defective_boards, CAST(${failed} AS DOUBLE) / COUNT(*) AS defect_rate\n` +
          'FROM __board_inspections\nWHERE inspection_time >= CURRENT_DATE - 30\nGROUP BY factory_line_id\nORDER BY defect_rate DESC',
      ),
      verified(
        'yield_per_day',
        'What was the yield per day?',
        "SELECT CAST(inspection_time AS DATE) AS inspection_date, COUNT(*) AS boards, CAST(SUM(CASE WHEN verdict = 'pass' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS yield_rate\n" +
          'FROM __board_inspections\nGROUP BY CAST(inspection_time AS DATE)\nORDER BY inspection_date',
      ),
      verified(
        'defect_pareto',
        'Which defect types occur most often?',
        "SELECT detected_class, COUNT(*) AS defects\nFROM __defect_logs\nWHERE review_verdict IS NULL OR review_verdict <> 'false_call'\nGROUP BY detected_class\nORDER BY defects DESC",
      ),
      verified(
        'defect_rate_by_line_and_shift',
        'What is the defect rate by production line and shift?',
        `SELECT factory_line_id, shift, COUNT(*) AS boards, CAST(${failed} AS DOUBLE) / COUNT(*) AS defect_rate\n` +
          'FROM __board_inspections\nGROUP BY factory_line_id, shift\nORDER BY factory_line_id, shift',
        false,
      ),
      verified(
        'calls_per_model_version',
        'How many defects did each model version call, and how many boards did it inspect?',
        "SELECT b.model_version, COUNT(DISTINCT b.inference_id) AS boards, SUM(CASE WHEN d.source = 'model' THEN 1 ELSE 0 END) AS defect_calls\n" +
          'FROM __board_inspections AS b LEFT OUTER JOIN __defect_logs AS d ON d.inference_id = b.inference_id\nGROUP BY b.model_version\nORDER BY b.model_version',
        false,
      ),
    ],
  };
}

/** The semantic model as the YAML file Cortex Analyst reads (`semantic_model_file` on a stage). */
export function semanticModelYaml(at: LogLocation): string {
  return `# Cortex Analyst semantic model of the DefectKit inspection log (emitted by DefectKit).\n${stringify(inspectionSemanticModel(at), { lineWidth: 0 })}`;
}

/**
 * A verified query as plain SQL over the base tables: each `__<logical table>` it names becomes a CTE selecting the
 * table's columns by their logical names, which is what the logical table means. Lets the queries be run (and
 * checked) without Cortex Analyst.
 */
export function verifiedQueryToSql(model: SemanticModel, query: VerifiedQuery): string {
  const used = model.tables.filter((t) => new RegExp(`\\b__${t.name}\\b`).test(query.sql));
  const ctes = used.map((t) => {
    const b = t.base_table;
    const columns = [...t.dimensions, ...t.time_dimensions, ...t.facts].map((c) => `${c.expr} AS ${c.name}`).join(', ');
    return `__${t.name} AS (SELECT ${columns} FROM ${b.database}.${b.schema}.${b.table})`;
  });
  return ctes.length === 0 ? query.sql : `WITH ${ctes.join(', ')}\n${query.sql}`;
}
