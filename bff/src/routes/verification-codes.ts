import {
  deliveryParams,
  DeliveryStatusResponseSchema,
  sendCodeBody,
  SendCodeResponseSchema,
} from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { deliveryStatus } from '../delivery/outbox.ts';
import { requestContext } from '../http/context.ts';
import { apiRoutes, tenantJsonBody } from '../http/validate.ts';
import { defineRoute, jsonAnswer, withMiddleware } from '../openapi/define.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { checkTicket } from '../services/abuse.ts';
import { issueCode } from '../services/verification.ts';
import { checkCodeBody, checkRegistrationCode, CodeCheckResponseSchema } from '../services/code-check.ts';

/** Mounted at /v1. */
const routes = {
  send: defineRoute({
    method: 'post',
    path: '/verification-codes',
    tag: 'Registration',
    summary:
      'Send a verification code by SMS or voice (60 s cooldown, daily caps, risk thresholds, a captcha when the tenant asks for one)',
    auth: 'publishable',
    request: { body: tenantJsonBody(sendCodeBody) },
    responses: { 202: jsonAnswer(SendCodeResponseSchema, 'Code queued; the answer names the delivery to poll') },
  }),
  check: defineRoute({
    method: 'post',
    path: '/verification-codes/check',
    tag: 'Registration',
    summary:
      'Check a registration code without using it up (a wrong code counts a try, as at registration); then whether the phone is verified on another account',
    auth: 'publishable',
    request: { body: tenantJsonBody(checkCodeBody) },
    responses: { 200: jsonAnswer(CodeCheckResponseSchema, 'The code is right; phoneInUse: the phone cannot sign in') },
  }),
  delivery: defineRoute({
    method: 'get',
    path: '/deliveries/{id}',
    tag: 'Registration',
    summary: 'Delivery status of a sent code',
    auth: 'publishable',
    request: { params: deliveryParams },
    responses: { 200: jsonAnswer(DeliveryStatusResponseSchema, 'Where the message stands') },
  }),
};

export function verificationCodeRoutes(deps: ServiceDeps) {
  const app = apiRoutes();
  app.openapi(withMiddleware(app, deps, routes.send), async (c) => {
    const body = c.req.valid('json');
    const tenant = c.get('tenant');
    const ctx = requestContext(c, deps);
    const ticket = await checkTicket(deps, tenant, body.captcha, ctx.ip);
    const answer = await issueCode(
      deps,
      tenant,
      { target: { kind: 'phone', value: body.phone }, purpose: body.purpose, channel: body.channel, ticket },
      ctx,
    );
    return c.json(answer, 202);
  });
  app.openapi(withMiddleware(app, deps, routes.check), async (c) => {
    const answer = await checkRegistrationCode(deps, c.get('tenant'), c.req.valid('json'));
    c.header('cache-control', 'no-store');
    return c.json(answer, 200);
  });
  app.openapi(routes.delivery, async (c) => {
    const status = await deliveryStatus(deps.db, c.get('tenant').id, c.req.valid('param').id);
    if (!status) throw new AppError('not_found');
    c.header('cache-control', 'no-store');
    return c.json(status, 200);
  });
  return app;
}
