import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { RE2JS } from 're2js';
import { stagePathSegments } from './data-paths.js';
import { compilationError, doesNotExist, SnowflakeSqlError, unsupported } from './errors.js';
import type { ExecEnv } from './exec-env.js';
import { kw, likePattern, qualify, readName, truthy, type ObjectName } from './object-names.js';
import { refuseControlCharacters, significant, tokenize, type Token } from './sql-tokenizer.js';
import { StatementType, status, table, type StatementResult } from './statement-result.js';

/** A resolved stage location: the stage's root directory and the path prefix inside it. */
export interface StageLocation {
  /** The stage's folder, proven inside the data folder. */
  dir: string;
  /** The path inside the stage, normalised (`a/b`, no `..`). */
  prefix: string;
  /** `dir` + `prefix`, proven inside the data folder too. */
  target: string;
  /** How LIST names files: `<stage name lower-case>/` (empty for `@~`). */
  listPrefix: string;
  readOnly: boolean;
}

/** Splits `name/path` at the first slash outside double quotes. */
function splitStageRef(ref: string): { name: string; path: string } {
  let inQuote = false;
  for (let i = 0; i < ref.length; i++) {
    if (ref[i] === '"') inQuote = !inQuote;
    else if (ref[i] === '/' && !inQuote) return { name: ref.slice(0, i), path: ref.slice(i + 1) };
  }
  return { name: ref, path: '' };
}

function located(env: ExecEnv, dir: string, path: string, listPrefix: string, readOnly: boolean): StageLocation {
  const prefix = stagePathSegments(path).join('/');
  return { dir, prefix, target: env.paths.inside(dir, prefix), listPrefix, readOnly };
}

/** Snowflake refuses to create objects in a database or schema that does not exist; so does this server. */
export async function requireSchema(env: ExecEnv, name: ObjectName): Promise<void> {
  const db = await env.engine.findDatabase(name.database);
  if (db === null) throw doesNotExist('Database', name.database);
  if ((await env.engine.findSchema(db, name.schema)) === null) throw doesNotExist('Schema', `${db}.${name.schema}`);
}

/** Resolves `@stage/path`, `@~/path` or `snow://model/DB.S.M/versions/V/path` to a directory. */
export function resolveStage(env: ExecEnv, ref: string): StageLocation {
  if (ref.startsWith('snow://model/')) {
    const m = /^snow:\/\/model\/([^/]+)\/versions\/([^/]+)\/?(.*)$/.exec(ref);
    if (!m) throw compilationError(`invalid model location '${ref}'.`, { ref });
    const parts = significant(tokenize(m[1]!)).filter((t) => t.text !== '.').map((t) => t.value);
    const name = qualify(parts, env.session, 'LIST');
    const model = env.catalog.findModel(name.database, name.schema, name.name);
    if (!model) throw doesNotExist('Model', `${name.database}.${name.schema}.${name.name}`);
    const version = model.versions.find((v) => v.name === m[2]!.toUpperCase() || v.name === m[2]);
    if (!version) throw doesNotExist('Model version', `${name.name}/${m[2]}`);
    return located(env, env.paths.modelVersionDir(name.database, name.schema, model.name, version.name), m[3]!, `versions/${version.name}/`, true);
  }
  const at = ref.startsWith('@') ? ref.slice(1) : ref;
  const { name, path } = splitStageRef(at);
  if (name === '~') return located(env, env.paths.userStageDir(env.session.user), path, '', false);
  if (name.startsWith('%')) throw unsupported(`table stage @${name}`);
  const parts = significant(tokenize(name)).filter((t) => t.text !== '.');
  if (parts.some((t) => t.kind !== 'word' && t.kind !== 'quoted-ident')) throw compilationError(`invalid stage name '@${name}'.`, { stage: name });
  const qualified = qualify(parts.map((t) => t.value), env.session, 'stage operation');
  const stage = env.catalog.findStage(qualified.database, qualified.schema, qualified.name);
  if (!stage) throw doesNotExist('Stage', `${qualified.database}.${qualified.schema}.${qualified.name}`);
  return located(env, env.paths.namedStageDir(stage.database, stage.schema, stage.name), path, `${stage.name.toLowerCase()}/`, false);
}

/**
 * Splits a file statement into words: quoted strings stay whole, `=` stands alone. File URLs such as
 * `file:///tmp//x` contain `//`, which the SQL tokenizer would read as a comment, so this scanner is
 * separate and only knows quotes, spaces and `=`.
 */
export function scanWords(sql: string): { text: string; quoted: boolean }[] {
  refuseControlCharacters(sql);
  const words: { text: string; quoted: boolean }[] = [];
  let i = 0;
  let current = '';
  const flush = (): void => {
    if (current) words.push({ text: current, quoted: false });
    current = '';
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c) || c === ';') {
      flush();
      i++;
    } else if (c === '=') {
      flush();
      words.push({ text: '=', quoted: false });
      i++;
    } else if (c === "'") {
      flush();
      let value = '';
      i++;
      while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) {
        if (sql[i] === "'" || sql[i] === '\\') i++;
        value += sql[i] ?? '';
        i++;
      }
      if (i >= sql.length) throw compilationError('syntax error: unterminated string literal.');
      i++;
      words.push({ text: value, quoted: true });
    } else {
      current += c;
      i++;
    }
  }
  flush();
  return words;
}

function optionsFrom(words: { text: string; quoted: boolean }[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    if (words[i + 1]?.text === '=' && words[i + 2]) {
      options.set(words[i]!.text.toUpperCase(), words[i + 2]!.text);
      i += 2;
    } else throw compilationError(`syntax error: unexpected '${words[i]!.text}'.`);
  }
  return options;
}

function fileUrlPath(text: string): string {
  if (!/^file:\/\//i.test(text)) throw compilationError(`invalid local file location '${text}': it must start with file://.`, { location: text });
  try {
    return decodeURI(text.replace(/^file:\/\//i, ''));
  } catch (cause) {
    throw compilationError(`invalid local file location '${text}': bad percent-encoding (${(cause as Error).message}).`, { location: text });
  }
}

/** PATTERN is a regular expression from the client; bound its size as well as its matching time. */
const MAX_PATTERN_LENGTH = 1000;

/** Files under a stage matching a prefix and optional PATTERN, as paths relative to the stage root. */
function matchingFiles(loc: StageLocation, pattern: string | undefined): string[] {
  if (!existsSync(loc.dir)) return [];
  // RE2 semantics: matching time is linear in the name, so no pattern can stall the event loop.
  let regex: RE2JS | null = null;
  if (pattern !== undefined) {
    if (pattern.length > MAX_PATTERN_LENGTH) throw new SnowflakeSqlError('100048', '2201B', `Invalid regular expression: longer than ${MAX_PATTERN_LENGTH} characters.`, { field: 'PATTERN' });
    try {
      regex = RE2JS.compile(`^(?:${pattern})$`);
    } catch {
      throw new SnowflakeSqlError('100048', '2201B', `Invalid regular expression '${pattern}'.`, { pattern });
    }
  }
  return walk(loc.dir)
    .map((f) => relative(loc.dir, f).split(sep).join('/'))
    .filter((r) => r.startsWith(loc.prefix))
    .filter((r) => regex === null || regex.matches(r) || regex.matches(`${loc.listPrefix}${r}`))
    .sort();
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Runs PUT, GET, LIST, REMOVE and CREATE/DROP/SHOW STAGE. */
export async function runStageStatement(env: ExecEnv, s: Token[], sql?: string): Promise<StatementResult> {
  const first = s[0]!.value;
  if (first === 'CREATE') return createStage(env, s);
  if (first === 'DROP') return dropStage(env, s);
  if (first === 'SHOW') return showStages(env, s);
  if (first === 'ALTER') throw unsupported('ALTER STAGE');
  const raw = sql ?? s.map((t) => t.text).join(' ');
  const words = scanWords(raw).slice(1);
  if (first === 'PUT') {
    const [src, target, ...rest] = words;
    if (!src || !target) throw compilationError('syntax error: PUT needs a local file and a stage.');
    const options = optionsFrom(rest);
    const loc = resolveStage(env, target.text);
    if (loc.readOnly) throw unsupported('PUT into a model version location');
    const compression = (options.get('SOURCE_COMPRESSION') ?? 'AUTO_DETECT').toLowerCase();
    const known = ['auto_detect', 'gzip', 'bzip2', 'brotli', 'zstd', 'deflate', 'raw_deflate', 'none'];
    if (!known.includes(compression)) throw compilationError(`invalid SOURCE_COMPRESSION '${compression}'.`, { option: 'SOURCE_COMPRESSION' });
    const location = loc.target;
    mkdirSync(location, { recursive: true });
    return {
      kind: 'transfer',
      data: {
        command: 'UPLOAD',
        src_locations: [fileUrlPath(src.text)],
        autoCompress: truthy(options.get('AUTO_COMPRESS'), true),
        // The driver crashes on 'none'; auto-detection of an uncompressed file means the same.
        sourceCompression: compression === 'none' ? 'auto_detect' : compression,
        overwrite: truthy(options.get('OVERWRITE'), false),
        parallel: Number(options.get('PARALLEL') ?? 4),
        threshold: 200 * 1024 * 1024,
        stageInfo: stageInfo(location),
        encryptionMaterial: null,
        presignedUrls: [],
        operation: 'Node',
        kind: null,
      },
    };
  }
  if (first === 'GET') {
    const [source, target, ...rest] = words;
    if (!source || !target) throw compilationError('syntax error: GET needs a stage and a local directory.');
    const options = optionsFrom(rest);
    const loc = resolveStage(env, source.text);
    const files = matchingFiles(loc, options.get('PATTERN'));
    return {
      kind: 'transfer',
      data: {
        command: 'DOWNLOAD',
        src_locations: files,
        localLocation: fileUrlPath(target.text),
        stageInfo: stageInfo(loc.dir),
        parallel: Number(options.get('PARALLEL') ?? 4),
        encryptionMaterial: null,
        presignedUrls: [],
        operation: 'Node',
        kind: null,
      },
    };
  }
  if (first === 'LIST' || first === 'LS') {
    const [source, ...rest] = words;
    if (!source) throw compilationError('syntax error: LIST needs a stage.');
    const options = optionsFrom(rest);
    const loc = resolveStage(env, source.text);
    const rows = matchingFiles(loc, options.get('PATTERN')).map((r) => {
      const full = env.paths.inside(loc.dir, r);
      const st = statSync(full);
      const md5 = createHash('md5').update(readFileSync(full)).digest('hex');
      return [`${loc.listPrefix}${r}`, st.size, md5, st.mtime.toUTCString()];
    });
    return table([['name', 'text'], ['size', 'fixed'], ['md5', 'text'], ['last_modified', 'text']], rows, StatementType.SELECT);
  }
  if (first === 'REMOVE' || first === 'RM') {
    const [source, ...rest] = words;
    if (!source) throw compilationError('syntax error: REMOVE needs a stage.');
    const options = optionsFrom(rest);
    const loc = resolveStage(env, source.text);
    if (loc.readOnly) throw unsupported('REMOVE from a model version location');
    const files = matchingFiles(loc, options.get('PATTERN'));
    for (const r of files) rmSync(env.paths.inside(loc.dir, r));
    return table([['name', 'text'], ['result', 'text']], files.map((r) => [`${loc.listPrefix}${r}`, 'removed']), StatementType.SELECT);
  }
  throw unsupported(first);
}

function stageInfo(location: string): Record<string, unknown> {
  return {
    locationType: 'LOCAL_FS',
    location: location.endsWith('/') ? location : `${location}/`,
    path: location,
    region: null,
    creds: {},
    isClientSideEncrypted: false,
    presignedUrl: null,
    endPoint: null,
  };
}

async function createStage(env: ExecEnv, s: Token[]): Promise<StatementResult> {
  let k = 1;
  let replace = false;
  let temporary = false;
  while (kw(s, k, 'OR', 'REPLACE', 'TEMPORARY', 'TEMP', 'SCOPED')) {
    if (s[k]!.value === 'REPLACE') replace = true;
    if (s[k]!.value === 'TEMPORARY' || s[k]!.value === 'TEMP') temporary = true;
    k++;
  }
  k++; // STAGE
  let ifNotExists = false;
  if (kw(s, k, 'IF')) {
    ifNotExists = true;
    k += 3;
  }
  const { parts, end } = readName(s, k);
  const rest = s.slice(end);
  if (rest.some((t) => t.kind === 'word' && (t.value === 'URL' || t.value === 'STORAGE_INTEGRATION' || t.value === 'CREDENTIALS'))) {
    throw unsupported('external stage (URL/STORAGE_INTEGRATION)');
  }
  const name = qualify(parts, env.session, 'CREATE STAGE');
  const dir = env.paths.namedStageDir(name.database, name.schema, name.name);
  await requireSchema(env, name);
  const existing = env.catalog.findStage(name.database, name.schema, name.name);
  if (existing) {
    if (ifNotExists) return status(`${name.name} already exists, statement succeeded.`);
    if (!replace) throw new SnowflakeSqlError('002002', '42710', `SQL compilation error:\nObject '${name.name}' already exists.`, { name: name.name });
    env.catalog.stages = env.catalog.stages.filter((st) => st !== existing);
    rmSync(dir, { recursive: true, force: true });
  }
  let comment = '';
  const commentAt = rest.findIndex((t) => t.kind === 'word' && t.value === 'COMMENT');
  if (commentAt >= 0) comment = rest[commentAt + 2]?.value ?? '';
  env.catalog.stages.push({ ...name, temporary, createdOn: new Date().toISOString(), comment });
  if (temporary) env.session.tempStages.add(`${name.database}.${name.schema}.${name.name}`);
  mkdirSync(dir, { recursive: true });
  env.catalog.save();
  return status(`Stage area ${name.name} successfully created.`);
}

function dropStage(env: ExecEnv, s: Token[]): StatementResult {
  let k = 2;
  let ifExists = false;
  if (kw(s, k, 'IF')) {
    ifExists = true;
    k += 2;
  }
  const name = qualify(readName(s, k).parts, env.session, 'DROP STAGE');
  const existing = env.catalog.findStage(name.database, name.schema, name.name);
  if (!existing) {
    if (ifExists) return status(`Drop statement executed successfully (${name.name} already dropped).`);
    throw doesNotExist('Stage', `${name.database}.${name.schema}.${name.name}`);
  }
  const dir = env.paths.namedStageDir(name.database, name.schema, name.name);
  env.catalog.stages = env.catalog.stages.filter((st) => st !== existing);
  rmSync(dir, { recursive: true, force: true });
  env.catalog.save();
  return status(`${name.name} successfully dropped.`);
}

/**
 * SHOW STAGES [LIKE '<pattern>'] [IN ACCOUNT | IN DATABASE <db> | IN [SCHEMA] [<db>.]<schema>]: without IN, the
 * current schema (or database), as Snowflake answers it.
 */
function showStages(env: ExecEnv, s: Token[]): StatementResult {
  const { session } = env;
  const likeAt = s.findIndex((t) => t.kind === 'word' && t.value === 'LIKE');
  const like = likeAt >= 0 ? likePattern(s[likeAt + 1]?.value ?? '%') : null;
  const inAt = s.findIndex((t) => t.kind === 'word' && t.value === 'IN');
  let database: string | null = session.database;
  let schema: string | null = session.schema;
  if (inAt >= 0 && kw(s, inAt + 1, 'ACCOUNT')) [database, schema] = [null, null];
  else if (inAt >= 0) {
    const scope = readName(s, kw(s, inAt + 1, 'DATABASE', 'SCHEMA') ? inAt + 2 : inAt + 1).parts;
    if (kw(s, inAt + 1, 'DATABASE')) [database, schema] = [scope[0] ?? null, null];
    else if (scope.length === 2) [database, schema] = [scope[0]!, scope[1]!];
    else schema = scope[0] ?? null;
  }
  const rows = env.catalog.stages
    .filter((st) => (inAt >= 0 && kw(s, inAt + 1, 'ACCOUNT')) || (st.database === database && (schema === null || st.schema === schema)))
    .filter((st) => like === null || like.test(st.name))
    .map((st) => [new Date(st.createdOn), st.name, st.database, st.schema, '', 'N', 'N', 'SYSADMIN', st.comment, null, st.temporary ? 'INTERNAL TEMPORARY' : 'INTERNAL']);
  return table(
    [['created_on', 'timestamp_ltz'], ['name', 'text'], ['database_name', 'text'], ['schema_name', 'text'], ['url', 'text'], ['has_credentials', 'text'], ['has_encryption_key', 'text'], ['owner', 'text'], ['comment', 'text'], ['region', 'text'], ['type', 'text']],
    rows,
  );
}

/** Removes a session's temporary stages and their files. */
export function dropTemporaryStages(env: Pick<ExecEnv, 'catalog' | 'paths'>, keys: Iterable<string>): void {
  const drop = new Set(keys);
  for (const st of env.catalog.stages.filter((x) => x.temporary && drop.has(`${x.database}.${x.schema}.${x.name}`))) {
    let dir: string;
    try {
      dir = env.paths.namedStageDir(st.database, st.schema, st.name);
    } catch {
      continue; // a folder that cannot be proven inside is left alone; the record still goes
    }
    rmSync(dir, { recursive: true, force: true });
  }
  env.catalog.stages = env.catalog.stages.filter((x) => !(x.temporary && drop.has(`${x.database}.${x.schema}.${x.name}`)));
}
