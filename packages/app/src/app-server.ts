import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { asTypedError, createHttpGuard, HttpGuardError, sendRefusal, type HttpGuardLimits } from '@defectkit/core/node';
import { onnxRuntimeWebFile } from '@defectkit/backend-web/node';
import { pcbDefectsModelDir } from '@defectkit/model-pcb-defects';
import type { DefectKitError } from '@defectkit/core';
import { publicDir } from './app-files.js';
import { bundlePage } from './page-bundle.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { sendBody, sendFile } from './served-files.js';


/** The port `defectkit serve` listens on when none is given. */
export const DEFAULT_PORT = 8686;

/** The model the page runs: an ONNX file and the card beside it (served at `/models/default/`). */
export interface ServedModel {
  onnx: string;
  /** `model.json`; without it the ONNX metadata must say how to run the model. */
  card?: string | undefined;
}

/**
 * One extra route (the dashboard's API, say): `path` is matched exactly. GET (default) also answers HEAD; a POST
 * route gets the request's JSON object, read through the shared HTTP layer (JSON label, size limits).
 */
export interface AppRoute {
  path: string;
  method?: 'GET' | 'POST';
  handle(req: IncomingMessage, res: ServerResponse, url: URL, body?: Record<string, unknown>): Promise<void> | void;
}

/** Options of {@link startAppServer}. */
export interface AppServerOptions {
  /** Loopback port; 0 picks a free one (default {@link DEFAULT_PORT}). */
  port?: number;
  /** The model the Vision Lab runs (default: the shipped `@defectkit/model-pcb-defects`). */
  model?: ServedModel;
  /** Limits of the shared HTTP layer (request timeout, connection cap). */
  limits?: Partial<HttpGuardLimits>;
  /** More GET routes, for pages and APIs built on this app. */
  routes?: readonly AppRoute[];
}

/** A running app. */
export interface AppServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Sends a typed error as JSON (`{ error: { code, message, details } }`) with the app's security headers. */
export function sendError(req: IncomingMessage, res: ServerResponse, status: number, error: DefectKitError): void {
  const text = JSON.stringify({ error: { code: error.code, message: error.message, details: error.details } });
  const unread = !req.complete;
  const socket = req.socket;
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...(unread ? { Connection: 'close' } : {}) });
  res.end(text, () => {
    if (unread) socket?.destroy();
  });
}

/**
 * Starts the `defectkit serve` app on 127.0.0.1: the Vision Lab page, its script (bundled at start with
 * esbuild), onnxruntime-web's WASM files and the model. It stands on the shared HTTP layer of
 * `@defectkit/core/node` (loopback `Host` check, cross-origin refusal, limits) and answers only a fixed table
 * of paths, each mapped to a file chosen by the server, so no request path can reach another file. GET and HEAD
 * only; a request carrying a body is refused before it is read.
 *
 * @example
 * const app = await startAppServer({ port: 0 });
 * console.log(`listening ${app.url}`);
 * await app.close();
 */
export async function startAppServer(options: AppServerOptions = {}): Promise<AppServer> {
  const model: ServedModel = options.model ?? { onnx: join(pcbDefectsModelDir, 'model.onnx'), card: join(pcbDefectsModelDir, 'model.json') };
  const script = await bundlePage('vision-lab');
  const indexHtml = await readFile(join(publicDir, 'index.html'));
  const css = await readFile(join(publicDir, 'vision-lab.css'));
  let port = 0;
  const guard = createHttpGuard(() => port, options.limits);

  const files = new Map<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void>([
    ['/', (req, res) => sendBody(req, res, indexHtml, 'text/html; charset=utf-8')],
    ['/index.html', (req, res) => sendBody(req, res, indexHtml, 'text/html; charset=utf-8')],
    ['/vision-lab.css', (req, res) => sendBody(req, res, css, 'text/css; charset=utf-8')],
    ['/vision-lab.js', (req, res) => sendBody(req, res, script, 'text/javascript; charset=utf-8')],
    ['/models/default/model.onnx', (req, res) => sendFile(req, res, model.onnx)],
    [
      '/models/default/model.json',
      (req, res) => {
        if (!model.card) throw new HttpGuardError('HTTP_NOT_FOUND', 404, 'the served model has no model.json', { field: 'path', value: '/models/default/model.json' });
        return sendFile(req, res, model.card);
      },
    ],
  ]);
  const posts = new Map<string, AppRoute['handle']>();
  for (const route of options.routes ?? []) (route.method === 'POST' ? posts : files).set(route.path, route.handle);

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    guard.check(req);
    const post = req.method === 'POST' ? posts.get(new URL(req.url ?? '/', 'http://127.0.0.1').pathname) : undefined;
    if (post) return post(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'), await guard.readJson(req));
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpGuardError('HTTP_METHOD_NOT_ALLOWED', 405, `${String(req.method).slice(0, 20)} is not answered here: this server answers GET and HEAD`, { field: 'method', value: String(req.method).slice(0, 20) });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (req.headers['transfer-encoding'] !== undefined || (Number.isFinite(declared) && declared > 0))
      throw new HttpGuardError('HTTP_BODY_TOO_LARGE', 413, 'a GET request carries no body (the limit is 0 bytes)', { field: 'body', limit: 0 });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const handler = files.get(url.pathname);
    if (handler) return handler(req, res, url);
    const ortName = url.pathname.startsWith('/ort/') ? url.pathname.slice('/ort/'.length) : undefined;
    const ortFile = ortName === undefined ? undefined : onnxRuntimeWebFile(ortName);
    if (ortFile) return sendFile(req, res, ortFile);
    throw new HttpGuardError('HTTP_NOT_FOUND', 404, `${url.pathname.slice(0, 200)} is not served here`, { field: 'path', value: url.pathname.slice(0, 200) });
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => route(req, res))
      .catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (error instanceof HttpGuardError) {
          if (error.code === 'HTTP_NOT_FOUND' || error.code === 'HTTP_METHOD_NOT_ALLOWED') sendError(req, res, error.status, error);
          else sendRefusal(req, res, error, { error: { code: error.code, message: error.message, details: error.details } });
          return;
        }
        sendError(req, res, 500, asTypedError(error));
      });
  });
  guard.applyTo(server);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
