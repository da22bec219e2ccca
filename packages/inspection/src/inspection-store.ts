import type { BoardInspection, CallReview, DefectRow, MissedDefect } from './inspection-records.js';
import type { ViewName } from './inspection-views.js';

/** Which inspections a summary or listing covers; every field optional. */
export interface InspectionFilter {
  /** First day, `YYYY-MM-DD` (inclusive, UTC). */
  from?: string;
  /** Last day, `YYYY-MM-DD` (inclusive, UTC). */
  to?: string;
  /** FACTORY_LINE_ID. */
  line?: string;
  /** MODEL_VERSION. */
  model?: string;
}

/** One class of the summary's Pareto. */
export interface ClassCount {
  detectedClass: string;
  /** The model's calls. */
  calls: number;
  confirmed: number;
  falseCalls: number;
  /** Defects reviewers added. */
  missed: number;
  /** Every row not rejected as a false call (calls - false calls + missed). */
  defects: number;
}

/** What `GET /api/summary` answers and the dashboard draws. Rates are null when their denominator is 0. */
export interface InspectionSummary {
  filter: InspectionFilter;
  boards: number;
  passed: number;
  failed: number;
  /** passed / boards. */
  yield: number | null;
  /** failed / boards. */
  defectRate: number | null;
  /** The model's calls. */
  calls: number;
  /** Classes by defects, most first. */
  defectsByClass: ClassCount[];
  reviewedCalls: number;
  falseCalls: number;
  /** falseCalls / reviewedCalls. */
  falseCallRate: number | null;
  /** Per day. */
  trend: { date: string; boards: number; passed: number; failed: number; yield: number | null; defectRate: number | null }[];
  /** Line x shift. */
  lineShift: { line: string | null; shift: string | null; boards: number; failed: number; defectRate: number | null }[];
  /**
   * False-call rate per model version, oldest version first (by its first inspection): the seed spec's KPI is the
   * change between versions (cut it by 25 %).
   */
  falseCallRateByModel: { modelVersion: string; firstWeek: string; reviewedCalls: number; falseCalls: number; falseCallRate: number | null }[];
  /** False-call rate per week and model version (how the KPI is compared before and after a model change). */
  falseCallTrend: { week: string; modelVersion: string; reviewedCalls: number; falseCalls: number; falseCallRate: number | null }[];
  /** Every line and model version in the log (the filters' choices). */
  lines: string[];
  models: string[];
}

/** What one {@link InspectionStore.log} wrote. */
export interface LogSummary {
  /** Boards written. */
  boards: number;
  /** Defect rows written. */
  defects: number;
  /** Boards skipped because their INFERENCE_ID is already in the log (a repeated import). */
  skipped: number;
}

/**
 * The inspection log contract every store implements (DuckDB file, Snowflake schema), checked by the
 * conformance suite in `src/testing`. Tables: BOARD_INSPECTIONS, DEFECT_LOGS, PCB_METADATA; views:
 * {@link VIEW_NAMES}.
 */
export interface InspectionStore {
  /** `duckdb` or `snowflake`. */
  readonly kind: 'duckdb' | 'snowflake';
  /** Where the log is (a file, or `DB.SCHEMA`). */
  readonly location: string;
  /** Creates the tables and views when missing (idempotent); refuses tables of another layout. */
  setup(): Promise<void>;
  /** Appends boards (clean ones too) with their calls and metadata, all in one transaction. */
  log(boards: readonly BoardInspection[]): Promise<LogSummary>;
  /** Records a reviewer's verdict on a model call (a later verdict replaces an earlier one). */
  review(review: CallReview): Promise<void>;
  /** Adds a defect the model missed; returns its DEFECT_ID. */
  addMissed(missed: MissedDefect): Promise<string>;
  /** DEFECT_LOGS rows for review, newest first (`unreviewed`: only calls without a verdict). */
  defects(filter?: InspectionFilter & { unreviewed?: boolean; limit?: number }): Promise<DefectRow[]>;
  /** The rows of one view. */
  view(name: ViewName): Promise<Record<string, unknown>[]>;
  /** The dashboard's numbers for a filter, computed from the views. */
  summary(filter?: InspectionFilter): Promise<InspectionSummary>;
  /** Closes the connection. */
  close(): Promise<void>;
}
