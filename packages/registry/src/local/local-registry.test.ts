import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { digestFile } from '../content-hash.js';
import { LocalRegistry } from './local-registry.js';
import { sampleCard, sampleOnnx, writeModelFolder } from './testing/model-folder.js';
import { errorOf } from '../../../../test/support/errors.js';

async function freshRegistry(): Promise<LocalRegistry> {
  return new LocalRegistry({ dir: await mkdtemp(join(tmpdir(), 'defectkit-registry-')) });
}

describe('LocalRegistry', () => {
  it('logs versions, lists models and versions, and tracks the default', async () => {
    const registry = await freshRegistry();
    const source = await writeModelFolder();
    const first = await registry.logModel(source, { name: 'pcb_defects', comment: 'first' });
    const second = await registry.logModel(source, { name: 'PCB_DEFECTS', metrics: { map50: 0.9 } });
    const named = await registry.logModel(source, { name: 'pcb_defects', version: 'exp_1' });
    expect([first.name, second.name, named.name]).toEqual(['V1', 'V2', 'EXP_1']);
    expect(await registry.models()).toEqual([{ name: 'PCB_DEFECTS', versions: ['V1', 'V2', 'EXP_1'], default: 'V1' }]);
    const model = await registry.model('pcb_defects');
    const versions = await model.versions();
    expect(versions.map((v) => [v.name, v.isDefault, v.comment])).toEqual([
      ['V1', true, 'first'],
      ['V2', false, null],
      ['EXP_1', false, null],
    ]);
    expect(versions[0]!.metrics).toEqual({ coco: { map50: 0.5 } }); // from the card
    expect(versions[1]!.metrics).toEqual({ map50: 0.9 }); // given explicitly
    expect(versions[0]!.classes).toEqual(sampleCard().classes);
    await model.setDefault('V2');
    expect((await model.default()).name).toBe('V2');
    expect((await model.version('last')).name).toBe('EXP_1');
    expect((await model.version('first')).name).toBe('V1');
  });

  it('refuses a duplicate version, unknown models and versions, and bad identifiers with typed errors', async () => {
    const registry = await freshRegistry();
    const source = await writeModelFolder();
    await registry.logModel(source, { name: 'M', version: 'V1' });
    expect((await errorOf(registry.logModel(source, { name: 'm', version: 'v1' }))).code).toBe('REGISTRY_VERSION_EXISTS');
    expect((await errorOf(registry.model('OTHER'))).code).toBe('REGISTRY_MODEL_NOT_FOUND');
    const model = await registry.model('M');
    const missing = await errorOf(model.version('V9'));
    expect(missing.code).toBe('REGISTRY_VERSION_NOT_FOUND');
    expect(missing.details).toMatchObject({ model: 'M', version: 'V9', versions: ['V1'] });
    for (const bad of ['pcb-defects', '1abc', 'a b', 'x"; DROP MODEL Y; --', '', 'a'.repeat(256)]) {
      const error = await errorOf(registry.logModel(source, { name: bad }));
      expect(error.code).toBe('REGISTRY_IDENTIFIER');
      expect(error.details).toMatchObject({ field: 'name' });
    }
    expect((await errorOf(registry.logModel(source, { name: 'M', version: '../x' }))).code).toBe('REGISTRY_IDENTIFIER');
    // Nothing from the failed attempts was registered.
    expect(await registry.models()).toEqual([{ name: 'M', versions: ['V1'], default: 'V1' }]);
  });

  it('rejects a folder that is not a model folder, naming the file', async () => {
    const registry = await freshRegistry();
    const empty = await mkdtemp(join(tmpdir(), 'defectkit-empty-'));
    const noCard = await errorOf(registry.logModel(empty, { name: 'M' }));
    expect(noCard.code).toBe('REGISTRY_MODEL_SOURCE');
    expect(noCard.message).toContain(join(empty, 'model.onnx'));
    const badFormat = await writeModelFolder(undefined, sampleCard({ format: 'other' }));
    expect((await errorOf(registry.logModel(badFormat, { name: 'M' }))).details).toMatchObject({ field: 'format' });
    const source = await writeModelFolder();
    const wrongClasses = await errorOf(registry.logModel(source, { name: 'M', classes: ['a', 'b'] }));
    expect(wrongClasses.details).toMatchObject({ field: 'classes', given: 2, card: 6 });
    expect(await registry.models()).toEqual([]);
    expect(await readdir(join(registry.dir, '.staging')).catch(() => [])).toEqual([]);
  });

  it('stores metrics, comments and aliases; an alias names one version', async () => {
    const registry = await freshRegistry();
    const source = await writeModelFolder();
    const v1 = await registry.logModel(source, { name: 'M', metrics: { f1: 0.5 } });
    const v2 = await registry.logModel(source, { name: 'M' });
    await v1.setMetric('fscore', 0.93);
    await v1.setMetric('perClass', { open: 0.9 });
    expect(await v1.metrics()).toEqual({ f1: 0.5, fscore: 0.93, perClass: { open: 0.9 } });
    expect(await v2.comment()).toBeNull();
    await v2.comment('retrained');
    expect(await v2.comment()).toBe('retrained');
    await v1.setAlias('production');
    const model = await registry.model('M');
    expect((await model.version('PRODUCTION')).name).toBe('V1');
    await v2.setAlias('production');
    expect((await model.version('production')).name).toBe('V2');
    expect((await v1.info()).aliases).toEqual([]);
    expect((await errorOf(v2.setAlias('default'))).code).toBe('REGISTRY_IDENTIFIER');
    await v2.unsetAlias('production');
    expect((await errorOf(model.version('production'))).code).toBe('REGISTRY_VERSION_NOT_FOUND');
  });

  it('deletes versions (never the default while others exist) and whole models', async () => {
    const registry = await freshRegistry();
    const source = await writeModelFolder();
    await registry.logModel(source, { name: 'M' });
    await registry.logModel(source, { name: 'M' });
    const model = await registry.model('M');
    expect((await errorOf(model.delete('V1'))).code).toBe('REGISTRY_DEFAULT_VERSION');
    await model.delete('V2');
    expect((await model.info()).versions).toEqual(['V1']);
    expect(await readdir(join(registry.dir, 'models', 'M', 'versions'))).toEqual(['V1']);
    await model.delete('V1'); // the last version: the model goes with it
    expect(await registry.models()).toEqual([]);
    await registry.logModel(source, { name: 'M' });
    await (await registry.model('M')).delete();
    expect(await registry.models()).toEqual([]);
    expect((await errorOf(registry.model('M'))).code).toBe('REGISTRY_MODEL_NOT_FOUND');
  });

  it('exports byte-identical files, refuses a non-empty target and detects tampering', async () => {
    const registry = await freshRegistry();
    const onnx = sampleOnnx(new Uint8Array(100_000).map((_, i) => (i * 31) % 251));
    const source = await writeModelFolder(onnx);
    const before = await digestFile(join(source, 'model.onnx'));
    const version = await registry.logModel(source, { name: 'M' });
    const out = join(await mkdtemp(join(tmpdir(), 'defectkit-export-')), 'exported');
    const written = await version.export(out);
    expect(written.map((path) => path.slice(out.length + 1)).sort()).toEqual(['model.json', 'model.onnx']);
    for (const file of ['model.onnx', 'model.json']) {
      expect((await readFile(join(out, file))).equals(await readFile(join(source, file))), file).toBe(true);
    }
    expect(await digestFile(join(source, 'model.onnx'))).toEqual(before); // the source is untouched
    expect((await errorOf(version.export(out))).code).toBe('REGISTRY_EXPORT_TARGET');

    await writeFile(join(registry.dir, 'models', 'M', 'versions', 'V1', 'model.onnx'), new Uint8Array([1, 2, 3]));
    const target = join(await mkdtemp(join(tmpdir(), 'defectkit-export-')), 'tampered');
    const tampered = await errorOf(version.export(target));
    expect(tampered.code).toBe('REGISTRY_INTEGRITY');
    expect(tampered.message).toContain('model.onnx');
    expect(await readdir(resolve(target, '..'))).toEqual([]); // no partial export left behind
  });

  it('exports into an existing empty folder', async () => {
    const registry = await freshRegistry();
    const version = await registry.logModel(await writeModelFolder(), { name: 'M' });
    const out = await mkdtemp(join(tmpdir(), 'defectkit-export-'));
    await version.export(out);
    expect((await readdir(out)).sort()).toEqual(['model.json', 'model.onnx']);
  });

  it('two processes logging into one registry at once get distinct versions and consistent metadata', async () => {
    const registry = await freshRegistry();
    await mkdir(registry.dir, { recursive: true });
    const source = await writeModelFolder(sampleOnnx(new Uint8Array(2_000_000).fill(7)));
    const child = resolve(import.meta.dirname, 'testing', 'log-versions-child.ts');
    const tsx = resolve(import.meta.dirname, '..', '..', '..', '..', 'node_modules', '.bin', 'tsx');
    const run = promisify(execFile);
    const count = 6;
    const results = await Promise.all(
      [0, 1].map(async () => JSON.parse((await run(tsx, [child, registry.dir, source, 'SHARED', String(count)])).stdout) as string[]),
    );
    const all = results.flat().sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    expect(all).toEqual(Array.from({ length: 2 * count }, (_, i) => `V${i + 1}`));
    const model = await registry.model('SHARED');
    const versions = await model.versions();
    expect(versions.map((v) => v.name).sort()).toEqual([...all].sort());
    expect(new Set(versions.map((v) => v.comment)).size).toBe(2 * count);
    for (const version of versions) await (await model.version(version.name)).export(join(await mkdtemp(join(tmpdir(), 'defectkit-export-')), 'x'));
    expect(await readdir(registry.dir)).not.toContain('registry.lock');
  }, 120_000);
});
