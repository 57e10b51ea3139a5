import { Hono } from 'hono';
import { availabilityQuery, type AvailabilityResponse } from '../../../shared/src/api.ts';
import { requestContext, type AppEnv } from '../http/context.ts';
import { clientKey, reserveAttempts } from '../services/limits.ts';
import { validate, validated } from '../http/validate.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { isAccountNameAvailable } from '../services/registration.ts';
import { publicConfig } from '../services/tenants.ts';

/** What a widget reads before the user acts: its tenant's public config and name availability. */
export function publicRoutes(deps: ServiceDeps) {
  return new Hono<AppEnv>()
    .get('/config', (c) => {
      c.header('cache-control', 'private, max-age=60');
      return c.json(publicConfig(c.get('tenant')));
    })
    .get('/account-names/availability', validate('query', availabilityQuery), async (c) => {
      const { name } = validated<{ name: string }>(c, 'query');
      // each answer tells whether a name is taken: limited per client, like every look-up of accounts
      await reserveAttempts(deps, [
        { rule: 'nameAvailability', key: `availability:${clientKey(requestContext(c, deps).ip)}` },
      ]);
      const body: AvailabilityResponse = { available: await isAccountNameAvailable(deps, c.get('tenant'), name) };
      return c.json(body);
    });
}
