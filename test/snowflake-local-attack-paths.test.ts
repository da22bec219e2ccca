/**
 * Attack class 1: names that try to become paths outside the data folder. Every database, schema,
 * stage, model and version name, every stage path, and names read back from catalog.json go through
 * one containment check; a refusal is Snowflake's invalid identifier (000904) or "does not exist"
 * (002003), and nothing outside the data folder changes.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'snowflake-sdk';
import { startSnowflakeLocal, type SnowflakeLocal } from '@defectkit/snowflake-local';
import { expectSqlFailure, expectStillServing, makeFence, rawLogin, rawQuery, rawRequest, type Fence } from '../packages/snowflake-local/test/attack-harness.js';
import { connect, destroy, exec } from '../packages/snowflake-local/test/driver-harness.js';

/** Names that cannot be one folder inside the data dir. */
const BAD_NAMES = ['..', '.', '', '../..', '../../..', 'a/b', '/', '/etc', 'a\\b', '..\\..', '\\', 'a\u0000b', '\u0000', 'x\ny', '\u007f', 'x'.repeat(260), 'é'.repeat(120)];
/** Odd but harmless names: they must work and stay inside. */
const ODD_NAMES = ['...', '.hidden', '~', '%2e%2e', '%2F', '．．', 'a+b', 'a-b', 'ÉTÉ', '∕etc'];

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

describe('snowflake-local attack 1: path containment', () => {
  let fence: Fence;
  let server: SnowflakeLocal;
  let token: string;
  let conn: Connection;
  let before: Map<string, string>;
  const sql = (text: string): Promise<Record<string, unknown>> => rawQuery(server, token, text);

  beforeAll(async () => {
    fence = makeFence('sfl-attack-paths');
    server = await startSnowflakeLocal({ port: 0, dir: fence.data });
    token = await rawLogin(server, 'defectkit', 'defectkit');
    conn = await connect(server);
    await exec(conn, 'create stage good_stage');
    before = fence.snapshot();
  });
  afterAll(async () => {
    await destroy(conn);
    await server.close();
    fence.dispose();
  });

  it('refuses every bad name as a database, schema, stage, model or version with 000904', async () => {
    for (const name of BAD_NAMES) {
      const statements = [
        `create database ${q(name)}`,
        `create or replace database ${q(name)}`,
        `create schema ${q(name)}`,
        `create stage ${q(name)}`,
        `create stage TESTDB.${q(name)}.S`,
        `create stage ${q(name)}.PUBLIC.S`,
        `create stage ${q(name)}.${q(name)}.${q(name)}`,
        `create temporary stage ${q(name)}`,
        `create model ${q(name)} with version V1 from @good_stage/pkg`,
        `create model M1 with version ${q(name)} from @good_stage/pkg`,
        `create model ${q(name)}.${q(name)}.${q(name)} with version ${q(name)} from @good_stage`,
      ];
      for (const statement of statements) {
        const code = expectSqlFailure(await sql(statement), ['000904', '002003', '001003']);
        // Names with a separator or a relation are always refused as identifiers, not merely "missing".
        if (['..', '.', '/', 'a/b'].includes(name) && statement.startsWith('create stage') && !statement.includes('TESTDB.')) expect(code).toBe('000904');
      }
    }
    expect(fence.snapshot()).toEqual(before);
  });

  it('refuses the reported attacks: CREATE/DROP STAGE and CREATE MODEL made of ..', async () => {
    expectSqlFailure(await sql('create stage ".."."..".".."'), ['000904']);
    expectSqlFailure(await sql('drop stage ".."."..".".."'), ['000904', '002003']);
    expectSqlFailure(await sql('create model ".."."..".".." with version ".." from @good_stage/pkg'), ['000904']);
    expectSqlFailure(await sql('drop model ".."."..".".."'), ['000904', '002003']);
    expectSqlFailure(await sql('create database ".."'), ['000904']);
    expectSqlFailure(await sql('drop database ".."'), ['000904', '002003']);
    expect(fence.snapshot()).toEqual(before);
    await expectStillServing(server);
  });

  it('refuses stage paths that climb out, in every spelling', async () => {
    const paths = ['../../..', '..', 'a/../../..', './../..', '/../..', 'x/..', 'a\\..\\..', 'a/\u0000/b', '%2e%2e/%2e%2e'];
    for (const p of paths) {
      for (const statement of [`list @good_stage/${p}`, `remove @good_stage/${p}`, `put file://${fence.secretFile} @good_stage/${p}`, `get @good_stage/${p} file://${fence.outside}`]) {
        const answer = await sql(statement);
        if (p === '%2e%2e/%2e%2e') {
          // Percent signs are ordinary characters of a stage path: this stays inside the stage.
          if (answer.success === false) expectSqlFailure(answer);
          continue;
        }
        expectSqlFailure(answer, ['000904', '001003']);
      }
    }
    expect(fence.snapshot()).toEqual(before);
  });

  it('accepts odd but harmless names and keeps them inside the data folder', async () => {
    for (const name of ODD_NAMES) {
      const created = await sql(`create stage ${q(name)}`);
      expect(created.success, String(created.message)).toBe(true);
      const listed = await sql(`list @${q(name)}`);
      expect(listed.success, String(listed.message)).toBe(true);
      expect((await sql(`drop stage ${q(name)}`)).success).toBe(true);
    }
    expect((await sql('create database "~"')).success).toBe(true);
    expect((await sql('create stage "~".PUBLIC.S')).success).toBe(true);
    // A database called ~ does not share a folder with the @~ user stages.
    expect(existsSync(join(fence.data, 'stages', '%7E', 'PUBLIC', 'S'))).toBe(true);
    expect((await sql('drop database "~"')).success).toBe(true);
    expect(existsSync(join(fence.data, 'stages', '%7E'))).toBe(false);
    expect((await sql('use schema TESTDB.PUBLIC')).success).toBe(true);
    expect(fence.snapshot()).toEqual(before);
  });

  it('requires the database and schema to exist before a stage or model is created in them', async () => {
    expectSqlFailure(await sql('create stage NO_SUCH_DB.PUBLIC.S'), ['002003']);
    expectSqlFailure(await sql('create stage TESTDB.NO_SUCH_SCHEMA.S'), ['002003']);
    expectSqlFailure(await sql('create model NO_SUCH_DB.PUBLIC.M with version V1 from @good_stage/pkg'), ['002003']);
    expectSqlFailure(await sql('create model TESTDB.NO_SUCH_SCHEMA.M with version V1 from @good_stage/pkg'), ['002003']);
    expect(existsSync(join(fence.data, 'stages', 'NO_SUCH_DB'))).toBe(false);
    expect(existsSync(join(fence.data, 'stages', 'TESTDB', 'NO_SUCH_SCHEMA'))).toBe(false);
  });

  it('refuses to follow symbolic links planted inside the data folder, at every level', async () => {
    const stageDir = join(fence.data, 'stages', 'TESTDB', 'PUBLIC', 'LINKED');
    await exec(conn, 'create stage linked');
    // 1. The stage folder itself is a link to a folder outside.
    rmSync(stageDir, { recursive: true });
    symlinkSync(fence.outside, stageDir);
    for (const statement of ['list @linked', 'remove @linked', `put file://${fence.secretFile} @linked`, 'drop stage linked', `get @linked file://${fence.outer}`]) {
      expectSqlFailure(await sql(statement), ['000904']);
    }
    rmSync(stageDir);
    mkdirSync(stageDir);
    // 2. A folder higher up (the schema folder) is a link.
    const schemaDir = join(fence.data, 'stages', 'TESTDB', 'PUBLIC');
    renameSync(schemaDir, `${schemaDir}.real`);
    symlinkSync(fence.outside, schemaDir);
    expectSqlFailure(await sql('list @linked'), ['000904']);
    expectSqlFailure(await sql('drop stage linked'), ['000904']);
    expectSqlFailure(await sql('create stage another'), ['000904']);
    rmSync(schemaDir);
    renameSync(`${schemaDir}.real`, schemaDir);
    // 3. A file inside the stage is a link: LIST does not show it and REMOVE does not follow it.
    symlinkSync(fence.secretFile, join(stageDir, 'leak.txt'));
    const listed = await sql('list @linked');
    expect(listed.success).toBe(true);
    expect(JSON.stringify(listed)).not.toContain('leak.txt');
    expect((await sql('remove @linked')).success).toBe(true);
    expect(lstatSync(join(stageDir, 'leak.txt')).isSymbolicLink()).toBe(true);
    expect((await sql('drop stage linked')).success).toBe(true);
    expect(fence.snapshot()).toEqual(before);
    await expectStillServing(server);
  });

  it('refuses bad database and schema names given at login', async () => {
    for (const [database, schema] of [['".."', 'PUBLIC'], ['"a/b"', 'PUBLIC'], ['TESTDB', '".."'], ['TESTDB', '"/etc"'], ['"%2e%2e"', '".\u0000"']]) {
      const answer = await rawRequest(server, {
        path: `/session/v1/login-request?databaseName=${encodeURIComponent(database!)}&schemaName=${encodeURIComponent(schema!)}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: { LOGIN_NAME: 'defectkit', PASSWORD: 'defectkit' } }),
      });
      expect(answer.json, `${database}.${schema}`).toMatchObject({ success: false, code: '000904' });
    }
    expect(fence.snapshot()).toEqual(before);
  });

  it('copies model packages without their links and validates the copy', async () => {
    const pkg = join(fence.data, 'stages', 'TESTDB', 'PUBLIC', 'GOOD_STAGE', 'pkg');
    mkdirSync(join(pkg, 'functions'), { recursive: true });
    writeFileSync(join(pkg, 'functions', 'predict.py'), '');
    // MANIFEST.yml is a link to a file outside: it is not copied, so the package has no manifest.
    symlinkSync(fence.secretFile, join(pkg, 'MANIFEST.yml'));
    const linked = await sql('create model LINKED_MODEL with version V1 from @good_stage/pkg');
    expectSqlFailure(linked, ['091131']);
    expect(JSON.stringify(linked)).not.toContain(fence.secret);
    // A real manifest that names a linked user file: the link is not in the copy, so the file is missing.
    rmSync(join(pkg, 'MANIFEST.yml'));
    writeFileSync(
      join(pkg, 'MANIFEST.yml'),
      "manifest_version: '1.0'\nruntimes: {py: {language: PYTHON}}\nmethods: [{name: predict, runtime: py, type: FUNCTION, handler: functions.predict.infer, inputs: [{name: image, type: binary}], outputs: [{type: OBJECT}]}]\nuser_files: [secret.txt]\n",
    );
    symlinkSync(fence.secretFile, join(pkg, 'secret.txt'));
    expectSqlFailure(await sql('create model LINKED_MODEL with version V1 from @good_stage/pkg'), ['091131']);
    rmSync(join(pkg, 'secret.txt'));
    writeFileSync(join(pkg, 'secret.txt'), 'a real file');
    expect((await sql('create model LINKED_MODEL with version V1 from @good_stage/pkg')).success).toBe(true);
    expect(readdirSync(join(fence.data, 'models', 'TESTDB', 'PUBLIC', 'LINKED_MODEL', 'V1')).sort()).toEqual(['MANIFEST.yml', 'functions', 'secret.txt']);
    expect((await sql('drop model LINKED_MODEL')).success).toBe(true);
    rmSync(pkg, { recursive: true });
    expect(fence.snapshot()).toEqual(before);
  });

  it('refuses concurrent attacks from many sessions and keeps serving', async () => {
    const tokens = await Promise.all(Array.from({ length: 8 }, () => rawLogin(server, 'defectkit', 'defectkit')));
    const answers = await Promise.all(
      tokens.flatMap((t, i) => [
        rawQuery(server, t, `create stage ${q(BAD_NAMES[i % BAD_NAMES.length]!)}`),
        rawQuery(server, t, 'drop stage ".."."..".".."'),
        rawQuery(server, t, 'create database ".."'),
        rawQuery(server, t, `list @good_stage/${'../'.repeat(i + 1)}`),
      ]),
    );
    for (const a of answers) expectSqlFailure(a, ['000904', '002003', '001003']);
    expect(fence.snapshot()).toEqual(before);
    await expectStillServing(server);
  });

  it('refuses names read back from a crafted catalog.json and database files named to escape', async () => {
    await destroy(conn);
    await server.close();
    const catalog = {
      version: 1,
      stages: [{ database: '..', schema: '..', name: '..', temporary: false, createdOn: new Date().toISOString(), comment: '' }],
      models: [{ database: 'TESTDB', schema: 'PUBLIC', name: '..', createdOn: new Date().toISOString(), comment: '', defaultVersion: '..', versions: [{ name: '..', createdOn: '', comment: '', metadata: {}, aliases: [], functions: [], userData: {}, modelType: 'custom' }] }],
    };
    writeFileSync(join(fence.data, 'catalog.json'), JSON.stringify(catalog));
    // A database file whose decoded name is `..`, and a link posing as a database file.
    writeFileSync(join(fence.data, 'databases', '..%2F..%2Fx.duckdb'), '');
    symlinkSync(fence.secretFile, join(fence.data, 'databases', 'LINKED.duckdb'));
    before = fence.snapshot();
    server = await startSnowflakeLocal({ port: 0, dir: fence.data });
    token = await rawLogin(server, 'defectkit', 'defectkit');
    conn = await connect(server);
    expectSqlFailure(await sql('use database ".."'), ['002003', '000904']);
    expectSqlFailure(await sql('use database LINKED'), ['002003']);
    expectSqlFailure(await sql('use database "../../x"'), ['002003', '000904']);
    await sql('use schema TESTDB.PUBLIC');
    expectSqlFailure(await sql('drop model ".."'), ['000904']);
    expectSqlFailure(await sql(`list 'snow://model/TESTDB.PUBLIC.".."/versions/../'`), ['000904']);
    expect(fence.snapshot()).toEqual(before);
    await expectStillServing(server);
  });
});

describe('snowflake-local attack 1: in-memory mode keeps its files in a private temporary folder', () => {
  it('uses a fresh 0700 folder under the temp dir, never /, and removes it on close', async () => {
    const fence = makeFence('sfl-attack-mem');
    const mine = (): Set<string> => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('snowflake-local-')));
    const earlier = mine();
    const server = await startSnowflakeLocal({ port: 0 });
    try {
      const fresh = [...mine()].filter((n) => !earlier.has(n));
      expect(fresh.length).toBeGreaterThanOrEqual(1);
      for (const n of fresh) expect(lstatSync(join(tmpdir(), n)).mode & 0o777).toBe(0o700);
      const before = fence.snapshot();
      const token = await rawLogin(server, 'defectkit', 'defectkit');
      for (const statement of ['create stage ".."."..".".."', 'drop stage ".."."..".".."', 'create model ".."."..".".." with version ".." from @~/x', 'create database "/"']) {
        expectSqlFailure(await rawQuery(server, token, statement), ['000904', '002003']);
      }
      expect(fence.snapshot()).toEqual(before);
      expect(existsSync('/')).toBe(true);
    } finally {
      await server.close();
      fence.dispose();
    }
  });
});
