import type { Context } from 'hono';
import type { AppEnv } from './http/context.ts';
import { errorHandler, errorResponse } from './http/errors.ts';
import { preflight, tenantAndOrigin } from './http/origin.ts';
import { devHostCheck } from './http/host-check.ts';
import { setSecurityHeaders } from './http/security-headers.ts';
import { apiRoutes, refuseInvalidUrlText } from './http/validate.ts';
import { bodyLimitByLength } from './http/body-limit.ts';
import { accountRoutes } from './routes/account.ts';
import { adminRoutes } from './routes/admin.ts';
import { devRoutes } from './routes/dev.ts';
import { emailRoutes } from './routes/email.ts';
import { federationBrowserRoutes, federationRoutes } from './routes/federation.ts';
import { publicRoutes } from './routes/public.ts';
import { securityRoutes } from './routes/security.ts';
import { mfaRecoveryRoutes } from './routes/mfa-recovery.ts';
import { passwordResetRoutes } from './routes/password-reset.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { subUserMfaRoutes, subUserRoutes } from './routes/sub-users.ts';
import { openApiRoutes } from './openapi/routes.ts';
import { staticRoutes, type StaticAssets } from './routes/static.ts';
import { tokenRoutes, wellKnownRoutes } from './routes/tokens.ts';
import { verificationCodeRoutes } from './routes/verification-codes.ts';
import type { ServiceDeps } from './services/deps.ts';
import type { TenantDirectory } from './services/tenants.ts';
import { requestIdFor } from './log.ts';
import { requestDeadline } from './http/deadline.ts';
import { HTTP_LIMITS } from './http/server-options.ts';

/** The requests that wait on the database or a provider, and so get the request deadline. */
const DEADLINE_PATH = /^\/(?:v1|admin|email)(?:\/|$)/;

export interface AppParts {
  deps: ServiceDeps;
  tenants: TenantDirectory;
  assets?: StaticAssets;
  /** how this runtime tells the peer's address (Node: getConnInfo); absent in tests */
  remoteAddress?: (c: Context) => string | undefined;
}

/** Builds the Hono app from its parts; no I/O at import time. */
export function createApp({ deps, tenants, assets = {}, remoteAddress }: AppParts) {
  const log = deps.log;
  // loadConfig refuses this too; a config built by hand must not fall back to the request's Host in production
  if (!deps.config.dev && !deps.config.publicUrl) throw new Error('PUBLIC_URL is required in production');
  // every API route is registered with its definition (openapi/define.ts): the groups below
  // bring theirs up to this app, whose registry /openapi.json documents
  const app = apiRoutes();
  const onError = errorHandler(log);
  app.onError(onError);
  // development builds URLs from the request's origin and publishes codes at /dev: only for names of this machine
  const checkHost = deps.config.dev ? devHostCheck(deps.config) : undefined;
  // where a request waits on the database or a provider (the probes and static files do not:
  // /readyz bounds its own ping); inside the request line's logging, so a timed-out answer is logged
  const deadline = requestDeadline(deps.config.requestDeadlineMs, HTTP_LIMITS.requestTimeoutMs);
  // What every request passes first, as one step of Hono's chain rather than five (one router
  // entry, one promise): the session check's hot path is mostly this (docs/benchmarks.md).
  app.use('*', async (c: Context<AppEnv, string>, next) => {
    const started = performance.now();
    const requestId = requestIdFor(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    c.set('remoteAddress', remoteAddress?.(c));
    if (!deps.config.dev) c.set('publicUrl', deps.config.publicUrl);
    c.header('x-request-id', requestId);
    setSecurityHeaders(c);
    try {
      // no control character or lone surrogate in a path segment or a query value (docs/security.md#text-input)
      refuseInvalidUrlText(c.req.url);
      checkHost?.(c);
      await (DEADLINE_PATH.test(c.req.path) ? deadline(c, next) : next());
    } catch (err) {
      // a refusal above or the deadline's 503 (the chain answers its own errors), answered as
      // Hono's compose answers a middleware that throws, here so that the line below logs it
      if (!(err instanceof Error)) throw err;
      c.error = err;
      c.res = onError(err, c);
    }
    // a handler that returned a bare Response dropped the prepared header
    if (c.res.headers.get('x-request-id') !== requestId) c.header('x-request-id', requestId);
    // one line per request; the path without its query (query strings can carry keys and tokens)
    log.info('request', {
      requestId,
      method: c.req.method,
      path: c.req.path.slice(0, 200),
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      tenant: c.get('tenant')?.slug,
    });
  });

  // the browser's round trip to an upstream provider: before /v1's key and origin checks (the
  // upstream's redirect back names its flow by `state`, not by a key)
  app.route('/', federationBrowserRoutes(deps, tenants));

  const v1 = apiRoutes();
  // the BFF's own origin: PUBLIC_URL in production, never the Host header (http/origin.ts)
  const selfOrigin = deps.config.dev ? undefined : deps.config.publicUrl;
  const answerPreflight = preflight(tenants, selfOrigin);
  const limitBody = bodyLimitByLength(64 * 1024);
  const checkTenantAndOrigin = tenantAndOrigin(tenants, selfOrigin);
  // What every /v1 request passes, in order, as one step of the chain (as the frame above): the
  // CORS preflight is answered; a body is bounded, only where one is expected (on a GET, reading the
  // body stream costs a full Request object on Node; the lost-device application, with its photos,
  // sets its own larger limit); the tenant and its origins are checked.
  v1.use('*', (c: Context<AppEnv, string>, next) => {
    const method = c.req.method;
    if (method === 'OPTIONS') return answerPreflight(c);
    if (
      (method === 'POST' || method === 'PUT' || method === 'PATCH') &&
      !c.req.path.startsWith('/v1/mfa-recovery/applications')
    )
      return limitBody(c, async () => {
        // an origin refused is answered (a Response returned); the limit's own chain drops return values
        const refused = await checkTenantAndOrigin(c, next);
        if (refused) c.res = refused;
      });
    return checkTenantAndOrigin(c, next);
  });
  v1.route('/', publicRoutes(deps));
  v1.route('/', verificationCodeRoutes(deps));
  v1.route('/', sessionRoutes(deps));
  v1.route('/', tokenRoutes(deps));
  v1.route('/security', securityRoutes(deps));
  v1.route('/sub-users', subUserRoutes(deps));
  v1.route('/sub-user/mfa', subUserMfaRoutes(deps));
  v1.route('/mfa-recovery', mfaRecoveryRoutes(deps));
  v1.route('/password-reset', passwordResetRoutes(deps));
  v1.route('/account', accountRoutes(deps));
  v1.route('/', federationRoutes(deps));
  app.route('/v1', v1);

  // the admin API for tenants' servers: secret key only, no CORS, no cookies (docs/api.md#admin-api)
  app.route('/admin/v1', adminRoutes(deps, tenants));
  app.route('/', emailRoutes(deps, tenants));
  // JWKS for tenants' backends: server to server, so outside /v1's publishable-key and origin checks
  app.route('/', wellKnownRoutes(deps));
  if (deps.config.dev) app.route('/dev', devRoutes(deps));
  app.route('/', openApiRoutes(deps, app));
  app.route('/', staticRoutes(assets, deps));
  app.notFound((c) => errorResponse(c, 'not_found'));
  return app;
}

export type App = ReturnType<typeof createApp>;
