import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSnowflakeTarget, SnowflakeSession, uploadDataset } from '@defectkit/snowflake';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { snowflakeHomeFor } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { errorOf } from './support/errors.js';
import { sessionFor, startLocalSnowflake } from './support/snowflake-local.js';

// @defectkit/snowflake on its own (no registry): a session from connections.toml through the real
// snowflake-sdk, bound values, typed statement errors, and names refused before any statement is sent.

describe('the Snowflake client against snowflake-local', () => {
  let server: SnowflakeLocal;
  let session: SnowflakeSession;
  let home: string;

  beforeAll(async () => {
    ({ server, home } = await startLocalSnowflake({ database: 'CLIENT', schema: 'S', create: 'nothing' }));
    session = await sessionFor(home);
  });
  afterAll(async () => {
    await session?.close();
    await server?.close();
  });

  it('connects from connections.toml and runs statements with bound values, text kept byte for byte', async () => {
    expect(session.isUp()).toBe(true);
    expect(session.settings.name).toBe('local');
    const tricky = "it's \"quoted\"; DROP TABLE x; -- $$ \\ \u00e9";
    const [row] = await session.execute('SELECT ? AS "T", ? AS "N"', [tricky, 42]);
    expect([row!.T, Number(row!.N)]).toEqual([tricky, 42]);
  });

  it('turns a failing statement into SNOWFLAKE_SQL with the statement and the server codes, and stays usable', async () => {
    const error = await errorOf(session.execute('SELECT * FROM NO_SUCH_DB.NO_SUCH_SCHEMA.NO_SUCH_TABLE'));
    expect(error.code).toBe('SNOWFLAKE_SQL');
    expect(String(error.details.sql)).toContain('NO_SUCH_TABLE');
    expect(error.details.sqlCode).not.toBeNull();
    expect((await session.execute('SELECT 1 AS "ONE"'))[0]!.ONE).toBe(1);
  });

  it('keeps an answered statement a SQL error even when its message speaks of a network (rule)', async () => {
    const error = await errorOf(session.execute('SELECT * FROM CLIENT.S.NETWORK_RULE_SOCKET_HANG_UP'));
    expect(String(error.message)).toMatch(/NETWORK_RULE/);
    expect(error.code).toBe('SNOWFLAKE_SQL');
  });

  it('refuses names that cannot be used in SQL before sending anything, naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defectkit-client-'));
    for (const [stage, table, field] of [
      ['@CLIENT.S."X"', 'CLIENT.S.LABELS', 'stage'],
      ['@CLIENT.S.IMAGES/../up', 'CLIENT.S.LABELS', 'stage'],
      ["@CLIENT.S.IMAGES/it's", 'CLIENT.S.LABELS', 'stage'],
      ['CLIENT.S.IMAGES', 'CLIENT.S.LABELS', 'stage'],
      ['@CLIENT.S.IMAGES', 'CLIENT.S.LABELS; DROP TABLE X', 'table'],
      ['@CLIENT.S.IMAGES', 'A.B.C.D', 'table'],
    ] as const) {
      const error = await errorOf(uploadDataset(session, { dir, format: 'deeppcb', stage, table }));
      expect([stage, table, error.code, error.details.field]).toEqual([stage, table, 'SNOWFLAKE_IDENTIFIER', field]);
    }
    expect(await session.execute("SHOW STAGES LIKE 'X'")).toEqual([]);
    for (const target of ['local', 'snowflake:', 'snowflake:a b', 's3://bucket']) {
      expect((await errorOf(Promise.resolve().then(() => parseSnowflakeTarget(target, 'log target')))).code).toBe('SNOWFLAKE_TARGET');
    }
  });

  it('a wrong password is SNOWFLAKE_AUTH and the password appears nowhere in the error', async () => {
    const badHome = await snowflakeHomeFor(server.url, { password: 'not-the-password-123' });
    const error = await errorOf(SnowflakeSession.connect({ env: { SNOWFLAKE_HOME: badHome } }));
    expect(error.code).toBe('SNOWFLAKE_AUTH');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('not-the-password-123');
  });
});
