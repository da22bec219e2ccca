import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { SnowflakeSqlError } from './errors.js';

/**
 * The longest encoded file-name segment a name may map to. File systems stop at 255 bytes; the rest
 * leaves room for the `.duckdb`, `.wal` and `.tmp-<pid>` suffixes the server appends.
 */
export const MAX_SEGMENT_BYTES = 200;

/** Snowflake's answer for a name that cannot be used: `000904` invalid identifier. */
export function invalidIdentifier(name: string, reason: string): SnowflakeSqlError {
  // The name may hold control characters or be huge: show a bounded, escaped form.
  const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name).slice(1, -1);
  return new SnowflakeSqlError('000904', '42000', `SQL compilation error: error line 0 at position 0\ninvalid identifier '${shown}' (${reason})`, {
    field: 'identifier',
    name: shown,
    reason,
  });
}

/** Why a name (or a stage path segment) cannot become one file-name segment, or null when it can. */
function segmentProblem(name: string): string | null {
  if (name === '') return 'empty';
  if (name === '.' || name === '..') return `'${name}' is not allowed (it names a folder, not an object)`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control characters are not allowed';
  if (name.includes('/') || name.includes('\\')) return 'slashes are not allowed';
  return null;
}

/**
 * Encodes one object name as one file-name segment. Every name derived path goes through this:
 * names that cannot map to a single, contained segment are refused with `000904`.
 */
export function nameSegment(name: string): string {
  const problem = segmentProblem(name);
  if (problem !== null) throw invalidIdentifier(name, problem);
  // encodeURIComponent leaves `~` alone; encode it so a database called `~` cannot meet the user stages.
  const encoded = encodeURIComponent(name).replace(/~/g, '%7E');
  if (Buffer.byteLength(encoded) > MAX_SEGMENT_BYTES) throw invalidIdentifier(name, `longer than ${MAX_SEGMENT_BYTES} bytes once encoded for the file system`);
  return encoded;
}

/** Decodes a segment made by {@link nameSegment}; null when the file name is not one (so it is ignored). */
export function segmentName(segment: string): string | null {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return segmentProblem(name) === null ? name : null;
}

/**
 * The one containment check: joins `segments` under `root` and proves the result stays inside it,
 * lexically and on disk (no component below `root` may be a symbolic link, so a link planted in the
 * data folder cannot lead a read, write or delete outside it). `root` must already be a real path.
 */
export function containedPath(root: string, segments: readonly string[]): string {
  const target = resolve(root, ...segments);
  const rel = relative(root, target);
  if (rel === '' ? segments.length > 0 : rel.startsWith('..') || isAbsolute(rel)) {
    throw invalidIdentifier(segments.join('/'), 'resolves outside the data folder');
  }
  let current = root;
  for (const part of rel === '' ? [] : rel.split(/[\\/]/)) {
    current = join(current, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(current).isSymbolicLink();
    } catch {
      break; // the rest does not exist yet, so it cannot be a link
    }
    if (isLink) throw invalidIdentifier(segments.join('/'), 'a symbolic link inside the data folder is on its path');
  }
  return target;
}

/** Splits a stage-relative path (`a/b/c.onnx`) into checked segments; empty segments are dropped. */
export function stagePathSegments(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  for (const s of segments) {
    const problem = segmentProblem(s);
    if (problem !== null) throw invalidIdentifier(path, `stage path segment: ${problem}`);
  }
  return segments;
}

/**
 * Every file location the server derives from a name: databases, named and user stages, model
 * versions. All of them go through {@link nameSegment} and {@link containedPath}.
 */
export class DataPaths {
  /** The data folder as a real path (symbolic links above it resolved once, at start). */
  readonly root: string;

  constructor(root: string) {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    this.root = realpathSync(root);
  }

  /** Folder of the DuckDB database files. */
  get databasesDir(): string {
    return containedPath(this.root, ['databases']);
  }

  /** The DuckDB file of a Snowflake database. */
  databaseFile(database: string): string {
    return containedPath(this.root, ['databases', `${nameSegment(database)}.duckdb`]);
  }

  /** Folder holding every stage and model of a database (removed with it). */
  databaseFolders(database: string): string[] {
    const seg = nameSegment(database);
    return [containedPath(this.root, ['stages', seg]), containedPath(this.root, ['models', seg])];
  }

  /** Folders holding every stage and model of a schema (removed with it). */
  schemaFolders(database: string, schema: string): string[] {
    const segs = [nameSegment(database), nameSegment(schema)];
    return [containedPath(this.root, ['stages', ...segs]), containedPath(this.root, ['models', ...segs])];
  }

  /** Folder of a named stage. */
  namedStageDir(database: string, schema: string, name: string): string {
    return containedPath(this.root, ['stages', nameSegment(database), nameSegment(schema), nameSegment(name)]);
  }

  /** Folder of a user's `@~` stage. */
  userStageDir(user: string): string {
    return containedPath(this.root, ['stages', '~', nameSegment(user)]);
  }

  /** Folder of a model (all its versions). */
  modelDir(database: string, schema: string, model: string): string {
    return containedPath(this.root, ['models', nameSegment(database), nameSegment(schema), nameSegment(model)]);
  }

  /** Folder of one model version's files. */
  modelVersionDir(database: string, schema: string, model: string, version: string): string {
    return containedPath(this.root, ['models', nameSegment(database), nameSegment(schema), nameSegment(model), nameSegment(version)]);
  }

  /** A path inside a stage or model folder that is itself contained (checked again, links included). */
  inside(dir: string, path: string): string {
    const base = relative(this.root, dir);
    if (base.startsWith('..') || isAbsolute(base)) throw invalidIdentifier(dir, 'not inside the data folder');
    return containedPath(this.root, [...base.split(/[\\/]/).filter(Boolean), ...stagePathSegments(path)]);
  }
}
