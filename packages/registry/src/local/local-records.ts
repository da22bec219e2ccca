import { readFile } from 'node:fs/promises';
import type { FileDigest } from '../content-hash.js';
import { RegistryError } from '../errors.js';
import type { Metrics } from '../registry-types.js';
import { storedDigest, storedFileName, storedName } from '../stored-names.js';

/** `models/<NAME>/model.json`: the model's versions (oldest first) and default. */
export interface ModelRecord {
  format: 'defectkit.registry-model/v1';
  name: string;
  createdOn: string;
  default: string | null;
  versions: string[];
}

/** `models/<NAME>/versions/<VERSION>/version.json`: one version's description and file hashes. */
export interface VersionRecord {
  format: 'defectkit.registry-version/v1';
  model: string;
  name: string;
  createdOn: string;
  comment: string | null;
  aliases: string[];
  metrics: Metrics;
  classes: string[];
  files: Record<string, FileDigest>;
}

function invalid(file: string, field: string, problem: string): never {
  throw new RegistryError('REGISTRY_METADATA', `${file}: field "${field}" ${problem}`, { file, field });
}

function object(value: unknown, file: string, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(file, field, 'must be an object');
  return value as Record<string, unknown>;
}

function text(value: unknown, file: string, field: string): string {
  if (typeof value !== 'string') invalid(file, field, 'must be a string');
  return value;
}

async function readJson(path: string): Promise<unknown> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(content);
  } catch (error) {
    throw new RegistryError('REGISTRY_METADATA', `${path}: registry metadata is not valid JSON`, { file: path }, { cause: error });
  }
}

/**
 * Reads and checks a model record; null when the file does not exist. Every name in it (the model, its
 * versions, the default) is checked before anyone builds a path from it: `REGISTRY_METADATA` otherwise.
 */
export async function readModelRecord(path: string, expectedName: string): Promise<ModelRecord | null> {
  const raw = await readJson(path);
  if (raw === undefined) return null;
  const record = object(raw, path, '(root)');
  if (record.format !== 'defectkit.registry-model/v1') invalid(path, 'format', 'must be "defectkit.registry-model/v1"');
  const name = storedName(record.name, { file: path, field: 'name' });
  if (name !== expectedName) invalid(path, 'name', `is ${name} but the folder is ${expectedName}`);
  if (!Array.isArray(record.versions)) invalid(path, 'versions', 'must be an array');
  const versions = record.versions.map((version, i) => storedName(version, { file: path, field: `versions[${i}]` }));
  if (new Set(versions).size !== versions.length) invalid(path, 'versions', 'lists a version twice');
  const fallback = record.default === null ? null : storedName(record.default, { file: path, field: 'default' });
  if (fallback !== null && !versions.includes(fallback)) invalid(path, 'default', `names ${fallback}, which is not a version`);
  return { format: 'defectkit.registry-model/v1', name, createdOn: text(record.createdOn, path, 'createdOn'), default: fallback, versions };
}

/**
 * Reads and checks a version record; null when the file does not exist. File names must be plain names
 * (no folder, no `..`), hashes hex SHA-256, aliases registry names: `REGISTRY_METADATA` otherwise.
 */
export async function readVersionRecord(path: string, expected: { model: string; name: string }): Promise<VersionRecord | null> {
  const raw = await readJson(path);
  if (raw === undefined) return null;
  const record = object(raw, path, '(root)');
  if (record.format !== 'defectkit.registry-version/v1') invalid(path, 'format', 'must be "defectkit.registry-version/v1"');
  const model = storedName(record.model, { file: path, field: 'model' });
  const name = storedName(record.name, { file: path, field: 'name' });
  if (model !== expected.model || name !== expected.name) invalid(path, 'name', `is ${model} ${name} but the folder is ${expected.model} ${expected.name}`);
  if (!Array.isArray(record.aliases)) invalid(path, 'aliases', 'must be an array');
  const aliases = record.aliases.map((alias, i) => storedName(alias, { file: path, field: `aliases[${i}]` }));
  if (!Array.isArray(record.classes) || !record.classes.every((c) => typeof c === 'string')) invalid(path, 'classes', 'must be an array of strings');
  const filesIn = object(record.files, path, 'files');
  const files: Record<string, FileDigest> = {};
  for (const [file, digest] of Object.entries(filesIn)) {
    files[storedFileName(file, { file: path, field: 'files' })] = storedDigest(digest, { file: path, field: `files.${file}` });
  }
  if (Object.keys(files).length === 0) invalid(path, 'files', 'lists no file');
  const comment = record.comment === null ? null : text(record.comment, path, 'comment');
  return {
    format: 'defectkit.registry-version/v1',
    model,
    name,
    createdOn: text(record.createdOn, path, 'createdOn'),
    comment,
    aliases,
    metrics: object(record.metrics ?? {}, path, 'metrics'),
    classes: record.classes as string[],
    files,
  };
}
