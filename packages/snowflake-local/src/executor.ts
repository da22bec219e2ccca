import { rmSync } from 'node:fs';
import { DuckDBTypeId, type DuckDBResultReader, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { bindRows, type Bindings } from './binds.js';
import { prepareClientStatement } from './duck-statement.js';
import { mapDuckDbError } from './duckdb-errors.js';
import type { ExecEnv } from './exec-env.js';
import { compilationError, doesNotExist, unsupported } from './errors.js';
import { applyModelCalls, runModelStatement } from './model-registry.js';
import { kw, likePattern, qualify, readName } from './object-names.js';
import { column, describeColumn, needsJson, type RawValue } from './rowtype.js';
import { significant, sqlIdent, tokenize, type Token } from './sql-tokenizer.js';
import { translateStatement, type Translation } from './sql-translate.js';
import { runStageStatement } from './stages.js';
import { StatementType, status, table, type StatementResult } from './statement-result.js';

const MODIFIERS = new Set(['OR', 'REPLACE', 'TEMPORARY', 'TEMP', 'TRANSIENT', 'VOLATILE', 'LOCAL', 'GLOBAL', 'SCOPED', 'SECURE', 'RECURSIVE', 'MATERIALIZED']);

/**
 * Executes one Snowflake statement for a session. With `describeOnly`, a query is planned for its
 * columns without producing rows, and other statements answer an empty description without running.
 */
export async function executeStatement(env: ExecEnv, sql: string, bindings?: Bindings, describeOnly = false): Promise<StatementResult> {
  // PUT/GET carry file URLs (`file:///a//b`) that are not SQL; like the driver, decide by the first word.
  const fileVerb = /^\s*(PUT|GET)\s/i.exec(sql);
  if (fileVerb) return runStageStatement(env, [{ kind: 'word', text: fileVerb[1]!, value: fileVerb[1]!.toUpperCase(), start: 0 }], sql);
  const s = significant(tokenize(sql));
  if (s.length === 0) throw compilationError('Empty SQL statement.');
  const first = s[0]!.kind === 'word' ? s[0]!.value : s[0]!.text;
  if (describeOnly) {
    if (first === 'SELECT' || first === 'WITH' || first === '(') return runDuck(env, sql, s, bindings, true);
    return { kind: 'rows', rowtype: [], rows: [], statementTypeId: StatementType.DDL };
  }
  switch (first) {
    case 'SELECT':
    case 'WITH':
    case 'VALUES':
    case '(':
    case 'INSERT':
    case 'UPDATE':
    case 'DELETE':
    case 'MERGE':
    case 'TRUNCATE':
    case 'BEGIN':
    case 'START':
    case 'COMMIT':
    case 'ROLLBACK':
      return runDuck(env, sql, s, bindings);
    case 'PUT':
    case 'GET':
      // Reached only when something precedes the verb: the driver then treats the answer as rows and
      // would crash on a transfer descriptor, so refuse clearly instead.
      throw compilationError(`${first} must be the first word of the statement (the driver recognises file transfers by their first three characters); remove the leading comment.`);
    case 'LIST':
    case 'LS':
    case 'REMOVE':
    case 'RM':
      return runStageStatement(env, s, sql);
    case 'CREATE':
    case 'DROP':
    case 'ALTER':
    case 'UNDROP': {
      let k = 1;
      while (kw(s, k, ...MODIFIERS)) k++;
      const kind = s[k]?.kind === 'word' ? s[k]!.value : '';
      if (first === 'ALTER' && kind === 'SESSION') return status('Statement executed successfully.', StatementType.DDL);
      if (kind === 'WAREHOUSE' || kind === 'ROLE' || kind === 'USER') return status('Statement executed successfully.', StatementType.DDL);
      if (kind === 'DATABASE') return databaseStatement(env, first, s, k + 1);
      if (kind === 'SCHEMA') return schemaStatement(env, first, s, k + 1);
      if (kind === 'STAGE') return runStageStatement(env, s);
      if (kind === 'MODEL') return runModelStatement(env, s);
      if (kind === 'TABLE' || kind === 'VIEW' || kind === 'SEQUENCE' || kind === 'MACRO') {
        if (first === 'UNDROP') throw unsupported('UNDROP');
        return runDuck(env, sql, s, bindings);
      }
      throw unsupported(`${first} ${kind || s[k]?.text || ''}`.trim());
    }
    case 'COMMENT':
      if (kw(s, 2, 'MODEL')) return runModelStatement(env, s);
      throw unsupported(`COMMENT ON ${s[2]?.text ?? ''}`.trim());
    case 'USE':
      return useStatement(env, s);
    case 'SHOW':
      if (kw(s, 1, 'MODELS', 'VERSIONS', 'FUNCTIONS')) return runModelStatement(env, s);
      if (kw(s, 1, 'STAGES')) return runStageStatement(env, s);
      return showStatement(env, s);
    case 'DESCRIBE':
    case 'DESC':
      return describeStatement(env, s);
    default:
      throw unsupported(first);
  }
}

function sessionInfo(env: ExecEnv) {
  const { session } = env;
  return { database: session.database, schema: session.schema, user: session.user, role: session.role, warehouse: session.warehouse, sessionId: session.id };
}

function dmlType(first: string): number {
  switch (first) {
    case 'INSERT':
      return StatementType.INSERT;
    case 'UPDATE':
      return StatementType.UPDATE;
    case 'DELETE':
      return StatementType.DELETE;
    case 'MERGE':
      return StatementType.MERGE;
    default:
      return 0;
  }
}

async function runDuck(env: ExecEnv, sql: string, s: Token[], bindings?: Bindings, describeOnly = false): Promise<StatementResult> {
  const first = s[0]!.kind === 'word' ? s[0]!.value : s[0]!.text;
  const { session } = env;
  if (first === 'CREATE' && session.database === null) {
    // Snowflake refuses unqualified DDL without a current database; DuckDB would use its own default.
    const k = s.findIndex((t, i) => i > 0 && t.kind === 'word' && ['TABLE', 'VIEW', 'SEQUENCE'].includes(t.value));
    let n = k + 1;
    if (kw(s, n, 'IF')) n += 3;
    qualify(readName(s, n).parts, session, `CREATE ${s[k]?.value ?? ''}`);
  }
  const jsonBinds = new Set(
    Object.entries(bindings ?? {})
      .filter(([, b]) => ['VARIANT', 'OBJECT', 'ARRAY'].includes(String((b as { type?: unknown } | null)?.type).toUpperCase())) // malformed binds are refused by bindRows
      .map(([k]) => Number(k)),
  );
  const translation = translateStatement(sql, sessionInfo(env), jsonBinds);
  if (describeOnly) {
    // Binds may be absent when describing: plan with NULLs for every placeholder.
    translation.sql = `SELECT * FROM (${translation.sql}) AS "__describe" LIMIT 0`;
    translation.modelCalls = [];
  }
  const rows = describeOnly && !bindings ? [new Array<DuckDBValue>(translation.bindCount).fill(null)] : bindRows(bindings, translation.bindCount);
  const conn = session.conn;
  let reader: DuckDBResultReader | undefined;
  let changed = 0;
  for (let attempt = 1; ; attempt++) {
    changed = 0;
    try {
      if (rows.length === 1) {
        const prepared = await prepareClientStatement(conn, translation.sql);
        try {
          if (rows[0]!.length > 0) prepared.bind(rows[0]!);
          reader = await prepared.runAndReadAll();
        } finally {
          prepared.destroySync();
        }
        changed = reader.rowsChanged;
      } else {
        changed = await runArrayBind(env, translation.sql, rows);
      }
      break;
    } catch (error) {
      // Snowflake makes concurrent writers wait for row locks; DuckDB fails the later writer with a
      // conflict instead. Outside an explicit transaction the statement left nothing behind, so
      // running it again is what waiting would have done.
      if (!session.inTransaction && isWriteConflict(error) && attempt < MAX_CONFLICT_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, Math.min(50, attempt * 2) * Math.random()));
        continue;
      }
      if (first === 'COMMIT' || first === 'ROLLBACK') session.inTransaction = false;
      throw mapDuckDbError(error, sql);
    }
  }
  if (first === 'BEGIN' || first === 'START') session.inTransaction = true;
  if (first === 'COMMIT' || first === 'ROLLBACK') session.inTransaction = false;
  if (rows.length > 1) return dmlAnswer(first, changed);
  const dml = dmlType(first);
  if (dml !== 0) return dmlAnswer(first, changed);
  if (first === 'CREATE' || first === 'DROP' || first === 'ALTER') rememberColumnTypes(env, first, s, translation.declaredTypes);
  if (first === 'CREATE' || first === 'DROP' || first === 'ALTER' || first === 'TRUNCATE') return ddlAnswer(first, s);
  if (first === 'BEGIN' || first === 'START' || first === 'COMMIT' || first === 'ROLLBACK') {
    return status('Statement executed successfully.', StatementType.TRANSACTION);
  }
  return readRows(env, reader!, translation);
}

const MAX_CONFLICT_ATTEMPTS = 100;

function isWriteConflict(error: unknown): boolean {
  return /^TransactionContext Error:.*[Cc]onflict/.test(error instanceof Error ? error.message : String(error));
}

/** Array binding: the statement runs once per row inside one transaction; returns the rows changed. */
async function runArrayBind(env: ExecEnv, sql: string, rows: DuckDBValue[][]): Promise<number> {
  const conn = env.session.conn;
  const prepared = await prepareClientStatement(conn, sql);
  let changed = 0;
  const own = !env.session.inTransaction;
  try {
    if (own) await conn.run('BEGIN TRANSACTION');
    for (const row of rows) {
      prepared.bind(row);
      changed += (await prepared.runAndReadAll()).rowsChanged;
    }
    if (own) await conn.run('COMMIT');
    return changed;
  } catch (error) {
    if (own) await conn.run('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    prepared.destroySync();
  }
}

/** Keeps the OBJECT / ARRAY / TIMESTAMP_TZ declarations of a table in step with CREATE, ALTER and DROP. */
function rememberColumnTypes(env: ExecEnv, first: string, s: Token[], declared: Record<string, string>): void {
  let k = 1;
  while (kw(s, k, ...MODIFIERS)) k++;
  if (!kw(s, k, 'TABLE')) return;
  let n = k + 1;
  if (kw(s, n, 'IF')) n += kw(s, n + 1, 'NOT') ? 3 : 2;
  const name = qualify(readName(s, n).parts, env.session, `${first} TABLE`);
  const key = `${name.database}.${name.schema}.${name.name}`;
  const { catalog } = env;
  const before = JSON.stringify(catalog.columnTypes[key] ?? null);
  if (first === 'DROP') delete catalog.columnTypes[key];
  else if (first === 'ALTER') {
    if (Object.keys(declared).length > 0) catalog.columnTypes[key] = { ...catalog.columnTypes[key], ...declared };
  } else if (Object.keys(declared).length > 0) catalog.columnTypes[key] = declared;
  else delete catalog.columnTypes[key];
  if (JSON.stringify(catalog.columnTypes[key] ?? null) !== before) catalog.save();
}

function dmlAnswer(first: string, changed: number): StatementResult {
  switch (first) {
    case 'INSERT':
      return table([['number of rows inserted', 'fixed']], [[changed]], StatementType.INSERT);
    case 'UPDATE':
      return table([['number of rows updated', 'fixed'], ['number of multi-joined rows updated', 'fixed']], [[changed, 0]], StatementType.UPDATE);
    case 'DELETE':
      return table([['number of rows deleted', 'fixed']], [[changed]], StatementType.DELETE);
    default:
      return table([['number of rows affected', 'fixed']], [[changed]], StatementType.MERGE);
  }
}

function ddlAnswer(first: string, s: Token[]): StatementResult {
  let k = 1;
  while (kw(s, k, ...MODIFIERS)) k++;
  const kind = s[k]?.value ?? '';
  let n = k + 1;
  if (kw(s, n, 'IF')) n += kw(s, n + 1, 'NOT') ? 3 : 2;
  const name = s[n] ? readName(s, n).parts.join('.') : '';
  const label = kind.charAt(0) + kind.slice(1).toLowerCase();
  if (first === 'CREATE') return status(`${label} ${name} successfully created.`);
  if (first === 'DROP') return status(`${name} successfully dropped.`);
  return status('Statement executed successfully.');
}

async function readRows(env: ExecEnv, reader: DuckDBResultReader, translation: Translation): Promise<StatementResult> {
  const { modelCalls } = translation;
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const described = names.map((name, i) => describeColumn(name, types[i]!));
  refineDeclaredTypes(env, translation.sql, names, types, described);
  const values = reader.getRows();
  const json = types.some(needsJson) ? reader.getRowsJson() : null;
  const rows: RawValue[][] = values.map((row, r) =>
    row.map((v, c) => (v === null ? null : described[c]!.encode(v, json?.[r]?.[c]))),
  );
  const rowtype = described.map((d) => d.column);
  if (modelCalls.length > 0) {
    const js = reader.getRowsJS();
    for (const call of modelCalls) {
      const outputs = await applyModelCalls(env, call, js.map((row) => row[call.column]));
      rowtype[call.column] = column(names[call.column]!, 'object');
      outputs.forEach((o, r) => (rows[r]![call.column] = o === null ? null : JSON.stringify(o)));
    }
  }
  return { kind: 'rows', rowtype, rows, statementTypeId: StatementType.SELECT };
}

/**
 * DuckDB returns OBJECT and ARRAY columns as JSON and TIMESTAMP_TZ as TIMESTAMPTZ; when a result column
 * carries the name of a column one of the query's tables declared with such a type, report that type.
 */
function refineDeclaredTypes(env: ExecEnv, sql: string, names: string[], types: DuckDBType[], described: ReturnType<typeof describeColumn>[]): void {
  if (Object.keys(env.catalog.columnTypes).length === 0) return;
  const candidates = types.map((t, i) => (t.typeId === DuckDBTypeId.TIMESTAMP_TZ || (t.typeId === DuckDBTypeId.VARCHAR && t.alias === 'JSON') ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0) return;
  let tables: readonly string[];
  try {
    tables = env.session.conn.getTableNames(sql, false);
  } catch {
    return;
  }
  for (const i of candidates) {
    const declared = env.catalog.declaredType(tables, names[i]!);
    const d = described[i]!;
    if (declared === 'OBJECT' && d.column.type === 'variant') d.column = column(names[i]!, 'object');
    else if (declared === 'ARRAY' && d.column.type === 'variant') d.column = column(names[i]!, 'array');
    else if (declared === 'TIMESTAMP_TZ' && d.column.type === 'timestamp_ltz') {
      const utc = d.encode;
      d.column = column(names[i]!, 'timestamp_tz');
      // Values are kept in UTC: offset 0, sent as minutes + 1440.
      d.encode = (v, json) => `${utc(v, json)} 1440`;
    }
  }
}

function createMode(s: Token[]): 'create' | 'if-not-exists' | 'replace' {
  if (kw(s, 1, 'OR') && kw(s, 2, 'REPLACE')) return 'replace';
  return s.some((t, i) => t.value === 'IF' && s[i + 1]?.value === 'NOT') ? 'if-not-exists' : 'create';
}

function nameAfter(s: Token[], k: number): { parts: string[]; ifClause: boolean } {
  let n = k;
  let ifClause = false;
  if (kw(s, n, 'IF')) {
    ifClause = true;
    n += kw(s, n + 1, 'NOT') ? 3 : 2;
  }
  return { parts: readName(s, n).parts, ifClause };
}

async function databaseStatement(env: ExecEnv, verb: string, s: Token[], k: number): Promise<StatementResult> {
  const { engine, session } = env;
  const { parts, ifClause } = nameAfter(s, k);
  const name = parts[0]!;
  if (verb === 'CREATE') {
    const mode = createMode(s);
    const existed = (await engine.findDatabase(name)) !== null;
    await engine.createDatabase(name, mode);
    session.database = name;
    session.schema = 'PUBLIC';
    await useDuck(env);
    if (existed && mode === 'if-not-exists') return status(`${name} already exists, statement succeeded.`);
    return status(`Database ${name} successfully created.`);
  }
  if (verb === 'DROP') {
    const found = await engine.findDatabase(name);
    if (found === null) {
      if (ifClause) return status(`Drop statement executed successfully (${name} already dropped).`);
      throw doesNotExist('Database', name);
    }
    if (session.database === found) {
      session.database = null;
      session.schema = null;
      await session.conn.run('USE memory.main');
    }
    const folders = env.paths.databaseFolders(found);
    await engine.dropDatabase(found);
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    env.catalog.stages = env.catalog.stages.filter((st) => st.database !== found);
    env.catalog.models = env.catalog.models.filter((m) => m.database !== found);
    env.catalog.save();
    return status(`${found} successfully dropped.`);
  }
  throw unsupported(`${verb} DATABASE`);
}

async function schemaStatement(env: ExecEnv, verb: string, s: Token[], k: number): Promise<StatementResult> {
  const { engine, session } = env;
  const { parts, ifClause } = nameAfter(s, k);
  const database = parts.length === 2 ? parts[0]! : session.database;
  const schema = parts[parts.length - 1]!;
  if (database === null) qualify([schema, 'X'], session, `${verb} SCHEMA`);
  const db = (await engine.findDatabase(database!)) ?? database!;
  if (verb === 'CREATE') {
    const mode = createMode(s);
    const existed = (await engine.findDatabase(db)) !== null && (await engine.findSchema(db, schema)) !== null;
    await engine.createSchema(db, schema, mode);
    session.database = db;
    session.schema = schema;
    await useDuck(env);
    if (existed && mode === 'if-not-exists') return status(`${schema} already exists, statement succeeded.`);
    return status(`Schema ${schema} successfully created.`);
  }
  if (verb === 'DROP') {
    const found = (await engine.findDatabase(db)) === null ? null : await engine.findSchema(db, schema);
    if (found === null) {
      if (ifClause) return status(`Drop statement executed successfully (${schema} already dropped).`);
      throw doesNotExist('Schema', `${db}.${schema}`);
    }
    if (session.database === db && session.schema === found) {
      session.schema = null;
      await session.conn.run(`USE ${sqlIdent(db)}`);
    }
    const folders = env.paths.schemaFolders(db, found);
    await engine.dropSchema(db, found);
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    env.catalog.stages = env.catalog.stages.filter((st) => !(st.database === db && st.schema === found));
    env.catalog.models = env.catalog.models.filter((m) => !(m.database === db && m.schema === found));
    env.catalog.save();
    return status(`${found} successfully dropped.`);
  }
  throw unsupported(`${verb} SCHEMA`);
}

/** Points the session's DuckDB connection at its current database and schema. */
export async function useDuck(env: ExecEnv): Promise<void> {
  const { session } = env;
  if (session.database === null) return;
  if (session.schema !== null) await session.conn.run(`USE ${sqlIdent(session.database)}.${sqlIdent(session.schema)}`);
  else await session.conn.run(`USE ${sqlIdent(session.database)}`);
}

async function useStatement(env: ExecEnv, s: Token[]): Promise<StatementResult> {
  const { engine, session } = env;
  let k = 1;
  const kind = kw(s, 1, 'DATABASE', 'SCHEMA', 'WAREHOUSE', 'ROLE', 'SECONDARY') ? s[1]!.value : null;
  if (kind !== null) k = 2;
  const { parts } = readName(s, k);
  if (kind === 'WAREHOUSE') {
    session.warehouse = parts[0]!;
    return status('Statement executed successfully.', StatementType.USE);
  }
  if (kind === 'ROLE' || kind === 'SECONDARY') {
    if (kind === 'ROLE') session.role = parts[0]!;
    return status('Statement executed successfully.', StatementType.USE);
  }
  let database: string | null;
  let schema: string | null;
  if (kind === 'DATABASE' || (kind === null && parts.length === 1)) {
    database = parts[0]!;
    schema = 'PUBLIC';
  } else if (parts.length === 2) {
    database = parts[0]!;
    schema = parts[1]!;
  } else {
    database = session.database;
    schema = parts[0]!;
  }
  if (database === null) qualify([schema!, 'X'], session, 'USE SCHEMA');
  const db = await engine.findDatabase(database!);
  if (db === null) throw doesNotExist('Database', database!);
  const sc = await engine.findSchema(db, schema!);
  if (sc === null && kind !== 'DATABASE' && !(kind === null && parts.length === 1)) throw doesNotExist('Schema', `${db}.${schema}`);
  session.database = db;
  session.schema = sc;
  await useDuck(env);
  return status('Statement executed successfully.', StatementType.USE);
}

async function showStatement(env: ExecEnv, s: Token[]): Promise<StatementResult> {
  const { engine, session } = env;
  const what = kw(s, 1, 'TERSE') ? s[2]?.value : s[1]?.value;
  const likeAt = s.findIndex((t) => t.kind === 'word' && t.value === 'LIKE');
  const like = likeAt >= 0 ? likePattern(s[likeAt + 1]?.value ?? '%') : null;
  const inAt = s.findIndex((t) => t.kind === 'word' && t.value === 'IN');
  const scope = inAt >= 0 ? readName(s, kw(s, inAt + 1, 'DATABASE', 'SCHEMA', 'ACCOUNT') ? inAt + 2 : inAt + 1) : null;
  const now = new Date();
  switch (what) {
    case 'DATABASES': {
      const rows = (await engine.databases()).filter((d) => !like || like.test(d)).map((d) => [now, d, d === session.database ? 'Y' : 'N', '', 'SYSADMIN']);
      return table([['created_on', 'timestamp_ltz'], ['name', 'text'], ['is_current', 'text'], ['comment', 'text'], ['owner', 'text']], rows);
    }
    case 'SCHEMAS': {
      const db = scope ? scope.parts[0]! : session.database;
      if (db === null) qualify(['X', 'X'], session, 'SHOW SCHEMAS');
      const found = await engine.findDatabase(db!);
      if (found === null) throw doesNotExist('Database', db!);
      const rows = (await engine.schemas(found)).filter((x) => !like || like.test(x)).map((x) => [now, x, x === session.schema ? 'Y' : 'N', found, '', 'SYSADMIN']);
      return table([['created_on', 'timestamp_ltz'], ['name', 'text'], ['is_current', 'text'], ['database_name', 'text'], ['comment', 'text'], ['owner', 'text']], rows);
    }
    case 'TABLES':
    case 'VIEWS':
    case 'OBJECTS': {
      let db = session.database;
      let schema = session.schema;
      if (scope) {
        if (scope.parts.length === 2) [db, schema] = [scope.parts[0]!, scope.parts[1]!];
        else if (kw(s, inAt + 1, 'DATABASE')) [db, schema] = [scope.parts[0]!, null];
        else schema = scope.parts[0]!;
      }
      if (db === null) qualify(['X', 'X'], session, `SHOW ${what}`);
      const reader = await session.conn.runAndReadAll(
        `SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables WHERE table_catalog = $1 AND ($2 IS NULL OR table_schema = $2) ORDER BY 2, 3`,
        [db, schema],
      );
      const rows = reader
        .getRows()
        .filter((r) => (what === 'VIEWS' ? r[3] === 'VIEW' : what === 'TABLES' ? r[3] !== 'VIEW' : true))
        .filter((r) => !like || like.test(String(r[2])))
        .map((r) => [now, String(r[2]), String(r[0]), String(r[1]), r[3] === 'VIEW' ? 'VIEW' : 'TABLE', '', 'SYSADMIN']);
      return table([['created_on', 'timestamp_ltz'], ['name', 'text'], ['database_name', 'text'], ['schema_name', 'text'], ['kind', 'text'], ['comment', 'text'], ['owner', 'text']], rows);
    }
    case 'WAREHOUSES':
      return table([['name', 'text'], ['state', 'text'], ['type', 'text'], ['size', 'text']], [[session.warehouse ?? 'LOCAL_WH', 'STARTED', 'STANDARD', 'X-Small']]);
    default:
      throw unsupported(`SHOW ${what ?? ''}`.trim());
  }
}

async function describeStatement(env: ExecEnv, s: Token[]): Promise<StatementResult> {
  const k = kw(s, 1, 'TABLE', 'VIEW') ? 2 : 1;
  const name = qualify(readName(s, k).parts, env.session, 'DESCRIBE TABLE');
  let reader: DuckDBResultReader;
  try {
    reader = await env.session.conn.runAndReadAll(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_catalog = $1 AND table_schema = $2 AND table_name = $3 ORDER BY ordinal_position`,
      [name.database, name.schema, name.name],
    );
  } catch (error) {
    throw mapDuckDbError(error, '');
  }
  const rows = reader.getRows();
  if (rows.length === 0) throw doesNotExist('Table', `${name.database}.${name.schema}.${name.name}`, '42S02');
  return table(
    [['name', 'text'], ['type', 'text'], ['kind', 'text'], ['null?', 'text'], ['default', 'text'], ['primary key', 'text'], ['unique key', 'text']],
    rows.map((r) => [String(r[0]), snowflakeTypeName(String(r[1])), 'COLUMN', r[2] === 'YES' ? 'Y' : 'N', null, 'N', 'N']),
    StatementType.DESCRIBE,
  );
}

/** The Snowflake spelling of a DuckDB column type, for DESCRIBE. */
function snowflakeTypeName(duck: string): string {
  if (/^DECIMAL/.test(duck)) return duck.replace('DECIMAL', 'NUMBER');
  const map: Record<string, string> = {
    BIGINT: 'NUMBER(38,0)', INTEGER: 'NUMBER(38,0)', DOUBLE: 'FLOAT', VARCHAR: 'VARCHAR(16777216)', BLOB: 'BINARY(8388608)',
    BOOLEAN: 'BOOLEAN', DATE: 'DATE', TIME: 'TIME(9)', TIMESTAMP: 'TIMESTAMP_NTZ(9)', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP_LTZ(9)', JSON: 'VARIANT',
  };
  return map[duck] ?? duck;
}
