import type { ObjectKind } from './deploy-plan.js';

/** One object a deploy created (and clean drops). */
export interface CreatedObject {
  kind: ObjectKind;
  name: string;
  drop: string[];
}

/** What deploys of one project created, so clean drops exactly that (kept in a JSON file between runs). */
export interface DeployState {
  format: 'defectkit.deploy-state/v1';
  /** The project (model) name the objects belong to. */
  project: string;
  /** Objects in creation order; never holds one that existed before the first deploy. */
  created: CreatedObject[];
  /** Stage folders files were put in: clean removes them when their stage is not itself dropped. */
  uploads: { stage: string; target: string }[];
}

/** A fresh, empty record for a project. */
export function emptyDeployState(project: string): DeployState {
  return { format: 'defectkit.deploy-state/v1', project, created: [], uploads: [] };
}

/** Checks a parsed state file (untrusted JSON); returns the problem, or null when it is a valid record. */
export function deployStateProblem(value: unknown, project: string): { field: string; message: string } | null {
  if (typeof value !== 'object' || value === null) return { field: '', message: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  if (v.format !== 'defectkit.deploy-state/v1') return { field: 'format', message: `format is ${JSON.stringify(v.format)}, not defectkit.deploy-state/v1` };
  if (v.project !== project) return { field: 'project', message: `records project ${JSON.stringify(v.project)}, not ${JSON.stringify(project)}` };
  const created = v.created;
  if (!Array.isArray(created) || !created.every((c) => typeof c === 'object' && c !== null && typeof (c as CreatedObject).name === 'string' && typeof (c as CreatedObject).kind === 'string' && Array.isArray((c as CreatedObject).drop) && (c as CreatedObject).drop.every((d) => typeof d === 'string' && /^(DROP|ALTER COMPUTE POOL) /.test(d)))) {
    return { field: 'created', message: 'created must list objects with kind, name and DROP statements' };
  }
  const uploads = v.uploads;
  if (!Array.isArray(uploads) || !uploads.every((u) => typeof u === 'object' && u !== null && typeof (u as { stage: unknown }).stage === 'string' && typeof (u as { target: unknown }).target === 'string' && /^@[A-Z0-9_$.]+\/[A-Za-z0-9_./-]+$/.test((u as { target: string }).target))) {
    return { field: 'uploads', message: 'uploads must list stage folders (@DB.SCHEMA.STAGE/path)' };
  }
  return null;
}
