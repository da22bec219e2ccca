import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { asTypedError } from '@defectkit/core/node';

/**
 * The MODEL_VERSION logged for a model file that carries no version of its own: `sha256:` and the first 12
 * hex digits of its SHA-256, so a retrained or replaced model shows up as a new version on the dashboard.
 *
 * @example
 * await modelFileVersion('models/pcb-defects/model.onnx'); // 'sha256:3f2a...'
 */
export async function modelFileVersion(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (error) {
    throw asTypedError(error);
  }
  return `sha256:${hash.digest('hex').slice(0, 12)}`;
}
