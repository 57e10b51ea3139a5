import { availabilityQuery, AvailabilityResponseSchema, TenantConfigResponseSchema } from '../../../shared/src/api.ts';
import { requestContext } from '../http/context.ts';
import { apiRoutes } from '../http/validate.ts';
import { defineRoute, jsonAnswer } from '../openapi/define.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { clientKey, reserveAttempts } from '../services/limits.ts';
import { isAccountNameAvailable } from '../services/registration.ts';
import { publicConfig } from '../services/tenants.ts';

/** Mounted at /v1. */
const routes = {
  config: defineRoute({
    method: 'get',
    path: '/config',
    tag: 'Tenant',
    summary:
      "The tenant's public configuration (names, password policy, phone regions, agreements, support channels, branding)",
    auth: 'publishable',
    responses: { 200: jsonAnswer(TenantConfigResponseSchema, "The tenant's public configuration") },
  }),
  availability: defineRoute({
    method: 'get',
    path: '/account-names/availability',
    tag: 'Registration',
    summary: 'Whether an account name is still free',
    auth: 'publishable',
    request: { query: availabilityQuery },
    responses: { 200: jsonAnswer(AvailabilityResponseSchema, 'Free or taken') },
  }),
};

/** What a widget reads before the user acts: its tenant's public config and name availability. */
export function publicRoutes(deps: ServiceDeps) {
  const app = apiRoutes();
  app.openapi(routes.config, (c) => {
    c.header('cache-control', 'private, max-age=60');
    return c.json(publicConfig(c.get('tenant'), deps.config.captcha?.scripts), 200);
  });
  app.openapi(routes.availability, async (c) => {
    const { name } = c.req.valid('query');
    // each answer tells whether a name is taken: limited per client, like every look-up of accounts
    await reserveAttempts(deps, [
      { rule: 'nameAvailability', key: `availability:${clientKey(requestContext(c, deps).ip)}` },
    ]);
    return c.json({ available: await isAccountNameAvailable(deps, c.get('tenant'), name) }, 200);
  });
  return app;
}
