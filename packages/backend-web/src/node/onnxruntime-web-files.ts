import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ONNXRUNTIME_WEB_FILES } from '../onnxruntime-web-setup.js';

/** The folder of the installed onnxruntime-web's runtime files (`.mjs` loaders and `.wasm` binaries). */
export function onnxRuntimeWebDistDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'));
}

/**
 * The path of one runtime file a page needs (one of `ONNXRUNTIME_WEB_FILES`), or `undefined` for any other
 * name: a server hands out exactly these files, whatever the request path says.
 */
export function onnxRuntimeWebFile(name: string): string | undefined {
  return (ONNXRUNTIME_WEB_FILES as readonly string[]).includes(name) ? join(onnxRuntimeWebDistDir(), name) : undefined;
}
