import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../shared/src/errors.ts';
import type { AppEnv } from './http/context.ts';
import { errorResponse, onError } from './http/errors.ts';
import { preflight, tenantAndOrigin } from './http/origin.ts';
import { securityHeaders } from './http/security-headers.ts';
import { devRoutes } from './routes/dev.ts';
import { emailRoutes } from './routes/email.ts';
import { publicRoutes } from './routes/public.ts';
import { securityRoutes } from './routes/security.ts';
import { mfaRecoveryRoutes } from './routes/mfa-recovery.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { subUserRoutes } from './routes/sub-users.ts';
import { staticRoutes, type StaticAssets } from './routes/static.ts';
import { verificationCodeRoutes } from './routes/verification-codes.ts';
import type { ServiceDeps } from './services/deps.ts';
import type { TenantDirectory } from './services/tenants.ts';

export interface AppParts {
  deps: ServiceDeps;
  tenants: TenantDirectory;
  assets?: StaticAssets;
  /** how this runtime tells the peer's address (Node: getConnInfo); absent in tests */
  remoteAddress?: (c: Context) => string | undefined;
}

/** Builds the Hono app from its parts; no I/O at import time. */
export function createApp({ deps, tenants, assets = {}, remoteAddress }: AppParts) {
  let seq = 0;
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.use('*', async (c, next) => {
    c.set('requestId', `${Date.now().toString(36)}-${(seq++).toString(36)}`);
    c.set('remoteAddress', remoteAddress?.(c));
    await next();
  });
  app.use('*', securityHeaders);

  const v1 = new Hono<AppEnv>();
  v1.use('*', preflight(tenants));
  const limitBody = bodyLimit({ maxSize: 64 * 1024, onError: () => { throw new AppError('payload_too_large'); } });
  // only where a body is expected: on a GET, reading the body stream costs a full Request object on Node
  // (the lost-device application, with its photos, sets its own larger limit)
  v1.use('*', (c, next) =>
    (c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH') && !c.req.path.startsWith('/v1/mfa-recovery/applications')
      ? limitBody(c, next)
      : next(),
  );
  v1.use('*', tenantAndOrigin(tenants));
  v1.route('/', publicRoutes(deps));
  v1.route('/', verificationCodeRoutes(deps));
  v1.route('/', sessionRoutes(deps));
  v1.route('/security', securityRoutes(deps));
  v1.route('/sub-users', subUserRoutes(deps));
  v1.route('/mfa-recovery', mfaRecoveryRoutes(deps));
  app.route('/v1', v1);

  app.route('/', emailRoutes(deps, tenants));
  if (deps.config.dev) app.route('/dev', devRoutes(deps));
  app.route('/', staticRoutes(assets));
  app.notFound((c) => errorResponse(c, 'not_found'));
  return app;
}

export type App = ReturnType<typeof createApp>;
