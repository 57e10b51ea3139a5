import { z } from 'zod';
import { AccessTokenSchema, JwksSchema, OpenIdConfigurationSchema, type SignedIn } from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { publicOrigin, type AppContext } from '../http/context.ts';
import { apiRoutes } from '../http/validate.ts';
import { defineRoute, jsonAnswer, withMiddleware } from '../openapi/define.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { pendingAgreements, type IssuedSession } from '../services/sessions.ts';
import { accessTokenForIssued, accessTokenForSession, issuerFor, jwksForSlug, TOKEN_ALG } from '../services/tokens.ts';

const slugParams = z.object({ slug: z.string() });

const routes = {
  /** mounted at /v1 */
  token: defineRoute({
    method: 'post',
    path: '/session/token',
    tag: 'Sessions',
    summary:
      "A short-lived ES256 JWT for the tenant's backend; 403 agreements_pending while the account has not accepted the tenant's current agreements",
    auth: 'session',
    responses: { 200: jsonAnswer(AccessTokenSchema, "The token, to verify against the tenant's JWKS") },
  }),
  /** mounted at / */
  jwks: defineRoute({
    method: 'get',
    path: '/tenants/{slug}/.well-known/jwks.json',
    tag: 'Tokens',
    summary: "The tenant's public signing keys (JWKS)",
    auth: 'none',
    request: { params: slugParams },
    responses: { 200: jsonAnswer(JwksSchema, 'The keys, current and recently retired') },
  }),
  openidConfiguration: defineRoute({
    method: 'get',
    path: '/tenants/{slug}/.well-known/openid-configuration',
    tag: 'Tokens',
    summary: 'Issuer metadata (issuer, jwks_uri)',
    auth: 'none',
    request: { params: slugParams },
    responses: { 200: jsonAnswer(OpenIdConfigurationSchema, 'Where the keys are') },
  }),
};

/** POST /v1/session/token: a fresh token for the tenant's backend (full sessions only, cookie or token mode). */
export function tokenRoutes(deps: ServiceDeps) {
  const app = apiRoutes();
  app.openapi(withMiddleware(app, deps, routes.token, [requireSession(deps)]), async (c) => {
    const auth = sessionAuth(c);
    const tenant = c.get('tenant');
    // docs/product.md#16-agreements: the tenant's backend learns of no session whose account has
    // not accepted the current agreement versions; POST /v1/consents lifts it
    if (pendingAgreements(tenant, auth).length) throw new AppError('agreements_pending');
    return c.json(
      await accessTokenForSession(deps, tenant, issuerFor(publicOrigin(c, deps), tenant), {
        idHash: auth.idHash,
        account: auth.signedIn.account,
      }),
      200,
    );
  });
  return app;
}

/**
 * The sign-in and registration answers carry a token too, on a full session only, and not while
 * agreements are to be accepted (POST /v1/session/token then answers agreements_pending). A failure to
 * sign (a key sealed under another JD_SECRET) is logged and leaves the token out rather than
 * failing the sign-in; POST /v1/session/token then reports it.
 */
export async function withAccessToken(
  deps: ServiceDeps,
  c: AppContext,
  signedIn: SignedIn,
  issued: IssuedSession,
): Promise<SignedIn> {
  if (signedIn.mfaRequired || issued.summary.mfaPending || signedIn.agreementsToAccept?.length) return signedIn;
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
  const app = apiRoutes();
  app.openapi(routes.jwks, async (c) => {
    const found = await jwksForSlug(deps, c.req.valid('param').slug);
    if (!found) throw new AppError('not_found');
    // a minute: short beside a retired key's published window (RETIRED_KEY_PUBLISHED_SECONDS)
    c.header('cache-control', 'public, max-age=60');
    c.header('access-control-allow-origin', '*');
    return c.json({ keys: found.keys }, 200);
  });
  app.openapi(routes.openidConfiguration, async (c) => {
    const found = await jwksForSlug(deps, c.req.valid('param').slug);
    if (!found) throw new AppError('not_found');
    const issuer = issuerFor(publicOrigin(c, deps), found.tenant);
    c.header('cache-control', 'public, max-age=300');
    c.header('access-control-allow-origin', '*');
    // only what a verifier needs to find the keys: this issuer signs access tokens, it is no OIDC authorisation server
    return c.json(
      {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [TOKEN_ALG],
        claims_supported: ['iss', 'aud', 'sub', 'iat', 'exp', 'jti', 'sid', 'amr', 'sub_user'],
      },
      200,
    );
  });
  return app;
}
