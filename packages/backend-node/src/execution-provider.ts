import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DeviceRequest } from '@defectkit/detector';
import { DeviceUnavailableError } from './errors.js';
import { onnxruntime } from './onnxruntime-binding.js';

/** How to get the CUDA build of onnxruntime-node (the npm package ships CPU binaries only). */
export const CUDA_INSTALL_HINT =
  'install the CUDA provider on a machine with internet access: `ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js` ' +
  '(downloads libonnxruntime_providers_cuda.so into onnxruntime-node/bin; npm 11 skips that script unless allowScripts allows it), and put CUDA 12 and cuDNN 9 ' +
  'libraries on the library path (LD_LIBRARY_PATH)';

/** The folder holding onnxruntime-node's native binding and provider libraries. */
export function onnxruntimeBinDir(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(dirname(require.resolve('onnxruntime-node')));
  return join(root, 'bin', 'napi-v6', process.platform, process.arch);
}

/** Why CUDA cannot be used in this install, or `undefined` when its provider library is present. */
export function cudaMissingReason(): string | undefined {
  const ort = onnxruntime();
  const listed = ort.listSupportedBackends().some((b) => b.name === 'cuda');
  if (!listed) return `onnxruntime-node ${ort.env.versions.common} on ${process.platform}-${process.arch} has no CUDA execution provider`;
  if (process.platform !== 'linux' && process.platform !== 'win32') return `CUDA is not supported on ${process.platform}`;
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  const dir = onnxruntimeBinDir();
  if (!existsSync(join(dir, lib))) return `${lib} is not installed in ${dir} (the npm package ships the CPU build only)`;
  return undefined;
}

/** The provider list to try for a device, in order, each with the name reported as `provider`. */
export function providerPlan(device: DeviceRequest): { provider: string; executionProviders: string[] }[] {
  if (device === 'cpu') return [{ provider: 'cpu', executionProviders: ['cpu'] }];
  if (device === 'webgpu')
    throw new DeviceUnavailableError('WEBGPU_UNAVAILABLE', 'device "webgpu" runs in a browser (@defectkit/backend-web); onnxruntime-node offers cpu, cuda and auto', { device });
  const cuda = { provider: 'cuda', executionProviders: ['cuda'] };
  if (device === 'cuda') return [cuda];
  return cudaMissingReason() === undefined ? [cuda, { provider: 'cpu', executionProviders: ['cpu'] }] : [{ provider: 'cpu', executionProviders: ['cpu'] }];
}

/** The typed error for an explicit `cuda` request that cannot be met. */
export function cudaUnavailable(reason: string, cause?: unknown): DeviceUnavailableError {
  return new DeviceUnavailableError('CUDA_UNAVAILABLE', `device "cuda" was requested but cannot run: ${reason}. To fix: ${CUDA_INSTALL_HINT}.`, { device: 'cuda', reason, install: CUDA_INSTALL_HINT }, cause === undefined ? undefined : { cause });
}
