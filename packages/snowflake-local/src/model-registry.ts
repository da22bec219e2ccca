import { cpSync, existsSync, lstatSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { compilationError, doesNotExist, SnowflakeSqlError, unsupported } from './errors.js';
import type { ExecEnv } from './exec-env.js';
import { readModelPackage } from './model-package.js';
import { fullName, kw, likePattern, qualify, readName, type ObjectName } from './object-names.js';
import type { ModelRecord, ModelVersionRecord } from './server-catalog.js';
import type { Token } from './sql-tokenizer.js';
import type { ModelCall } from './sql-translate.js';
import { requireSchema, resolveStage } from './stages.js';
import { StatementType, status, table, type StatementResult } from './statement-result.js';


function modelName(env: ExecEnv, s: Token[], k: number, what: string): { name: ObjectName; end: number } {
  const { parts, end } = readName(s, k);
  return { name: qualify(parts, env.session, what), end };
}

function versionName(t: Token | undefined): string {
  if (!t || (t.kind !== 'word' && t.kind !== 'quoted-ident')) throw compilationError(`syntax error: expected a version name at '${t?.text ?? 'end of statement'}'.`);
  return t.value;
}

function requireModel(env: ExecEnv, name: ObjectName): ModelRecord {
  const model = env.catalog.findModel(name.database, name.schema, name.name);
  if (!model) throw doesNotExist('Model', fullName(name));
  return model;
}

/** Finds a version by name or alias (DEFAULT, FIRST and LAST are built-in aliases). */
export function findVersion(model: ModelRecord, ref: string | null): ModelVersionRecord {
  const upper = ref?.toUpperCase() ?? 'DEFAULT';
  let found: ModelVersionRecord | undefined;
  if (upper === 'DEFAULT') found = model.versions.find((v) => v.name === model.defaultVersion);
  else if (upper === 'FIRST') found = model.versions[0];
  else if (upper === 'LAST') found = model.versions[model.versions.length - 1];
  else found = model.versions.find((v) => v.name === ref) ?? model.versions.find((v) => v.aliases.includes(ref!));
  if (!found) throw doesNotExist('Model version', `${model.name}/${ref ?? 'DEFAULT'}`);
  return found;
}

/** Copies a validated package from a stage into the model store (temporary sibling, then rename). */
function addVersion(env: ExecEnv, name: ObjectName, model: ModelRecord, version: string, stageRef: Token | undefined): ModelVersionRecord {
  if (!stageRef || (stageRef.kind !== 'stage' && stageRef.kind !== 'string')) throw compilationError('syntax error: expected FROM @stage/path.');
  if (model.versions.some((v) => v.name === version)) {
    throw new SnowflakeSqlError('002002', '42710', `SQL compilation error:\nVersion '${version}' already exists in model '${fullName(name)}'.`, { version });
  }
  const src = resolveStage(env, stageRef.kind === 'stage' ? stageRef.text : stageRef.value).target;
  const target = env.paths.modelVersionDir(name.database, name.schema, model.name, version);
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  // Links are not copied (a package must not carry a way out of the model store), and the copy is
  // what gets validated: the files checked are exactly the files kept.
  mkdirSync(tmp, { recursive: true });
  if (existsSync(src)) cpSync(src, tmp, { recursive: true, filter: (from) => !lstatSync(from).isSymbolicLink() });
  let pkg: ReturnType<typeof readModelPackage>;
  try {
    pkg = readModelPackage(tmp);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  const record: ModelVersionRecord = {
    name: version,
    createdOn: new Date().toISOString(),
    comment: '',
    metadata: {},
    aliases: [],
    functions: pkg.methods,
    userData: pkg.userData,
    modelType: pkg.modelType,
  };
  model.versions.push(record);
  model.defaultVersion ??= version;
  return record;
}

function stringValue(t: Token | undefined, what: string): string {
  if (!t || (t.kind !== 'string' && t.kind !== 'dollar-string')) throw compilationError(`syntax error: ${what} needs a string value.`);
  return t.value;
}

/** CREATE/ALTER/DROP MODEL, COMMENT ON MODEL and SHOW MODELS/VERSIONS/FUNCTIONS. */
export async function runModelStatement(env: ExecEnv, s: Token[]): Promise<StatementResult> {
  const first = s[0]!.value;
  const { catalog } = env;
  if (first === 'SHOW') return showStatement(env, s);
  if (first === 'CREATE') {
    let k = 1;
    let replace = false;
    if (kw(s, 1, 'OR') && kw(s, 2, 'REPLACE')) {
      replace = true;
      k = 3;
    }
    k++; // MODEL
    let ifNotExists = false;
    if (kw(s, k, 'IF')) {
      ifNotExists = true;
      k += 3;
    }
    const { name, end } = modelName(env, s, k, 'CREATE MODEL');
    if (!kw(s, end, 'WITH')) throw compilationError('syntax error: expected WITH VERSION after the model name.');
    if (kw(s, end + 1, 'LIVE')) throw unsupported('CREATE MODEL … WITH LIVE VERSION');
    if (!kw(s, end + 1, 'VERSION')) throw compilationError('syntax error: expected WITH VERSION.');
    const version = versionName(s[end + 2]);
    if (!kw(s, end + 3, 'FROM')) throw compilationError('syntax error: expected FROM @stage/path.');
    if (kw(s, end + 4, 'MODEL')) throw unsupported('CREATE MODEL … FROM MODEL');
    // Prove the version's folder name before anything is dropped or copied.
    env.paths.modelVersionDir(name.database, name.schema, name.name, version);
    await requireSchema(env, name);
    const existing = catalog.findModel(name.database, name.schema, name.name);
    if (existing) {
      if (ifNotExists) return status(`${name.name} already exists, statement succeeded.`);
      if (!replace) throw new SnowflakeSqlError('002002', '42710', `SQL compilation error:\nObject '${name.name}' already exists.`, { name: fullName(name) });
      dropModel(env, name, existing);
    }
    const model: ModelRecord = { ...name, createdOn: new Date().toISOString(), comment: '', defaultVersion: null, versions: [] };
    addVersion(env, name, model, version, s[end + 4]);
    catalog.models.push(model);
    catalog.save();
    return status(`Model ${name.name} successfully created.`);
  }
  if (first === 'DROP') {
    let k = 2;
    let ifExists = false;
    if (kw(s, k, 'IF')) {
      ifExists = true;
      k += 2;
    }
    const { name } = modelName(env, s, k, 'DROP MODEL');
    const model = catalog.findModel(name.database, name.schema, name.name);
    if (!model) {
      if (ifExists) return status(`Drop statement executed successfully (${name.name} already dropped).`);
      throw doesNotExist('Model', fullName(name));
    }
    dropModel(env, name, model);
    catalog.save();
    return status(`${name.name} successfully dropped.`);
  }
  if (first === 'COMMENT') {
    // COMMENT [IF EXISTS] ON MODEL name IS '…'
    const { name, end } = modelName(env, s, 3, 'COMMENT ON MODEL');
    const model = requireModel(env, name);
    if (!kw(s, end, 'IS')) throw compilationError('syntax error: expected IS.');
    model.comment = stringValue(s[end + 1], 'COMMENT');
    catalog.save();
    return status('Statement executed successfully.');
  }
  // ALTER MODEL [IF EXISTS] name …
  let k = 2;
  if (kw(s, k, 'IF')) k += 2;
  const { name, end } = modelName(env, s, k, 'ALTER MODEL');
  const model = requireModel(env, name);
  const result = await alterModel(env, name, model, s, end);
  catalog.save();
  return result;
}

async function alterModel(env: ExecEnv, name: ObjectName, model: ModelRecord, s: Token[], k: number): Promise<StatementResult> {
  const ok = status('Statement executed successfully.');
  if (kw(s, k, 'ADD') && kw(s, k + 1, 'LIVE')) throw unsupported('ALTER MODEL … ADD LIVE VERSION');
  if (kw(s, k, 'ADD') && kw(s, k + 1, 'VERSION')) {
    const version = versionName(s[k + 2]);
    if (!kw(s, k + 3, 'FROM')) throw compilationError('syntax error: expected FROM @stage/path.');
    if (kw(s, k + 4, 'MODEL')) throw unsupported('ALTER MODEL … ADD VERSION … FROM MODEL');
    addVersion(env, name, model, version, s[k + 4]);
    return status(`Version ${version} of model ${name.name} successfully added.`);
  }
  if (kw(s, k, 'SET') && kw(s, k + 1, 'DEFAULT_VERSION')) {
    const v = findVersion(model, versionName(s[k + 3]));
    model.defaultVersion = v.name;
    return ok;
  }
  if (kw(s, k, 'SET') && kw(s, k + 1, 'COMMENT')) {
    model.comment = stringValue(s[k + 3], 'COMMENT');
    return ok;
  }
  if (kw(s, k, 'UNSET') && kw(s, k + 1, 'COMMENT')) {
    model.comment = '';
    return ok;
  }
  if (kw(s, k, 'MODIFY') && kw(s, k + 1, 'VERSION')) {
    const v = findVersion(model, versionName(s[k + 2]));
    if (kw(s, k + 3, 'SET') && kw(s, k + 4, 'COMMENT')) v.comment = stringValue(s[k + 6], 'COMMENT');
    else if (kw(s, k + 3, 'UNSET') && kw(s, k + 4, 'COMMENT')) v.comment = '';
    else if (kw(s, k + 3, 'SET') && kw(s, k + 4, 'METADATA')) {
      const text = stringValue(s[k + 6], 'METADATA');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new SnowflakeSqlError('100069', '22P02', `Error parsing JSON: METADATA is not valid JSON: ${text.slice(0, 80)}`, { field: 'METADATA' });
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw compilationError('METADATA must be a JSON object.', { field: 'METADATA' });
      v.metadata = parsed as Record<string, unknown>;
    } else throw unsupported(`ALTER MODEL … MODIFY VERSION … ${s[k + 3]?.text ?? ''} ${s[k + 4]?.text ?? ''}`.trim());
    return ok;
  }
  if (kw(s, k, 'VERSION')) {
    const ref = versionName(s[k + 1]);
    if (kw(s, k + 2, 'SET') && kw(s, k + 3, 'ALIAS')) {
      const v = findVersion(model, ref);
      const alias = versionName(s[k + 5]);
      if (['DEFAULT', 'FIRST', 'LAST'].includes(alias)) throw compilationError(`'${alias}' is a reserved alias.`);
      if (model.versions.some((x) => x.name === alias || x.aliases.includes(alias))) {
        throw new SnowflakeSqlError('002002', '42710', `SQL compilation error:\nAlias '${alias}' already exists in model '${fullName(name)}'.`, { alias });
      }
      v.aliases.push(alias);
      return ok;
    }
    if (kw(s, k + 2, 'UNSET') && kw(s, k + 3, 'ALIAS')) {
      const v = model.versions.find((x) => x.aliases.includes(ref));
      if (!v) throw doesNotExist('Alias', ref);
      v.aliases = v.aliases.filter((a) => a !== ref);
      return ok;
    }
  }
  if (kw(s, k, 'DROP') && kw(s, k + 1, 'VERSION')) {
    const v = findVersion(model, versionName(s[k + 2]));
    if (v.name === model.defaultVersion && model.versions.length > 1) {
      throw compilationError(`Cannot drop the default version '${v.name}' of model '${fullName(name)}'.`, { version: v.name });
    }
    const dir = env.paths.modelVersionDir(name.database, name.schema, model.name, v.name);
    model.versions = model.versions.filter((x) => x !== v);
    if (model.defaultVersion === v.name) model.defaultVersion = null;
    rmSync(dir, { recursive: true, force: true });
    return ok;
  }
  if (kw(s, k, 'RENAME') && kw(s, k + 1, 'TO')) {
    const target = qualify(readName(s, k + 2).parts, env.session, 'ALTER MODEL RENAME');
    await requireSchema(env, target);
    if (env.catalog.findModel(target.database, target.schema, target.name)) {
      throw new SnowflakeSqlError('002002', '42710', `SQL compilation error:\nObject '${target.name}' already exists.`, { name: fullName(target) });
    }
    const from = env.paths.modelDir(name.database, name.schema, model.name);
    const to = env.paths.modelDir(target.database, target.schema, target.name);
    cpSync(from, to, { recursive: true });
    rmSync(from, { recursive: true, force: true });
    Object.assign(model, target);
    return ok;
  }
  throw unsupported(`ALTER MODEL … ${s[k]?.text ?? ''} ${s[k + 1]?.text ?? ''}`.trim());
}

function dropModel(env: ExecEnv, name: ObjectName, model: ModelRecord): void {
  const dir = env.paths.modelDir(name.database, name.schema, model.name);
  env.catalog.models = env.catalog.models.filter((m) => m !== model);
  rmSync(dir, { recursive: true, force: true });
}

function showStatement(env: ExecEnv, s: Token[]): StatementResult {
  const what = s[1]!.value;
  const likeAt = s.findIndex((t) => t.kind === 'word' && t.value === 'LIKE');
  const like = likeAt >= 0 ? likePattern(s[likeAt + 1]?.value ?? '%') : null;
  const inAt = s.findIndex((t) => t.kind === 'word' && t.value === 'IN');
  const created = (iso: string): Date => new Date(iso);
  if (what === 'MODELS') {
    let models = env.catalog.models;
    if (inAt >= 0 && !kw(s, inAt + 1, 'ACCOUNT')) {
      const scopeKind = kw(s, inAt + 1, 'DATABASE', 'SCHEMA') ? s[inAt + 1]!.value : 'SCHEMA';
      const { parts } = readName(s, kw(s, inAt + 1, 'DATABASE', 'SCHEMA') ? inAt + 2 : inAt + 1);
      if (scopeKind === 'DATABASE') models = models.filter((m) => m.database === parts[0]);
      else {
        const db = parts.length === 2 ? parts[0]! : env.session.database;
        const sc = parts[parts.length - 1]!;
        models = models.filter((m) => m.database === db && m.schema === sc);
      }
    } else if (inAt < 0) {
      models = models.filter((m) => m.database === env.session.database && m.schema === env.session.schema);
    }
    const rows = models
      .filter((m) => !like || like.test(m.name))
      .map((m) => [
        created(m.createdOn), m.name, m.versions[0]?.modelType ?? 'USER_MODEL', m.database, m.schema, m.comment, 'SYSADMIN', m.defaultVersion,
        JSON.stringify(m.versions.map((v) => v.name)),
        JSON.stringify(Object.fromEntries(m.versions.flatMap((v) => v.aliases.map((a) => [a, v.name])))),
      ]);
    return table(
      [['created_on', 'timestamp_ltz'], ['name', 'text'], ['model_type', 'text'], ['database_name', 'text'], ['schema_name', 'text'], ['comment', 'text'], ['owner', 'text'], ['default_version_name', 'text'], ['versions', 'text'], ['aliases', 'text']],
      rows,
    );
  }
  if (inAt < 0 || !kw(s, inAt + 1, 'MODEL')) throw compilationError(`syntax error: SHOW ${what} needs IN MODEL <name>.`);
  const { name, end } = modelName(env, s, inAt + 2, `SHOW ${what}`);
  const model = requireModel(env, name);
  if (what === 'VERSIONS') {
    const rows = model.versions
      .filter((v) => !like || like.test(v.name))
      .map((v) => [
        created(v.createdOn), v.name, JSON.stringify(v.aliases), model.database, model.schema, model.name,
        v.name === model.defaultVersion ? 'true' : 'false',
        JSON.stringify(v.functions.map((f) => f.name)), JSON.stringify(v.metadata), JSON.stringify(v.userData), v.comment,
        JSON.stringify({ task: 'UNKNOWN' }), JSON.stringify(['WAREHOUSE']),
      ]);
    return table(
      [['created_on', 'timestamp_ltz'], ['name', 'text'], ['aliases', 'text'], ['database_name', 'text'], ['schema_name', 'text'], ['model_name', 'text'], ['is_default_version', 'text'], ['functions', 'text'], ['metadata', 'text'], ['user_data', 'text'], ['comment', 'text'], ['model_attributes', 'text'], ['runnable_in', 'text']],
      rows,
    );
  }
  if (what === 'FUNCTIONS') {
    const v = kw(s, end, 'VERSION') ? findVersion(model, versionName(s[end + 1])) : findVersion(model, null);
    const rows = v.functions.map((f) => {
      const args = f.inputs.map((i) => `${i.name} ${i.type}`).join(', ');
      const returns = f.type === 'TABLE_FUNCTION' ? `TABLE (${f.outputs.map((o) => `${o.name ?? 'OUTPUT'} ${o.type}`).join(', ')})` : 'OBJECT';
      return [f.name, returns, 'PYTHON', `${f.name}(${args}) RETURN ${returns}`, f.handler];
    });
    return table([['name', 'text'], ['return_type', 'text'], ['language', 'text'], ['arguments', 'text'], ['handler', 'text']], rows, StatementType.SHOW);
  }
  throw unsupported(`SHOW ${what}`);
}

/** Runs a `MODEL(...)!METHOD(...)` call on the argument structs of one result column. */
export async function applyModelCalls(env: ExecEnv, call: ModelCall, cells: unknown[]): Promise<(Record<string, unknown> | null)[]> {
  const name = qualify(call.model, env.session, 'MODEL(...)');
  const model = requireModel(env, name);
  const version = findVersion(model, call.version);
  const method = version.functions.find((f) => f.name === call.method);
  if (!method) throw new SnowflakeSqlError('002140', '42601', `SQL compilation error:\nUnknown function ${fullName(name)}!${call.method} in version ${version.name}.`, { method: call.method });
  if (method.type !== 'FUNCTION') throw unsupported(`calling ${method.type} ${call.method} in a select list`);
  if (method.inputs.length !== call.argCount) {
    throw new SnowflakeSqlError('000938', '42601', `SQL compilation error:\n${call.method} takes ${method.inputs.length} argument(s), got ${call.argCount}.`, { method: call.method });
  }
  const rows = cells.map((cell) => {
    const struct = (cell ?? {}) as Record<string, unknown>;
    return method.inputs.map((_, i) => struct[`A${i}`] ?? null);
  });
  const dir = env.paths.modelVersionDir(name.database, name.schema, model.name, version.name);
  return env.predictor({ dir, method: method.name, inputs: method.inputs, rows });
}

