import {
  consentsBody,
  ConsentsResponseSchema,
  mfaSignInBody,
  MfaSetupResponseSchema,
  phoneSignInBody,
  phoneSignInCodeBody,
  registerBody,
  SessionStateSchema,
  SignedInSchema,
  signInBody,
  unlockBody,
  unlockCodeBody,
  UnlockCodeResponseSchema,
  UnlockResponseSchema,
} from '../../../shared/src/api.ts';
import { preferredLocale, publicOrigin, requestContext, type AppContext } from '../http/context.ts';
import { clearSessionCookie, readSessionToken, requestedMode, setSessionCookie } from '../http/session.ts';
import { apiRoutes, tenantJsonBody } from '../http/validate.ts';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { defineRoute, jsonAnswer, jsonBody, withMiddleware } from '../openapi/define.ts';
import { acceptAgreements } from '../services/consents.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { register } from '../services/registration.ts';
import type { IssuedSession } from '../services/sessions.ts';
import { currentSession, endSession } from '../services/sessions.ts';
import { completeMfaSignIn, signIn, startSignInMfaSetup } from '../services/sign-in.ts';
import { sendUnlockCode, unlockWithCode } from '../services/unlock.ts';
import { sendPhoneSignInCode, signInWithPhoneCode } from '../services/phone-sign-in.ts';
import { withAccessToken } from './tokens.ts';

/** Mounted at /v1. */
const routes = {
  register: defineRoute({
    method: 'post',
    path: '/accounts',
    tag: 'Registration',
    summary: 'Register with account name, password, verified phone and accepted agreements; signs in',
    auth: 'publishable',
    // a registration whose answer was lost is retried with its Idempotency-Key: the same answer, not "name taken"
    idempotent: true,
    opensSession: true,
    request: { body: tenantJsonBody(registerBody) },
    responses: { 201: jsonAnswer(SignedInSchema, 'Registered and signed in') },
  }),
  signIn: defineRoute({
    method: 'post',
    path: '/sessions',
    tag: 'Sessions',
    summary: 'Sign in by account name, phone or email + password (or as a sub-user)',
    auth: 'publishable',
    opensSession: true,
    request: { body: jsonBody(signInBody) },
    responses: { 200: jsonAnswer(SignedInSchema, 'Signed in; `mfaRequired` when the MFA step is due') },
  }),
  unlockCode: defineRoute({
    method: 'post',
    path: '/sessions/unlock/code',
    tag: 'Sessions',
    summary:
      'Unlock an account locked by failed sign-ins: a code to its security phone or email (same answer for any identifier)',
    auth: 'publishable',
    request: { body: jsonBody(unlockCodeBody) },
    responses: {
      202: jsonAnswer(UnlockCodeResponseSchema, 'Sent, if the identifier names an account with that contact'),
    },
  }),
  unlock: defineRoute({
    method: 'post',
    path: '/sessions/unlock',
    tag: 'Sessions',
    summary: 'Lift the lock with the code',
    auth: 'publishable',
    request: { body: jsonBody(unlockBody) },
    responses: { 200: jsonAnswer(UnlockResponseSchema, 'Unlocked') },
  }),
  phoneSignInCode: defineRoute({
    method: 'post',
    path: '/sessions/phone-code/code',
    tag: 'Sessions',
    summary:
      'Sign in with a phone code: a code to a phone that can sign in, in a region the tenant allows for it (same answer for any phone)',
    auth: 'publishable',
    request: { body: tenantJsonBody(phoneSignInCodeBody) },
    responses: {
      202: jsonAnswer(UnlockCodeResponseSchema, 'Sent, if the phone signs in to an account'),
    },
  }),
  phoneSignIn: defineRoute({
    method: 'post',
    path: '/sessions/phone-code',
    tag: 'Sessions',
    summary: 'Sign in with the phone and its code',
    auth: 'publishable',
    opensSession: true,
    request: { body: tenantJsonBody(phoneSignInBody) },
    responses: { 200: jsonAnswer(SignedInSchema, 'Signed in; `mfaRequired` when the MFA step is due') },
  }),
  mfaSetup: defineRoute({
    method: 'post',
    path: '/sessions/mfa/setup',
    tag: 'Sessions',
    summary: 'A sub-user who must bind MFA gets a new secret at sign-in',
    auth: 'pending',
    responses: { 200: jsonAnswer(MfaSetupResponseSchema, 'The secret to bind with the first code') },
  }),
  mfa: defineRoute({
    method: 'post',
    path: '/sessions/mfa',
    tag: 'Sessions',
    summary: 'The MFA step of sign-in: a TOTP code or a recovery code',
    auth: 'pending',
    opensSession: true,
    request: { body: jsonBody(mfaSignInBody) },
    responses: { 200: jsonAnswer(SignedInSchema, 'Signed in (a new session replaces the pending one)') },
  }),
  consents: defineRoute({
    method: 'post',
    path: '/consents',
    tag: 'Sessions',
    summary: "Accept the tenant's current agreement versions",
    auth: 'session',
    request: { body: jsonBody(consentsBody) },
    responses: { 200: jsonAnswer(ConsentsResponseSchema, 'What is still to accept') },
  }),
  session: defineRoute({
    method: 'get',
    path: '/session',
    tag: 'Sessions',
    summary:
      'The current session (cookie or bearer token), or `{ signedIn: false }` without one: a signed-out page load is no error',
    auth: 'session',
    responses: {
      200: jsonAnswer(
        SessionStateSchema,
        'Signed in (`signedIn: true`, the account and its session, and `agreementsToAccept` when new agreement versions wait), or `{ signedIn: false }`. A session whose MFA step is due: 401 mfa_required.',
      ),
    },
  }),
  signOut: defineRoute({
    method: 'delete',
    path: '/session',
    tag: 'Sessions',
    summary: 'Sign out',
    auth: 'publishable',
    responses: { 204: { description: 'Signed out' } },
  }),
};

function deliverSession(c: AppContext, issued: IssuedSession) {
  if (issued.summary.mode === 'cookie') setSessionCookie(c, issued.token, issued.summary.expiresAt);
}

/** Registration, sign-in, the current session and sign-out. */
export function sessionRoutes(deps: ServiceDeps) {
  const app = apiRoutes();
  app.openapi(withMiddleware(app, deps, routes.register), async (c) => {
    const ctx = { ...requestContext(c, deps), mode: requestedMode(c), baseUrl: publicOrigin(c, deps) };
    const { signedIn, issued } = await register(deps, c.get('tenant'), c.req.valid('json'), ctx);
    deliverSession(c, issued);
    return c.json(await withAccessToken(deps, c, signedIn, issued), 201);
  });
  app.openapi(routes.signIn, async (c) => {
    const ctx = { ...requestContext(c, deps), mode: requestedMode(c), previousToken: readSessionToken(c) };
    const { signedIn, issued } = await signIn(deps, c.get('tenant'), c.req.valid('json'), ctx);
    deliverSession(c, issued);
    return c.json(await withAccessToken(deps, c, signedIn, issued), 200);
  });
  app.openapi(routes.unlockCode, async (c) =>
    c.json(await sendUnlockCode(deps, c.get('tenant'), c.req.valid('json'), requestContext(c, deps)), 202),
  );
  app.openapi(routes.unlock, async (c) =>
    c.json(await unlockWithCode(deps, c.get('tenant'), c.req.valid('json'), requestContext(c, deps)), 200),
  );
  app.openapi(withMiddleware(app, deps, routes.phoneSignInCode), async (c) =>
    c.json(await sendPhoneSignInCode(deps, c.get('tenant'), c.req.valid('json'), requestContext(c, deps)), 202),
  );
  app.openapi(withMiddleware(app, deps, routes.phoneSignIn), async (c) => {
    const ctx = { ...requestContext(c, deps), mode: requestedMode(c), previousToken: readSessionToken(c) };
    const { signedIn, issued } = await signInWithPhoneCode(deps, c.get('tenant'), c.req.valid('json'), ctx);
    deliverSession(c, issued);
    return c.json(await withAccessToken(deps, c, signedIn, issued), 200);
  });
  app.openapi(routes.mfaSetup, async (c) =>
    c.json(await startSignInMfaSetup(deps, c.get('tenant'), readSessionToken(c), requestContext(c, deps).locale), 200),
  );
  app.openapi(routes.mfa, async (c) => {
    const ctx = { ...requestContext(c, deps), mode: requestedMode(c) };
    const body = c.req.valid('json');
    const { signedIn, issued } = await completeMfaSignIn(deps, c.get('tenant'), readSessionToken(c), body, ctx);
    deliverSession(c, issued);
    return c.json(await withAccessToken(deps, c, signedIn, issued), 200);
  });
  app.openapi(withMiddleware(app, deps, routes.consents, [requireSession(deps)]), async (c) => {
    const { agreements } = c.req.valid('json');
    return c.json(
      await acceptAgreements(deps, c.get('tenant'), sessionAuth(c), agreements, requestContext(c, deps)),
      200,
    );
  });
  app.openapi(routes.session, async (c) => {
    c.header('cache-control', 'no-store');
    return c.json(await currentSession(deps, c.get('tenant'), readSessionToken(c), preferredLocale(c)), 200);
  });
  app.openapi(routes.signOut, async (c) => {
    const token = readSessionToken(c);
    if (token) await endSession(deps, c.get('tenant').id, token);
    clearSessionCookie(c);
    return c.body(null, 204);
  });
  return app;
}
