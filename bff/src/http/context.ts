import type { Context } from 'hono';
import { HEADER_LOCALE } from '../../../shared/src/api.ts';
import { matchLocale, type Locale } from '../../../shared/src/i18n/index.ts';
import type { AppConfig } from '../config.ts';
import type { RequestContext, ServiceDeps } from '../services/deps.ts';
import type { SessionAuth } from '../services/sessions.ts';
import type { Tenant } from '../services/tenants.ts';
import { withoutInvalidTextChars } from '../../../shared/src/rules/text.ts';

export interface AppEnv {
  Variables: {
    tenant: Tenant;
    requestId: string;
    /** the peer's address, set by the runtime's entry point (Node: the socket) */
    remoteAddress: string | undefined;
    /** the signed-in session, on routes behind requireSession */
    auth: SessionAuth | undefined;
    /** in production, PUBLIC_URL: what the BFF's own URL is (cookies' Secure flag), never the Host header */
    publicUrl: string | undefined;
  };
}

export type AppContext = Context<AppEnv>;

/** The language the request names: the widget's locale header, then Accept-Language. */
export function preferredLocale(c: Context): Locale | undefined {
  return matchLocale(c.req.header(HEADER_LOCALE)) ?? matchLocale(c.req.header('accept-language'));
}

/** The widget's locale header, then Accept-Language, then the tenant's default. */
export function requestLocale(c: Context, tenant?: Tenant): Locale {
  return preferredLocale(c) ?? tenant?.config.defaultLocale ?? 'zh-CN';
}

/** What an IPv4/IPv6 address (maybe with a port) is made of: a forwarded hop of any other shape is ignored. */
const IP_SHAPE = /^[0-9A-Fa-f:.[\]]{2,64}$/;

/**
 * Client IP: behind `trustProxy` proxies, the address the outermost trusted proxy saw — the
 * trustProxy-th X-Forwarded-For hop from the right (a proxy appends the peer it saw; the hops to
 * its left are whatever the client sent, so the leftmost one is never trusted: anyone could
 * claim a fresh address per request and walk past every per-client limit). Only a hop that looks
 * like an address is used (it is stored, logged and used as a rate-limit key); else the peer's address.
 */
export function clientIp(c: Context<AppEnv>, config: AppConfig): string | null {
  if (config.trustProxy > 0) {
    const hops = c.req.header('x-forwarded-for')?.split(',') ?? [];
    const hop = hops[hops.length - config.trustProxy]?.trim();
    if (hop && IP_SHAPE.test(hop)) return hop;
  }
  return c.get('remoteAddress') ?? null;
}

/** The User-Agent as recorded in audit events: control characters dropped (shared/src/rules/text.ts), at most 512 characters. */
export function userAgentOf(c: Context): string | null {
  const ua = c.req.header('user-agent');
  return ua === undefined ? null : withoutInvalidTextChars(ua).slice(0, 512);
}

export function requestContext(c: AppContext, deps: ServiceDeps): RequestContext {
  return {
    ip: clientIp(c, deps.config),
    userAgent: userAgentOf(c),
    locale: requestLocale(c, c.get('tenant')),
    preferredLocale: preferredLocale(c),
  };
}

/**
 * Where users and tenants' backends reach this BFF: PUBLIC_URL (required in production, so the
 * tokens' issuer, jwks_uri and email links never come from the Host header), else — development
 * only — the request's own origin, whose host the dev Host check (host-check.ts) has accepted.
 */
export function publicOrigin(c: { req: { url: string } }, deps: Pick<ServiceDeps, 'config'>): string {
  return deps.config.publicUrl ?? new URL(c.req.url).origin;
}
