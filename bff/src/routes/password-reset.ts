import {
  passwordResetBody,
  passwordResetCodeBody,
  PasswordResetCodeResponseSchema,
  PasswordResetResponseSchema,
  passwordResetVerifyBody,
  PasswordResetVerifyResponseSchema,
  SignedInSchema,
} from '../../../shared/src/api.ts';
import { requestContext, type AppContext } from '../http/context.ts';
import { requestedMode, setSessionCookie } from '../http/session.ts';
import { apiRoutes, tenantJsonBody } from '../http/validate.ts';
import { defineRoute, jsonAnswer, jsonBody, withMiddleware } from '../openapi/define.ts';
import type { ServiceDeps } from '../services/deps.ts';
import {
  resetPassword,
  sendPasswordResetCode,
  startLostDeviceFromReset,
  verifyPasswordResetCode,
} from '../services/password-reset.ts';
import type { IssuedSession } from '../services/sessions.ts';
import { withAccessToken } from './tokens.ts';

/** Mounted at /v1/password-reset (docs/product.md#21-forgot-password). */
const routes = {
  code: defineRoute({
    method: 'post',
    path: '/code',
    tag: 'Sessions',
    summary:
      "Forgot password: a code to the account's verified security phone or email (the same answer for any identifier)",
    auth: 'publishable',
    request: { body: jsonBody(passwordResetCodeBody) },
    responses: {
      202: jsonAnswer(PasswordResetCodeResponseSchema, 'Sent, if the identifier names an account with that contact'),
    },
  }),
  verify: defineRoute({
    method: 'post',
    path: '/verify',
    tag: 'Sessions',
    summary: 'Check the code (not used up); whether the MFA code is asked too',
    auth: 'publishable',
    request: { body: jsonBody(passwordResetVerifyBody) },
    responses: { 200: jsonAnswer(PasswordResetVerifyResponseSchema, 'The code is right') },
  }),
  reset: defineRoute({
    method: 'post',
    path: '/',
    tag: 'Sessions',
    summary:
      "Set a new password with the code (and the MFA code when a device is bound); every session ends; signed in by the tenant's setting",
    auth: 'publishable',
    opensSession: true,
    request: { body: tenantJsonBody(passwordResetBody) },
    responses: { 200: jsonAnswer(PasswordResetResponseSchema, 'Reset; signed in unless the tenant turned that off') },
  }),
  lostDevice: defineRoute({
    method: 'post',
    path: '/lost-device',
    tag: 'Sessions',
    summary:
      'MFA is bound and its device lost: the code opens the MFA step, from which the lost-device application is made',
    auth: 'publishable',
    opensSession: true,
    request: { body: jsonBody(passwordResetVerifyBody) },
    responses: { 200: jsonAnswer(SignedInSchema, 'A pending sign-in (`mfaRequired`)') },
  }),
};

function deliverSession(c: AppContext, issued: IssuedSession) {
  if (issued.summary.mode === 'cookie') setSessionCookie(c, issued.token, issued.summary.expiresAt);
}

export function passwordResetRoutes(deps: ServiceDeps) {
  const app = apiRoutes();
  app.openapi(routes.code, async (c) =>
    c.json(await sendPasswordResetCode(deps, c.get('tenant'), c.req.valid('json'), requestContext(c, deps)), 202),
  );
  app.openapi(routes.verify, async (c) =>
    c.json(await verifyPasswordResetCode(deps, c.get('tenant'), c.req.valid('json'), requestContext(c, deps)), 200),
  );
  app.openapi(withMiddleware(app, deps, routes.reset), async (c) => {
    const ctx = { ...requestContext(c, deps), mode: requestedMode(c) };
    const { answer, issued } = await resetPassword(deps, c.get('tenant'), c.req.valid('json'), ctx);
    if (!issued || !('account' in answer)) return c.json(answer, 200);
    deliverSession(c, issued);
    return c.json({ ...(await withAccessToken(deps, c, answer, issued)), reset: true as const }, 200);
  });
  app.openapi(routes.lostDevice, async (c) => {
    const ctx = { ...requestContext(c, deps), mode: requestedMode(c) };
    const { signedIn, issued } = await startLostDeviceFromReset(deps, c.get('tenant'), c.req.valid('json'), ctx);
    deliverSession(c, issued);
    return c.json(signedIn, 200);
  });
  return app;
}
