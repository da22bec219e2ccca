/**
 * Headers on every answer of `defectkit serve`. COOP + COEP make the page cross-origin isolated, which
 * multi-threaded WASM needs (SharedArrayBuffer); the CSP lets scripts, workers and WASM come only from this
 * server (never a CDN) and lets the page fetch deep-linked images (`?image=<url>`) from where the user points it.
 * `'unsafe-eval'` is there because onnxruntime-web's WebGPU-capable build (JSEP) is Emscripten code whose embind
 * layer compiles small method callers with `new Function` at run time, on the WASM path too; scripts themselves
 * still come only from this origin.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'",
    "worker-src 'self' blob:",
    "img-src 'self' blob: data:",
    "connect-src 'self' http: https: blob: data:",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};
