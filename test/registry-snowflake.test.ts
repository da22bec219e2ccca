import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { SnowflakeRegistry, type SnowflakeRegistryOptions } from '@defectkit/registry';
import { SnowflakeSession } from '@defectkit/snowflake';
import { CuttableProxy, fixtureModelFolder, snowflakeHomeFor } from '../packages/registry/src/testing/snowflake-fixtures.js';
import { errorOf } from './support/errors.js';
import { startLocalSnowflake } from './support/snowflake-local.js';

describe('SnowflakeRegistry against snowflake-local (real snowflake-sdk on loopback)', () => {
  let server: SnowflakeLocal;
  let home: string;
  let model: string;
  const connect = (extra: Partial<SnowflakeRegistryOptions> = {}): Promise<SnowflakeRegistry> =>
    SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: home }, ...extra });

  beforeAll(async () => {
    ({ server, home } = await startLocalSnowflake());
    model = await fixtureModelFolder();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('logs, lists, versions, annotates, exports and deletes through the Model Registry statements', async () => {
    const registry = await connect();
    try {
      const v1 = await registry.logModel(model, { name: 'pcb_e2e', comment: 'first $ cut', metrics: { fscore: 0.9 } });
      expect([v1.modelName, v1.name]).toEqual(['PCB_E2E', 'V1']);
      const v2 = await registry.logModel(model, { name: 'PCB_E2E' });
      expect(v2.name).toBe('V2');
      expect((await errorOf(registry.logModel(model, { name: 'PCB_E2E', version: 'v2' }))).code).toBe('REGISTRY_VERSION_EXISTS');
      expect(await registry.models()).toEqual([{ name: 'PCB_E2E', versions: ['V1', 'V2'], default: 'V1' }]);

      const handle = await registry.model('pcb_e2e');
      const versions = await handle.versions();
      expect(versions.map((v) => [v.name, v.isDefault, v.comment])).toEqual([
        ['V1', true, 'first $ cut'],
        ['V2', false, null],
      ]);
      expect(versions[0]!.metrics).toEqual({ fscore: 0.9 });
      expect(versions[1]!.metrics).toEqual({ coco: { map50: 0.5 } });
      expect(versions[0]!.classes).toEqual(['open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole']);

      await v2.setMetric('map50', 0.97);
      expect(await v2.metrics()).toEqual({ coco: { map50: 0.5 }, map50: 0.97 });
      await v2.comment("it's the $ one");
      expect(await v2.comment()).toBe("it's the $ one");
      expect((await errorOf(v2.comment('bad $$ text'))).code).toBe('REGISTRY_COMMENT');
      await v2.setAlias('production');
      expect((await handle.version('PRODUCTION')).name).toBe('V2');
      await handle.setDefault('production');
      expect((await handle.default()).name).toBe('V2');
      expect((await errorOf(handle.version('V9'))).code).toBe('REGISTRY_VERSION_NOT_FOUND');
      expect((await errorOf(registry.model('NOPE'))).code).toBe('REGISTRY_MODEL_NOT_FOUND');

      const out = join(await mkdtemp(join(tmpdir(), 'defectkit-sf-export-')), 'v1');
      await v1.export(out);
      expect((await readdir(out)).sort()).toEqual(['model.json', 'model.onnx']);
      for (const file of ['model.onnx', 'model.json']) expect((await readFile(join(out, file))).equals(await readFile(join(model, file))), file).toBe(true);

      await v2.unsetAlias('production');
      expect((await errorOf(handle.delete('V2'))).code).toBe('REGISTRY_DEFAULT_VERSION');
      await handle.delete('V1');
      expect((await handle.info()).versions).toEqual(['V2']);
      await handle.delete();
      expect(await registry.models()).toEqual([]);
    } finally {
      await registry.close();
    }
  });

  it('typed errors: wrong credentials (no secret in the error), unknown model and version', async () => {
    const badHome = await snowflakeHomeFor(server.url, { password: 'not-the-password-123' });
    const auth = await errorOf(SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: badHome } }));
    expect(auth.code).toBe('SNOWFLAKE_AUTH');
    expect(JSON.stringify({ message: auth.message, details: auth.details })).not.toContain('not-the-password-123');
    expect(auth.details).toMatchObject({ connection: { password: '***', user: 'defectkit' } });
    // A programmatic access token instead of a password (snowflake-local accepts the password as a PAT).
    const pat = await SnowflakeSession.connect({ env: {}, overrides: { account: 'snowflake_local', user: 'defectkit', token: 'defectkit', host: '127.0.0.1', port: server.port, protocol: 'http' } });
    expect(pat.settings.authenticator).toBe('PROGRAMMATIC_ACCESS_TOKEN');
    expect(await pat.execute('SELECT 1 AS ONE')).toEqual([{ ONE: 1 }]);
    await pat.close();
    const badPat = await errorOf(SnowflakeSession.connect({ env: {}, overrides: { account: 'snowflake_local', user: 'defectkit', token: 'wrong-token-987', host: '127.0.0.1', port: server.port, protocol: 'http' } }));
    expect(badPat.code).toBe('SNOWFLAKE_AUTH');
    expect(JSON.stringify({ message: badPat.message, details: badPat.details })).not.toContain('wrong-token-987');
    const noSchema = await errorOf(SnowflakeRegistry.connect({ env: {}, overrides: { account: 'snowflake_local', user: 'defectkit', password: 'defectkit', host: '127.0.0.1', port: server.port, protocol: 'http' } }));
    expect([noSchema.code, noSchema.details.key]).toEqual(['SNOWFLAKE_CONFIG', 'database']);
    const registry = await connect();
    try {
      expect((await errorOf(registry.model('MISSING'))).code).toBe('REGISTRY_MODEL_NOT_FOUND');
      await registry.logModel(model, { name: 'ERRS' });
      const handle = await registry.model('ERRS');
      expect((await errorOf(handle.version('V7'))).details).toMatchObject({ model: 'ERRS', version: 'V7', versions: ['V1'] });
      expect((await errorOf(handle.setDefault('nope'))).code).toBe('REGISTRY_VERSION_NOT_FOUND');
      expect((await errorOf(registry.logModel(model, { name: 'bad-name' }))).code).toBe('REGISTRY_IDENTIFIER');
      await handle.delete();
    } finally {
      await registry.close();
    }
  });

  it('two clients logging the same new model at the same time both register their version', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    try {
      const logged = await Promise.all([a.logModel(model, { name: 'RACE', version: 'A1' }), b.logModel(model, { name: 'RACE', version: 'B1' })]);
      expect(logged.map((v) => v.name)).toEqual(['A1', 'B1']);
      const info = await (await a.model('RACE')).info();
      expect([...info.versions].sort()).toEqual(['A1', 'B1']);
      expect((await errorOf(b.logModel(model, { name: 'RACE', version: 'A1' }))).code).toBe('REGISTRY_VERSION_EXISTS');
      await (await a.model('RACE')).delete();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a package the server rejects raises SNOWFLAKE_PACKAGE_REJECTED and leaves nothing registered or staged', async () => {
    const registry = await connect();
    try {
      // Sabotage the staged package just before CREATE MODEL: the server then finds no handler module.
      const session = registry.session as unknown as { execute(sql: string, binds?: unknown): Promise<Record<string, unknown>[]> };
      const execute = session.execute.bind(session);
      session.execute = async (sql, binds) => {
        if (sql.startsWith('CREATE MODEL')) await execute(`REMOVE ${sql.split(' FROM ')[1]}/functions/predict.py`);
        return execute(sql, binds);
      };
      const error = await errorOf(registry.logModel(model, { name: 'REJECTED' }));
      session.execute = execute;
      expect(error.code).toBe('SNOWFLAKE_PACKAGE_REJECTED');
      expect(error.message).toContain('functions/predict.py');
      expect(error.details).toMatchObject({ model: 'REJECTED', version: 'V1' });
      expect((await registry.models()).map((m) => m.name)).not.toContain('REJECTED');
      expect(await registry.session.execute('LIST @DK.REG.DEFECTKIT_MODELS/REJECTED')).toEqual([]);
    } finally {
      await registry.close();
    }
  });

  it('a network drop mid-upload fails cleanly (nothing registered) and logging again succeeds', async () => {
    const proxy = new CuttableProxy(server.port);
    await proxy.start();
    const proxyHome = await snowflakeHomeFor(proxy.url);
    const first = await SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: proxyHome }, statementTimeoutMs: 4000 });
    proxy.cutOnRequest(3, "PUT 'file:");
    const error = await errorOf(first.logModel(model, { name: 'DROPPED' }));
    expect(error.code).toBe('SNOWFLAKE_UPLOAD');
    expect((error.details.uploaded as string[]).length).toBe(2);
    await proxy.restore();
    const direct = await connect();
    try {
      expect((await direct.models()).map((m) => m.name)).not.toContain('DROPPED');
      const second = await SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: proxyHome } });
      const version = await second.logModel(model, { name: 'DROPPED' });
      expect(version.name).toBe('V1');
      await second.close();
      expect(await direct.models()).toContainEqual({ name: 'DROPPED', versions: ['V1'], default: 'V1' });
      await (await direct.model('DROPPED')).delete();
    } finally {
      await direct.close();
      await first.close();
      await proxy.close();
    }
  }, 120_000);
});
