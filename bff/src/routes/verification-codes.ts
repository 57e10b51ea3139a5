import { Hono } from 'hono';
import {
  deliveryParams,
  sendCodeBody,
  type DeliveryStatusResponse,
  type SendCodeBody,
} from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { deliveryStatus } from '../delivery/outbox.ts';
import { requestContext, type AppEnv } from '../http/context.ts';
import { validate, validateForTenant, validated } from '../http/validate.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { issueCode } from '../services/verification.ts';

export function verificationCodeRoutes(deps: ServiceDeps) {
  return new Hono<AppEnv>()
    .post('/verification-codes', validateForTenant('json', sendCodeBody), async (c) => {
      const body = validated<SendCodeBody>(c, 'json');
      const answer = await issueCode(
        deps,
        c.get('tenant'),
        { target: { kind: 'phone', value: body.phone }, purpose: body.purpose, channel: body.channel },
        requestContext(c, deps),
      );
      return c.json(answer, 202);
    })
    .get('/deliveries/:id', validate('param', deliveryParams), async (c) => {
      const { id } = validated<{ id: string }>(c, 'param');
      const status: DeliveryStatusResponse | undefined = await deliveryStatus(deps.db, c.get('tenant').id, id);
      if (!status) throw new AppError('not_found');
      c.header('cache-control', 'no-store');
      return c.json(status);
    });
}
