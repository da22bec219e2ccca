import * as ort from 'onnxruntime-web';

/** The files onnxruntime-web loads at run time (JSEP build: the WASM CPU provider and WebGPU in one binary). */
export const ONNXRUNTIME_WEB_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'] as const;

/** How onnxruntime-web is set up in this page. */
export interface OnnxRuntimeWebOptions {
  /**
   * The URL folder (ending in `/`) that serves {@link ONNXRUNTIME_WEB_FILES}: your own origin, never a CDN.
   * `defectkit serve` serves them at `/ort/`; a bundler app copies them from `onnxruntime-web/dist`.
   */
  wasmPaths: string;
  /** WASM threads; default: up to 4 when the page is cross-origin isolated (SharedArrayBuffer), else 1. */
  threads?: number;
}

/** What the page runs with, after {@link configureOnnxRuntimeWeb}. */
export interface OnnxRuntimeWebSetup {
  wasmPaths: string;
  threads: number;
  /** True when the page is cross-origin isolated (COOP + COEP), which multi-threaded WASM needs. */
  crossOriginIsolated: boolean;
}

let current: OnnxRuntimeWebSetup | undefined;

/** True when this page may use SharedArrayBuffer (threads). */
function isolated(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** The default thread count: the cores the browser reports, at most 4, and 1 without cross-origin isolation. */
export function defaultWasmThreads(): number {
  if (!isolated()) return 1;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(4, cores));
}

/**
 * Points onnxruntime-web at our own WASM files and sets the thread count. Call it once, before the first model
 * loads (onnxruntime-web reads these settings when it initialises); later calls with other values are ignored by
 * onnxruntime-web, so the setup first applied is what {@link onnxRuntimeWebSetup} reports.
 *
 * @example
 * configureOnnxRuntimeWeb({ wasmPaths: '/ort/' });
 */
export function configureOnnxRuntimeWeb(options: OnnxRuntimeWebOptions): OnnxRuntimeWebSetup {
  if (current) return current;
  const threads = options.threads ?? defaultWasmThreads();
  ort.env.wasm.wasmPaths = options.wasmPaths;
  // Threads need SharedArrayBuffer: without cross-origin isolation onnxruntime-web would fall back anyway, with a warning.
  ort.env.wasm.numThreads = isolated() ? threads : 1;
  ort.env.wasm.simd = true;
  ort.env.logLevel = 'error';
  current = { wasmPaths: options.wasmPaths, threads: ort.env.wasm.numThreads, crossOriginIsolated: isolated() };
  return current;
}

/** The setup in effect, or `undefined` before {@link configureOnnxRuntimeWeb}. */
export function onnxRuntimeWebSetup(): OnnxRuntimeWebSetup | undefined {
  return current;
}
