import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SnowflakeError } from './errors.js';

/** True when an HTTP(S) proxy is configured: the driver goes through it, so a direct probe would prove nothing. */
function proxyConfigured(env: Record<string, string | undefined>): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((key) => (env[key] ?? '') !== '');
}

/**
 * Checks that the Snowflake endpoint answers HTTP at all within `timeoutMs` before the driver logs in. Why: the
 * driver retries a failed login for up to five minutes and keeps the process alive meanwhile, and waits 90 s for a
 * host that accepts connections but never answers; a dead host should fail in seconds. Any HTTP answer (even an
 * error status) counts as reachable; with a proxy configured the probe is skipped (the driver uses the proxy).
 *
 * @throws SnowflakeError `SNOWFLAKE_CONNECT` naming the URL, the system error (e.g. `ECONNREFUSED`) or the timeout.
 */
export async function probeSnowflakeEndpoint(url: string, timeoutMs: number, env: Record<string, string | undefined> = process.env): Promise<void> {
  if (proxyConfigured(env)) return;
  const target = new URL(url);
  const request = target.protocol === 'http:' ? httpRequest : httpsRequest;
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string, extra: Record<string, unknown>): void => {
      clearTimeout(timer);
      req.destroy();
      reject(new SnowflakeError('SNOWFLAKE_CONNECT', `cannot reach Snowflake at ${target.origin}: ${why}`, { url: target.origin, timeoutMs, ...extra }));
    };
    const req = request(target, { method: 'HEAD', headers: { 'user-agent': 'DefectKit' } }, (response) => {
      clearTimeout(timer);
      response.resume();
      req.destroy();
      resolve();
    });
    // One timer for the whole probe (name lookup, connect, TLS, first byte), not an idle timeout per step.
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs / 1000} s (raise login_timeout in the connection to wait longer)`, {}), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message, error.code ? { errno: error.code } : {}));
    req.end();
  });
}
