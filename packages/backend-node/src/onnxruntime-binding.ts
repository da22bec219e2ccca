import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import { OnnxRuntimeMissingError } from './errors.js';

/** What an app does when onnxruntime-node is missing or broken (the same story as the top of the package README). */
export const ONNXRUNTIME_INSTALL_HINT =
  'onnxruntime-node comes with @defectkit/backend-node and carries the CPU binaries for Linux x64/arm64, macOS and Windows; ' +
  'when node_modules was copied from another platform or the binding was deleted, run `npm rebuild onnxruntime-node` or ' +
  'reinstall on this machine (offline: ONNXRUNTIME_NODE_INSTALL=skip npm install, so its install script downloads nothing; ' +
  'details at the top of the @defectkit/backend-node README)';

let loaded: typeof Ort | undefined;

/**
 * onnxruntime-node, loaded on first use rather than at import, so an app whose install lacks the native binding gets
 * a typed `ONNXRUNTIME_NOT_INSTALLED` error that says what to do instead of a failed `require` of a `.node` file.
 */
export function onnxruntime(): typeof Ort {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;
    return loaded;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new OnnxRuntimeMissingError(
      'ONNXRUNTIME_NOT_INSTALLED',
      `onnxruntime-node cannot be loaded on ${process.platform}-${process.arch} (${reason}); ${ONNXRUNTIME_INSTALL_HINT}`,
      { platform: process.platform, arch: process.arch },
      { cause: error },
    );
  }
}
