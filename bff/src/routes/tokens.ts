import { Hono } from 'hono';
import type { SignedIn } from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { publicOrigin, type AppContext, type AppEnv } from '../http/context.ts';
import type { ServiceDeps } from '../services/deps.ts';
import type { IssuedSession } from '../services/sessions.ts';
import { accessTokenForIssued, accessTokenForSession, issuerFor, jwksForSlug, TOKEN_ALG } from '../services/tokens.ts';

/** POST /v1/session/token: a fresh token for the tenant's backend (full sessions only, cookie or token mode). */
export function tokenRoutes(deps: ServiceDeps) {
  return new Hono<AppEnv>().post('/session/token', requireSession(deps), async (c) => {
    const auth = sessionAuth(c);
    const tenant = c.get('tenant');
    return c.json(
      await accessTokenForSession(deps, tenant, issuerFor(publicOrigin(c, deps), tenant), {
        idHash: auth.idHash,
        account: auth.signedIn.account,
      }),
    );
  });
}

/**
 * The sign-in and registration answers carry a token too, on a full session only. A failure to
 * sign (a key sealed under another JD_SECRET) is logged and leaves the token out rather than
 * failing the sign-in; POST /v1/session/token then reports it.
 */
export async function withAccessToken(
  deps: ServiceDeps,
  c: AppContext,
  signedIn: SignedIn,
  issued: IssuedSession,
): Promise<SignedIn> {
  if (signedIn.mfaRequired || issued.summary.mfaPending) return signedIn;
  const tenant = c.get('tenant');
  try {
    return {
      ...signedIn,
      accessToken: await accessTokenForIssued(
        deps,
        tenant,
        issuerFor(publicOrigin(c, deps), tenant),
        issued,
        signedIn.account,
      ),
    };
  } catch (err) {
    deps.log.error('access token not signed', { requestId: c.get('requestId'), tenant: tenant.slug, error: err });
    return signedIn;
  }
}

/**
 * Per-tenant JWKS and a minimal discovery document, outside /v1: tenants' backends fetch them
 * server to server, with no publishable key and no Origin. Public data: any origin may read it.
 */
export function wellKnownRoutes(deps: ServiceDeps) {
  return new Hono<AppEnv>()
    .get('/tenants/:slug/.well-known/jwks.json', async (c) => {
      const found = await jwksForSlug(deps, c.req.param('slug'));
      if (!found) throw new AppError('not_found');
      // a minute: short beside a retired key's published window (RETIRED_KEY_PUBLISHED_SECONDS)
      c.header('cache-control', 'public, max-age=60');
      c.header('access-control-allow-origin', '*');
      return c.json({ keys: found.keys });
    })
    .get('/tenants/:slug/.well-known/openid-configuration', async (c) => {
      const found = await jwksForSlug(deps, c.req.param('slug'));
      if (!found) throw new AppError('not_found');
      const issuer = issuerFor(publicOrigin(c, deps), found.tenant);
      c.header('cache-control', 'public, max-age=300');
      c.header('access-control-allow-origin', '*');
      // only what a verifier needs to find the keys: this issuer signs access tokens, it is no OIDC authorisation server
      return c.json({
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [TOKEN_ALG],
        claims_supported: ['iss', 'aud', 'sub', 'iat', 'exp', 'jti', 'sid', 'amr', 'sub_user'],
      });
    });
}
