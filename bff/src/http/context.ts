import type { Context } from 'hono';
import { HEADER_LOCALE } from '../../../shared/src/api.ts';
import { matchLocale, type Locale } from '../../../shared/src/i18n/index.ts';
import type { AppConfig } from '../config.ts';
import type { RequestContext, ServiceDeps } from '../services/deps.ts';
import type { SessionAuth } from '../services/sessions.ts';
import type { Tenant } from '../services/tenants.ts';

export interface AppEnv {
  Variables: {
    tenant: Tenant;
    requestId: string;
    /** the peer's address, set by the runtime's entry point (Node: the socket) */
    remoteAddress: string | undefined;
    /** the signed-in session, on routes behind requireSession */
    auth: SessionAuth | undefined;
  };
}

export type AppContext = Context<AppEnv>;

/** The widget's locale header, then Accept-Language, then the tenant's default. */
export function requestLocale(c: Context, tenant?: Tenant): Locale {
  return (
    matchLocale(c.req.header(HEADER_LOCALE)) ??
    matchLocale(c.req.header('accept-language')) ??
    tenant?.config.defaultLocale ??
    'zh-CN'
  );
}

/** Client IP: X-Forwarded-For's first hop only behind a trusted proxy, else the peer's address. */
export function clientIp(c: Context<AppEnv>, config: AppConfig): string | null {
  if (config.trustProxy) {
    const fwd = c.req.header('x-forwarded-for');
    if (fwd) return fwd.split(',')[0]!.trim().slice(0, 64);
  }
  return c.get('remoteAddress') ?? null;
}

export function requestContext(c: AppContext, deps: ServiceDeps): RequestContext {
  return {
    ip: clientIp(c, deps.config),
    userAgent: c.req.header('user-agent') ?? null,
    locale: requestLocale(c, c.get('tenant')),
  };
}

/** Where users and tenants' backends reach this BFF: PUBLIC_URL, else the request's own origin. */
export function publicOrigin(c: { req: { url: string } }, deps: Pick<ServiceDeps, 'config'>): string {
  return deps.config.publicUrl ?? new URL(c.req.url).origin;
}
