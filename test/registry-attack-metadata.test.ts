import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRegistry, SnowflakeRegistry } from '@defectkit/registry';
import { SnowflakeSession } from '@defectkit/snowflake';
import type { SnowflakeLocal } from '@defectkit/snowflake-local';
import { digestFile } from '../packages/registry/src/content-hash.js';
import { writeModelFolder } from '../packages/registry/src/local/testing/model-folder.js';
import { treeDigest } from '../packages/registry/src/testing/tree-digest.js';
import { errorOf } from './support/errors.js';
import { sessionFor, startLocalSnowflake } from './support/snowflake-local.js';

// Item 7 of the hardening issue: every file name and location read back from registry metadata (local JSON,
// Snowflake METADATA) is checked before it touches the disk or a statement. Each crafted variant must end in
// a typed REGISTRY_METADATA error with nothing changed anywhere around (the tree is hashed before and after).

/** File names that must never be used as given: escapes, absolute paths, separators, hidden and odd names. */
const craftedFileNames = (outside: string): string[] => [
  '../../../../outside/pwned',
  '../../../outside/secret.bin',
  '../model.onnx',
  `${outside}/pwned`,
  '/tmp/defectkit-pwned',
  '..',
  '.',
  '',
  'sub/model.onnx',
  'sub/../model.onnx',
  'model.onnx/',
  '..\\..\\outside\\pwned',
  'a\\b',
  '.hidden',
  '.model.onnx.tmp-1',
  'model.onnx\u0000.txt',
  ' model.onnx',
  'mod el.onnx',
  '\u2024\u2024/pwned',
  '%2e%2e%2fpwned',
  'x'.repeat(300),
  'model.onnx:stream',
  '~/pwned',
  '$HOME',
  'C:\\pwned',
  '\\\\server\\share\\pwned',
  "it's.onnx",
  'model.onnx\npwned',
];

describe('local registry: crafted metadata never reaches the disk', () => {
  /** A registry beside an `outside` folder with a secret, a victim folder and an export parent. */
  async function arena(): Promise<{ root: string; registry: LocalRegistry; outside: string; versionJson: string; modelJson: string; out: string }> {
    const root = await mkdtemp(join(tmpdir(), 'defectkit-meta-attack-'));
    const outside = join(root, 'outside');
    await mkdir(join(outside, 'victim'), { recursive: true });
    await writeFile(join(outside, 'secret.bin'), 'top secret');
    await writeFile(join(outside, 'victim', 'keep.txt'), 'keep me');
    await mkdir(join(root, 'out'));
    const registry = new LocalRegistry({ dir: join(root, 'registry') });
    const source = await writeModelFolder();
    await registry.logModel(source, { name: 'M' });
    await registry.logModel(source, { name: 'M' });
    const modelDir = join(root, 'registry', 'models', 'M');
    return { root, registry, outside, versionJson: join(modelDir, 'versions', 'V1', 'version.json'), modelJson: join(modelDir, 'model.json'), out: join(root, 'out') };
  }

  it('refuses every crafted file name in version.json before reading or writing anything (export and detector)', async () => {
    const a = await arena();
    const original = JSON.parse(await readFile(a.versionJson, 'utf8')) as { files: Record<string, { sha256: string; size: number }> };
    const secret = await digestFile(join(a.outside, 'secret.bin'));
    for (const name of craftedFileNames(a.outside)) {
      // The digest matches the file the name points at, so only the name check can stop it.
      await writeFile(a.versionJson, JSON.stringify({ ...original, files: { ...original.files, [name]: secret } }));
      const before = await treeDigest(a.root);
      const version = await (await a.registry.model('M')).version('V1');
      const exported = await errorOf(version.export(join(a.out, 'export')));
      expect([JSON.stringify(name), exported.code, exported.details.field]).toEqual([JSON.stringify(name), 'REGISTRY_METADATA', 'files']);
      expect((await errorOf(version.detector())).code).toBe('REGISTRY_METADATA');
      expect(await treeDigest(a.root), `tree after ${JSON.stringify(name)}`).toEqual(before);
    }
  });

  it('refuses crafted version and model records (names, lists, hashes) with nothing outside changed', async () => {
    const a = await arena();
    const version = JSON.parse(await readFile(a.versionJson, 'utf8')) as Record<string, unknown>;
    const model = JSON.parse(await readFile(a.modelJson, 'utf8')) as Record<string, unknown>;
    const versionVariants: Record<string, unknown>[] = [
      { ...version, name: '../../../outside/victim' },
      { ...version, model: '..' },
      { ...version, aliases: ['../x'] },
      { ...version, files: { 'model.onnx': { sha256: 'not-hex', size: 1 } } },
      { ...version, files: { 'model.onnx': { sha256: 'a'.repeat(64), size: -1 } } },
      { ...version, files: [] },
      { ...version, files: {} },
      { ...version, format: 'something/else' },
    ];
    for (const variant of versionVariants) {
      await writeFile(a.versionJson, JSON.stringify(variant));
      const before = await treeDigest(a.root);
      const handle = await a.registry.model('M');
      const error = await errorOf(handle.version('V1').then((v) => v.export(join(a.out, 'export'))));
      expect([JSON.stringify(variant).slice(0, 80), error.code]).toEqual([JSON.stringify(variant).slice(0, 80), 'REGISTRY_METADATA']);
      expect(await treeDigest(a.root)).toEqual(before);
    }
    await writeFile(a.versionJson, JSON.stringify(version));
    // model.json: a crafted version list would make delete('LAST') rename a folder outside the registry.
    const modelVariants: Record<string, unknown>[] = [
      { ...model, versions: ['V1', '../../../outside/victim'] },
      { ...model, versions: ['V1', '/tmp'] },
      { ...model, default: '../../outside/victim' },
      { ...model, default: 'V9' },
      { ...model, versions: ['V1', 'V1'] },
      { ...model, versions: 'V1' },
      { ...model, name: 'OTHER' },
      { ...model, name: '../M' },
    ];
    for (const variant of modelVariants) {
      await writeFile(a.modelJson, JSON.stringify(variant));
      const before = await treeDigest(a.root, (rel) => rel.startsWith(join('registry', '.staging')));
      const label = JSON.stringify(variant).slice(0, 120);
      expect([label, (await errorOf(a.registry.model('M'))).code]).toEqual([label, 'REGISTRY_METADATA']);
      expect((await errorOf(a.registry.models())).code).toBe('REGISTRY_METADATA');
      expect((await errorOf(a.registry.logModel(await writeModelFolder(), { name: 'M' }))).code).toBe('REGISTRY_METADATA');
      expect(await treeDigest(a.root, (rel) => rel.startsWith(join('registry', '.staging')))).toEqual(before);
    }
  });

  it('never follows a symbolic link planted in a version folder, or a version folder that is a link', async () => {
    const a = await arena();
    const v1 = join(a.root, 'registry', 'models', 'M', 'versions', 'V1');
    const original = JSON.parse(await readFile(a.versionJson, 'utf8')) as { files: Record<string, unknown> };
    const secret = await digestFile(join(a.outside, 'secret.bin'));
    await rm(join(v1, 'model.onnx'));
    await symlink(join(a.outside, 'secret.bin'), join(v1, 'model.onnx'));
    await writeFile(a.versionJson, JSON.stringify({ ...original, files: { ...original.files, 'model.onnx': secret } }));
    let before = await treeDigest(a.root);
    const version = await (await a.registry.model('M')).version('V1');
    expect((await errorOf(version.export(join(a.out, 'export')))).code).toBe('REGISTRY_METADATA');
    expect((await errorOf(version.detector())).code).toBe('REGISTRY_METADATA');
    expect(await treeDigest(a.root)).toEqual(before);
    // The whole V2 folder replaced by a link to a look-alike folder outside (its own version.json and files).
    const v2 = join(a.root, 'registry', 'models', 'M', 'versions', 'V2');
    const fake = join(a.outside, 'fake-version');
    await mkdir(fake);
    await writeFile(join(fake, 'model.onnx'), 'top secret');
    const v2Record = JSON.parse(await readFile(join(v2, 'version.json'), 'utf8')) as { files: Record<string, unknown> };
    await writeFile(join(fake, 'model.json'), await readFile(join(v2, 'model.json')));
    await writeFile(join(fake, 'version.json'), JSON.stringify({ ...v2Record, files: { ...v2Record.files, 'model.onnx': secret } }));
    await rm(v2, { recursive: true });
    await symlink(fake, v2);
    before = await treeDigest(a.root);
    const linked = await (await a.registry.model('M')).version('V2');
    expect((await errorOf(linked.export(join(a.out, 'export')))).code).toBe('REGISTRY_METADATA');
    expect(await treeDigest(a.root)).toEqual(before);
  });
});

describe('Snowflake registry: crafted METADATA never reaches a statement or the disk', () => {
  let server: SnowflakeLocal;
  let root: string;
  let registry: SnowflakeRegistry;
  let session: SnowflakeSession;
  let metadata: { metrics: unknown; defectkit: { classes: string[]; package: string; files: Record<string, unknown> } } & Record<string, unknown>;
  const skipDatabases = (rel: string): boolean => rel.startsWith(join('sf', 'databases'));

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'defectkit-sf-meta-attack-'));
    await mkdir(join(root, 'outside'));
    await writeFile(join(root, 'outside', 'keep.txt'), 'keep me');
    await mkdir(join(root, 'out'));
    let home: string;
    ({ server, home } = await startLocalSnowflake({ database: 'ATK', schema: 'REG', server: { dir: join(root, 'sf') } }));
    session = await sessionFor(home);
    registry = await SnowflakeRegistry.connect({ connection: 'local', env: { SNOWFLAKE_HOME: home } });
    await registry.logModel(await writeModelFolder(), { name: 'M' });
    await registry.logModel(await writeModelFolder(), { name: 'M' });
    const [row] = await session.execute('SHOW VERSIONS IN MODEL ATK.REG.M');
    metadata = JSON.parse(String(row!.metadata ?? row!.METADATA)) as typeof metadata;
  });
  afterAll(async () => {
    await registry?.close();
    await session?.close();
    await server?.close();
  });

  const setMetadata = async (value: unknown): Promise<void> => {
    await session.execute(`ALTER MODEL ATK.REG.M MODIFY VERSION "V1" SET METADATA = $$${JSON.stringify(value).replaceAll('$', '\\u0024')}$$`);
  };

  it('refuses crafted package locations in export and delete, before any GET or REMOVE', async () => {
    const stage = '@"ATK"."REG"."DEFECTKIT_MODELS"';
    const good = metadata.defectkit.package;
    const variants: unknown[] = [
      `${stage}/M/../../OTHER`,
      `${stage}/M/V1_deadbeef/../../..`,
      `@"ATK"."REG"."OTHER_STAGE"/M/V1_deadbeef`,
      `${stage}/OTHER/V1_deadbeef`,
      `${stage}/M/V1_deadbeef'; REMOVE @"ATK"."REG"."DEFECTKIT_MODELS"; --`,
      `${stage}/M/V1_deadbeef/`,
      `${stage}/M/V1_DEADBEEF`,
      `${stage}/M/V1_deadbeef\nREMOVE @x`,
      `${stage}/M`,
      '@~/x',
      '/etc',
      'file:///etc/passwd',
      `${good} `,
      123,
      null,
      { path: good },
    ];
    for (const pkg of variants) {
      await setMetadata({ ...metadata, defectkit: { ...metadata.defectkit, package: pkg } });
      const before = await treeDigest(root, skipDatabases);
      const version = await (await registry.model('M')).version('V1');
      const label = JSON.stringify(pkg);
      const exported = await errorOf(version.export(join(root, 'out', 'export')));
      expect([label, exported.code, exported.details.field]).toEqual([label, 'REGISTRY_METADATA', 'defectkit.package']);
      await (await registry.model('M')).setDefault('V2');
      expect([label, (await errorOf((await registry.model('M')).delete('V1'))).code]).toEqual([label, 'REGISTRY_METADATA']);
      expect([label, (await errorOf((await registry.model('M')).delete())).code]).toEqual([label, 'REGISTRY_METADATA']);
      await (await registry.model('M')).setDefault('V1');
      expect((await registry.model('M').then((m) => m.info())).versions).toEqual(['V1', 'V2']);
      expect(await treeDigest(root, skipDatabases), `tree after ${label}`).toEqual(before);
    }
  });

  it('refuses crafted file names and hashes in METADATA before any GET', async () => {
    const digest = Object.values(metadata.defectkit.files)[0];
    // Folders are allowed in package paths (`model/model.onnx`), so `sub/model.onnx` is a safe name here: it is
    // fetched and found missing (REGISTRY_INTEGRITY, checked below); every other name is refused unsent.
    const names = [...craftedFileNames(join(root, 'outside')).filter((name) => name !== 'sub/model.onnx'), 'model/../../x', 'a//b', '/etc/passwd', 'model/model.onnx; REMOVE @x'];
    const variants: Record<string, unknown>[] = names.map((name) => ({ [name]: digest }));
    variants.push({ 'model/model.onnx': { sha256: "'; DROP", size: 1 } }, { 'model/model.onnx': 'x' }, {}, { 'model/model.onnx': digest, 'other/model.onnx': digest });
    for (const files of variants) {
      await setMetadata({ ...metadata, defectkit: { ...metadata.defectkit, files } });
      const before = await treeDigest(root, skipDatabases);
      const label = JSON.stringify(files).slice(0, 100);
      const error = await errorOf((await (await registry.model('M')).version('V1')).export(join(root, 'out', 'export')));
      expect([label, error.code]).toEqual([label, 'REGISTRY_METADATA']);
      expect(await treeDigest(root, skipDatabases), `tree after ${label}`).toEqual(before);
    }
    await setMetadata({ ...metadata, defectkit: { ...metadata.defectkit, files: { 'sub/model.onnx': digest } } });
    const before = await treeDigest(root, skipDatabases);
    expect((await errorOf((await (await registry.model('M')).version('V1')).export(join(root, 'out', 'export')))).code).toBe('REGISTRY_INTEGRITY');
    expect(await treeDigest(root, skipDatabases)).toEqual(before);
    // The untouched METADATA still exports (the checks refuse only what is crafted).
    await setMetadata(metadata);
    const written = await (await (await registry.model('M')).version('V1')).export(join(root, 'out', 'fine'));
    expect(written.length).toBe(2);
  });
});
