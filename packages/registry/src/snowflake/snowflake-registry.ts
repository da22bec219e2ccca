import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { DefectKitError } from '@defectkit/core';
import { writeFolderAtomically } from '@defectkit/core/node';
import { fileUrlSql, quoteIdentifier, SnowflakeError, SnowflakeSession, UploadError, type Row, type SnowflakeSessionOptions } from '@defectkit/snowflake';
import { digestFile, type FileDigest } from '../content-hash.js';
import { RegistryError } from '../errors.js';
import { assertEmptyOrAbsent, exportTargetTaken } from '../export-target.js';
import { pathInside, storedDigest, storedFileName, storedStagePackage } from '../stored-names.js';
import { loadDetectorFromFolder } from '../load-detector.js';
import { readModelSource, resolveClasses } from '../model-source.js';
import { writeRegistryPackage } from '../registry-package-dir.js';
import type { LogModelOptions, Metrics, ModelInfo, Registry, RegistryDetector, RegistryModel, RegistryModelVersion, VersionDetectorOptions, VersionInfo } from '../registry-types.js';
import { canonicalName } from '../registry-names.js';
import { nextVersionName, resolveBuiltinAlias } from '../version-names.js';
import { dollarQuoted, dollarQuotedJson } from './dollar-quote.js';
import { RemoteDetector, type RemoteDetectorOptions } from './remote-detector.js';

/** Options of {@link SnowflakeRegistry.connect}. */
export interface SnowflakeRegistryOptions extends SnowflakeSessionOptions {
  /** The database holding the models (default: the connection's `database`). */
  database?: string;
  /** The schema holding the models (default: the connection's `schema`). */
  schema?: string;
  /** The stage that keeps the uploaded registry packages (default `DEFECTKIT_MODELS`, created when missing). */
  stage?: string;
}

/** What DefectKit keeps in a version's METADATA besides the metrics. */
interface DefectKitMetadata {
  classes: string[];
  /** The stage folder holding the package this version was created from. */
  package: string;
  files: Record<string, FileDigest>;
}

interface VersionRow {
  name: string;
  createdOn: string;
  comment: string | null;
  aliases: string[];
  isDefault: boolean;
  metadata: Record<string, unknown>;
}

function parseJsonValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function column(row: Row, name: string): unknown {
  if (name in row) return row[name];
  const upper = name.toUpperCase();
  return upper in row ? row[upper] : undefined;
}

function asObject(value: unknown): Record<string, unknown> {
  const parsed = parseJsonValue(value);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

function asBoolean(value: unknown): boolean {
  return value === true || value === 'true' || value === 'TRUE' || value === 1 || value === '1';
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  return value instanceof Date ? value.toISOString() : String(value);
}

function asAliases(value: unknown): string[] {
  const parsed = parseJsonValue(value);
  if (Array.isArray(parsed)) return parsed.map(String);
  if (typeof parsed === 'object' && parsed !== null) return Object.keys(parsed);
  return [];
}

/**
 * The Snowflake Model Registry through snowflake-sdk. `logModel` builds the registry package (the emitted
 * `functions/predict.py` handler, `MANIFEST.yml`, environment files, `model/model.onnx`), uploads it with
 * PUT (AUTO_COMPRESS=FALSE) and runs `CREATE MODEL ... WITH VERSION ... FROM @stage` (or `ALTER MODEL ...
 * ADD VERSION`). Identifiers are validated and quoted; every other value is a bind.
 *
 * @example
 * const registry = await SnowflakeRegistry.connect({ connection: 'local', database: 'ML', schema: 'REGISTRY' });
 * const version = await registry.logModel('models/pcb-defects', { name: 'PCB_DEFECTS' });
 * const detector = await version.detector(); // runs MODEL(ML.REGISTRY.PCB_DEFECTS, V1)!PREDICT in Snowflake
 * await registry.close();
 */
export class SnowflakeRegistry implements Registry {
  readonly kind = 'snowflake' as const;

  private constructor(
    /** The connection. */
    readonly session: SnowflakeSession,
    /** The quoted `"DB"."SCHEMA"`. */
    readonly schemaSql: string,
    /** The quoted stage name. */
    readonly stageSql: string,
  ) {}

  /** Connects and checks the database and schema names. */
  static async connect(options: SnowflakeRegistryOptions = {}): Promise<SnowflakeRegistry> {
    const session = await SnowflakeSession.connect(options);
    try {
      const database = options.database ?? session.settings.values.database;
      const schema = options.schema ?? session.settings.values.schema;
      if (database === undefined || schema === undefined) {
        throw new SnowflakeError('SNOWFLAKE_CONFIG', 'the Snowflake registry needs a database and a schema: set database and schema in the connection or pass them', {
          key: database === undefined ? 'database' : 'schema',
        });
      }
      const schemaSql = `${quoteIdentifier(database, 'database')}.${quoteIdentifier(schema, 'schema')}`;
      const stageSql = `${schemaSql}.${quoteIdentifier(options.stage ?? 'DEFECTKIT_MODELS', 'stage')}`;
      return new SnowflakeRegistry(session, schemaSql, stageSql);
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  /** @internal The quoted fully qualified model name. */
  modelSql(name: string): string {
    return `${this.schemaSql}.${quoteIdentifier(name, 'name')}`;
  }

  /** @internal The model names in the schema. */
  async modelNames(): Promise<string[]> {
    const rows = await this.session.execute(`SHOW MODELS IN SCHEMA ${this.schemaSql}`);
    return rows.map((row) => String(column(row, 'name')));
  }

  /** @internal The versions of a model, in creation order. */
  async versionRows(name: string): Promise<VersionRow[]> {
    const rows = await this.session.execute(`SHOW VERSIONS IN MODEL ${this.modelSql(name)}`);
    return rows
      .map((row) => ({
        name: String(column(row, 'name')),
        createdOn: asText(column(row, 'created_on')) ?? '',
        comment: asText(column(row, 'comment')),
        aliases: asAliases(column(row, 'aliases')),
        isDefault: asBoolean(column(row, 'is_default_version')),
        metadata: asObject(column(row, 'metadata')),
      }))
      .sort((a, b) => (a.createdOn < b.createdOn ? -1 : a.createdOn > b.createdOn ? 1 : 0));
  }

  async logModel(source: string, options: LogModelOptions): Promise<RegistryModelVersion> {
    const name = canonicalName(options.name, 'name');
    const requested = options.version === undefined ? undefined : canonicalName(options.version, 'version');
    if (options.comment !== undefined) dollarQuoted(options.comment, 'comment'); // refuse before uploading anything
    const card = await readModelSource(source);
    // PREDICT takes one image per row: a model that compares each image with a golden reference cannot answer it yet.
    if (card.model.input.reference !== undefined) {
      throw new RegistryError('REGISTRY_MODEL_SOURCE', `${join(source, 'model.json')}: input.reference: a model that needs a golden reference is not served by the Snowflake handler yet (run it locally)`, { file: join(source, 'model.json'), field: 'input.reference' });
    }
    const classes = resolveClasses(card, options.classes, join(source, 'model.json'));
    const pkg = await writeRegistryPackage(source, card, name);
    try {
      let exists = (await this.modelNames()).includes(name);
      const versions = exists ? (await this.versionRows(name)).map((row) => row.name) : [];
      const version = requested ?? nextVersionName(versions);
      if (versions.includes(version)) {
        throw new RegistryError('REGISTRY_VERSION_EXISTS', `model ${name} already has version ${version}`, { model: name, version });
      }
      await this.session.execute(`CREATE STAGE IF NOT EXISTS ${this.stageSql}`);
      const folder = `${name}/${version}_${randomBytes(4).toString('hex')}`;
      const packagePath = `@${this.stageSql}/${folder}`;
      await this.upload(pkg.dir, pkg.files, packagePath);
      const modelSql = this.modelSql(name);
      const versionSql = quoteIdentifier(version, 'version');
      const addVersion = `ALTER MODEL ${modelSql} ADD VERSION ${versionSql} FROM ${packagePath}`;
      try {
        if (exists) await this.session.execute(addVersion);
        else {
          try {
            await this.session.execute(`CREATE MODEL ${modelSql} WITH VERSION ${versionSql} FROM ${packagePath}`);
          } catch (error) {
            // Another client created the model since we looked: add our version to it instead.
            if (!(DefectKitError.isInstance(error) && error.details.sqlCode === '002002' && /Object '[^']*' already exists/i.test(error.message))) throw error;
            exists = true;
            await this.session.execute(addVersion);
          }
        }
      } catch (error) {
        await this.removeQuietly(packagePath);
        if (DefectKitError.isInstance(error) && error.code === 'SNOWFLAKE_SQL' && /Version '[^']*' already exists/i.test(error.message)) {
          throw new RegistryError('REGISTRY_VERSION_EXISTS', `model ${name} already has version ${version}`, { model: name, version }, { cause: error });
        }
        if (DefectKitError.isInstance(error) && error.code === 'SNOWFLAKE_SQL') {
          throw new SnowflakeError('SNOWFLAKE_PACKAGE_REJECTED', `Snowflake rejected the registry package of ${name} ${version}: ${error.message}`, { ...error.details, model: name, version }, { cause: error });
        }
        throw error;
      }
      try {
        const metadata = { metrics: options.metrics ?? card.metrics, snowpark_ml_schema_version: '2024-01-01', defectkit: { classes, package: packagePath, files: pkg.digests } satisfies DefectKitMetadata };
        await this.session.execute(`ALTER MODEL ${modelSql} MODIFY VERSION ${versionSql} SET METADATA = ${dollarQuotedJson(metadata)}`);
        if (options.comment !== undefined) await this.session.execute(`ALTER MODEL ${modelSql} MODIFY VERSION ${versionSql} SET COMMENT = ${dollarQuoted(options.comment, 'comment')}`);
      } catch (error) {
        // Never leave a version without its metadata: undo the registration.
        await this.session.execute(exists ? `ALTER MODEL ${modelSql} DROP VERSION ${versionSql}` : `DROP MODEL ${modelSql}`).catch(() => undefined);
        await this.removeQuietly(packagePath);
        throw error;
      }
      return new SnowflakeModelVersion(this, name, version);
    } finally {
      await pkg.remove();
    }
  }

  /** @internal PUTs each package file to its folder under `target`; on failure removes what was uploaded. */
  async upload(dir: string, files: readonly string[], target: string): Promise<void> {
    const uploaded: string[] = [];
    try {
      for (const file of files) {
        const folder = posix.dirname(file);
        const to = folder === '.' ? `${target}/` : `${target}/${folder}/`;
        await this.session.execute(`PUT ${fileUrlSql(join(dir, file))} ${to} AUTO_COMPRESS = FALSE OVERWRITE = TRUE`);
        uploaded.push(file);
      }
    } catch (error) {
      await this.removeQuietly(target);
      const reason = error instanceof Error ? error.message : String(error);
      throw new UploadError('SNOWFLAKE_UPLOAD', `upload of the registry package to ${target} failed after ${uploaded.length} of ${files.length} files; nothing was registered: ${reason}`, {
        target,
        uploaded,
        files: [...files],
      }, { cause: error });
    }
  }

  /** @internal */
  async removeQuietly(path: string): Promise<void> {
    await this.session.execute(`REMOVE ${path}/`).catch(() => undefined);
  }

  async models(): Promise<ModelInfo[]> {
    const models: ModelInfo[] = [];
    for (const name of (await this.modelNames()).sort()) {
      const rows = await this.versionRows(name);
      models.push({ name, versions: rows.map((row) => row.name), default: rows.find((row) => row.isDefault)?.name ?? null });
    }
    return models;
  }

  async model(name: string): Promise<RegistryModel> {
    const canonical = canonicalName(name, 'name');
    if (!(await this.modelNames()).includes(canonical)) {
      throw new RegistryError('REGISTRY_MODEL_NOT_FOUND', `model ${canonical} is not in ${this.schemaSql}`, { model: canonical, schema: this.schemaSql });
    }
    return new SnowflakeModel(this, canonical);
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

class SnowflakeModel implements RegistryModel {
  constructor(
    private readonly registry: SnowflakeRegistry,
    readonly name: string,
  ) {}

  async info(): Promise<ModelInfo> {
    const rows = await this.registry.versionRows(this.name);
    return { name: this.name, versions: rows.map((row) => row.name), default: rows.find((row) => row.isDefault)?.name ?? null };
  }

  async versions(): Promise<VersionInfo[]> {
    return (await this.registry.versionRows(this.name)).map((row) => versionInfo(this.name, row));
  }

  /** @internal */
  async resolve(nameOrAlias: string): Promise<VersionRow> {
    const wanted = canonicalName(nameOrAlias, 'version');
    const rows = await this.registry.versionRows(this.name);
    const builtin = resolveBuiltinAlias(wanted, rows.map((row) => row.name), rows.find((row) => row.isDefault)?.name ?? null);
    const target = builtin === undefined ? wanted : builtin;
    const row = rows.find((r) => r.name === target) ?? (builtin === undefined ? rows.find((r) => r.aliases.includes(wanted)) : undefined);
    if (!row) {
      throw new RegistryError('REGISTRY_VERSION_NOT_FOUND', `model ${this.name} has no version or alias ${wanted}`, { model: this.name, version: wanted, versions: rows.map((r) => r.name) });
    }
    return row;
  }

  async version(nameOrAlias: string): Promise<RegistryModelVersion> {
    return new SnowflakeModelVersion(this.registry, this.name, (await this.resolve(nameOrAlias)).name);
  }

  async default(): Promise<RegistryModelVersion> {
    return this.version('DEFAULT');
  }

  async setDefault(version: string): Promise<void> {
    const row = await this.resolve(version);
    await this.registry.session.execute(`ALTER MODEL ${this.registry.modelSql(this.name)} SET DEFAULT_VERSION = ${quoteIdentifier(row.name, 'version')}`);
  }

  async delete(version?: string): Promise<void> {
    const modelSql = this.registry.modelSql(this.name);
    const rows = await this.registry.versionRows(this.name);
    if (version === undefined) {
      const packages = rows.map((row) => packageOf(this.registry, this.name, row)); // checked before anything is dropped
      await this.registry.session.execute(`DROP MODEL ${modelSql}`);
      for (const pkg of packages) if (pkg !== null) await this.registry.removeQuietly(pkg);
      return;
    }
    const row = await this.resolve(version);
    if (row.isDefault && rows.length > 1) {
      throw new RegistryError('REGISTRY_DEFAULT_VERSION', `version ${row.name} is the default of ${this.name}; set another default first`, { model: this.name, version: row.name });
    }
    const pkg = packageOf(this.registry, this.name, row); // checked before anything is dropped
    await this.registry.session.execute(rows.length === 1 ? `DROP MODEL ${modelSql}` : `ALTER MODEL ${modelSql} DROP VERSION ${quoteIdentifier(row.name, 'version')}`);
    if (pkg !== null) await this.registry.removeQuietly(pkg);
  }
}

/** The checked package folder a version's METADATA names (null when DefectKit did not log it): it goes into a REMOVE statement. */
function packageOf(registry: SnowflakeRegistry, model: string, row: VersionRow): string | null {
  const pkg = asObject(row.metadata.defectkit).package;
  if (pkg === undefined) return null; // not logged by DefectKit: no package of ours to remove
  // METADATA is writable by anyone who can alter the model: never trust it into a statement unchecked.
  return storedStagePackage(pkg, registry.stageSql, model, { file: `METADATA of ${model} ${row.name}`, field: 'defectkit.package' });
}

function versionInfo(model: string, row: VersionRow): VersionInfo {
  const defectkit = asObject(row.metadata.defectkit);
  return {
    model,
    name: row.name,
    createdOn: row.createdOn,
    comment: row.comment,
    aliases: row.aliases,
    isDefault: row.isDefault,
    metrics: asObject(row.metadata.metrics),
    classes: Array.isArray(defectkit.classes) ? defectkit.classes.map(String) : [],
  };
}

class SnowflakeModelVersion implements RegistryModelVersion {
  constructor(
    private readonly registry: SnowflakeRegistry,
    readonly modelName: string,
    readonly name: string,
  ) {}

  private get prefix(): string {
    return `ALTER MODEL ${this.registry.modelSql(this.modelName)}`;
  }

  private async row(): Promise<VersionRow> {
    return new SnowflakeModel(this.registry, this.modelName).resolve(this.name);
  }

  async info(): Promise<VersionInfo> {
    return versionInfo(this.modelName, await this.row());
  }

  async metrics(): Promise<Metrics> {
    return (await this.info()).metrics;
  }

  async setMetric(name: string, value: unknown): Promise<void> {
    if (typeof name !== 'string' || name === '') throw new RegistryError('REGISTRY_IDENTIFIER', 'a metric name must be a non-empty string', { field: 'metric' });
    if (value === undefined) throw new RegistryError('REGISTRY_METRIC', `metric ${name}: the value must be JSON (got undefined)`, { field: name });
    const metadata = (await this.row()).metadata;
    const next = { ...metadata, metrics: { ...asObject(metadata.metrics), [name]: value } };
    await this.registry.session.execute(`${this.prefix} MODIFY VERSION ${quoteIdentifier(this.name, 'version')} SET METADATA = ${dollarQuotedJson(next)}`);
  }

  async setAlias(alias: string): Promise<void> {
    const canonical = canonicalName(alias, 'alias');
    if (resolveBuiltinAlias(canonical, [], null) !== undefined) throw new RegistryError('REGISTRY_IDENTIFIER', `alias ${canonical} is reserved`, { field: 'alias', value: alias });
    // The contract moves an alias; Snowflake refuses a second holder, so take it off the other version first.
    const rows = await this.registry.versionRows(this.modelName);
    if (rows.some((row) => row.name === canonical)) throw new RegistryError('REGISTRY_IDENTIFIER', `alias ${canonical} is also a version name of ${this.modelName}`, { field: 'alias', value: alias });
    const holder = rows.find((row) => row.aliases.includes(canonical));
    if (holder?.name === this.name) return;
    if (holder) await this.registry.session.execute(`${this.prefix} VERSION ${quoteIdentifier(canonical, 'alias')} UNSET ALIAS`);
    await this.registry.session.execute(`${this.prefix} VERSION ${quoteIdentifier(this.name, 'version')} SET ALIAS = ${quoteIdentifier(canonical, 'alias')}`);
  }

  async unsetAlias(alias: string): Promise<void> {
    const canonical = canonicalName(alias, 'alias');
    if (!(await this.row()).aliases.includes(canonical)) {
      throw new RegistryError('REGISTRY_VERSION_NOT_FOUND', `version ${this.name} of ${this.modelName} has no alias ${canonical}`, { model: this.modelName, alias: canonical });
    }
    await this.registry.session.execute(`${this.prefix} VERSION ${quoteIdentifier(canonical, 'alias')} UNSET ALIAS`);
  }

  async comment(text?: string): Promise<string | null> {
    if (text === undefined) return (await this.row()).comment;
    await this.registry.session.execute(`${this.prefix} MODIFY VERSION ${quoteIdentifier(this.name, 'version')} SET COMMENT = ${dollarQuoted(text, 'comment')}`);
    return text;
  }

  async export(dir: string): Promise<string[]> {
    const target = resolve(dir);
    await assertEmptyOrAbsent(target);
    const defectkit = asObject((await this.row()).metadata.defectkit);
    if (defectkit.package === undefined || defectkit.files === undefined) {
      throw new RegistryError('REGISTRY_METADATA', `${this.modelName} ${this.name} was not logged by DefectKit (its METADATA names no package); export it with snowflake-ml-python`, {
        model: this.modelName,
        version: this.name,
      });
    }
    // Every value read back from METADATA is checked before it reaches a statement or the disk.
    const where = `METADATA of ${this.modelName} ${this.name}`;
    const pkg = storedStagePackage(defectkit.package, this.registry.stageSql, this.modelName, { file: where, field: 'defectkit.package' });
    const files = new Map<string, FileDigest>();
    const local = new Set<string>();
    for (const [path, digest] of Object.entries(asObject(defectkit.files))) {
      const name = storedFileName(path, { file: where, field: 'defectkit.files' }, { allowSeparators: true });
      const base = posix.basename(name);
      if (local.has(base)) throw new RegistryError('REGISTRY_METADATA', `${where}: field "defectkit.files" lists two files named ${base}`, { file: where, field: 'defectkit.files', value: name });
      local.add(base);
      files.set(name, storedDigest(digest, { file: where, field: `defectkit.files.${name}` }));
    }
    if (files.size === 0) throw new RegistryError('REGISTRY_METADATA', `${where}: field "defectkit.files" lists no file`, { file: where, field: 'defectkit.files' });
    await writeFolderAtomically(target, { existsError: exportTargetTaken }, async (temporary) => {
      for (const [path, expected] of files) {
        const file = pathInside(temporary, posix.basename(path), { file: where, field: 'defectkit.files' });
        await this.registry.session.execute(`GET ${pkg}/${path} ${fileUrlSql(temporary)}`);
        const actual = await digestFile(file).catch(() => null);
        if (!actual || actual.sha256 !== expected.sha256) {
          throw new RegistryError('REGISTRY_INTEGRITY', `${pkg}/${path}: downloaded content does not match the hash recorded when ${this.modelName} ${this.name} was logged`, {
            file: `${pkg}/${path}`,
            expected: expected.sha256,
            actual: actual?.sha256 ?? null,
          });
        }
      }
      // GET takes a prefix: anything besides the listed files (e.g. `model.onnx.bak`) means the stage was tampered with.
      const got = (await readdir(temporary)).sort();
      const wanted = [...local].sort();
      if (got.join('/') !== wanted.join('/')) {
        throw new RegistryError('REGISTRY_INTEGRITY', `${pkg}: the stage holds files besides those logged (${got.filter((name) => !local.has(name)).join(', ')})`, { file: pkg, expected: wanted, actual: got });
      }
    });
    return (await readdir(target)).sort().map((file) => join(target, file));
  }

  /**
   * A detector for this version. By default it runs remotely through `MODEL(...)!PREDICT`; with
   * `{ backend: 'local' }` the files are exported to a temporary folder and run with onnxruntime-node.
   */
  async detector(options: VersionDetectorOptions & { backend?: 'snowflake' | 'local' } = {}): Promise<RegistryDetector> {
    const { backend, ...rest } = options;
    if (backend === 'local') {
      const dir = join(await mkdtemp(join(tmpdir(), 'defectkit-export-')), 'model');
      await this.export(dir);
      return loadDetectorFromFolder(dir, rest);
    }
    const info = await this.info();
    const batchSize = typeof rest.batchSize === 'number' ? rest.batchSize : undefined;
    const remote: RemoteDetectorOptions = { model: this.registry.modelSql(this.modelName), version: quoteIdentifier(this.name, 'version'), classes: info.classes };
    if (batchSize !== undefined) remote.batchSize = batchSize;
    return new RemoteDetector(this.registry.session, remote);
  }
}
