import type { Context } from 'hono';
import { AppError } from '../../../shared/src/errors.ts';
import type { AppConfig } from '../config.ts';

/** Loopback names: a developer's browser on this machine (RFC 6761 reserves *.localhost for it). */
function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    hostname === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/** `name` and `name:port` of a Host value, lower case; undefined when it does not parse as one. */
function parseHost(value: string): { hostname: string; host: string } | undefined {
  if (!URL.canParse(`http://${value}`)) return undefined;
  const url = new URL(`http://${value}`);
  // a Host header is a host and a port, nothing else (no user info, path or query)
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined;
  return { hostname: url.hostname.toLowerCase(), host: url.host.toLowerCase() };
}

/** Whether a Host value names this development server: loopback, PUBLIC_URL's host or ALLOWED_HOSTS. */
export function devHostAllowed(value: string, config: Pick<AppConfig, 'publicUrl' | 'allowedHosts'>): boolean {
  const parsed = parseHost(value);
  if (!parsed) return false;
  if (isLoopback(parsed.hostname)) return true;
  const configured = [...config.allowedHosts, ...(config.publicUrl ? [new URL(config.publicUrl).host] : [])];
  return configured.some((allowed) => allowed === parsed.host || allowed === parsed.hostname);
}

/**
 * The authority of an absolute URL as written (`host:port`, user info included if any), without
 * parsing the URL: devHostAllowed parses it, and refuses what URL#host would have dropped (user
 * info). Every request in development passes here, the benchmark's included (docs/benchmarks.md).
 */
function authorityOf(url: string): string {
  const start = url.indexOf('//') + 2;
  let end = start;
  while (end < url.length && url[end] !== '/' && url[end] !== '?' && url[end] !== '#') end++;
  return url.slice(start, end);
}

/** Health probes answer whatever name the orchestrator uses; they reveal nothing. */
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * Development only (app.ts runs it when config.dev, in its request frame): refuse a request whose Host is not this
 * machine or a name the developer configured. A dev server publishes codes (/dev/outbox) and
 * builds links from the request's origin; a page on another site that re-points its own name to
 * 127.0.0.1 (DNS rebinding) would otherwise be same-origin with it. Both the URL the runtime built
 * and a Host header are checked, since a runtime may build the URL from either.
 * In production PUBLIC_URL supplies every absolute URL, so Host is never trusted there.
 */
export function devHostCheck(config: Pick<AppConfig, 'publicUrl' | 'allowedHosts'>): (c: Context) => void {
  // the few names a dev server sees, decided once each (the benchmark runs in dev mode)
  const decided = new Map<string, boolean>();
  const allowed = (value: string) => {
    let ok = decided.get(value);
    if (ok === undefined) {
      ok = devHostAllowed(value, config);
      if (decided.size < 256) decided.set(value, ok);
    }
    return ok;
  };
  return (c) => {
    if (PROBES.has(c.req.path)) return;
    const header = c.req.header('host');
    const urlHost = authorityOf(c.req.url);
    if (!allowed(urlHost) || (header !== undefined && !allowed(header))) throw new AppError('host_not_allowed');
  };
}
