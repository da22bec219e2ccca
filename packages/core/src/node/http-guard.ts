import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DefectKitError, type ErrorDetails } from '../errors.js';

/**
 * The one small HTTP layer DefectKit's loopback servers stand on (snowflake-local and `defectkit serve`
 * share it): it knows nothing of Snowflake. It refuses requests that did not come from a local program
 * (wrong `Host`, browser cross-origin signals), bounds request bodies before they are buffered or
 * inflated, and turns every refusal into a typed {@link HttpGuardError} with an HTTP status.
 */

/** Default cap on a request body as received (compressed or not): 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Default cap on a gzip body once inflated: 64 MiB. */
export const DEFAULT_MAX_INFLATED_BYTES = 64 * 1024 * 1024;
/** Default time a client has to send the whole request (headers and body): 60 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Default cap on simultaneously open client connections: 512. */
export const DEFAULT_MAX_CONNECTIONS = 512;
/** Default cap on request bytes buffered by all requests together: 256 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;
/** Gzip bodies inflated at the same time; more wait their turn, so inflation memory stays bounded. */
const INFLATE_SLOTS = 2;

/** Limits a guard applies; every field has a default. */
export interface HttpGuardLimits {
  maxBodyBytes: number;
  maxInflatedBytes: number;
  requestTimeoutMs: number;
  maxConnections: number;
  /** Bytes of request bodies held at once by all requests together; a body that would pass it is refused (503). */
  maxBufferedBytes: number;
}

/** A request refused by the guard; `status` is the HTTP status to answer with. */
export class HttpGuardError extends DefectKitError<
  'HTTP_BAD_BODY' | 'HTTP_BODY_TOO_LARGE' | 'HTTP_CROSS_ORIGIN' | 'HTTP_HOST_REFUSED' | 'HTTP_METHOD_NOT_ALLOWED' | 'HTTP_NOT_FOUND'
> {
  readonly status: number;

  constructor(code: HttpGuardError['code'], status: number, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.status = status;
  }
}

/** Content types a web page may POST cross-origin without a CORS preflight. */
const SIMPLE_CONTENT_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** The checks and body reader of one server. */
export interface HttpGuard {
  readonly limits: HttpGuardLimits;
  /** Throws {@link HttpGuardError} unless the request names our loopback host and port and shows no cross-origin sign. */
  check(req: IncomingMessage): void;
  /**
   * Reads a JSON body within the limits: refused early from `Content-Length`, counted while it
   * streams, inflated (gzip is recognised by its magic bytes, not the header) with an output cap.
   * An empty body reads as `{}`. A non-empty body must be labelled JSON (a page cannot send that
   * cross-origin without a preflight the server never grants) and be a JSON object (every endpoint takes
   * one; `null`, a list or a bare value is refused with `HTTP_BAD_BODY` instead of failing inside a handler).
   */
  readJson(req: IncomingMessage): Promise<Record<string, unknown>>;
  /** Request-body bytes held right now by all requests together. */
  bufferedBytes(): number;
  /** Applies the connection limits (request timeout, connection cap) to the server. */
  applyTo(server: Server): void;
}

/**
 * Creates the guard for a server on 127.0.0.1.
 *
 * @param port the port the server listens on, read at each request (it is known only after listen)
 */
export function createHttpGuard(port: () => number, limits: Partial<HttpGuardLimits> = {}): HttpGuard {
  const l: HttpGuardLimits = {
    maxBodyBytes: limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxInflatedBytes: limits.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES,
    requestTimeoutMs: limits.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxConnections: limits.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    maxBufferedBytes: limits.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
  };
  let buffered = 0;
  const inflateQueue = slots(INFLATE_SLOTS);
  const allowedHosts = (): Set<string> => new Set(LOOPBACK_NAMES.map((h) => `${h}:${port()}`));

  const check = (req: IncomingMessage): void => {
    const hosts = allowedHosts();
    const host = (req.headers.host ?? '').toLowerCase();
    // DNS rebinding: a page served from evil.example that re-points its name to 127.0.0.1 still sends its own name.
    if (!hosts.has(host)) {
      throw new HttpGuardError('HTTP_HOST_REFUSED', 421, `Host '${host.slice(0, 100)}' is not this server: use ${[...hosts][0]}`, { field: 'host', value: host.slice(0, 100) });
    }
    const origin = req.headers.origin;
    // Same-origin means exactly http://<one of our loopback hosts>; anything else (including 'null') is a page elsewhere.
    if (origin !== undefined && !(origin.toLowerCase().startsWith('http://') && hosts.has(origin.toLowerCase().slice('http://'.length)))) {
      throw new HttpGuardError('HTTP_CROSS_ORIGIN', 403, `requests from web pages of another origin are refused (Origin '${origin.slice(0, 100)}')`, { field: 'origin', value: origin.slice(0, 100) });
    }
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new HttpGuardError('HTTP_CROSS_ORIGIN', 403, `requests from web pages of another site are refused (Sec-Fetch-Site '${String(site).slice(0, 40)}')`, { field: 'sec-fetch-site', value: String(site).slice(0, 40) });
    }
    const type = mediaType(req);
    if (type !== null && SIMPLE_CONTENT_TYPES.has(type)) {
      throw new HttpGuardError('HTTP_CROSS_ORIGIN', 415, `Content-Type '${type}' is what a web form sends; send application/json`, { field: 'content-type', value: type });
    }
  };

  const readJson = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > l.maxBodyBytes) throw tooLarge('body', l.maxBodyBytes, declared);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req) {
        const n = (chunk as Buffer).length;
        size += n;
        if (size > l.maxBodyBytes) throw tooLarge('body', l.maxBodyBytes, size);
        if (buffered + n > l.maxBufferedBytes) {
          throw new HttpGuardError('HTTP_BODY_TOO_LARGE', 503, `the server is holding ${l.maxBufferedBytes} bytes of request bodies already; retry later`, { field: 'body', limit: l.maxBufferedBytes });
        }
        buffered += n;
        chunks.push(chunk as Buffer);
      }
    } finally {
      buffered -= chunks.reduce((t, c) => t + c.length, 0);
    }
    let buf: Buffer = Buffer.concat(chunks);
    if (buf.length === 0) return {};
    const type = mediaType(req);
    if (type === null || !(type === 'application/json' || type.endsWith('+json'))) {
      throw new HttpGuardError('HTTP_BAD_BODY', 415, `a request body must be labelled Content-Type: application/json (got '${type ?? 'none'}')`, { field: 'content-type', value: type ?? '' });
    }
    if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
      try {
        const compressed = buf;
        buf = await inflateQueue(() => inflate(compressed, { maxOutputLength: l.maxInflatedBytes }));
      } catch (cause) {
        if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('inflated body', l.maxInflatedBytes, null);
        throw new HttpGuardError('HTTP_BAD_BODY', 400, `the gzip body is damaged: ${(cause as Error).message}`, { field: 'body' }, { cause });
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(buf.toString('utf8')) as unknown;
    } catch (cause) {
      // Not the parser's message: it quotes the body, which may hold a password.
      throw new HttpGuardError('HTTP_BAD_BODY', 400, 'the body is not JSON', { field: 'body', bytes: buf.length }, { cause });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new HttpGuardError('HTTP_BAD_BODY', 400, `the body must be a JSON object, not ${parsed === null ? 'null' : Array.isArray(parsed) ? 'a list' : typeof parsed}`, { field: 'body' });
    }
    return parsed as Record<string, unknown>;
  };

  return {
    limits: l,
    check,
    readJson,
    bufferedBytes: () => buffered,
    applyTo(server) {
      server.requestTimeout = l.requestTimeoutMs;
      server.headersTimeout = Math.min(l.requestTimeoutMs, 30_000);
      server.maxConnections = l.maxConnections;
    },
  };
}

/** Runs at most `n` tasks at a time, in arrival order. */
function slots(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let free = n;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (free === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    else free--;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

const inflate = promisify(gunzip) as (buf: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;

function tooLarge(what: string, limit: number, size: number | null): HttpGuardError {
  return new HttpGuardError('HTTP_BODY_TOO_LARGE', 413, `request ${what} is over the limit of ${limit} bytes${size === null ? '' : ` (${size} bytes)`}`, {
    field: what,
    limit,
    ...(size === null ? {} : { size }),
  });
}

/** The media type of a request (`application/json`), lower-cased, without parameters; null when absent. */
function mediaType(req: IncomingMessage): string | null {
  const raw = req.headers['content-type'];
  if (raw === undefined || raw.trim() === '') return null;
  return raw.split(';')[0]!.trim().toLowerCase();
}

/** Sends a JSON answer with an exact Content-Length. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Answers a refusal and, when the request body was not read to its end, closes the connection after
 * the answer so the rest of the body is never buffered.
 */
export function sendRefusal(req: IncomingMessage, res: ServerResponse, error: HttpGuardError, body: unknown): void {
  const text = JSON.stringify(body);
  const unread = !req.complete;
  const socket = req.socket; // detached from the request once the answer is sent
  res.writeHead(error.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...(unread ? { Connection: 'close' } : {}) });
  res.end(text, () => {
    if (unread) socket?.destroy();
  });
}
