import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectTypedRejection } from '@defectkit/detector/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from '../registry-types.js';

/** What {@link describeRegistryConformance} runs against. */
export interface RegistryConformanceFixture {
  /** The registry under test, empty of the model names this suite uses (`CONF_*`); the suite closes it. */
  registry: Registry;
  /** A model folder (`model.onnx` + `model.json`) the registry accepts. */
  modelFolder: string;
  /** Called after the suite, e.g. to stop a server. */
  cleanup?(): Promise<void>;
}

/** Names no registry may accept for a model, version or alias (not identifiers, or path / SQL tricks). */
export const invalidRegistryNames: readonly string[] = ['bad-name', '1abc', '', 'a b', '..', '../x', 'a/b', 'a\\b', '"q"', "x'; DROP MODEL y; --", 'é', 'a.b', `A${'b'.repeat(255)}`];

/**
 * Registers the vitest suite every {@link Registry} driver must pass (the local folder and the Snowflake Model
 * Registry alike): log → list → versions → metrics, comments and aliases → export (byte-identical files) →
 * delete (never the default while others exist; the last version takes the model with it), with typed errors
 * for unknown models and versions, duplicate versions, invalid names (nothing created) and folders that are not
 * a model matching its card. Inference is not part of it: the detector conformance suite covers that.
 *
 * @example
 * describeRegistryConformance('local', async () => ({ registry: new LocalRegistry({ dir: tmp }), modelFolder: 'models/pcb-defects' }));
 */
export function describeRegistryConformance(name: string, fixture: () => Promise<RegistryConformanceFixture>): void {
  describe(`Registry conformance: ${name}`, () => {
    let fx: RegistryConformanceFixture;
    let registry: Registry;
    let scratch: string;

    beforeAll(async () => {
      fx = await fixture();
      registry = fx.registry;
      scratch = await mkdtemp(join(tmpdir(), 'defectkit-registry-conformance-'));
    });
    afterAll(async () => {
      await registry?.close();
      await fx?.cleanup?.();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    const names = async (): Promise<string[]> => (await registry.models()).map((m) => m.name).filter((n) => n.startsWith('CONF_'));

    it('logs versions (V1, V2, ... or a given name), lists models and versions, and keeps the first as default', async () => {
      const v1 = await registry.logModel(fx.modelFolder, { name: 'conf_list' });
      expect([v1.modelName, v1.name]).toEqual(['CONF_LIST', 'V1']);
      const v2 = await registry.logModel(fx.modelFolder, { name: 'CONF_LIST' });
      const named = await registry.logModel(fx.modelFolder, { name: 'Conf_List', version: 'exp_a' });
      expect([v2.name, named.name]).toEqual(['V2', 'EXP_A']);
      expect(await registry.logModel(fx.modelFolder, { name: 'CONF_LIST' }).then((v) => v.name)).toBe('V3');
      expect((await registry.models()).find((m) => m.name === 'CONF_LIST')).toEqual({ name: 'CONF_LIST', versions: ['V1', 'V2', 'EXP_A', 'V3'], default: 'V1' });
      const model = await registry.model('conf_list');
      expect(model.name).toBe('CONF_LIST');
      expect(await model.info()).toEqual({ name: 'CONF_LIST', versions: ['V1', 'V2', 'EXP_A', 'V3'], default: 'V1' });
      const versions = await model.versions();
      expect(versions.map((v) => [v.model, v.name, v.isDefault])).toEqual([
        ['CONF_LIST', 'V1', true],
        ['CONF_LIST', 'V2', false],
        ['CONF_LIST', 'EXP_A', false],
        ['CONF_LIST', 'V3', false],
      ]);
      const card = JSON.parse(await readFile(join(fx.modelFolder, 'model.json'), 'utf8')) as { classes: string[] };
      for (const v of versions) {
        expect(v.classes).toEqual(card.classes);
        expect(typeof v.createdOn === 'string' && v.createdOn.length > 0).toBe(true);
      }
      expect((await model.default()).name).toBe('V1');
      expect([(await model.version('first')).name, (await model.version('LAST')).name, (await model.version('default')).name]).toEqual(['V1', 'V3', 'V1']);
      await model.setDefault('v2');
      expect([(await model.default()).name, (await model.info()).default]).toEqual(['V2', 'V2']);
    });

    it('stores metrics and comments, and points each alias at one version', async () => {
      const v1 = await registry.logModel(fx.modelFolder, { name: 'CONF_META', comment: 'first cut', metrics: { f1: 0.5, perClass: { open: 0.4 } } });
      const v2 = await registry.logModel(fx.modelFolder, { name: 'CONF_META' });
      expect(await v1.metrics()).toEqual({ f1: 0.5, perClass: { open: 0.4 } });
      await v1.setMetric('map50', 0.75);
      await v1.setMetric('f1', 0.6);
      expect(await v1.metrics()).toEqual({ f1: 0.6, perClass: { open: 0.4 }, map50: 0.75 });
      expect(await v1.comment()).toBe('first cut');
      expect(await v2.comment()).toBeNull();
      expect(await v2.comment("second: it's better")).toBe("second: it's better");
      expect((await v2.info()).comment).toBe("second: it's better");
      expect((await expectTypedRejection(v1.setMetric('bad', undefined))).code).toBe('REGISTRY_METRIC');

      await v1.setAlias('production');
      const model = await registry.model('CONF_META');
      expect((await model.version('PRODUCTION')).name).toBe('V1');
      expect((await v1.info()).aliases).toEqual(['PRODUCTION']);
      await v2.setAlias('production'); // moves
      expect((await model.version('production')).name).toBe('V2');
      expect((await v1.info()).aliases).toEqual([]);
      await v2.unsetAlias('PRODUCTION');
      expect((await expectTypedRejection(model.version('PRODUCTION'))).code).toBe('REGISTRY_VERSION_NOT_FOUND');
      expect((await expectTypedRejection(v2.unsetAlias('PRODUCTION'))).code).toBe('REGISTRY_VERSION_NOT_FOUND');
      for (const reserved of ['DEFAULT', 'first', 'Last']) expect((await expectTypedRejection(v1.setAlias(reserved))).code).toBe('REGISTRY_IDENTIFIER');
    });

    it('exports byte-identical model files into an absent or empty folder, and never into a non-empty one', async () => {
      const version = await registry.logModel(fx.modelFolder, { name: 'CONF_EXPORT' });
      const absent = join(scratch, 'export-absent');
      const written = await version.export(absent);
      expect(written.map((p) => p.slice(absent.length + 1)).sort()).toEqual(['model.json', 'model.onnx']);
      expect((await readdir(absent)).sort()).toEqual(['model.json', 'model.onnx']);
      for (const file of ['model.onnx', 'model.json']) expect(Buffer.compare(await readFile(join(absent, file)), await readFile(join(fx.modelFolder, file))), file).toBe(0);
      const empty = join(scratch, 'export-empty');
      await mkdir(empty);
      await version.export(empty);
      expect((await readdir(empty)).sort()).toEqual(['model.json', 'model.onnx']);
      const busy = join(scratch, 'export-busy');
      await mkdir(busy);
      await writeFile(join(busy, 'keep.txt'), 'mine');
      expect((await expectTypedRejection(version.export(busy))).code).toBe('REGISTRY_EXPORT_TARGET');
      expect(await readdir(busy)).toEqual(['keep.txt']);
      expect(await readFile(join(busy, 'keep.txt'), 'utf8')).toBe('mine');
    });

    it('deletes versions (never the default while others exist), and the last version takes the model with it', async () => {
      await registry.logModel(fx.modelFolder, { name: 'CONF_DELETE' });
      await registry.logModel(fx.modelFolder, { name: 'CONF_DELETE' });
      await registry.logModel(fx.modelFolder, { name: 'CONF_DELETE' });
      const model = await registry.model('CONF_DELETE');
      expect((await expectTypedRejection(model.delete('V1'))).code).toBe('REGISTRY_DEFAULT_VERSION');
      await model.delete('v2');
      expect((await model.info()).versions).toEqual(['V1', 'V3']);
      expect((await expectTypedRejection(model.version('V2'))).code).toBe('REGISTRY_VERSION_NOT_FOUND');
      await model.setDefault('V3');
      await model.delete('V1');
      expect(await model.info()).toEqual({ name: 'CONF_DELETE', versions: ['V3'], default: 'V3' });
      await model.delete('V3');
      expect(await names()).not.toContain('CONF_DELETE');
      expect((await expectTypedRejection(registry.model('CONF_DELETE'))).code).toBe('REGISTRY_MODEL_NOT_FOUND');

      await registry.logModel(fx.modelFolder, { name: 'CONF_DELETE_ALL' });
      await registry.logModel(fx.modelFolder, { name: 'CONF_DELETE_ALL' });
      await (await registry.model('CONF_DELETE_ALL')).delete();
      expect(await names()).not.toContain('CONF_DELETE_ALL');
      // The name is free again and numbering starts over.
      expect((await registry.logModel(fx.modelFolder, { name: 'CONF_DELETE_ALL' })).name).toBe('V1');
    });

    it('refuses unknown models and versions and duplicate versions with typed errors', async () => {
      expect((await expectTypedRejection(registry.model('CONF_NOPE'))).code).toBe('REGISTRY_MODEL_NOT_FOUND');
      await registry.logModel(fx.modelFolder, { name: 'CONF_ERRORS', version: 'V1' });
      const model = await registry.model('CONF_ERRORS');
      for (const missing of ['V9', 'NOT_THERE']) expect((await expectTypedRejection(model.version(missing))).code).toBe('REGISTRY_VERSION_NOT_FOUND');
      expect((await expectTypedRejection(model.setDefault('V9'))).code).toBe('REGISTRY_VERSION_NOT_FOUND');
      expect((await expectTypedRejection(model.delete('V9'))).code).toBe('REGISTRY_VERSION_NOT_FOUND');
      for (const duplicate of ['V1', 'v1']) expect((await expectTypedRejection(registry.logModel(fx.modelFolder, { name: 'conf_errors', version: duplicate }))).code).toBe('REGISTRY_VERSION_EXISTS');
      expect(await model.info()).toEqual({ name: 'CONF_ERRORS', versions: ['V1'], default: 'V1' });
    });

    it('refuses invalid model, version and alias names before creating anything', async () => {
      const before = await names();
      const version = await registry.logModel(fx.modelFolder, { name: 'CONF_NAMES' });
      const model = await registry.model('CONF_NAMES');
      for (const bad of invalidRegistryNames) {
        const label = JSON.stringify(bad);
        expect((await expectTypedRejection(registry.logModel(fx.modelFolder, { name: bad }))).code, `name ${label}`).toBe('REGISTRY_IDENTIFIER');
        expect((await expectTypedRejection(registry.logModel(fx.modelFolder, { name: 'CONF_NAMES', version: bad }))).code, `version ${label}`).toBe('REGISTRY_IDENTIFIER');
        expect((await expectTypedRejection(registry.model(bad))).code, `model(${label})`).toBe('REGISTRY_IDENTIFIER');
        expect((await expectTypedRejection(model.version(bad))).code, `version(${label})`).toBe('REGISTRY_IDENTIFIER');
        expect((await expectTypedRejection(version.setAlias(bad))).code, `alias ${label}`).toBe('REGISTRY_IDENTIFIER');
      }
      expect(await names()).toEqual([...before, 'CONF_NAMES'].sort());
      expect(await model.info()).toEqual({ name: 'CONF_NAMES', versions: ['V1'], default: 'V1' });
    });

    it('refuses a folder that is not a model matching its card, naming the file or field', async () => {
      const folder = async (label: string, onnx: Uint8Array | null, card: string | null): Promise<string> => {
        const dir = join(scratch, `source-${label}`);
        await mkdir(dir);
        if (onnx) await writeFile(join(dir, 'model.onnx'), onnx);
        else await copyFile(join(fx.modelFolder, 'model.onnx'), join(dir, 'model.onnx'));
        if (card !== null) await writeFile(join(dir, 'model.json'), card);
        return dir;
      };
      const cardText = await readFile(join(fx.modelFolder, 'model.json'), 'utf8');
      const card = JSON.parse(cardText) as { classes: string[]; input: { name: string } };
      const noCard = await expectTypedRejection(registry.logModel(await folder('no-card', null, null), { name: 'CONF_SOURCE' }));
      expect([noCard.code, noCard.details.file]).toEqual(['REGISTRY_MODEL_SOURCE', join(scratch, 'source-no-card', 'model.json')]);
      const notOnnx = await expectTypedRejection(registry.logModel(await folder('not-onnx', new TextEncoder().encode('{"not": "a model"}'), cardText), { name: 'CONF_SOURCE' }));
      expect([notOnnx.code, notOnnx.details.field]).toEqual(['REGISTRY_MODEL_SOURCE', 'model.onnx']);
      const wrongInput = await expectTypedRejection(registry.logModel(await folder('wrong-input', null, JSON.stringify({ ...card, input: { ...card.input, name: 'pixels' } })), { name: 'CONF_SOURCE' }));
      expect([wrongInput.code, wrongInput.details.field]).toEqual(['REGISTRY_MODEL_SOURCE', 'input.name']);
      const wrongClasses = await expectTypedRejection(registry.logModel(fx.modelFolder, { name: 'CONF_SOURCE', classes: ['only-one'] }));
      expect([wrongClasses.code, wrongClasses.details.field]).toEqual(['REGISTRY_MODEL_SOURCE', 'classes']);
      expect(await names()).not.toContain('CONF_SOURCE');
    });
  });
}
