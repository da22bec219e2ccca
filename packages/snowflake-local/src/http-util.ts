import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

/**
 * Sends a pre-gzipped result chunk. It is not a JSON document (rows without the enclosing brackets),
 * so it must not be labelled application/json, or the HTTP client would try to parse it.
 */
export function sendGzipChunk(res: ServerResponse, gz: Buffer): void {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Encoding': 'gzip', 'Content-Length': gz.length });
  res.end(gz);
}

/** Gzips a result chunk: rows joined by commas, without the enclosing brackets (the driver adds them). */
export function encodeChunk(rows: unknown[][]): Buffer {
  return gzipSync(Buffer.from(rows.map((r) => JSON.stringify(r)).join(','), 'utf8'));
}

/** The session or master token from `Authorization: Snowflake Token="…"`. */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  const m = /Snowflake Token="([^"]*)"/.exec(header);
  return m ? m[1]! : null;
}

/** A timer that can be awaited and cancelled, so waiting leaves no handle behind. */
export function delay(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}
