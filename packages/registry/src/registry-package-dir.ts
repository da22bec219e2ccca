import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { emitRegistryPackage, readHandlerSource, registryPackageModelPath } from '@defectkit/notebooks';
import { RegistryError } from './errors.js';
import { digestFile, type FileDigest } from './content-hash.js';
import type { ModelCardSummary } from './model-source.js';

/** A registry package written to a temporary folder. */
export interface RegistryPackageDir {
  /** The folder (remove it with {@link RegistryPackageDir.remove}). */
  dir: string;
  /** Package-relative paths of every file, forward slashes. */
  files: string[];
  /** SHA-256 and size of the model files as shipped (`model/model.onnx`, `model/model.json`). */
  digests: Record<string, FileDigest>;
  remove(): Promise<void>;
}

/** Writes the registry package of a model folder: the one model handler (`defectkit_handler.py`), manifest and environment files, plus the ONNX model and its card. */
export async function writeRegistryPackage(source: string, card: ModelCardSummary, name: string): Promise<RegistryPackageDir> {
  const dir = await mkdtemp(join(tmpdir(), 'defectkit-package-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    let emitted;
    try {
      emitted = emitRegistryPackage(card.card, await readHandlerSource(), { name });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RegistryError('REGISTRY_MODEL_SOURCE', `${join(source, 'model.json')}: cannot build a Snowflake registry package: ${reason}`, { file: join(source, 'model.json') }, { cause: error });
    }
    for (const file of emitted) {
      await mkdir(dirname(join(dir, file.path)), { recursive: true });
      await writeFile(join(dir, file.path), file.content);
    }
    await copyFile(join(source, 'model.onnx'), join(dir, registryPackageModelPath));
    // Ship the card byte for byte as logged (the emitted copy is re-serialised), so export returns the same file.
    await copyFile(join(source, 'model.json'), join(dir, 'model', 'model.json'));
    const files = [...emitted.map((file) => file.path), registryPackageModelPath];
    const digests: Record<string, FileDigest> = {};
    for (const path of ['model/model.onnx', 'model/model.json']) digests[path] = await digestFile(join(dir, path));
    return { dir, files, digests, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
