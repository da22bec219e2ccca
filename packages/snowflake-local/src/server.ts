import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DefectKitError } from '@defectkit/core';
import type { Bindings } from './binds.js';
import { DataPaths } from './data-paths.js';
import { Engine } from './engine.js';
import { SnowflakeLocalConfigError, SnowflakeSqlError } from './errors.js';
import type { ExecEnv } from './exec-env.js';
import { executeStatement, useDuck } from './executor.js';
import { createHttpGuard, HttpGuardError, sendJson, sendRefusal, type HttpGuardLimits } from '@defectkit/core/node';
import { bearerToken, delay, encodeChunk, sendGzipChunk } from './http-util.js';
import { createHandlerPredictor } from './model-predict.js';
import type { Predictor } from './predictor.js';
import type { RawValue } from './rowtype.js';
import { ServerCatalog } from './server-catalog.js';
import { newSessionId, newToken, runSerialized, type Session } from './session.js';
import { splitStatements } from './sql-tokenizer.js';
import { dropTemporaryStages } from './stages.js';
import type { StatementResult } from './statement-result.js';

/** Options of {@link startSnowflakeLocal}. */
export interface SnowflakeLocalOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Data directory: databases, stages and models persist there. Without it everything is in memory. */
  dir?: string;
  /** Login names and their passwords (a PAT equal to the password is accepted too). Default `{ defectkit: 'defectkit' }`. */
  users?: Record<string, string>;
  /** Account name to put in the connection options. Default `snowflake_local`. */
  account?: string;
  /** Session token lifetime; after it the driver renews with the master token. Default 3600. */
  sessionTokenValiditySeconds?: number;
  /** Master token lifetime. Default 14400. */
  masterTokenValiditySeconds?: number;
  /** Rows sent inline; the rest goes into chunks of `chunkRows`. Defaults 1000 and 2000. */
  inlineRows?: number;
  chunkRows?: number;
  /** How long a synchronous query may run before the server answers "still running" (333333). Default 30 000 ms. */
  syncWaitMs?: number;
  /** Runs `MODEL(...)!METHOD(...)`; default: the version's logged Python handler in a CPython 3.11 worker. */
  predictor?: Predictor;
  /** DuckDB worker threads. Default 2. */
  threads?: number;
  /** Request limits (body size raw and inflated, request time, connections); see the README's Security section. */
  limits?: Partial<HttpGuardLimits>;
}

/** The `snowflake-sdk` connection options that reach the local server. */
export interface LocalConnectionOptions {
  accessUrl: string;
  account: string;
  username: string;
  password: string;
}

/** A fault to inject once, for retry tests. */
export interface InjectedFault {
  /** Which endpoint: `query` (query-request), `result`, `chunk` or `login`. */
  route: 'query' | 'result' | 'chunk' | 'login';
  /** HTTP status to answer, e.g. 503. */
  status: number;
  /** For `query`: run the statement first and only then fail the HTTP answer (a lost response). */
  afterExecution?: boolean;
}

/** Counters for leak checks. */
export interface SnowflakeLocalStats {
  sessions: number;
  runningQueries: number;
  storedResults: number;
  openSockets: number;
  /** Statements executed (retries answered from the requestId cache are not counted). */
  executedStatements: number;
  /** Session tokens renewed with a master token. */
  tokenRenewals: number;
  /** Result chunks downloaded. */
  chunksServed: number;
  /** "Still running" (333333) answers given to synchronous requests. */
  inProgressAnswers: number;
  /** Request-body bytes being received right now (bounded by `limits.maxBufferedBytes`). */
  bufferedRequestBytes: number;
}

/** A running server. */
export interface SnowflakeLocal {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Pass these to `snowflake.createConnection` (plus database/schema as you like). */
  connectionOptions: LocalConnectionOptions;
  /** Fails the next matching request with an HTTP error (tests of the driver's retries). */
  injectFault(fault: InjectedFault): void;
  /** Current counters. */
  stats(): SnowflakeLocalStats;
  /** Stops listening, ends sessions, flushes DuckDB and releases the data dir. */
  close(): Promise<void>;
}

interface QueryEntry {
  id: string;
  sessionId: string;
  requestId: string | null;
  status: 'RUNNING' | 'SUCCESS' | 'FAILED_WITH_ERROR' | 'ABORTED';
  done: Promise<void>;
  answer: Record<string, unknown> | null;
  chunks: Buffer[];
  chunkKey: string;
  errorMessage: string | null;
  errorCode: string | null;
  aborted: boolean;
  started: boolean;
  startTime: number;
}

const PARAMETERS = [
  { name: 'TIMEZONE', value: 'UTC' },
  { name: 'TIMESTAMP_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM' },
  { name: 'TIMESTAMP_NTZ_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3' },
  { name: 'TIMESTAMP_LTZ_OUTPUT_FORMAT', value: '' },
  { name: 'TIMESTAMP_TZ_OUTPUT_FORMAT', value: '' },
  { name: 'DATE_OUTPUT_FORMAT', value: 'YYYY-MM-DD' },
  { name: 'TIME_OUTPUT_FORMAT', value: 'HH24:MI:SS' },
  { name: 'BINARY_OUTPUT_FORMAT', value: 'HEX' },
  { name: 'CLIENT_RESULT_CHUNK_SIZE', value: 160 },
  { name: 'CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY', value: 3600 },
  { name: 'QUERY_CONTEXT_CACHE_SIZE', value: 5 },
];
const MAX_STORED_RESULTS = 5000;

/** Compares a chunk key in constant time (a capability: whoever holds it reads the chunk). */
function sameKey(given: string | null, expected: string): boolean {
  if (given === null || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/**
 * Starts a Snowflake-compatible server on 127.0.0.1 backed by DuckDB. The real `snowflake-sdk`
 * connects to it with `accessUrl` and the returned `connectionOptions`.
 *
 * @example
 * const server = await startSnowflakeLocal({ port: 0 });
 * const conn = snowflake.createConnection({ ...server.connectionOptions, database: 'DEMO' });
 * // … run queries …
 * await server.close();
 */
export async function startSnowflakeLocal(options: SnowflakeLocalOptions = {}): Promise<SnowflakeLocal> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SnowflakeLocalConfigError(`invalid port ${String(port)}: use 0-65535`, { field: 'port', value: port });
  const users = new Map(Object.entries(options.users ?? { defectkit: 'defectkit' }).map(([u, p]) => [u.toUpperCase(), { name: u, password: p }]));
  if (users.size === 0) throw new SnowflakeLocalConfigError('users must name at least one login', { field: 'users' });
  const account = options.account ?? 'snowflake_local';
  const tokenTtl = (options.sessionTokenValiditySeconds ?? 3600) * 1000;
  const masterTtl = (options.masterTokenValiditySeconds ?? 14400) * 1000;
  const inlineRows = options.inlineRows ?? 1000;
  const chunkRows = options.chunkRows ?? 2000;
  const syncWaitMs = options.syncWaitMs ?? 30_000;

  const dataDir = options.dir === undefined ? null : resolve(options.dir);
  let paths: DataPaths;
  try {
    // In memory, stage and model files still need a home: a private (0700) temporary folder, never `/`.
    paths = new DataPaths(dataDir ?? mkdtempSync(join(tmpdir(), 'snowflake-local-')));
  } catch (cause) {
    throw new SnowflakeLocalConfigError(`cannot use data dir ${options.dir}: ${(cause as Error).message}`, { dir: options.dir }, { cause });
  }
  const root = paths.root;
  const catalog = new ServerCatalog(dataDir === null ? null : join(root, 'catalog.json'));
  let engine: Engine;
  try {
    engine = await Engine.open(paths, dataDir !== null, options.threads ?? 2);
  } catch (cause) {
    if (dataDir === null) rmSync(root, { recursive: true, force: true });
    throw new SnowflakeLocalConfigError(`cannot open the databases in ${dataDir ?? 'memory'}: ${(cause as Error).message}`, { dir: dataDir }, { cause });
  }
  const handlers = options.predictor ? null : createHandlerPredictor();
  const predictor = options.predictor ?? handlers!.predictor;

  const sessionsByToken = new Map<string, Session>();
  const sessionsByMaster = new Map<string, Session>();
  const sessions = new Map<string, Session>();
  const queries = new Map<string, QueryEntry>();
  const byRequestId = new Map<string, QueryEntry>();
  const faults: InjectedFault[] = [];
  const sockets = new Set<Socket>();
  let executedStatements = 0;
  let tokenRenewals = 0;
  let chunksServed = 0;
  let inProgressAnswers = 0;
  let baseUrl = '';
  let listeningPort = port;
  const guard = createHttpGuard(() => listeningPort, options.limits);
  /** Retries are recognised per session: another session's requestId never reaches this one's results. */
  const requestKey = (session: Session, requestId: string): string => `${session.id}\u0000${requestId}`;
  /** A query's result, status and abort belong to the session that ran it. */
  const ownEntry = (session: Session, id: string): QueryEntry | undefined => {
    const entry = queries.get(id);
    return entry !== undefined && entry.sessionId === session.id ? entry : undefined;
  };

  const envFor = (session: Session): ExecEnv => ({ engine, catalog, session, paths, predictor });

  const takeFault = (route: InjectedFault['route']): InjectedFault | undefined => {
    const i = faults.findIndex((f) => f.route === route);
    return i < 0 ? undefined : faults.splice(i, 1)[0];
  };

  const fail = (code: string, message: string, data: Record<string, unknown> = {}): Record<string, unknown> => ({ success: false, code, message, data });

  const authenticate = (req: IncomingMessage, res: ServerResponse): Session | null => {
    const token = bearerToken(req);
    const session = token === null ? undefined : sessionsByToken.get(token);
    if (!session) {
      sendJson(res, 401, fail('390104', 'Invalid token. Please login again.'));
      return null;
    }
    if (Date.now() > session.tokenExpiresAt || session.token !== token) {
      sendJson(res, 200, fail('390112', 'Your session has expired. Please login again.'));
      return null;
    }
    return session;
  };

  function rowsAnswer(entry: QueryEntry, session: Session, result: Extract<StatementResult, { kind: 'rows' }>): Record<string, unknown> {
    const inline = result.rows.slice(0, inlineRows);
    const rest = result.rows.slice(inlineRows);
    const data: Record<string, unknown> = {
      parameters: PARAMETERS,
      rowtype: result.rowtype,
      rowset: inline,
      total: result.rows.length,
      returned: result.rows.length,
      queryId: entry.id,
      databaseProvider: null,
      finalDatabaseName: session.database,
      finalSchemaName: session.schema,
      finalWarehouseName: session.warehouse,
      finalRoleName: session.role,
      numberOfBinds: 0,
      arrayBindSupported: true,
      statementTypeId: result.statementTypeId,
      version: 1,
      sendResultTime: Date.now(),
      queryResultFormat: 'json',
    };
    if (rest.length > 0) {
      const chunks: { url: string; rowCount: number; uncompressedSize: number; compressedSize: number }[] = [];
      for (let i = 0; i < rest.length; i += chunkRows) {
        const rows: RawValue[][] = rest.slice(i, i + chunkRows);
        const gz = encodeChunk(rows);
        entry.chunks.push(gz);
        chunks.push({
          url: `${baseUrl}/chunks/${entry.id}/${entry.chunks.length - 1}?key=${entry.chunkKey}`,
          rowCount: rows.length,
          uncompressedSize: rows.reduce((n, r) => n + JSON.stringify(r).length + 1, 0),
          compressedSize: gz.length,
        });
      }
      data.chunks = chunks;
      data.chunkHeaders = {};
    }
    return { success: true, code: null, message: null, data };
  }

  function errorAnswer(entry: QueryEntry, error: unknown): Record<string, unknown> {
    const sf =
      error instanceof SnowflakeSqlError
        ? error
        : DefectKitError.isInstance(error)
          ? new SnowflakeSqlError('100357', '22000', error.message, error.details)
          : new SnowflakeSqlError('000603', 'XX000', `Processing aborted due to error 300002: ${(error as Error)?.message ?? String(error)}`);
    entry.errorMessage = sf.message;
    entry.errorCode = sf.sfCode;
    return fail(sf.sfCode, sf.message, { errorCode: sf.sfCode, sqlState: sf.sqlState, queryId: entry.id, internalError: false, age: 0, line: -1, pos: -1, type: 'COMPILATION' });
  }

  function store(entry: QueryEntry, session: Session): void {
    queries.set(entry.id, entry);
    session.queryIds.add(entry.id);
    if (entry.requestId) byRequestId.set(entry.requestId, entry);
    // Results live until their session ends; a cap keeps a long-lived session from growing without bound.
    if (queries.size > MAX_STORED_RESULTS) {
      for (const old of queries.values()) {
        if (old.status === 'RUNNING') continue;
        forget(old);
        if (queries.size <= MAX_STORED_RESULTS) break;
      }
    }
  }

  function forget(entry: QueryEntry): void {
    queries.delete(entry.id);
    if (entry.requestId && byRequestId.get(entry.requestId) === entry) byRequestId.delete(entry.requestId);
    sessions.get(entry.sessionId)?.queryIds.delete(entry.id);
  }

  function newEntry(session: Session, requestId: string | null): QueryEntry {
    return {
      id: randomUUID(),
      sessionId: session.id,
      requestId,
      status: 'RUNNING',
      done: Promise.resolve(),
      answer: null,
      chunks: [],
      chunkKey: randomBytes(32).toString('hex'),
      errorMessage: null,
      errorCode: null,
      aborted: false,
      started: false,
      startTime: Date.now(),
    };
  }

  /** Runs one statement as a query entry; the entry's `done` settles when its answer is ready. */
  function startStatement(session: Session, entry: QueryEntry, sql: string, bindings: Bindings | undefined, describeOnly = false): void {
    store(entry, session);
    entry.done = runSerialized(session, async () => {
      if (entry.aborted) throw new SnowflakeSqlError('000604', '57014', 'SQL execution canceled');
      entry.started = true;
      executedStatements++;
      return executeStatement(envFor(session), sql, bindings, describeOnly);
    }).then(
      (result) => {
        entry.answer =
          result.kind === 'rows'
            ? rowsAnswer(entry, session, result)
            : { success: true, code: null, message: null, data: { ...result.data, queryId: entry.id } };
        entry.status = 'SUCCESS';
      },
      (error: unknown) => {
        entry.answer = errorAnswer(entry, error);
        entry.status = entry.errorCode === '000604' ? 'ABORTED' : 'FAILED_WITH_ERROR';
      },
    );
  }

  /** Multi-statement requests: run each statement as a child and answer with `resultIds`. */
  function startMulti(session: Session, entry: QueryEntry, statements: string[]): void {
    store(entry, session);
    const children = statements.map(() => newEntry(session, null));
    entry.done = (async () => {
      for (const [i, child] of children.entries()) {
        startStatement(session, child, statements[i]!, undefined);
        await child.done;
        if (child.status !== 'SUCCESS') {
          entry.answer = child.answer;
          entry.status = child.status;
          return;
        }
      }
      entry.answer = {
        success: true,
        code: null,
        message: null,
        data: {
          parameters: PARAMETERS,
          rowtype: [{ name: 'multiple statement execution', type: 'text', nullable: false, database: '', schema: '', table: '', length: 16777216, byteLength: 16777216, precision: null, scale: null, collation: null }],
          rowset: [['Multiple statements executed successfully.']],
          total: 1,
          returned: 1,
          queryId: entry.id,
          resultIds: children.map((c) => c.id).join(','),
          statementTypeId: 0x1000,
          version: 1,
          finalDatabaseName: session.database,
          finalSchemaName: session.schema,
        },
      };
      entry.status = 'SUCCESS';
    })();
  }

  async function waitFor(entry: QueryEntry): Promise<Record<string, unknown>> {
    const timer = delay(syncWaitMs);
    await Promise.race([entry.done, timer.promise]);
    timer.cancel();
    if (entry.answer) return entry.answer;
    inProgressAnswers++;
    return { success: true, code: '333333', message: 'Query execution in progress', data: { queryId: entry.id, getResultUrl: `/queries/${entry.id}/result` } };
  }

  async function handleLogin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const fault = takeFault('login');
    if (fault) return sendJson(res, fault.status, { success: false, code: null, message: 'injected fault' });
    const body = (await guard.readJson(req)) as { data?: Record<string, unknown> };
    const data = body.data ?? {};
    const login = String(data.LOGIN_NAME ?? '');
    const user = users.get(login.toUpperCase());
    const authenticator = String(data.AUTHENTICATOR ?? 'SNOWFLAKE').toUpperCase();
    const secret = authenticator === 'PROGRAMMATIC_ACCESS_TOKEN' || authenticator === 'OAUTH' ? data.TOKEN : data.PASSWORD;
    if (!user || secret !== user.password) {
      return sendJson(res, 200, fail('390100', 'Incorrect username or password was specified.', { nextAction: 'RETRY_LOGIN', authnMethod: 'PASSWORD' }));
    }
    const now = Date.now();
    const session: Session = {
      id: newSessionId(),
      user: user.name.toUpperCase(),
      role: (url.searchParams.get('roleName') ?? 'SYSADMIN').toUpperCase(),
      warehouse: url.searchParams.get('warehouse')?.toUpperCase() ?? null,
      database: null,
      schema: null,
      token: newToken('ST'),
      masterToken: newToken('MT'),
      tokenExpiresAt: now + tokenTtl,
      masterExpiresAt: now + masterTtl,
      conn: await engine.connect(),
      queue: Promise.resolve(),
      tempStages: new Set(),
      queryIds: new Set(),
      inTransaction: false,
    };
    try {
      await applyLoginContext(session, url);
    } catch (error) {
      session.conn.closeSync();
      const sf = error instanceof SnowflakeSqlError ? error : new SnowflakeSqlError('390201', '08004', (error as Error).message);
      return sendJson(res, 200, fail(sf.sfCode, sf.message, { sqlState: sf.sqlState }));
    }
    sessions.set(session.id, session);
    sessionsByToken.set(session.token, session);
    sessionsByMaster.set(session.masterToken, session);
    sendJson(res, 200, {
      success: true,
      code: null,
      message: null,
      data: {
        token: session.token,
        masterToken: session.masterToken,
        validityInSeconds: tokenTtl / 1000,
        masterValidityInSeconds: masterTtl / 1000,
        sessionId: Number(session.id),
        parameters: PARAMETERS,
        sessionInfo: { databaseName: session.database, schemaName: session.schema, warehouseName: session.warehouse, roleName: session.role },
        serverVersion: 'snowflake-local',
        displayUserName: session.user,
        firstLogin: false,
        healthCheckInterval: 45,
        idToken: null,
        mfaToken: null,
      },
    });
  }

  /** Login may name a database and schema; like fakesnow, missing ones are created so tests start clean. */
  async function applyLoginContext(session: Session, url: URL): Promise<void> {
    const db = url.searchParams.get('databaseName');
    const schema = url.searchParams.get('schemaName');
    if (!db) return;
    const name = /^".*"$/.test(db) ? db.slice(1, -1) : db.toUpperCase();
    if ((await engine.findDatabase(name)) === null) await engine.createDatabase(name, 'if-not-exists');
    session.database = (await engine.findDatabase(name))!;
    const sc = schema ? (/^".*"$/.test(schema) ? schema.slice(1, -1) : schema.toUpperCase()) : 'PUBLIC';
    if ((await engine.findSchema(session.database, sc)) === null) await engine.createSchema(session.database, sc, 'if-not-exists');
    session.schema = (await engine.findSchema(session.database, sc))!;
    await useDuck(envFor(session));
  }

  async function handleQuery(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const session = authenticate(req, res);
    if (!session) return;
    const body = (await guard.readJson(req)) as { sqlText?: string; bindings?: Bindings; asyncExec?: boolean; describeOnly?: boolean; parameters?: Record<string, unknown> };
    const requestId = url.searchParams.get('requestId');
    const fault = takeFault('query');
    let entry = requestId ? byRequestId.get(requestKey(session, requestId)) : undefined;
    if (!entry) {
      entry = newEntry(session, requestId === null ? null : requestKey(session, requestId));
      const sql = String(body.sqlText ?? '');
      let statements: string[];
      try {
        statements = /^\s*(PUT|GET)\s/i.test(sql) ? [sql] : splitStatements(sql);
      } catch (error) {
        store(entry, session);
        entry.answer = errorAnswer(entry, error);
        entry.status = 'FAILED_WITH_ERROR';
        return sendJson(res, 200, entry.answer);
      }
      const wanted = body.parameters?.MULTI_STATEMENT_COUNT;
      if (statements.length > 1) {
        const n = wanted === undefined ? 1 : Number(wanted);
        if (n !== 0 && n !== statements.length) {
          store(entry, session);
          entry.answer = errorAnswer(entry, new SnowflakeSqlError('000008', '0A000', `Actual statement count ${statements.length} did not match the desired statement count ${n}.`));
          entry.status = 'FAILED_WITH_ERROR';
          return sendJson(res, 200, entry.answer);
        }
        startMulti(session, entry, statements);
      } else startStatement(session, entry, statements[0] ?? sql, body.bindings, body.describeOnly === true);
      if (body.asyncExec) {
        entry.done.catch(() => undefined);
        return sendJson(res, 200, { success: true, code: '333334', message: 'Asynchronous execution in progress.', data: { queryId: entry.id, getResultUrl: `/queries/${entry.id}/result` } });
      }
    }
    if (fault && !fault.afterExecution) return sendJson(res, fault.status, { success: false, message: 'injected fault' });
    const answer = await waitFor(entry);
    if (fault) return sendJson(res, fault.status, { success: false, message: 'injected fault after execution' });
    sendJson(res, 200, answer);
  }

  async function handleResult(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const session = authenticate(req, res);
    if (!session) return;
    const fault = takeFault('result');
    if (fault) return sendJson(res, fault.status, { success: false, message: 'injected fault' });
    const entry = ownEntry(session, id);
    if (!entry) return sendJson(res, 200, fail('000709', `Statement ${id} not found`, { sqlState: '02000', queryId: id }));
    sendJson(res, 200, await waitFor(entry));
  }

  function handleMonitoring(req: IncomingMessage, res: ServerResponse, id: string): void {
    const session = authenticate(req, res);
    if (!session) return;
    const entry = ownEntry(session, id);
    if (!entry) return sendJson(res, 200, { success: true, code: null, message: null, data: { queries: [] } });
    sendJson(res, 200, {
      success: true,
      code: null,
      message: null,
      data: {
        queries: [
          {
            id: entry.id,
            status: entry.status,
            state: entry.status === 'RUNNING' ? 'RUNNING' : 'SUCCEEDED',
            errorCode: entry.errorCode,
            errorMessage: entry.errorMessage,
            startTime: entry.startTime,
            sessionId: Number(entry.sessionId),
          },
        ],
      },
    });
  }

  async function handleAbort(req: IncomingMessage, res: ServerResponse, id: string | null): Promise<void> {
    const session = authenticate(req, res);
    if (!session) return;
    const body = (await guard.readJson(req)) as { requestId?: string; queryId?: string };
    const entry = id
      ? ownEntry(session, id)
      : typeof body.requestId === 'string'
        ? byRequestId.get(requestKey(session, body.requestId))
        : typeof body.queryId === 'string'
          ? ownEntry(session, body.queryId)
          : undefined;
    if (entry && entry.status === 'RUNNING') {
      entry.aborted = true;
      if (entry.started) sessions.get(entry.sessionId)?.conn.interrupt();
    }
    sendJson(res, 200, { success: true, code: null, message: null, data: null });
  }

  async function handleRenew(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const master = bearerToken(req);
    await guard.readJson(req);
    const session = master === null ? undefined : sessionsByMaster.get(master);
    if (!session) return sendJson(res, 200, fail('390104', 'Invalid master token. Please login again.'));
    if (Date.now() > session.masterExpiresAt) return sendJson(res, 200, fail('390114', 'Authentication token has expired.  The user must authenticate again.'));
    sessionsByToken.delete(session.token);
    session.token = newToken('ST');
    session.tokenExpiresAt = Date.now() + tokenTtl;
    sessionsByToken.set(session.token, session);
    tokenRenewals++;
    sendJson(res, 200, {
      success: true,
      code: null,
      message: null,
      data: { sessionToken: session.token, validityInSecondsST: tokenTtl / 1000, masterToken: session.masterToken, validityInSecondsMT: masterTtl / 1000, sessionId: Number(session.id) },
    });
  }

  async function endSession(session: Session): Promise<void> {
    sessions.delete(session.id);
    sessionsByToken.delete(session.token);
    sessionsByMaster.delete(session.masterToken);
    for (const id of [...session.queryIds]) {
      const entry = queries.get(id);
      if (entry) {
        if (entry.status === 'RUNNING') {
          entry.aborted = true;
          if (entry.started) session.conn.interrupt();
        }
        forget(entry);
      }
    }
    await session.queue.catch(() => undefined);
    dropTemporaryStages({ catalog, paths }, session.tempStages);
    session.conn.closeSync();
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    guard.check(req);
    const url = new URL(req.url ?? '/', baseUrl);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/session/v1/login-request') return handleLogin(req, res, url);
    if (method === 'POST' && path === '/queries/v1/query-request') return handleQuery(req, res, url);
    if (method === 'GET' && (m = /^\/queries\/([^/]+)\/result$/.exec(path))) return handleResult(req, res, m[1]!);
    if (method === 'GET' && (m = /^\/monitoring\/queries\/([^/]+)$/.exec(path))) return handleMonitoring(req, res, m[1]!);
    if (method === 'POST' && path === '/queries/v1/abort-request') return handleAbort(req, res, null);
    if (method === 'POST' && (m = /^\/queries\/([^/]+)\/abort-request$/.exec(path))) return handleAbort(req, res, m[1]!);
    if (method === 'POST' && path === '/session/token-request') return handleRenew(req, res);
    if (method === 'POST' && path === '/session/heartbeat') {
      if (!authenticate(req, res)) return;
      await guard.readJson(req);
      return sendJson(res, 200, { success: true, code: null, message: null, data: {} });
    }
    if (method === 'POST' && path === '/session' && url.searchParams.get('delete') === 'true') {
      const token = bearerToken(req);
      const session = token === null ? undefined : sessionsByToken.get(token);
      await guard.readJson(req);
      if (!session) return sendJson(res, 200, fail('390111', 'Session no longer exists.'));
      await endSession(session);
      return sendJson(res, 200, { success: true, code: null, message: null, data: null });
    }
    if (method === 'POST' && path === '/telemetry/send') {
      await guard.readJson(req);
      return sendJson(res, 200, { success: true, code: null, message: null, data: 'Log Received' });
    }
    if (method === 'GET' && (m = /^\/chunks\/([^/]+)\/(\d+)$/.exec(path))) {
      const fault = takeFault('chunk');
      if (fault) return sendJson(res, fault.status, { success: false, message: 'injected fault' });
      const entry = queries.get(m[1]!);
      const chunk = entry?.chunks[Number(m[2])];
      if (!entry || !chunk || !sameKey(url.searchParams.get('key'), entry.chunkKey)) return sendJson(res, 404, { success: false, message: 'chunk not found' });
      chunksServed++;
      return sendGzipChunk(res, chunk);
    }
    sendJson(res, 404, { success: false, code: '390400', message: `snowflake-local does not implement ${method} ${path}`, data: null });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpGuardError) {
        sendRefusal(req, res, error, { success: false, code: error.code, message: error.message, data: { errorCode: error.code, ...error.details } });
        return;
      }
      sendJson(res, 500, { success: false, code: '390000', message: (error as Error).message, data: null });
    });
  });
  guard.applyTo(server);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolveListen());
    });
  } catch (cause) {
    engine.close();
    if (dataDir === null) rmSync(root, { recursive: true, force: true });
    throw new SnowflakeLocalConfigError(`cannot listen on 127.0.0.1:${port}: ${(cause as Error).message}`, { field: 'port', value: port }, { cause });
  }
  const actualPort = (server.address() as AddressInfo).port;
  listeningPort = actualPort;
  baseUrl = `http://127.0.0.1:${actualPort}`;
  const firstUser = [...users.values()][0]!;

  let closed = false;
  return {
    url: baseUrl,
    port: actualPort,
    connectionOptions: { accessUrl: baseUrl, account, username: firstUser.name, password: firstUser.password },
    injectFault(fault) {
      faults.push({ ...fault });
    },
    stats() {
      return {
        sessions: sessions.size,
        runningQueries: [...queries.values()].filter((q) => q.status === 'RUNNING').length,
        storedResults: queries.size,
        openSockets: sockets.size,
        executedStatements,
        tokenRenewals,
        chunksServed,
        inProgressAnswers,
        bufferedRequestBytes: guard.bufferedBytes(),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopped = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      for (const session of [...sessions.values()]) await endSession(session);
      await stopped;
      await handlers?.dispose();
      catalog.save();
      engine.close();
      if (dataDir === null) rmSync(root, { recursive: true, force: true });
    },
  };
}
