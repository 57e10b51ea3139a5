import { Hono } from 'hono';
import {
  changePasswordBody,
  contactConfirmBody,
  contactStartBody,
  CONTACT_KINDS,
  mfaConfirmBody,
  securityEmailBody,
  stepUpStartBody,
  stepUpVerifyBody,
} from '../../../shared/src/api.ts';
import type { CodeChannel } from '../../../shared/src/rules/code.ts';
import { z } from 'zod';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { publicOrigin, requestContext, type AppContext, type AppEnv } from '../http/context.ts';
import { validate, validateForTenant, validated } from '../http/validate.ts';
import type { ServiceDeps } from '../services/deps.ts';
import * as mfa from '../services/mfa.ts';
import * as security from '../services/security.ts';

type Contact = { kind: 'phone' | 'email'; role: 'security' | 'contact'; phone?: string; email?: string };
const valueOf = (b: Contact) => (b.kind === 'phone' ? b.phone! : b.email!);

/** The account center's API: every route acts for the signed-in account of the tenant. */
export function securityRoutes(deps: ServiceDeps) {
  const ctx = (c: AppContext) => ({ ...requestContext(c, deps), baseUrl: publicOrigin(c, deps) });
  return new Hono<AppEnv>()
    .use('*', requireSession(deps, { primaryOnly: true }))
    .get('/', async (c) => c.json(await security.securityOverview(deps, c.get('tenant'), sessionAuth(c))))
    .post('/step-up/start', validate('json', stepUpStartBody), async (c) => {
      const body = validated<{ method: 'phone' | 'email' | 'totp'; channel: CodeChannel }>(c, 'json');
      return c.json(await security.startStepUp(deps, c.get('tenant'), sessionAuth(c), body, ctx(c)), 202);
    })
    .post('/step-up/verify', validate('json', stepUpVerifyBody), async (c) => {
      const body = validated<{ method: 'phone' | 'email' | 'totp'; code: string }>(c, 'json');
      return c.json(await security.verifyStepUp(deps, c.get('tenant'), sessionAuth(c), body, ctx(c)));
    })
    .post('/contacts/start', validateForTenant('json', contactStartBody), async (c) => {
      const body = validated<Contact & { channel: CodeChannel }>(c, 'json');
      const input = { kind: body.kind, role: body.role, value: valueOf(body), channel: body.channel };
      return c.json(await security.startContactChange(deps, c.get('tenant'), sessionAuth(c), input, ctx(c)), 202);
    })
    .post('/contacts/confirm', validateForTenant('json', contactConfirmBody), async (c) => {
      const body = validated<Contact & { code: string }>(c, 'json');
      const input = { kind: body.kind, role: body.role, value: valueOf(body), code: body.code };
      return c.json(await security.confirmContactChange(deps, c.get('tenant'), sessionAuth(c), input, ctx(c)));
    })
    .delete(
      '/contacts/:kind',
      validate('param', z.object({ kind: z.enum(CONTACT_KINDS, { error: 'not_found' }) })),
      async (c) => {
        const { kind } = validated<{ kind: 'phone' | 'email' }>(c, 'param');
        return c.json(await security.resetContact(deps, c.get('tenant'), sessionAuth(c), kind, ctx(c)));
      },
    )
    .post('/email', validate('json', securityEmailBody), async (c) => {
      const { email } = validated<{ email: string }>(c, 'json');
      return c.json(await security.setSecurityEmail(deps, c.get('tenant'), sessionAuth(c), email, ctx(c)), 202);
    })
    .post('/email/verification', async (c) =>
      c.json(await security.resendEmailVerification(deps, c.get('tenant'), sessionAuth(c), ctx(c)), 202),
    )
    .post('/mfa/setup', async (c) =>
      c.json(await mfa.startMfaSetup(deps, c.get('tenant'), sessionAuth(c), requestContext(c, deps).locale)),
    )
    .post('/mfa/confirm', validate('json', mfaConfirmBody), async (c) => {
      const { code } = validated<{ code: string }>(c, 'json');
      return c.json(await mfa.confirmMfaSetup(deps, c.get('tenant'), sessionAuth(c), code, ctx(c)));
    })
    .post('/mfa/recovery-codes', async (c) =>
      c.json(await mfa.regenerateRecoveryCodes(deps, c.get('tenant'), sessionAuth(c), ctx(c))),
    )
    .delete('/mfa', async (c) => {
      await mfa.unbindMfa(deps, c.get('tenant'), sessionAuth(c), ctx(c));
      return c.json(await security.securityOverview(deps, c.get('tenant'), sessionAuth(c)));
    })
    .post('/password', validateForTenant('json', changePasswordBody), async (c) => {
      const body = validated<{ currentPassword: string; newPassword: string }>(c, 'json');
      return c.json(await security.changePassword(deps, c.get('tenant'), sessionAuth(c), body, ctx(c)));
    });
}
