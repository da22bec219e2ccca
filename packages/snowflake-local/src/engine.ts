import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { nameSegment, segmentName, type DataPaths } from './data-paths.js';
import { doesNotExist, SnowflakeSqlError } from './errors.js';
import { sqlIdent, sqlString } from './sql-tokenizer.js';

const INTERNAL_CATALOGS = new Set(['memory', 'system', 'temp']);

/** Settings applied last, in this order: after them SQL can neither reach host files nor change settings. */
const SANDBOX_SETTINGS = [
  'SET autoinstall_known_extensions = false',
  'SET autoload_known_extensions = false',
  'SET allow_community_extensions = false',
  'SET enable_external_access = false',
  'SET lock_configuration = true',
];

/** Snowflake-style helper functions that are simpler as DuckDB macros than as rewrites. */
const MACROS = [
  'CREATE OR REPLACE TEMP MACRO IS_NULL_VALUE(x) AS (json_type(x) = \'NULL\')',
  'CREATE OR REPLACE TEMP MACRO TYPEOF(x) AS upper(json_type(x))',
];

/**
 * The DuckDB side: one in-process instance; each Snowflake database is an attached DuckDB database
 * (a file under `<dir>/databases` when persistent, in memory otherwise).
 */
export class Engine {
  /** Catalog changes (ATTACH/DETACH, schemas) run one at a time, so concurrent logins cannot attach twice. */
  private catalogLock: Promise<unknown> = Promise.resolve();

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.catalogLock.then(task, task);
    this.catalogLock = run.catch(() => undefined);
    return run;
  }

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly admin: DuckDBConnection,
    /** Where database files live; null when every database is in memory. */
    private readonly paths: DataPaths | null,
  ) {}

  /**
   * Opens the engine and attaches every database found under `<data>/databases`. DuckDB runs
   * sandboxed: no file access outside its own database folder and spill folder, no extension
   * downloads, and the configuration is locked so SQL cannot undo any of it.
   *
   * @param paths the data folder (also used in memory mode, for DuckDB's spill files)
   * @param persistent keep databases as files under `<data>/databases`
   */
  static async open(paths: DataPaths, persistent: boolean, threads = 2): Promise<Engine> {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const admin = await instance.connect();
    const allowed: string[] = [];
    if (persistent) {
      mkdirSync(paths.databasesDir, { recursive: true, mode: 0o700 });
      allowed.push(paths.databasesDir);
    }
    const spill = join(paths.root, 'duckdb-tmp');
    allowed.push(spill);
    // Order matters: the allow-list and spill folder are set while changes are still possible,
    // then external access is switched off and the configuration locked.
    await admin.run(`SET temp_directory = ${sqlString(spill)}`);
    await admin.run(`SET allowed_directories = [${allowed.map((d) => sqlString(`${d}/`)).join(', ')}]`);
    for (const setting of SANDBOX_SETTINGS) await admin.run(setting);
    const engine = new Engine(instance, admin, persistent ? paths : null);
    if (persistent) {
      for (const file of readdirSync(paths.databasesDir).sort()) {
        if (!file.endsWith('.duckdb')) continue;
        const name = segmentName(file.slice(0, -'.duckdb'.length));
        // A file whose name no database could have, or a link, was not written by this server.
        if (name === null || lstatSync(join(paths.databasesDir, file)).isSymbolicLink()) continue;
        await admin.run(`ATTACH ${sqlString(paths.databaseFile(name))} AS ${sqlIdent(name)}`);
      }
    }
    return engine;
  }

  /** A new connection for a session, with the helper macros defined. */
  async connect(): Promise<DuckDBConnection> {
    const conn = await this.instance.connect();
    for (const macro of MACROS) await conn.run(macro);
    return conn;
  }

  /** Names of the Snowflake databases. */
  async databases(): Promise<string[]> {
    const reader = await this.admin.runAndReadAll('SELECT database_name FROM duckdb_databases() ORDER BY 1');
    return reader
      .getRows()
      .map((r) => String(r[0]))
      .filter((n) => !INTERNAL_CATALOGS.has(n));
  }

  /** Schemas of a database. */
  async schemas(database: string): Promise<string[]> {
    const reader = await this.admin.runAndReadAll(
      'SELECT schema_name FROM duckdb_schemas() WHERE database_name = $1 AND NOT internal ORDER BY 1',
      [database],
    );
    return reader.getRows().map((r) => String(r[0]));
  }

  /** Resolves a database name case-insensitively to its stored spelling, or null. */
  async findDatabase(name: string): Promise<string | null> {
    const all = await this.databases();
    return all.find((d) => d === name) ?? all.find((d) => d.toUpperCase() === name.toUpperCase()) ?? null;
  }

  /** Resolves a schema name, or null. */
  async findSchema(database: string, schema: string): Promise<string | null> {
    const all = await this.schemas(database);
    return all.find((s) => s === schema) ?? all.find((s) => s.toUpperCase() === schema.toUpperCase()) ?? null;
  }

  /** CREATE DATABASE: attaches a new database with a PUBLIC schema. */
  createDatabase(name: string, mode: 'create' | 'if-not-exists' | 'replace'): Promise<void> {
    return this.exclusive(() => this.createDatabaseNow(name, mode));
  }

  private async createDatabaseNow(name: string, mode: 'create' | 'if-not-exists' | 'replace'): Promise<void> {
    nameSegment(name); // same names in memory as on disk: stages and models of the database are folders
    const existing = await this.findDatabase(name);
    if (existing !== null) {
      if (mode === 'if-not-exists') return;
      if (mode === 'create') throw new SnowflakeSqlError('002002', '42710', `SQL compilation error:\nObject '${name}' already exists.`, { name });
      await this.dropDatabaseNow(existing);
    }
    const path = this.paths === null ? ':memory:' : this.paths.databaseFile(name);
    await this.admin.run(`ATTACH ${sqlString(path)} AS ${sqlIdent(name)}`);
    await this.admin.run(`CREATE SCHEMA IF NOT EXISTS ${sqlIdent(name)}."PUBLIC"`);
  }

  /** DROP DATABASE: detaches it and deletes its file. */
  dropDatabase(name: string): Promise<void> {
    return this.exclusive(() => this.dropDatabaseNow(name));
  }

  private async dropDatabaseNow(name: string): Promise<void> {
    await this.admin.run(`DETACH ${sqlIdent(name)}`);
    if (this.paths !== null) {
      const file = this.paths.databaseFile(name);
      for (const f of [file, `${file}.wal`]) if (existsSync(f)) rmSync(f);
    }
  }

  /** CREATE SCHEMA. */
  createSchema(database: string, schema: string, mode: 'create' | 'if-not-exists' | 'replace'): Promise<void> {
    return this.exclusive(() => this.createSchemaNow(database, schema, mode));
  }

  private async createSchemaNow(database: string, schema: string, mode: 'create' | 'if-not-exists' | 'replace'): Promise<void> {
    nameSegment(schema);
    const db = await this.findDatabase(database);
    if (db === null) throw doesNotExist('Database', database);
    const existing = await this.findSchema(db, schema);
    if (existing !== null) {
      if (mode === 'if-not-exists') return;
      if (mode === 'create') throw new SnowflakeSqlError('002002', '42710', `SQL compilation error:\nObject '${schema}' already exists.`, { name: schema });
      await this.admin.run(`DROP SCHEMA ${sqlIdent(db)}.${sqlIdent(existing)} CASCADE`);
    }
    await this.admin.run(`CREATE SCHEMA ${sqlIdent(db)}.${sqlIdent(schema)}`);
  }

  /** DROP SCHEMA … CASCADE. */
  async dropSchema(database: string, schema: string): Promise<void> {
    await this.admin.run(`DROP SCHEMA ${sqlIdent(database)}.${sqlIdent(schema)} CASCADE`);
  }

  /** Checkpoints every database and closes the instance (file locks are released). */
  close(): void {
    this.admin.closeSync();
    this.instance.closeSync();
  }
}
