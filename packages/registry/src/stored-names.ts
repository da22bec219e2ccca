import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { isIdentifier } from '@defectkit/snowflake';
import { RegistryError } from './errors.js';

// Everything a registry reads back from its own metadata (local JSON, Snowflake METADATA and stage listings)
// is untrusted input: another process, an older version or an attacker may have written it. Each value that
// becomes part of a path or a statement goes through one of these checks before it touches the disk or SQL.

/** Where a stored value came from, for the error: the metadata file (or `MODEL VERSION` text) and the field. */
export interface StoredValueSource {
  /** The metadata file, or a description such as `METADATA of ML.REG.PCB V1`. */
  file: string;
  /** The field holding the value, e.g. `files` or `versions[2]`. */
  field: string;
}

function refuse(value: unknown, source: StoredValueSource, problem: string): never {
  throw new RegistryError('REGISTRY_METADATA', `${source.file}: field "${source.field}" ${problem}, got ${JSON.stringify(value)?.slice(0, 200)}`, {
    file: source.file,
    field: source.field,
    value: typeof value === 'string' ? value.slice(0, 200) : String(value),
  });
}

/** A model, version or alias name read from metadata: the registry name rule (an identifier), upper case. */
export function storedName(value: unknown, source: StoredValueSource): string {
  if (!isIdentifier(value) || value !== value.toUpperCase()) refuse(value, source, 'must be a stored registry name (upper-case identifier)');
  return value;
}

// A file-name segment: letters, digits, _ - . only, not starting with a dot (no `.`, `..`, hidden files or
// temporary siblings), so it cannot be a separator, a drive, a quote, a wildcard or a control character.
const segmentPattern = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/**
 * A file name read from metadata: a plain relative name (`model.onnx`), or with `allowSeparators` a relative
 * path of such names joined by `/` (`model/model.onnx`). Never absolute, never `.`/`..`, never `\`, NUL or
 * an empty segment. Throws `REGISTRY_METADATA` naming the metadata file and field otherwise.
 */
export function storedFileName(value: unknown, source: StoredValueSource, options: { allowSeparators?: boolean } = {}): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) refuse(value, source, 'must be a non-empty file name');
  const segments = value.split('/');
  if (segments.length > 1 && options.allowSeparators !== true) refuse(value, source, 'must be a plain file name without a folder');
  if (segments.length > 8) refuse(value, source, 'nests too many folders');
  for (const segment of segments) {
    if (!segmentPattern.test(segment)) refuse(value, source, 'must be a relative name of letters, digits, _ - . (no "..", no absolute path, no hidden file)');
  }
  return value;
}

/**
 * The absolute path of `name` (already checked by {@link storedFileName}) inside `root`, proven to stay inside
 * it after resolution. Throws `REGISTRY_METADATA` otherwise.
 */
export function pathInside(root: string, name: string, source: StoredValueSource): string {
  const base = resolve(root);
  const path = resolve(base, ...name.split('/'));
  if (!isInside(base, path)) refuse(name, source, `names a path outside ${base}`);
  return path;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
}

/**
 * Like {@link pathInside}, and also proves that the file as it exists on disk (symbolic links followed) is inside
 * `root` as it exists on disk, and `root` inside `container` (e.g. the registry folder), so a link planted in a
 * registry folder, or a version folder that is itself a link, cannot make a read or export reach another file.
 * A missing file is returned as is (the caller reports it).
 */
export async function existingPathInside(root: string, name: string, source: StoredValueSource, container: string = root): Promise<string> {
  const path = pathInside(root, name, source);
  const [realContainer, realRoot, realFile] = await Promise.all([
    realpath(container),
    realpath(root),
    realpath(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error))),
  ]);
  if (realContainer !== realRoot && !isInside(realContainer, realRoot)) refuse(name, source, `lies in a folder that resolves (through a symbolic link) outside ${realContainer}`);
  if (realFile !== null && !isInside(realRoot, realFile)) refuse(name, source, `resolves (through a symbolic link) outside ${realRoot}`);
  return path;
}

const sha256Pattern = /^[0-9a-f]{64}$/;

/** A recorded `{ sha256, size }` digest read from metadata. */
export function storedDigest(value: unknown, source: StoredValueSource): { sha256: string; size: number } {
  const digest = value as { sha256?: unknown; size?: unknown } | null;
  if (typeof digest !== 'object' || digest === null || typeof digest.sha256 !== 'string' || !sha256Pattern.test(digest.sha256)) {
    refuse(value, source, 'must hold a hex SHA-256');
  }
  if (typeof digest.size !== 'number' || !Number.isSafeInteger(digest.size) || digest.size < 0) refuse(value, source, 'must hold a byte size');
  return { sha256: digest.sha256 as string, size: digest.size };
}

// What the Snowflake driver writes as a version's package folder: `<MODEL>/<VERSION>_<8 hex>` under its stage.
const packageFolderPattern = /^([A-Z_][A-Z0-9_$]*)\/([A-Z_][A-Z0-9_$]*)_[0-9a-f]{8}$/;

/**
 * The stage folder a Snowflake version's METADATA names (`@"DB"."S"."STAGE"/<MODEL>/<VERSION>_<hex>`): it must
 * be exactly what `logModel` writes for this model under `stageSql`, so it can be put into a GET or REMOVE
 * statement as is. Throws `REGISTRY_METADATA` otherwise.
 */
export function storedStagePackage(value: unknown, stageSql: string, model: string, source: StoredValueSource): string {
  const prefix = `@${stageSql}/`;
  if (typeof value !== 'string' || !value.startsWith(prefix)) refuse(value, source, `must be a folder of ${prefix}`);
  const match = packageFolderPattern.exec(value.slice(prefix.length));
  if (!match || match[1] !== model) refuse(value, source, `must be ${prefix}${model}/<VERSION>_<hex>`);
  return value;
}
