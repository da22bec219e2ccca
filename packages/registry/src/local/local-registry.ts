import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { RegistryError } from '../errors.js';
import { assertEmptyOrAbsent, exportTargetTaken } from '../export-target.js';
import { modelFiles, readModelSource, resolveClasses } from '../model-source.js';
import { canonicalName } from '../registry-names.js';
import type {
  LogModelOptions,
  Metrics,
  ModelInfo,
  Registry,
  RegistryModel,
  RegistryDetector,
  RegistryModelVersion,
  VersionDetectorOptions,
  VersionInfo,
} from '../registry-types.js';
import { loadDetectorFromFolder } from '../load-detector.js';
import { existingPathInside, pathInside, storedName } from '../stored-names.js';
import { nextVersionName, resolveBuiltinAlias } from '../version-names.js';
import { assertOutputsApart, defectkitHome, writeFileAtomic, writeFolderAtomically } from '@defectkit/core/node';
import { digestFile, type FileDigest } from '../content-hash.js';
import { withFileLock } from './file-lock.js';
import { readModelRecord, readVersionRecord, type ModelRecord, type VersionRecord } from './local-records.js';
import { cleanStaging, createStagingEntry } from './staging.js';

function canonicalNameOrNull(value: string): string | null {
  try {
    return canonicalName(value, 'name');
  } catch {
    return null;
  }
}

/** The default registry folder: `registry` under `defectkitHome()` (`$DEFECTKIT_HOME`, default `~/.defectkit`). */
export function defaultRegistryDir(): string {
  return join(defectkitHome(), 'registry');
}

/** Options of {@link LocalRegistry}. */
export interface LocalRegistryOptions {
  /** The registry folder (default `~/.defectkit/registry`); created on first write. */
  dir?: string;
  /** How long a write waits for another process's lock (ms, default 30 000); a lock whose process is gone is taken at once. */
  lockTimeoutMs?: number;
  /**
   * Work folders in `.staging` left by interrupted logs are removed on the next `logModel` when their process
   * is gone; those whose process cannot be checked (another machine) once older than this (ms, default 24 h).
   */
  stagingMaxAgeMs?: number;
}

/**
 * The embedded, local-first registry: a folder with one sub-folder per model version, metadata in JSON,
 * every write atomic (temporary sibling + rename) and serialised by a lock file so that two processes can
 * log at the same time. Content hashes recorded at `logModel` are verified on `export` and `detector`.
 *
 * @example
 * const registry = new LocalRegistry({ dir: '/tmp/my-registry' });
 * const version = await registry.logModel('models/pcb-defects', { name: 'PCB_DEFECTS', comment: 'first' });
 * const detector = await version.detector();
 */
export class LocalRegistry implements Registry {
  readonly kind = 'local' as const;
  /** The registry folder. */
  readonly dir: string;
  private readonly lockTimeoutMs: number | undefined;
  private readonly stagingMaxAgeMs: number | undefined;

  constructor(options: LocalRegistryOptions = {}) {
    this.dir = resolve(options.dir ?? defaultRegistryDir());
    this.lockTimeoutMs = options.lockTimeoutMs;
    this.stagingMaxAgeMs = options.stagingMaxAgeMs;
  }

  /** @internal The folder of a model; `name` must be a registry name (checked again here: it becomes a path). */
  modelDir(name: string): string {
    return pathInside(join(this.dir, 'models'), storedName(name, { file: this.dir, field: 'model' }), { file: this.dir, field: 'model' });
  }

  /** @internal The folder of a version, proven inside the model folder. */
  versionDir(model: string, version: string): string {
    const versions = join(this.modelDir(model), 'versions');
    return pathInside(versions, storedName(version, { file: versions, field: 'version' }), { file: versions, field: 'version' });
  }

  /** @internal Runs `action` under the registry lock. */
  async locked<T>(action: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    return withFileLock(join(this.dir, 'registry.lock'), action, { timeoutMs: this.lockTimeoutMs });
  }

  /** @internal */
  async readModel(name: string): Promise<ModelRecord | null> {
    return readModelRecord(join(this.modelDir(name), 'model.json'), name);
  }

  /** @internal */
  async writeModel(record: ModelRecord): Promise<void> {
    await writeFileAtomic(join(this.modelDir(record.name), 'model.json'), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** @internal */
  async readVersion(model: string, version: string): Promise<VersionRecord | null> {
    return readVersionRecord(join(this.versionDir(model, version), 'version.json'), { model, name: version });
  }

  /** @internal */
  async writeVersion(record: VersionRecord): Promise<void> {
    await writeFileAtomic(join(this.versionDir(record.model, record.name), 'version.json'), `${JSON.stringify(record, null, 2)}\n`);
  }

  /**
   * Removes the `.staging` work folders of interrupted logs and deletes whose process is gone (see
   * {@link LocalRegistryOptions.stagingMaxAgeMs}); `logModel` calls it first. Returns the names removed.
   */
  async cleanStaging(): Promise<string[]> {
    return cleanStaging(this.dir, this.stagingMaxAgeMs === undefined ? {} : { unknownOwnerMaxAgeMs: this.stagingMaxAgeMs });
  }

  async logModel(source: string, options: LogModelOptions): Promise<RegistryModelVersion> {
    const name = canonicalName(options.name, 'name');
    const requested = options.version === undefined ? undefined : canonicalName(options.version, 'version');
    const card = await readModelSource(source);
    const classes = resolveClasses(card, options.classes, join(source, 'model.json'));
    await mkdir(this.dir, { recursive: true });
    await this.cleanStaging();
    const staging = await createStagingEntry(this.dir, 'log');
    try {
      // Copy outside the lock (the slow part), then check the copy against the source byte for byte.
      const files: Record<string, FileDigest> = {};
      for (const file of modelFiles) {
        const from = join(source, file);
        const to = join(staging, file);
        await copyFile(from, to);
        const [original, copied] = await Promise.all([digestFile(from), digestFile(to)]);
        if (original.sha256 !== copied.sha256) {
          throw new RegistryError('REGISTRY_INTEGRITY', `${from}: changed while it was being copied`, { file: from });
        }
        files[file] = copied;
      }
      const version = await this.locked(async () => {
        const existing = await this.readModel(name);
        const versionName = requested ?? nextVersionName(existing?.versions ?? []);
        if (existing?.versions.includes(versionName)) {
          throw new RegistryError('REGISTRY_VERSION_EXISTS', `model ${name} already has version ${versionName}`, { model: name, version: versionName });
        }
        const record: VersionRecord = {
          format: 'defectkit.registry-version/v1',
          model: name,
          name: versionName,
          createdOn: new Date().toISOString(),
          comment: options.comment ?? null,
          aliases: [],
          metrics: options.metrics ?? card.metrics,
          classes,
          files,
        };
        await writeFileAtomic(join(staging, 'version.json'), `${JSON.stringify(record, null, 2)}\n`);
        await mkdir(join(this.modelDir(name), 'versions'), { recursive: true });
        // Leftovers of a crash between the rename and the model.json update are not listed; clear them.
        await rm(this.versionDir(name, versionName), { recursive: true, force: true });
        await rename(staging, this.versionDir(name, versionName));
        const model: ModelRecord = existing ?? { format: 'defectkit.registry-model/v1', name, createdOn: record.createdOn, default: null, versions: [] };
        model.versions.push(versionName);
        model.default ??= versionName;
        await this.writeModel(model);
        return versionName;
      });
      return new LocalModelVersion(this, name, version);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async models(): Promise<ModelInfo[]> {
    const names = await readdir(join(this.dir, 'models')).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const models: ModelInfo[] = [];
    for (const name of names.sort()) {
      if (canonicalNameOrNull(name) !== name) continue; // not a model folder (a leftover or a stray file)
      const record = await this.readModel(name);
      if (record) models.push({ name: record.name, versions: [...record.versions], default: record.default });
    }
    return models;
  }

  async model(name: string): Promise<RegistryModel> {
    const canonical = canonicalName(name, 'name');
    if (!(await this.readModel(canonical))) {
      throw new RegistryError('REGISTRY_MODEL_NOT_FOUND', `model ${canonical} is not in the registry at ${this.dir}`, { model: canonical, registry: this.dir });
    }
    return new LocalModel(this, canonical);
  }

  async close(): Promise<void> {}
}

class LocalModel implements RegistryModel {
  constructor(
    private readonly registry: LocalRegistry,
    readonly name: string,
  ) {}

  private async record(): Promise<ModelRecord> {
    const record = await this.registry.readModel(this.name);
    if (!record) throw new RegistryError('REGISTRY_MODEL_NOT_FOUND', `model ${this.name} is not in the registry at ${this.registry.dir}`, { model: this.name });
    return record;
  }

  async info(): Promise<ModelInfo> {
    const record = await this.record();
    return { name: record.name, versions: [...record.versions], default: record.default };
  }

  async versions(): Promise<VersionInfo[]> {
    const record = await this.record();
    const infos: VersionInfo[] = [];
    for (const version of record.versions) infos.push(await new LocalModelVersion(this.registry, this.name, version).info());
    return infos;
  }

  /** Resolves a version name or alias to the stored version name. */
  private async resolve(nameOrAlias: string): Promise<string> {
    const record = await this.record();
    const wanted = canonicalName(nameOrAlias, 'version');
    const builtin = resolveBuiltinAlias(wanted, record.versions, record.default);
    if (builtin !== undefined) {
      if (builtin !== null) return builtin;
    } else if (record.versions.includes(wanted)) {
      return wanted;
    } else {
      for (const version of record.versions) {
        const stored = await this.registry.readVersion(this.name, version);
        if (stored?.aliases.includes(wanted)) return version;
      }
    }
    throw new RegistryError('REGISTRY_VERSION_NOT_FOUND', `model ${this.name} has no version or alias ${wanted}`, { model: this.name, version: wanted, versions: record.versions });
  }

  async version(nameOrAlias: string): Promise<RegistryModelVersion> {
    return new LocalModelVersion(this.registry, this.name, await this.resolve(nameOrAlias));
  }

  async default(): Promise<RegistryModelVersion> {
    return this.version('DEFAULT');
  }

  async setDefault(version: string): Promise<void> {
    const resolved = await this.resolve(version);
    // A model without versions does not exist in Snowflake either: deleting the last version deletes the model.
    if ((await this.record()).versions.length === 1) return this.delete();
    await this.registry.locked(async () => {
      const record = await this.record();
      if (!record.versions.includes(resolved)) throw new RegistryError('REGISTRY_VERSION_NOT_FOUND', `model ${this.name} has no version ${resolved}`, { model: this.name, version: resolved });
      record.default = resolved;
      await this.registry.writeModel(record);
    });
  }

  async delete(version?: string): Promise<void> {
    if (version === undefined) {
      await this.registry.locked(async () => {
        await this.record();
        // Rename first so the model disappears in one step; then remove the files at leisure.
        const trash = join(await createStagingEntry(this.registry.dir, 'trash'), 'model');
        await rename(this.registry.modelDir(this.name), trash);
        await rm(dirname(trash), { recursive: true, force: true });
      });
      return;
    }
    const resolved = await this.resolve(version);
    // A model without versions does not exist in Snowflake either: deleting the last version deletes the model.
    if ((await this.record()).versions.length === 1) return this.delete();
    await this.registry.locked(async () => {
      const record = await this.record();
      if (!record.versions.includes(resolved)) throw new RegistryError('REGISTRY_VERSION_NOT_FOUND', `model ${this.name} has no version ${resolved}`, { model: this.name, version: resolved });
      if (record.default === resolved) {
        throw new RegistryError('REGISTRY_DEFAULT_VERSION', `version ${resolved} is the default of ${this.name}; set another default first`, { model: this.name, version: resolved });
      }
      record.versions = record.versions.filter((name) => name !== resolved);
      await this.registry.writeModel(record);
      const trash = join(await createStagingEntry(this.registry.dir, 'trash'), 'version');
      await rename(this.registry.versionDir(this.name, resolved), trash);
      await rm(dirname(trash), { recursive: true, force: true });
    });
  }
}

class LocalModelVersion implements RegistryModelVersion {
  constructor(
    private readonly registry: LocalRegistry,
    readonly modelName: string,
    readonly name: string,
  ) {}

  private async record(): Promise<VersionRecord> {
    const record = await this.registry.readVersion(this.modelName, this.name);
    if (!record) throw new RegistryError('REGISTRY_VERSION_NOT_FOUND', `model ${this.modelName} has no version ${this.name}`, { model: this.modelName, version: this.name });
    return record;
  }

  private async update(change: (record: VersionRecord) => void): Promise<void> {
    await this.registry.locked(async () => {
      const record = await this.record();
      change(record);
      await this.registry.writeVersion(record);
    });
  }

  async info(): Promise<VersionInfo> {
    const [record, model] = await Promise.all([this.record(), this.registry.readModel(this.modelName)]);
    return {
      model: record.model,
      name: record.name,
      createdOn: record.createdOn,
      comment: record.comment,
      aliases: [...record.aliases],
      isDefault: model?.default === record.name,
      metrics: record.metrics,
      classes: record.classes,
    };
  }

  async metrics(): Promise<Metrics> {
    return (await this.record()).metrics;
  }

  async setMetric(name: string, value: unknown): Promise<void> {
    if (typeof name !== 'string' || name === '') throw new RegistryError('REGISTRY_IDENTIFIER', 'a metric name must be a non-empty string', { field: 'metric' });
    if (value === undefined) throw new RegistryError('REGISTRY_METRIC', `metric ${name}: the value must be JSON (got undefined)`, { field: name });
    await this.update((record) => {
      record.metrics = { ...record.metrics, [name]: value };
    });
  }

  async setAlias(alias: string): Promise<void> {
    const canonical = canonicalName(alias, 'alias');
    if (resolveBuiltinAlias(canonical, [], null) !== undefined) {
      throw new RegistryError('REGISTRY_IDENTIFIER', `alias ${canonical} is reserved`, { field: 'alias', value: alias });
    }
    await this.registry.locked(async () => {
      const model = await this.registry.readModel(this.modelName);
      if (model?.versions.includes(canonical)) {
        throw new RegistryError('REGISTRY_IDENTIFIER', `alias ${canonical} is also a version name of ${this.modelName}`, { field: 'alias', value: alias });
      }
      // An alias names one version: move it from wherever it points now.
      for (const other of model?.versions ?? []) {
        if (other === this.name) continue;
        const record = await this.registry.readVersion(this.modelName, other);
        if (record?.aliases.includes(canonical)) {
          record.aliases = record.aliases.filter((value) => value !== canonical);
          await this.registry.writeVersion(record);
        }
      }
      const record = await this.record();
      if (!record.aliases.includes(canonical)) record.aliases.push(canonical);
      await this.registry.writeVersion(record);
    });
  }

  async unsetAlias(alias: string): Promise<void> {
    const canonical = canonicalName(alias, 'alias');
    await this.update((record) => {
      if (!record.aliases.includes(canonical)) {
        throw new RegistryError('REGISTRY_VERSION_NOT_FOUND', `version ${this.name} of ${this.modelName} has no alias ${canonical}`, { model: this.modelName, alias: canonical });
      }
      record.aliases = record.aliases.filter((value) => value !== canonical);
    });
  }

  async comment(text?: string): Promise<string | null> {
    if (text === undefined) return (await this.record()).comment;
    await this.update((record) => {
      record.comment = text;
    });
    return text;
  }

  /** Checks every stored file against its recorded SHA-256; throws `REGISTRY_INTEGRITY` naming the file. */
  async verify(): Promise<string> {
    const record = await this.record();
    const dir = this.registry.versionDir(this.modelName, this.name);
    const metadata = join(dir, 'version.json');
    for (const file of modelFiles) {
      if (!(file in record.files)) throw new RegistryError('REGISTRY_METADATA', `${metadata}: field "files" does not list ${file}`, { file: metadata, field: 'files' });
    }
    for (const [file, expected] of Object.entries(record.files)) {
      const path = await existingPathInside(dir, file, { file: metadata, field: 'files' }, this.registry.dir);
      const actual = await digestFile(path).catch(() => null);
      if (!actual || actual.sha256 !== expected.sha256 || actual.size !== expected.size) {
        throw new RegistryError('REGISTRY_INTEGRITY', `${path}: content does not match the hash recorded when ${this.modelName} ${this.name} was logged`, {
          file: path,
          expected: expected.sha256,
          actual: actual?.sha256 ?? null,
        });
      }
    }
    return dir;
  }

  async export(dir: string): Promise<string[]> {
    const target = resolve(dir);
    await assertEmptyOrAbsent(target);
    // The registry folder is an input: an export into it, around it or inside it would write over the store.
    await assertOutputsApart([target], [this.registry.dir]);
    const record = await this.record();
    const source = this.registry.versionDir(this.modelName, this.name);
    const metadata = { file: join(source, 'version.json'), field: 'files' };
    await writeFolderAtomically(target, { existsError: exportTargetTaken }, async (temporary) => {
      for (const [file, expected] of Object.entries(record.files)) {
        // Both ends proven inside their folders (the source also through symbolic links) before any copy.
        const from = await existingPathInside(source, file, metadata, this.registry.dir);
        const to = pathInside(temporary, file, metadata);
        await copyFile(from, to, fsConstants.COPYFILE_EXCL);
        const actual = await digestFile(to);
        if (actual.sha256 !== expected.sha256) {
          throw new RegistryError('REGISTRY_INTEGRITY', `${from}: content does not match the hash recorded when ${this.modelName} ${this.name} was logged`, {
            file: from,
            expected: expected.sha256,
            actual: actual.sha256,
          });
        }
      }
    });
    return Object.keys(record.files).map((file) => join(target, file));
  }

  async detector(options: VersionDetectorOptions = {}): Promise<RegistryDetector> {
    const dir = await this.verify();
    return loadDetectorFromFolder(dir, options);
  }
}
