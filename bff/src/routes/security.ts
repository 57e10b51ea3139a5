import {
  ChangePasswordResponseSchema,
  changePasswordBody,
  contactConfirmBody,
  contactKindParams,
  ContactStartedSchema,
  contactStartBody,
  EmailLinkSentSchema,
  mfaConfirmBody,
  MfaSetupResponseSchema,
  RecoveryCodesResponseSchema,
  securityEmailBody,
  SecurityOverviewSchema,
  StepUpResponseSchema,
  StepUpStartedSchema,
  stepUpStartBody,
  stepUpVerifyBody,
} from '../../../shared/src/api.ts';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { publicOrigin, requestContext, type AppContext } from '../http/context.ts';
import { apiRoutes, tenantJsonBody } from '../http/validate.ts';
import { defineRoute, jsonAnswer, jsonBody, withMiddleware } from '../openapi/define.ts';
import type { ServiceDeps } from '../services/deps.ts';
import * as mfa from '../services/mfa.ts';
import * as security from '../services/security.ts';

/** The phone or email a contact change names (the schema requires the one its `kind` says). */
const valueOf = (b: { kind: 'phone' | 'email'; phone?: string | undefined; email?: string | undefined }) =>
  (b.kind === 'phone' ? b.phone : b.email) ?? '';

const overview = jsonAnswer(SecurityOverviewSchema, "The account's security settings as they are now");

/** Mounted at /v1/security. */
const routes = {
  overview: defineRoute({
    method: 'get',
    path: '/',
    tag: 'Security settings',
    summary: 'Contacts, MFA, recent activity of the signed-in account',
    auth: 'session',
    responses: { 200: overview },
  }),
  stepUpStart: defineRoute({
    method: 'post',
    path: '/step-up/start',
    tag: 'Security settings',
    summary: 'Start a step-up (code to the security phone/email, or TOTP)',
    auth: 'session',
    request: { body: jsonBody(stepUpStartBody) },
    responses: { 202: jsonAnswer(StepUpStartedSchema, 'Code queued') },
  }),
  stepUpVerify: defineRoute({
    method: 'post',
    path: '/step-up/verify',
    tag: 'Security settings',
    summary: 'Pass the step-up (10 minutes)',
    auth: 'session',
    request: { body: jsonBody(stepUpVerifyBody) },
    responses: { 200: jsonAnswer(StepUpResponseSchema, 'Passed, until `expiresAt`') },
  }),
  contactStart: defineRoute({
    method: 'post',
    path: '/contacts/start',
    tag: 'Security settings',
    summary: 'Change a security/contact phone or email: code to the new value',
    auth: 'session',
    request: { body: tenantJsonBody(contactStartBody) },
    responses: { 202: jsonAnswer(ContactStartedSchema, 'Code queued') },
  }),
  contactConfirm: defineRoute({
    method: 'post',
    path: '/contacts/confirm',
    tag: 'Security settings',
    summary: 'Confirm the change with the code',
    auth: 'session',
    request: { body: tenantJsonBody(contactConfirmBody) },
    responses: { 200: overview },
  }),
  contactReset: defineRoute({
    method: 'delete',
    path: '/contacts/{kind}',
    tag: 'Security settings',
    summary: 'Reset the contact phone/email to follow the security one',
    auth: 'session',
    request: { params: contactKindParams },
    responses: { 200: overview },
  }),
  securityEmail: defineRoute({
    method: 'post',
    path: '/email',
    tag: 'Security settings',
    summary: 'Set the security email (verified by link)',
    auth: 'session',
    request: { body: jsonBody(securityEmailBody) },
    responses: { 202: jsonAnswer(EmailLinkSentSchema, 'Link sent') },
  }),
  emailVerification: defineRoute({
    method: 'post',
    path: '/email/verification',
    tag: 'Security settings',
    summary: 'Send the verification link again',
    auth: 'session',
    responses: { 202: jsonAnswer(EmailLinkSentSchema, 'Link sent') },
  }),
  password: defineRoute({
    method: 'post',
    path: '/password',
    tag: 'Security settings',
    summary: 'Change the password (other sessions end)',
    auth: 'session',
    request: { body: tenantJsonBody(changePasswordBody) },
    responses: { 200: jsonAnswer(ChangePasswordResponseSchema, 'Changed') },
  }),
  mfaSetup: defineRoute({
    method: 'post',
    path: '/mfa/setup',
    tag: 'Virtual MFA',
    summary: 'Start binding a TOTP device (step-up required)',
    auth: 'session',
    responses: { 200: jsonAnswer(MfaSetupResponseSchema, 'The secret to bind, until confirmed with a code') },
  }),
  mfaConfirm: defineRoute({
    method: 'post',
    path: '/mfa/confirm',
    tag: 'Virtual MFA',
    summary: 'Confirm the device with a current code; 10 recovery codes shown once',
    auth: 'session',
    request: { body: jsonBody(mfaConfirmBody) },
    responses: { 200: jsonAnswer(RecoveryCodesResponseSchema, 'Bound; the recovery codes, shown once') },
  }),
  recoveryCodes: defineRoute({
    method: 'post',
    path: '/mfa/recovery-codes',
    tag: 'Virtual MFA',
    summary: 'New recovery codes (step-up required)',
    auth: 'session',
    responses: { 200: jsonAnswer(RecoveryCodesResponseSchema, 'The new codes, shown once') },
  }),
  unbindMfa: defineRoute({
    method: 'delete',
    path: '/mfa',
    tag: 'Virtual MFA',
    summary: 'Unbind (step-up required; security contacts told)',
    auth: 'session',
    responses: { 200: overview },
  }),
};

/** The account center's API: every route acts for the signed-in account of the tenant. */
export function securityRoutes(deps: ServiceDeps) {
  const ctx = (c: AppContext) => ({ ...requestContext(c, deps), baseUrl: publicOrigin(c, deps) });
  const app = apiRoutes();
  app.use('*', requireSession(deps, { primaryOnly: true }));
  app.openapi(routes.overview, async (c) =>
    c.json(await security.securityOverview(deps, c.get('tenant'), sessionAuth(c)), 200),
  );
  app.openapi(routes.stepUpStart, async (c) =>
    c.json(await security.startStepUp(deps, c.get('tenant'), sessionAuth(c), c.req.valid('json'), ctx(c)), 202),
  );
  app.openapi(routes.stepUpVerify, async (c) =>
    c.json(await security.verifyStepUp(deps, c.get('tenant'), sessionAuth(c), c.req.valid('json'), ctx(c)), 200),
  );
  app.openapi(withMiddleware(app, deps, routes.contactStart), async (c) => {
    const body = c.req.valid('json');
    const input = { kind: body.kind, role: body.role, value: valueOf(body), channel: body.channel };
    return c.json(await security.startContactChange(deps, c.get('tenant'), sessionAuth(c), input, ctx(c)), 202);
  });
  app.openapi(withMiddleware(app, deps, routes.contactConfirm), async (c) => {
    const body = c.req.valid('json');
    const input = { kind: body.kind, role: body.role, value: valueOf(body), code: body.code };
    return c.json(await security.confirmContactChange(deps, c.get('tenant'), sessionAuth(c), input, ctx(c)), 200);
  });
  app.openapi(routes.contactReset, async (c) =>
    c.json(await security.resetContact(deps, c.get('tenant'), sessionAuth(c), c.req.valid('param').kind, ctx(c)), 200),
  );
  app.openapi(routes.securityEmail, async (c) =>
    c.json(
      await security.setSecurityEmail(deps, c.get('tenant'), sessionAuth(c), c.req.valid('json').email, ctx(c)),
      202,
    ),
  );
  app.openapi(routes.emailVerification, async (c) =>
    c.json(await security.resendEmailVerification(deps, c.get('tenant'), sessionAuth(c), ctx(c)), 202),
  );
  app.openapi(withMiddleware(app, deps, routes.password), async (c) =>
    c.json(await security.changePassword(deps, c.get('tenant'), sessionAuth(c), c.req.valid('json'), ctx(c)), 200),
  );
  app.openapi(routes.mfaSetup, async (c) =>
    c.json(await mfa.startMfaSetup(deps, c.get('tenant'), sessionAuth(c), requestContext(c, deps).locale), 200),
  );
  app.openapi(routes.mfaConfirm, async (c) =>
    c.json(await mfa.confirmMfaSetup(deps, c.get('tenant'), sessionAuth(c), c.req.valid('json').code, ctx(c)), 200),
  );
  app.openapi(routes.recoveryCodes, async (c) =>
    c.json(await mfa.regenerateRecoveryCodes(deps, c.get('tenant'), sessionAuth(c), ctx(c)), 200),
  );
  app.openapi(routes.unbindMfa, async (c) => {
    await mfa.unbindMfa(deps, c.get('tenant'), sessionAuth(c), ctx(c));
    return c.json(await security.securityOverview(deps, c.get('tenant'), sessionAuth(c)), 200);
  });
  return app;
}
