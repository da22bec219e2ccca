import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from './app-server.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: the path is sent exactly as given (no URL normalisation), so `..` reaches the server. */
function get(port: number, path: string, options: { method?: string; host?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('defectkit serve: the app server', () => {
  let app: AppServer;
  beforeAll(async () => {
    app = await startAppServer({ port: 0 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('listens on loopback and serves the Vision Lab page cross-origin isolated', async () => {
    expect(app.url).toBe(`http://127.0.0.1:${app.port}/`);
    const page = await get(app.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('id="detections"');
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(page.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const script = await get(app.port, '/vision-lab.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toContain('text/javascript');
  });

  it("serves onnxruntime-web's WASM files and the model from its own origin", async () => {
    const wasm = await get(app.port, '/ort/ort-wasm-simd-threaded.jsep.wasm', { method: 'HEAD' });
    expect(wasm.status).toBe(200);
    expect(wasm.headers['content-type']).toBe('application/wasm');
    expect(Number(wasm.headers['content-length'])).toBeGreaterThan(1_000_000);
    const card = await get(app.port, '/models/default/model.json');
    expect(JSON.parse(card.body).name).toBe('pcb-defects');
    // Only the listed runtime files: another file of the onnxruntime-web package is not served.
    expect((await get(app.port, '/ort/ort.min.mjs')).status).toBe(404);
  });

  it('serves only its own files: no request path reaches another file', async () => {
    const attempts = [
      '/../package.json',
      '/ort/../../package.json',
      '/ort/..%2f..%2fpackage.json',
      '/ort/%2e%2e/%2e%2e/package.json',
      '/models/default/../../../../package.json',
      '/models/default/model.onnx/../../../package.json',
      '/models/default/train.py',
      '/public/index.html',
      '/src/page/vision-lab.ts',
      '//etc/passwd',
      '/ort/..\\..\\package.json',
    ];
    for (const path of attempts) {
      const answer = await get(app.port, path);
      expect(answer.status, path).toBe(404);
      expect(JSON.parse(answer.body).error.code, path).toBe('HTTP_NOT_FOUND');
      expect(answer.body).not.toContain('"name": "@defectkit');
    }
  });

  it('refuses other Host names, other methods and request bodies with typed JSON errors', async () => {
    const host = await get(app.port, '/', { host: 'evil.example' });
    expect(host.status).toBe(421);
    expect(JSON.parse(host.body).error.code).toBe('HTTP_HOST_REFUSED');
    const rebound = await get(app.port, '/', { host: `localhost.evil.example:${app.port}` });
    expect(rebound.status).toBe(421);
    const post = await get(app.port, '/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(405);
    expect(JSON.parse(post.body).error.code).toBe('HTTP_METHOD_NOT_ALLOWED');
    const body = await get(app.port, '/', { headers: { 'content-length': '5' }, body: 'hello' });
    expect(body.status).toBe(413);
    expect(JSON.parse(body.body).error.code).toBe('HTTP_BODY_TOO_LARGE');
    const cross = await get(app.port, '/', { headers: { origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
    expect(JSON.parse(cross.body).error.code).toBe('HTTP_CROSS_ORIGIN');
  });
});
