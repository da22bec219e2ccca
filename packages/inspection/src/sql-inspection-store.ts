import { randomUUID } from 'node:crypto';
import { DefectKitError } from '@defectkit/core';
import { InspectionError } from './errors.js';
import { CALL_VERDICTS, type BoardInspection, type BoundingBox, type CallReview, type DefectRow, type MissedDefect, type ReviewVerdict } from './inspection-records.js';
import { BOARD_INSPECTIONS, DEFECT_LOGS, LOG_TABLES, PCB_METADATA, probeTableSql } from './inspection-schema.js';
import { setupStatements } from './inspection-setup.js';
import type { InspectionFilter, InspectionStore, InspectionSummary, LogSummary } from './inspection-store.js';
import { VIEW_NAMES, type ViewName } from './inspection-views.js';
import { timestampText, type SqlRunner, type SqlValue } from './sql-runner.js';

/** Ids per `IN (…)` list: small enough for any driver's bind limit. */
const IN_CHUNK = 500;

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** Board counts and rates of a V_YIELD_DAILY aggregate (columns BOARDS, PASSED, FAILED): the totals and each trend day. */
function yieldFigures(row: Record<string, unknown> | undefined): { boards: number; passed: number; failed: number; yield: number | null; defectRate: number | null } {
  const boards = num(row?.BOARDS);
  const passed = num(row?.PASSED);
  const failed = num(row?.FAILED);
  return { boards, passed, failed, yield: ratio(passed, boards), defectRate: ratio(failed, boards) };
}

/** Reviewed calls, false calls and their rate from a V_FALSE_CALL_RATE aggregate (columns REVIEWED, FALSE_CALLS). */
function falseCallFigures(row: Record<string, unknown>): { reviewedCalls: number; falseCalls: number; falseCallRate: number | null } {
  const reviewedCalls = num(row.REVIEWED);
  const falseCalls = num(row.FALSE_CALLS);
  return { reviewedCalls, falseCalls, falseCallRate: ratio(falseCalls, reviewedCalls) };
}
const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function parseBox(value: unknown): BoundingBox | null {
  if (typeof value !== 'string') return null;
  const box = JSON.parse(value) as unknown;
  return Array.isArray(box) && box.length === 4 && box.every((v) => typeof v === 'number') ? (box as BoundingBox) : null;
}

/** The WHERE clause of a filter over a view with INSPECTION_DATE (or `dateColumn`), FACTORY_LINE_ID and MODEL_VERSION. */
function filterSql(filter: InspectionFilter, dateColumn = 'INSPECTION_DATE', weekly = false): { where: string; binds: SqlValue[] } {
  const parts: string[] = [];
  const binds: SqlValue[] = [];
  for (const [key, value] of [['from', filter.from], ['to', filter.to]] as const) {
    if (value === undefined) continue;
    if (!DATE_PATTERN.test(value) || Number.isNaN(Date.parse(value))) {
      throw new InspectionError('INSPECTION_INPUT', `the filter's ${key} must be a date YYYY-MM-DD (got "${value}")`, { field: key, value });
    }
    // A week row covers its 7 days: it is in range when any of them is.
    parts.push(key === 'from' ? `${dateColumn} >= CAST(? AS DATE)${weekly ? ' - 6' : ''}` : `${dateColumn} <= CAST(? AS DATE)`);
    binds.push(value);
  }
  if (filter.line !== undefined) {
    parts.push('FACTORY_LINE_ID = ?');
    binds.push(filter.line);
  }
  if (filter.model !== undefined) {
    parts.push('MODEL_VERSION = ?');
    binds.push(filter.model);
  }
  return { where: parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`, binds };
}

/**
 * The inspection log on any SQL store: the drivers (DuckDB, Snowflake) supply a {@link SqlRunner}; the tables,
 * views, logging, reviews and the summary are this one class, so both stores answer the same numbers.
 */
export class SqlInspectionStore implements InspectionStore {
  constructor(
    readonly kind: 'duckdb' | 'snowflake',
    private readonly runner: SqlRunner,
  ) {}

  /** Where the log is. */
  get location(): string {
    return this.runner.location;
  }

  private q(name: string): string {
    return this.runner.dialect.qualify(name);
  }

  /** Runs a statement, wrapping an untyped failure as INSPECTION_STORE with the store and statement. */
  private async run(sql: string, binds: readonly SqlValue[] = []): Promise<Record<string, unknown>[]> {
    try {
      return await this.runner.query(sql, binds);
    } catch (error) {
      if (DefectKitError.isInstance(error)) throw error;
      throw new InspectionError('INSPECTION_STORE', `${this.kind} store ${this.location}: ${(error as Error).message}`, { store: this.location, sql }, { cause: error });
    }
  }

  async setup(): Promise<void> {
    for (const statement of setupStatements(this.runner.dialect)) {
      await this.run(statement.sql);
      if (statement.kind !== 'TABLE') continue;
      const table = LOG_TABLES.find((t) => t.name === statement.name)!;
      try {
        await this.runner.query(probeTableSql(table, this.runner.dialect));
      } catch (error) {
        throw new InspectionError(
          'INSPECTION_STORE',
          `${this.location}: the table ${table.name} exists without the inspection log's columns (${table.columns.map((c) => c.name).join(', ')}); rename or drop it, then run setup again`,
          { store: this.location, table: table.name },
          { cause: error },
        );
      }
    }
  }

  /** Checks that the tables exist with the log's columns (a store opened without setup). */
  async check(): Promise<void> {
    for (const table of LOG_TABLES) {
      try {
        await this.runner.query(probeTableSql(table, this.runner.dialect));
      } catch (error) {
        throw new InspectionError(
          'INSPECTION_STORE',
          `${this.location}: the table ${table.name} is missing or lacks the inspection log's columns: run \`defectkit snowflake setup\` (or rename the old table)`,
          { store: this.location, table: table.name },
          { cause: error },
        );
      }
    }
  }

  private async existingIds(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let start = 0; start < ids.length; start += IN_CHUNK) {
      const chunk = ids.slice(start, start + IN_CHUNK);
      const rows = await this.run(`SELECT INFERENCE_ID FROM ${this.q('BOARD_INSPECTIONS')} WHERE INFERENCE_ID IN (${chunk.map(() => '?').join(', ')})`, chunk);
      for (const row of rows) found.add(String(row.INFERENCE_ID));
    }
    return found;
  }

  async log(boards: readonly BoardInspection[]): Promise<LogSummary> {
    const existing = await this.existingIds(boards.map((b) => b.inferenceId));
    const fresh = boards.filter((b) => !existing.has(b.inferenceId));
    const boardRows: SqlValue[][] = [];
    const defectRows: SqlValue[][] = [];
    // The latest inspection of a board sets its metadata.
    const metadata = new Map<string, SqlValue[]>();
    for (const b of fresh) {
      boardRows.push([b.inferenceId, b.boardId, b.imagePath, b.timestamp, b.factoryLineId, b.shift, b.modelName, b.modelVersion, b.verdict, b.defects.length, b.imageWidth, b.imageHeight, b.inferenceMs]);
      for (const d of b.defects) {
        defectRows.push([d.defectId, b.inferenceId, b.boardId, b.timestamp, d.detectedClass, d.confidenceScore, JSON.stringify(d.boundingBox), b.modelName, b.modelVersion, b.factoryLineId, b.shift, 'model', null, null, null]);
      }
      metadata.set(b.boardId, [b.boardId, b.manufacturingDate, b.factoryLineId, b.productType]);
    }
    if (fresh.length === 0) return { boards: 0, defects: 0, skipped: boards.length };
    await this.runner.transaction(async () => {
      await this.runner.insert(BOARD_INSPECTIONS, boardRows);
      if (defectRows.length > 0) await this.runner.insert(DEFECT_LOGS, defectRows);
      const ids = [...metadata.keys()];
      for (let start = 0; start < ids.length; start += IN_CHUNK) {
        const chunk = ids.slice(start, start + IN_CHUNK);
        await this.run(`DELETE FROM ${this.q('PCB_METADATA')} WHERE BOARD_ID IN (${chunk.map(() => '?').join(', ')})`, chunk);
      }
      await this.runner.insert(PCB_METADATA, [...metadata.values()]);
    });
    return { boards: fresh.length, defects: defectRows.length, skipped: boards.length - fresh.length };
  }

  async review(review: CallReview): Promise<void> {
    if (!(CALL_VERDICTS as readonly string[]).includes(review.verdict)) {
      throw new InspectionError('INSPECTION_REVIEW', `a call's verdict must be ${CALL_VERDICTS.join(' or ')} (got "${String(review.verdict)}")`, { field: 'verdict', value: review.verdict });
    }
    const [row] = await this.run(`SELECT SOURCE FROM ${this.q('DEFECT_LOGS')} WHERE DEFECT_ID = ?`, [review.defectId]);
    if (row === undefined) throw new InspectionError('INSPECTION_REVIEW', `${this.location}: no defect ${review.defectId} in DEFECT_LOGS`, { defectId: review.defectId });
    if (row.SOURCE !== 'model') {
      throw new InspectionError('INSPECTION_REVIEW', `${review.defectId} is a missed defect a reviewer added, not a model call: it takes no verdict`, { defectId: review.defectId });
    }
    await this.run(
      `UPDATE ${this.q('DEFECT_LOGS')} SET REVIEW_VERDICT = ?, REVIEWER = ?, REVIEWED_AT = CAST(? AS ${this.runner.dialect.type('timestamp')}) WHERE DEFECT_ID = ?`,
      [review.verdict, review.reviewer ?? null, timestampText(review.at ?? new Date()), review.defectId],
    );
  }

  async addMissed(missed: MissedDefect): Promise<string> {
    if (missed.detectedClass.trim() === '') throw new InspectionError('INSPECTION_REVIEW', 'a missed defect needs a class', { field: 'detectedClass' });
    const [board] = await this.run(`SELECT BOARD_ID, "TIMESTAMP", MODEL_NAME, MODEL_VERSION, FACTORY_LINE_ID, SHIFT FROM ${this.q('BOARD_INSPECTIONS')} WHERE INFERENCE_ID = ?`, [missed.inferenceId]);
    if (board === undefined) throw new InspectionError('INSPECTION_REVIEW', `${this.location}: no inspection ${missed.inferenceId} in BOARD_INSPECTIONS`, { inferenceId: missed.inferenceId });
    const defectId = randomUUID();
    const at = missed.at ?? new Date();
    await this.runner.transaction(() =>
      this.runner.insert(DEFECT_LOGS, [
        [defectId, missed.inferenceId, text(board.BOARD_ID), board.TIMESTAMP as Date, missed.detectedClass, null, missed.boundingBox === null ? null : JSON.stringify(missed.boundingBox), text(board.MODEL_NAME), text(board.MODEL_VERSION), text(board.FACTORY_LINE_ID), text(board.SHIFT), 'reviewer', 'missed', missed.reviewer ?? null, at],
      ]),
    );
    return defectId;
  }

  async defects(filter: InspectionFilter & { unreviewed?: boolean; limit?: number } = {}): Promise<DefectRow[]> {
    const limit = filter.limit ?? 200;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new InspectionError('INSPECTION_INPUT', `limit must be an integer in [1, 100000] (got ${limit})`, { field: 'limit', value: limit });
    const { where, binds } = filterSql(filter);
    const extra = filter.unreviewed === true ? `${where === '' ? ' WHERE' : ' AND'} REVIEW_VERDICT IS NULL AND SOURCE = 'model'` : '';
    const rows = await this.run(
      `SELECT * FROM (SELECT D.DEFECT_ID, D.INFERENCE_ID, D.BOARD_ID, B.IMAGE_PATH, D."TIMESTAMP", CAST(B."TIMESTAMP" AS DATE) AS INSPECTION_DATE, B.FACTORY_LINE_ID, B.SHIFT, ` +
        `D.MODEL_VERSION, D.DETECTED_CLASS, D.CONFIDENCE_SCORE, D.BOUNDING_BOX_COORDINATES, D.SOURCE, D.REVIEW_VERDICT, D.REVIEWER ` +
        `FROM ${this.q('DEFECT_LOGS')} D JOIN ${this.q('BOARD_INSPECTIONS')} B ON B.INFERENCE_ID = D.INFERENCE_ID) R${where}${extra} ORDER BY "TIMESTAMP" DESC, DEFECT_ID LIMIT ${limit}`,
      binds,
    );
    return rows.map((r) => ({
      defectId: String(r.DEFECT_ID),
      inferenceId: String(r.INFERENCE_ID),
      boardId: String(r.BOARD_ID),
      imagePath: String(r.IMAGE_PATH),
      timestamp: r.TIMESTAMP as Date,
      factoryLineId: text(r.FACTORY_LINE_ID),
      shift: text(r.SHIFT),
      modelVersion: String(r.MODEL_VERSION),
      detectedClass: String(r.DETECTED_CLASS),
      confidenceScore: r.CONFIDENCE_SCORE === null ? null : num(r.CONFIDENCE_SCORE),
      boundingBox: parseBox(r.BOUNDING_BOX_COORDINATES),
      source: r.SOURCE === 'reviewer' ? 'reviewer' : 'model',
      reviewVerdict: text(r.REVIEW_VERDICT) as ReviewVerdict | null,
      reviewer: text(r.REVIEWER),
    }));
  }

  async view(name: ViewName): Promise<Record<string, unknown>[]> {
    if (!(VIEW_NAMES as readonly string[]).includes(name)) throw new InspectionError('INSPECTION_INPUT', `no view ${String(name)}: the views are ${VIEW_NAMES.join(', ')}`, { field: 'view', value: name });
    return this.run(`SELECT * FROM ${this.q(name)}`);
  }

  async summary(filter: InspectionFilter = {}): Promise<InspectionSummary> {
    const daily = filterSql(filter);
    const weekly = filterSql(filter, 'INSPECTION_WEEK', true);
    const [totals] = await this.run(`SELECT SUM(BOARDS) AS BOARDS, SUM(PASSED) AS PASSED, SUM(FAILED) AS FAILED FROM ${this.q('V_YIELD_DAILY')}${daily.where}`, daily.binds);
    const [calls] = await this.run(`SELECT SUM(DEFECTS) AS CALLS FROM ${this.q('V_DEFECT_RATE_DAILY')}${daily.where}`, daily.binds);
    const trend = await this.run(
      `SELECT CAST(INSPECTION_DATE AS VARCHAR) AS D, SUM(BOARDS) AS BOARDS, SUM(PASSED) AS PASSED, SUM(FAILED) AS FAILED FROM ${this.q('V_YIELD_DAILY')}${daily.where} GROUP BY INSPECTION_DATE ORDER BY INSPECTION_DATE`,
      daily.binds,
    );
    const classes = await this.run(
      `SELECT DETECTED_CLASS, SUM(CALLS) AS CALLS, SUM(CONFIRMED) AS CONFIRMED, SUM(FALSE_CALLS) AS FALSE_CALLS, SUM(MISSED) AS MISSED, SUM(DEFECTS) AS DEFECTS ` +
        `FROM ${this.q('V_DEFECT_CLASS_DAILY')}${daily.where} GROUP BY DETECTED_CLASS ORDER BY SUM(DEFECTS) DESC, DETECTED_CLASS`,
      daily.binds,
    );
    const lineShift = await this.run(
      `SELECT FACTORY_LINE_ID, SHIFT, SUM(BOARDS) AS BOARDS, SUM(FAILED) AS FAILED FROM ${this.q('V_YIELD_DAILY')}${daily.where} GROUP BY FACTORY_LINE_ID, SHIFT ORDER BY FACTORY_LINE_ID, SHIFT`,
      daily.binds,
    );
    const fpr = await this.run(
      `SELECT CAST(INSPECTION_WEEK AS VARCHAR) AS W, MODEL_VERSION, SUM(REVIEWED_CALLS) AS REVIEWED, SUM(FALSE_CALLS) AS FALSE_CALLS FROM ${this.q('V_FALSE_CALL_RATE')}${weekly.where} ` +
        `GROUP BY INSPECTION_WEEK, MODEL_VERSION ORDER BY INSPECTION_WEEK, MODEL_VERSION`,
      weekly.binds,
    );
    const byModel = await this.run(
      `SELECT MODEL_VERSION, CAST(MIN(INSPECTION_WEEK) AS VARCHAR) AS W, SUM(REVIEWED_CALLS) AS REVIEWED, SUM(FALSE_CALLS) AS FALSE_CALLS FROM ${this.q('V_FALSE_CALL_RATE')}${weekly.where} ` +
        `GROUP BY MODEL_VERSION ORDER BY MIN(INSPECTION_WEEK), MODEL_VERSION`,
      weekly.binds,
    );
    const lines = await this.run(`SELECT DISTINCT FACTORY_LINE_ID FROM ${this.q('V_LINE_SHIFT')} WHERE FACTORY_LINE_ID IS NOT NULL ORDER BY FACTORY_LINE_ID`);
    const models = await this.run(`SELECT DISTINCT MODEL_VERSION FROM ${this.q('V_YIELD_DAILY')} ORDER BY MODEL_VERSION`);

    const defectsByClass = classes.map((r) => ({
      detectedClass: String(r.DETECTED_CLASS),
      calls: num(r.CALLS),
      confirmed: num(r.CONFIRMED),
      falseCalls: num(r.FALSE_CALLS),
      missed: num(r.MISSED),
      defects: num(r.DEFECTS),
    }));
    const falseCalls = defectsByClass.reduce((s, c) => s + c.falseCalls, 0);
    const reviewedCalls = defectsByClass.reduce((s, c) => s + c.falseCalls + c.confirmed, 0);
    return {
      filter,
      ...yieldFigures(totals),
      calls: num(calls?.CALLS),
      defectsByClass,
      reviewedCalls,
      falseCalls,
      falseCallRate: ratio(falseCalls, reviewedCalls),
      trend: trend.map((r) => ({ date: String(r.D), ...yieldFigures(r) })),
      lineShift: lineShift.map((r) => ({ line: text(r.FACTORY_LINE_ID), shift: text(r.SHIFT), boards: num(r.BOARDS), failed: num(r.FAILED), defectRate: ratio(num(r.FAILED), num(r.BOARDS)) })),
      falseCallTrend: fpr.map((r) => ({ week: String(r.W), modelVersion: String(r.MODEL_VERSION), ...falseCallFigures(r) })),
      falseCallRateByModel: byModel.map((r) => ({ modelVersion: String(r.MODEL_VERSION), firstWeek: String(r.W), ...falseCallFigures(r) })),
      lines: lines.map((r) => String(r.FACTORY_LINE_ID)),
      models: models.map((r) => String(r.MODEL_VERSION)),
    };
  }

  async close(): Promise<void> {
    await this.runner.close();
  }
}
