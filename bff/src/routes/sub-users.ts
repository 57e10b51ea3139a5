import { Hono } from 'hono';
import {
  mfaConfirmBody,
  subUserCreateBody,
  subUserMfaRequiredBody,
  subUserMfaSetupBody,
  subUserParams,
} from '../../../shared/src/api.ts';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { requestContext, type AppEnv } from '../http/context.ts';
import { idempotent } from '../http/idempotency.ts';
import { validate, validateForTenant, validated } from '../http/validate.ts';
import type { ServiceDeps } from '../services/deps.ts';
import * as subUsers from '../services/sub-users.ts';

/** A primary account manages its sub-users. */
export function subUserRoutes(deps: ServiceDeps) {
  const id = validate('param', subUserParams);
  return new Hono<AppEnv>()
    .use('*', requireSession(deps, { primaryOnly: true }))
    .get('/', async (c) => c.json({ subUsers: await subUsers.listSubUsers(deps, c.get('tenant'), sessionAuth(c)) }))
    .post('/', idempotent(deps), validateForTenant('json', subUserCreateBody), async (c) => {
      const body = validated<{ name: string; password: string; mfaRequired?: boolean }>(c, 'json');
      return c.json(
        await subUsers.createSubUser(deps, c.get('tenant'), sessionAuth(c), body, requestContext(c, deps)),
        201,
      );
    })
    .post('/:id/disable', id, async (c) =>
      c.json(
        await subUsers.setSubUserDisabled(
          deps,
          c.get('tenant'),
          sessionAuth(c),
          validated<{ id: string }>(c, 'param').id,
          true,
          requestContext(c, deps),
        ),
      ),
    )
    .post('/:id/enable', id, async (c) =>
      c.json(
        await subUsers.setSubUserDisabled(
          deps,
          c.get('tenant'),
          sessionAuth(c),
          validated<{ id: string }>(c, 'param').id,
          false,
          requestContext(c, deps),
        ),
      ),
    )
    .put('/:id/mfa-required', id, validate('json', subUserMfaRequiredBody), async (c) => {
      const { required } = validated<{ required: boolean }>(c, 'json');
      return c.json(
        await subUsers.setSubUserMfaRequired(
          deps,
          c.get('tenant'),
          sessionAuth(c),
          validated<{ id: string }>(c, 'param').id,
          required,
          requestContext(c, deps),
        ),
      );
    })
    .post('/:id/mfa/disassociate', id, async (c) =>
      c.json(
        await subUsers.disassociateSubUserMfa(
          deps,
          c.get('tenant'),
          sessionAuth(c),
          validated<{ id: string }>(c, 'param').id,
          requestContext(c, deps),
        ),
      ),
    )
    .delete('/:id', id, async (c) => {
      await subUsers.deleteSubUser(
        deps,
        c.get('tenant'),
        sessionAuth(c),
        validated<{ id: string }>(c, 'param').id,
        requestContext(c, deps),
      );
      return c.body(null, 204);
    });
}

/** A signed-in sub-user's own virtual MFA: status and binding (removal is the primary account's). */
export function subUserMfaRoutes(deps: ServiceDeps) {
  return new Hono<AppEnv>()
    .use('*', requireSession(deps))
    .get('/', async (c) => c.json(await subUsers.ownMfaStatus(deps, c.get('tenant'), sessionAuth(c))))
    .post('/setup', validate('json', subUserMfaSetupBody), async (c) => {
      const { password } = validated<{ password: string }>(c, 'json');
      return c.json(
        await subUsers.startOwnMfaSetup(deps, c.get('tenant'), sessionAuth(c), password, requestContext(c, deps)),
      );
    })
    .post('/confirm', validate('json', mfaConfirmBody), async (c) => {
      const { code } = validated<{ code: string }>(c, 'json');
      return c.json(
        await subUsers.confirmOwnMfaSetup(deps, c.get('tenant'), sessionAuth(c), code, requestContext(c, deps)),
      );
    });
}
