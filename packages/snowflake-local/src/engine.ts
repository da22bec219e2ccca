import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { doesNotExist, SnowflakeSqlError } from './errors.js';
import { sqlIdent, sqlString } from './sql-tokenizer.js';

const INTERNAL_CATALOGS = new Set(['memory', 'system', 'temp']);

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
    private readonly databasesDir: string | null,
  ) {}

  /** Opens the engine and attaches every database found under `dataDir/databases`. */
  static async open(dataDir: string | null, threads = 2): Promise<Engine> {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const admin = await instance.connect();
    const databasesDir = dataDir === null ? null : join(dataDir, 'databases');
    const engine = new Engine(instance, admin, databasesDir);
    if (databasesDir !== null) {
      mkdirSync(databasesDir, { recursive: true });
      for (const file of readdirSync(databasesDir).sort()) {
        if (!file.endsWith('.duckdb')) continue;
        const name = decodeURIComponent(file.slice(0, -'.duckdb'.length));
        await admin.run(`ATTACH ${sqlString(join(databasesDir, file))} AS ${sqlIdent(name)}`);
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
    const existing = await this.findDatabase(name);
    if (existing !== null) {
      if (mode === 'if-not-exists') return;
      if (mode === 'create') throw new SnowflakeSqlError('002002', '42710', `SQL compilation error:\nObject '${name}' already exists.`, { name });
      await this.dropDatabaseNow(existing);
    }
    const path = this.databasesDir === null ? ':memory:' : join(this.databasesDir, `${encodeURIComponent(name)}.duckdb`);
    await this.admin.run(`ATTACH ${sqlString(path)} AS ${sqlIdent(name)}`);
    await this.admin.run(`CREATE SCHEMA IF NOT EXISTS ${sqlIdent(name)}."PUBLIC"`);
  }

  /** DROP DATABASE: detaches it and deletes its file. */
  dropDatabase(name: string): Promise<void> {
    return this.exclusive(() => this.dropDatabaseNow(name));
  }

  private async dropDatabaseNow(name: string): Promise<void> {
    await this.admin.run(`DETACH ${sqlIdent(name)}`);
    if (this.databasesDir !== null) {
      const file = join(this.databasesDir, `${encodeURIComponent(name)}.duckdb`);
      for (const f of [file, `${file}.wal`]) if (existsSync(f)) rmSync(f);
    }
  }

  /** CREATE SCHEMA. */
  createSchema(database: string, schema: string, mode: 'create' | 'if-not-exists' | 'replace'): Promise<void> {
    return this.exclusive(() => this.createSchemaNow(database, schema, mode));
  }

  private async createSchemaNow(database: string, schema: string, mode: 'create' | 'if-not-exists' | 'replace'): Promise<void> {
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
