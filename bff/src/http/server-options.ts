/**
 * The Node HTTP server's own limits (docs/operating.md#configuration, HTTP_*_MS): what a client may send
 * before the app sees a request, and how long it may take. main.ts passes these to
 * @hono/node-server's serve() as `serverOptions`; bff/test/server-limits.test.ts checks them on the
 * real server. The body's size is the app's business (http/body-limit.ts: 413, Connection: close).
 */
import type { ServerOptions } from 'node:http';

/** The defaults, in one place for main.ts, the tests and docs/operating.md. */
export const HTTP_LIMITS = {
  /**
   * Request line + headers, in bytes; more → 431 from Node itself. 16 KiB is Node's default,
   * pinned here so a `--max-http-header-size` flag cannot raise it unnoticed. A browser's own
   * headers plus our session cookie or bearer token fit several times over.
   */
  maxHeaderSize: 16 * 1024,
  /** from a request's first byte to the end of its headers; longer → 408 and the socket closed (slowloris) */
  headersTimeoutMs: 10_000,
  /**
   * from a request's first byte to the end of its body; longer → 408 and the socket closed. Not
   * 30 s: the largest body, an MFA-recovery application (two photos, up to 6 MiB as base64), would
   * then need ~200 KiB/s of upload; 60 s asks ~100 KiB/s, a weak mobile uplink.
   */
  requestTimeoutMs: 60_000,
  /**
   * How long an idle keep-alive connection is kept after an answer. Above the idle timeout of the
   * proxies usually in front (AWS ALB 60 s, nginx upstream keepalive 60 s), so the proxy always
   * closes first: if we closed first, a proxy could send a request on a connection we are closing
   * at that moment and answer its client 502. Behind a proxy with a longer idle timeout (Google
   * Cloud's load balancer: 600 s) raise it above that one's.
   */
  keepAliveTimeoutMs: 65_000,
  /**
   * How often Node looks for connections past headersTimeout/requestTimeout. Its default, 30 s,
   * would let a 10 s header limit run to 40 s; one pass over the unfinished requests a second is cheap.
   */
  connectionsCheckingIntervalMs: 1_000,
} as const;

export type HttpLimits = { -readonly [K in keyof typeof HTTP_LIMITS]: number };

/** The environment variables that override HTTP_LIMITS (milliseconds, positive integers). */
const ENV: Partial<Record<keyof HttpLimits, string>> = {
  headersTimeoutMs: 'HTTP_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'HTTP_REQUEST_TIMEOUT_MS',
  keepAliveTimeoutMs: 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
};

/** HTTP_LIMITS with the environment's overrides; throws on a value Node would refuse or misuse. */
export function httpLimits(env: Record<string, string | undefined> = process.env): HttpLimits {
  const limits: HttpLimits = { ...HTTP_LIMITS };
  for (const [key, name] of Object.entries(ENV) as [keyof HttpLimits, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    // 0 would switch the limit off: exactly what these settings exist to prevent
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (milliseconds)`);
    limits[key] = n;
  }
  // Node refuses headersTimeout > requestTimeout (ERR_OUT_OF_RANGE): say which variables clash
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  // a short limit (tests, or an operator's choice) is checked at least twice within it
  limits.connectionsCheckingIntervalMs = Math.min(
    limits.connectionsCheckingIntervalMs,
    Math.max(50, Math.floor(limits.headersTimeoutMs / 2)),
  );
  return limits;
}

/** node:http ServerOptions for serve({ serverOptions }). */
export function httpServerOptions(env: Record<string, string | undefined> = process.env): ServerOptions {
  const l = httpLimits(env);
  return {
    maxHeaderSize: l.maxHeaderSize,
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    connectionsCheckingInterval: l.connectionsCheckingIntervalMs,
  };
}
