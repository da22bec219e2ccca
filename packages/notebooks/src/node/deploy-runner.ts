import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DeployError } from '../errors.js';
import type { CreateStep, DatasetStep, DeployStep, InspectionLogStep, UploadStep } from '../deploy/deploy-plan.js';
import type { DeployState } from '../deploy/deploy-state.js';

/** The connection deploy and clean run on (a `SnowflakeSession` adapter in the CLI; structural, so no dependency). */
export interface DeploySession {
  execute(sql: string): Promise<Record<string, unknown>[]>;
  /** Puts one local file into a stage folder (`file` is its path relative to the upload, sub-folders kept). */
  put(localFile: string, target: string, file: string): Promise<void>;
}

/** Steps the runner hands to the caller (they need packages this one does not depend on). */
export interface DeployCallbacks {
  /** Uploads a dataset (images, labels, data.yaml) and its label rows; returns a one-line summary. */
  dataset?(step: DatasetStep): Promise<string>;
  /** Creates the inspection-log tables and views (what `defectkit snowflake setup` does). */
  inspectionLog?(step: InspectionLogStep): Promise<void>;
}

/** What happened to one step. */
export type StepStatus = 'created' | 'replaced' | 'existed' | 'ran' | 'uploaded' | 'removed' | 'dropped' | 'unsupported' | 'skipped';

/** One line of the deploy / clean report. */
export interface StepOutcome {
  /** Object kind, `GRANT`, `PUT`, `REMOVE`, ... */
  kind: string;
  name: string;
  status: StepStatus;
  /** Why (for existed, unsupported and skipped), or a summary. */
  detail?: string;
}

/** Options of {@link runDeploy} and {@link runClean}. */
export interface RunDeployOptions {
  /**
   * The target is snowflake-local: a statement it refuses as not implemented is recorded as `unsupported` and
   * the run goes on. On a real account every failure stops the run.
   */
  emulator: boolean;
  /** What earlier deploys of this project created; updated in place. */
  state: DeployState;
  /** Persists the state; called after every change, so a failed run can still be cleaned. */
  save(state: DeployState): Promise<void>;
  callbacks?: DeployCallbacks;
  /** Called with each outcome as it happens (progress). */
  onOutcome?(outcome: StepOutcome): void;
}

/** True for snowflake-local's "not implemented" refusal (SQL code 001003 with its own wording). */
export function isEmulatorRefusal(error: unknown): boolean {
  const e = error as { message?: unknown; details?: { sqlCode?: unknown } } | null;
  return typeof e?.message === 'string' && e.details?.sqlCode === '001003' && /not implemented by snowflake-local/.test(e.message);
}

function isMissingObject(error: unknown): boolean {
  const e = error as { details?: { sqlCode?: unknown } } | null;
  return e?.details?.sqlCode === '002003' || e?.details?.sqlCode === '002043';
}

/** A step the emulator cannot do; its message says why. */
class Unsupported extends Error {}

const refusalLine = (error: unknown): string => (error as Error).message.split('\n').find((l) => /not implemented/.test(l)) ?? 'not implemented';

async function run(session: DeploySession, sql: string, emulator: boolean, step: string, object?: string): Promise<Record<string, unknown>[]> {
  try {
    return await session.execute(sql);
  } catch (error) {
    if (emulator && isEmulatorRefusal(error)) throw new Unsupported(`refused: ${refusalLine(error)}`);
    const e = error as { message?: string; details?: { sqlCode?: string } };
    throw new DeployError(`${step}${object ? ` ${object}` : ''}: ${e.message ?? String(error)}`, { step, ...(object ? { object } : {}), ...(e.details?.sqlCode ? { sqlCode: e.details.sqlCode } : {}) }, { cause: error });
  }
}

async function exists(session: DeploySession, step: CreateStep, emulator: boolean): Promise<boolean> {
  let rows: Record<string, unknown>[];
  try {
    rows = await session.execute(step.show);
  } catch (error) {
    if (isMissingObject(error)) return false; // its database or schema is not there
    if (emulator && isEmulatorRefusal(error)) throw new Unsupported(`cannot tell whether it exists, so it is not created: ${refusalLine(error)}`);
    throw new DeployError(`${step.kind} ${step.name}: ${(error as Error).message}`, { step: step.show, object: step.name }, { cause: error });
  }
  const short = step.name.split('.').at(-1)!.toUpperCase();
  // LIKE treats `_` as a wildcard, and snowflake-local answers SHOW WAREHOUSES with its one warehouse: compare names.
  return rows.some((r) => String(r.name ?? r.NAME ?? '').toUpperCase() === short);
}

const isOurs = (state: DeployState, kind: string, name: string): boolean => state.created.some((c) => c.kind === kind && c.name === name);

/**
 * Runs a deploy plan: each object is created only when SHOW says it is missing (and recorded as ours), notebooks
 * and apps that an earlier deploy created are replaced with the new code, grants and uploads run every time.
 * Idempotent: a second run finds everything and changes only the code objects. Returns every step's outcome.
 */
export async function runDeploy(steps: readonly DeployStep[], session: DeploySession, options: RunDeployOptions): Promise<StepOutcome[]> {
  const { emulator, state } = options;
  const outcomes: StepOutcome[] = [];
  const report = (o: StepOutcome): void => {
    outcomes.push(o);
    options.onOutcome?.(o);
  };
  const record = async (kind: CreateStep['kind'], name: string, drop: string[]): Promise<void> => {
    if (!isOurs(state, kind, name)) state.created.push({ kind, name, drop });
    await options.save(state);
  };
  const recordUpload = async (stage: string, target: string): Promise<void> => {
    if (!state.uploads.some((u) => u.target === target)) state.uploads.push({ stage, target });
    await options.save(state);
  };
  const work = await mkdtemp(join(tmpdir(), 'defectkit-deploy-'));
  try {
    for (const step of steps) {
      try {
        if (step.type === 'create') {
          const ours = isOurs(state, step.kind, step.name);
          const found = await exists(session, step, emulator);
          if (found && !ours) {
            report({ kind: step.kind, name: step.name, status: 'existed', detail: 'existed before deploy: left as it is, never dropped by clean' });
            continue;
          }
          if (found && step.replace === undefined) {
            report({ kind: step.kind, name: step.name, status: 'existed', detail: 'created by an earlier deploy' });
            continue;
          }
          await run(session, found ? step.replace! : step.create, emulator, step.kind, step.name);
          if (!found && !(await exists(session, step, emulator))) {
            // Accepted but not there: snowflake-local takes CREATE WAREHOUSE as a no-op. Never record what SHOW cannot see.
            if (emulator) throw new Unsupported('accepted as a no-op: SHOW does not list it afterwards, so it is not recorded');
            throw new DeployError(`${step.kind} ${step.name}: created, but SHOW does not list it`, { step: step.create, object: step.name });
          }
          if (!found) await record(step.kind, step.name, step.drop);
          for (const sql of step.after) await run(session, sql, emulator, step.kind, step.name);
          report({ kind: step.kind, name: step.name, status: found ? 'replaced' : 'created' });
        } else if (step.type === 'sql') {
          await run(session, step.sql, emulator, step.sql.split(' ')[0]!);
          report({ kind: step.sql.split(' ')[0]!, name: step.sql, status: 'ran' });
        } else if (step.type === 'upload') {
          await upload(session, step, work);
          await recordUpload(step.stage, step.target);
          report({ kind: 'PUT', name: step.target, status: 'uploaded', detail: `${step.files.length} file(s)` });
        } else if (step.type === 'dataset') {
          if (options.callbacks?.dataset === undefined) throw new DeployError('dataset upload: no uploader given', { step: 'dataset' });
          const had = await exists(session, step.table, emulator);
          const summary = await options.callbacks.dataset(step);
          await recordUpload(step.target.slice(1).split('/')[0]!, step.target);
          report({ kind: 'DATASET', name: step.target, status: 'uploaded', detail: summary });
          if (!had) await record('TABLE', step.table.name, step.table.drop);
          report({ kind: 'TABLE', name: step.table.name, status: had ? 'existed' : 'created', detail: 'dataset label rows' });
        } else {
          if (options.callbacks?.inspectionLog === undefined) throw new DeployError('inspection log: no setup given', { step: 'inspection-log' });
          const before = new Map<CreateStep, boolean>();
          for (const obj of step.objects) before.set(obj, await exists(session, obj, emulator));
          await options.callbacks.inspectionLog(step);
          for (const obj of step.objects) {
            if (before.get(obj) === true) {
              report({ kind: obj.kind, name: obj.name, status: 'existed', detail: isOurs(state, obj.kind, obj.name) ? 'created by an earlier deploy' : 'existed before deploy: left as it is' });
            } else if (await exists(session, obj, emulator)) {
              await record(obj.kind, obj.name, obj.drop);
              report({ kind: obj.kind, name: obj.name, status: 'created', detail: 'inspection log (defectkit snowflake setup)' });
            } else {
              throw new DeployError(`${obj.kind} ${obj.name}: the inspection-log setup did not create it`, { step: 'inspection-log', object: obj.name });
            }
          }
        }
      } catch (error) {
        if (!(error instanceof Unsupported)) throw error;
        const what = step.type === 'create' ? { kind: step.kind, name: step.name } : step.type === 'sql' ? { kind: step.sql.split(' ')[0]!, name: step.sql } : { kind: step.type.toUpperCase(), name: 'target' in step ? step.target : `${step.database}.${step.schema}` };
        report({ ...what, status: 'unsupported', detail: `not done on snowflake-local: ${error.message}` });
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return outcomes;
}

async function upload(session: DeploySession, step: UploadStep, work: string): Promise<void> {
  const dir = await mkdtemp(join(work, 'up-'));
  for (const f of step.files) {
    const local = join(dir, f.path);
    await mkdir(dirname(local), { recursive: true });
    await writeFile(local, f.content);
    await session.put(local, step.target, f.path);
  }
}

/**
 * Undoes what the recorded deploys created, and nothing else: stage folders they filled are removed (unless their
 * stage goes too), then every created object is dropped in reverse order of creation. The state is emptied as it
 * goes (and saved), so a clean that fails half-way can be run again.
 */
export async function runClean(session: DeploySession, options: RunDeployOptions): Promise<StepOutcome[]> {
  const { emulator, state } = options;
  const outcomes: StepOutcome[] = [];
  const report = (o: StepOutcome): void => {
    outcomes.push(o);
    options.onOutcome?.(o);
  };
  for (const u of [...state.uploads]) {
    if (!isOurs(state, 'STAGE', u.stage)) {
      try {
        await run(session, `REMOVE ${u.target}/`, emulator, 'REMOVE', u.target);
        report({ kind: 'REMOVE', name: u.target, status: 'removed' });
      } catch (error) {
        if (!(error instanceof Unsupported)) throw error;
        report({ kind: 'REMOVE', name: u.target, status: 'unsupported', detail: error.message });
      }
    } else {
      report({ kind: 'REMOVE', name: u.target, status: 'skipped', detail: `goes with stage ${u.stage}` });
    }
    state.uploads = state.uploads.filter((x) => x !== u);
    await options.save(state);
  }
  for (const obj of [...state.created].reverse()) {
    try {
      for (const sql of obj.drop) await run(session, sql, emulator, 'DROP', obj.name);
      report({ kind: obj.kind, name: obj.name, status: 'dropped' });
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      report({ kind: obj.kind, name: obj.name, status: 'unsupported', detail: error.message });
    }
    state.created = state.created.filter((x) => x !== obj);
    await options.save(state);
  }
  return outcomes;
}
