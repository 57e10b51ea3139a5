import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { HEADER_LOCALE, HEADER_PUBLISHABLE_KEY, HEADER_SESSION_MODE } from '../../../shared/src/api.ts';
import { HEADER_IDEMPOTENCY_KEY } from '../../../shared/src/headers.ts';
import { AppError } from '../../../shared/src/errors.ts';
import type { TenantDirectory } from '../services/tenants.ts';
import type { AppEnv } from './context.ts';
import { errorResponse } from './errors.ts';
import { cookieUrl, sessionCookieName } from './session.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ALLOW_HEADERS = [
  'content-type',
  'authorization',
  HEADER_PUBLISHABLE_KEY,
  HEADER_SESSION_MODE,
  HEADER_LOCALE,
  HEADER_IDEMPOTENCY_KEY,
].join(', ');

/**
 * Whether Origin is the BFF's own. `self` is PUBLIC_URL in production, so a Host header chosen by
 * the caller (a rebound DNS name: Host and Origin both evil.example) never makes it same-origin;
 * in development the request's own origin, whose Host the dev Host check has accepted.
 */
function sameOrigin(origin: string, requestUrl: string, self: string | undefined): boolean {
  return origin === (self ?? new URL(requestUrl).origin);
}

function setCors(headers: Headers, origin: string) {
  headers.set('access-control-allow-origin', origin);
  headers.set('access-control-allow-credentials', 'true');
  headers.append('vary', 'Origin');
}

/**
 * CORS preflight: it carries no publishable key, so an origin passes if some tenant allows it;
 * the real request is then checked against its own tenant's origins (tenantAndOrigin below).
 * Never `*`: credentials are allowed. An origin no tenant allows may still send a GET — which
 * tenantAndOrigin refuses with a 403 the page can read — so a widget embedded where its tenant
 * does not allow it says "this site is not allowed" instead of "cannot reach the service".
 * Nothing else is let through for it. Answers an OPTIONS request; the caller sends it here.
 */
export function preflight(directory: TenantDirectory, self?: string) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const origin = c.req.header('origin');
    const res = new Response(null, { status: 204 });
    if (!origin) return res;
    const known = sameOrigin(origin, c.req.url, self) || (await directory.anyTenantAllows(origin));
    if (known || c.req.header('access-control-request-method') === 'GET') {
      setCors(res.headers, origin);
      res.headers.set('access-control-allow-methods', known ? 'GET, POST, PUT, PATCH, DELETE, OPTIONS' : 'GET');
      res.headers.set('access-control-allow-headers', ALLOW_HEADERS);
      res.headers.set('access-control-max-age', '600');
    }
    return res;
  };
}

/**
 * Resolves the tenant from the publishable key, then enforces its origins:
 * - a request whose Origin the tenant does not allow is refused before any handler runs;
 * - CSRF (cookie mode): a state-changing request that carries the session cookie must come
 *   from an allowed Origin (or be same-origin per Sec-Fetch-Site), and must be JSON, so a
 *   cross-site HTML form can never reach a handler.
 */
export function tenantAndOrigin(directory: TenantDirectory, self?: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header(HEADER_PUBLISHABLE_KEY) ?? c.req.query('pk');
    if (!key || key.length > 128) throw new AppError('tenant_unknown');
    const tenant = await directory.byPublishableKey(key);
    if (!tenant) throw new AppError('tenant_unknown');
    c.set('tenant', tenant);

    const origin = c.req.header('origin');
    const allowed =
      origin !== undefined && (sameOrigin(origin, c.req.url, self) || tenant.config.allowedOrigins.includes(origin));
    if (origin !== undefined && !allowed) {
      // readable by the refused page (the error only: no handler ran), so the widget can say why
      const refused = errorResponse(c, 'origin_not_allowed');
      setCors(refused.headers, origin);
      return refused;
    }

    if (UNSAFE.has(c.req.method)) {
      const hasCookie = getCookie(c, sessionCookieName(cookieUrl(c), tenant.id)) !== undefined;
      const fetchSite = c.req.header('sec-fetch-site');
      if (hasCookie && !allowed && fetchSite !== 'same-origin') throw new AppError('csrf_rejected');
      const type = c.req.header('content-type') ?? '';
      if (c.req.method !== 'DELETE' && !type.toLowerCase().startsWith('application/json')) {
        throw new AppError('unsupported_media_type');
      }
    }
    await next();
    if (origin && allowed) setCors(c.res.headers, origin);
  };
}
