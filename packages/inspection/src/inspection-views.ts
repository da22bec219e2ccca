import type { SqlDialect } from './inspection-schema.js';

/** The views of the log, the same on every store (their SQL is written once, in the dialect both share). */
export const VIEW_NAMES = [
  'V_YIELD_DAILY',
  'V_DEFECT_RATE_DAILY',
  'V_DEFECT_CLASS_DAILY',
  'V_DEFECT_PARETO',
  'V_LINE_SHIFT',
  'V_FALSE_CALL_RATE',
  'V_DEFECT_RATE_BY_LINE_30D',
] as const;

/** The name of one view. */
export type ViewName = (typeof VIEW_NAMES)[number];

const PASS = `SUM(CASE WHEN B.VERDICT = 'pass' THEN 1 ELSE 0 END)`;
const FAIL = `SUM(CASE WHEN B.VERDICT = 'fail' THEN 1 ELSE 0 END)`;
const DAY = `CAST(B."TIMESTAMP" AS DATE)`;
const BOARD_KEYS = 'B.FACTORY_LINE_ID, B.SHIFT, B.MODEL_NAME, B.MODEL_VERSION';
// DEFECT_LOGS repeats the board's time, line, shift and model: the per-class views read it alone.
const D_DAY = `CAST(D."TIMESTAMP" AS DATE)`;
const DEFECT_KEYS = 'D.FACTORY_LINE_ID, D.SHIFT, D.MODEL_NAME, D.MODEL_VERSION';

/**
 * The `CREATE OR REPLACE VIEW` statements, in dependency order. Only SQL that Snowflake and DuckDB read alike:
 * CASE sums, CAST, DATE_TRUNC, NULLIF, window sums, `CURRENT_DATE - 30`.
 *
 * - V_YIELD_DAILY: boards, passed, failed and yield (passed / boards) per day, line, shift and model version.
 * - V_DEFECT_RATE_DAILY: boards with a defect call, calls, defect rate (defective boards / boards) and calls per board.
 * - V_DEFECT_CLASS_DAILY: per class: model calls, confirmed, false calls, missed (added by reviewers) and
 *   DEFECTS = every row not rejected as a false call.
 * - V_DEFECT_PARETO: classes by DEFECTS, their share and cumulative share.
 * - V_LINE_SHIFT: the line x shift heatmap (boards, failed, calls, defect rate).
 * - V_FALSE_CALL_RATE: per week (of the inspection), line, model version and class: reviewed calls, false
 *   calls and FALSE_CALL_RATE = false calls / reviewed calls (NULL before any review).
 * - V_DEFECT_RATE_BY_LINE_30D: the seed spec's golden question, the defect rate per factory line for the
 *   inspections since `CURRENT_DATE - 30`.
 */
export function viewsSql(dialect: SqlDialect): { name: ViewName; sql: string }[] {
  const q = (name: string): string => dialect.qualify(name);
  const boards = `${q('BOARD_INSPECTIONS')} B`;
  const defects = `${q('DEFECT_LOGS')} D`;
  const body: Record<ViewName, string> = {
    V_YIELD_DAILY:
      `SELECT ${DAY} AS INSPECTION_DATE, ${BOARD_KEYS}, COUNT(*) AS BOARDS, ${PASS} AS PASSED, ${FAIL} AS FAILED, ` +
      `CAST(${PASS} AS DOUBLE) / COUNT(*) AS YIELD FROM ${boards} GROUP BY ${DAY}, ${BOARD_KEYS}`,
    V_DEFECT_RATE_DAILY:
      `SELECT ${DAY} AS INSPECTION_DATE, ${BOARD_KEYS}, COUNT(*) AS BOARDS, ${FAIL} AS DEFECTIVE_BOARDS, SUM(B.DEFECT_COUNT) AS DEFECTS, ` +
      `CAST(${FAIL} AS DOUBLE) / COUNT(*) AS DEFECT_RATE, CAST(SUM(B.DEFECT_COUNT) AS DOUBLE) / COUNT(*) AS DEFECTS_PER_BOARD ` +
      `FROM ${boards} GROUP BY ${DAY}, ${BOARD_KEYS}`,
    V_DEFECT_CLASS_DAILY:
      `SELECT ${D_DAY} AS INSPECTION_DATE, ${DEFECT_KEYS}, D.DETECTED_CLASS, ` +
      `SUM(CASE WHEN D.SOURCE = 'model' THEN 1 ELSE 0 END) AS CALLS, ` +
      `SUM(CASE WHEN D.REVIEW_VERDICT = 'true_defect' THEN 1 ELSE 0 END) AS CONFIRMED, ` +
      `SUM(CASE WHEN D.REVIEW_VERDICT = 'false_call' THEN 1 ELSE 0 END) AS FALSE_CALLS, ` +
      `SUM(CASE WHEN D.REVIEW_VERDICT = 'missed' THEN 1 ELSE 0 END) AS MISSED, ` +
      `SUM(CASE WHEN D.REVIEW_VERDICT IS NULL OR D.REVIEW_VERDICT <> 'false_call' THEN 1 ELSE 0 END) AS DEFECTS ` +
      `FROM ${defects} GROUP BY ${D_DAY}, ${DEFECT_KEYS}, D.DETECTED_CLASS`,
    V_DEFECT_PARETO:
      `SELECT P.DETECTED_CLASS, P.DEFECTS, CAST(P.DEFECTS AS DOUBLE) / SUM(P.DEFECTS) OVER () AS SHARE, ` +
      `CAST(SUM(P.DEFECTS) OVER (ORDER BY P.DEFECTS DESC, P.DETECTED_CLASS ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DOUBLE) / SUM(P.DEFECTS) OVER () AS CUMULATIVE_SHARE, ` +
      `ROW_NUMBER() OVER (ORDER BY P.DEFECTS DESC, P.DETECTED_CLASS) AS PARETO_RANK ` +
      `FROM (SELECT C.DETECTED_CLASS, SUM(C.DEFECTS) AS DEFECTS FROM ${q('V_DEFECT_CLASS_DAILY')} C GROUP BY C.DETECTED_CLASS HAVING SUM(C.DEFECTS) > 0) P`,
    V_LINE_SHIFT:
      `SELECT B.FACTORY_LINE_ID, B.SHIFT, COUNT(*) AS BOARDS, ${FAIL} AS FAILED, SUM(B.DEFECT_COUNT) AS DEFECTS, ` +
      `CAST(${FAIL} AS DOUBLE) / COUNT(*) AS DEFECT_RATE FROM ${boards} GROUP BY B.FACTORY_LINE_ID, B.SHIFT`,
    V_FALSE_CALL_RATE:
      `SELECT CAST(DATE_TRUNC('WEEK', D."TIMESTAMP") AS DATE) AS INSPECTION_WEEK, D.FACTORY_LINE_ID, D.MODEL_NAME, D.MODEL_VERSION, D.DETECTED_CLASS, ` +
      `SUM(CASE WHEN D.REVIEW_VERDICT IN ('true_defect', 'false_call') THEN 1 ELSE 0 END) AS REVIEWED_CALLS, ` +
      `SUM(CASE WHEN D.REVIEW_VERDICT = 'false_call' THEN 1 ELSE 0 END) AS FALSE_CALLS, ` +
      `CAST(SUM(CASE WHEN D.REVIEW_VERDICT = 'false_call' THEN 1 ELSE 0 END) AS DOUBLE) / NULLIF(SUM(CASE WHEN D.REVIEW_VERDICT IN ('true_defect', 'false_call') THEN 1 ELSE 0 END), 0) AS FALSE_CALL_RATE ` +
      `FROM ${defects} WHERE D.SOURCE = 'model' ` +
      `GROUP BY CAST(DATE_TRUNC('WEEK', D."TIMESTAMP") AS DATE), D.FACTORY_LINE_ID, D.MODEL_NAME, D.MODEL_VERSION, D.DETECTED_CLASS`,
    V_DEFECT_RATE_BY_LINE_30D:
      `SELECT B.FACTORY_LINE_ID, COUNT(*) AS BOARDS, ${FAIL} AS DEFECTIVE_BOARDS, SUM(B.DEFECT_COUNT) AS DEFECTS, ` +
      `CAST(${FAIL} AS DOUBLE) / COUNT(*) AS DEFECT_RATE FROM ${boards} WHERE B."TIMESTAMP" >= CURRENT_DATE - 30 GROUP BY B.FACTORY_LINE_ID`,
  };
  return VIEW_NAMES.map((name) => ({ name, sql: `CREATE OR REPLACE VIEW ${q(name)} AS ${body[name]}` }));
}
