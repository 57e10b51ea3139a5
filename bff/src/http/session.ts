import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { HEADER_SESSION_MODE, type SessionMode } from '../../../shared/src/api.ts';
import type { AppEnv } from './context.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Secure everywhere except plain-http localhost development. */
function isSecure(requestUrl: string): boolean {
  const url = new URL(requestUrl);
  return url.protocol === 'https:' || !LOOPBACK.has(url.hostname);
}

/** The BFF's own URL for the cookie's flags: PUBLIC_URL in production (a proxy may forward any Host), else the request's. */
export const cookieUrl = (c: Context<AppEnv>): string => c.get('publicUrl') ?? c.req.url;

/**
 * One cookie per tenant (so two tenants' widgets on one BFF origin don't sign each other out),
 * with the `__Host-` prefix whenever the cookie is Secure: host-only, path /, no Domain.
 */
export function sessionCookieName(requestUrl: string, tenantId: string): string {
  const stem = `jd_session_${tenantId.replace(/-/g, '').slice(0, 12)}`;
  return isSecure(requestUrl) ? `__Host-${stem}` : stem;
}

/** Token mode when the widget asks for it (another site, third-party cookies blocked). */
export function requestedMode(c: Context): SessionMode {
  return c.req.header(HEADER_SESSION_MODE) === 'token' ? 'token' : 'cookie';
}

/** What a session token looks like (base64url of 32 random bytes, bff/src/crypto.ts randomToken); anything else is no token. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The session token from `Authorization: Bearer` (token mode) or the tenant's cookie (cookie mode).
 * A value of any other shape (odd bytes, control characters, an over-long string) is treated as
 * no token at all: the route answers `not_signed_in` and the value reaches no lookup or log.
 */
export function readSessionToken(c: Context<AppEnv>): string | undefined {
  const auth = c.req.header('authorization');
  const token = auth?.startsWith('Bearer ')
    ? auth.slice(7).trim()
    : getCookie(c, sessionCookieName(cookieUrl(c), c.get('tenant').id));
  return token && TOKEN_SHAPE.test(token) ? token : undefined;
}

export function setSessionCookie(c: Context<AppEnv>, token: string, expiresAt: string) {
  setCookie(c, sessionCookieName(cookieUrl(c), c.get('tenant').id), token, {
    httpOnly: true,
    secure: isSecure(cookieUrl(c)),
    sameSite: 'Lax',
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context<AppEnv>) {
  const secure = isSecure(cookieUrl(c));
  deleteCookie(c, sessionCookieName(cookieUrl(c), c.get('tenant').id), { path: '/', secure });
}

/**
 * The browser's side of an upstream sign-in (services/federation.ts): set when the browser leaves
 * for the upstream, required back at the callback, so a callback URL opened in another browser
 * (login CSRF) is refused. SameSite=Lax: the upstream's redirect back is a top-level GET. One
 * cookie per flow (`flowKey`, from its state: services/federation.ts bindingKey), so two sign-ins
 * started in two tabs do not overwrite each other's.
 */
const bindingCookieName = (requestUrl: string, flowKey: string) =>
  `${isSecure(requestUrl) ? '__Host-' : ''}jd_federation_${flowKey}`;

export function setFederationBinding(c: Context<AppEnv>, flowKey: string, value: string, maxAgeSeconds: number) {
  setCookie(c, bindingCookieName(cookieUrl(c), flowKey), value, {
    httpOnly: true,
    secure: isSecure(cookieUrl(c)),
    sameSite: 'Lax',
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

export function takeFederationBinding(c: Context<AppEnv>, flowKey: string): string | undefined {
  const name = bindingCookieName(cookieUrl(c), flowKey);
  const value = getCookie(c, name);
  if (value !== undefined) deleteCookie(c, name, { path: '/', secure: isSecure(cookieUrl(c)) });
  return value && TOKEN_SHAPE.test(value) ? value : undefined;
}
