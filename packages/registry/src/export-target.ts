import { readdir, stat } from 'node:fs/promises';
import { RegistryError } from './errors.js';

/** The error for an export target that is not empty (also when another process filled it during the export). */
export function exportTargetTaken(dir: string): RegistryError {
  return new RegistryError('REGISTRY_EXPORT_TARGET', `${dir}: the export target must be an empty folder or not exist`, { file: dir });
}

/** Throws `REGISTRY_EXPORT_TARGET` unless `dir` is absent or an empty folder (an export never mixes with other files). */
export async function assertEmptyOrAbsent(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info) return;
  if (!info.isDirectory() || (await readdir(dir)).length > 0) {
    throw exportTargetTaken(dir);
  }
}
