import { Hono } from 'hono';
import { sendCodeBody, type SendCodeBody } from '../../../shared/src/api.ts';
import { requestContext, type AppEnv } from '../http/context.ts';
import { validateForTenant, validated } from '../http/validate.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { issuePhoneCode } from '../services/verification.ts';

export function verificationCodeRoutes(deps: ServiceDeps) {
  return new Hono<AppEnv>().post('/verification-codes', validateForTenant('json', sendCodeBody), async (c) => {
    const body = validated<SendCodeBody>(c, 'json');
    const answer = await issuePhoneCode(deps, c.get('tenant'), body, requestContext(c, deps));
    return c.json(answer, 202);
  });
}
