import { Hono } from 'hono';
import {
  consentsBody,
  mfaSignInBody,
  registerBody,
  signInBody,
  unlockBody,
  unlockCodeBody,
  type RegisterBody,
  type SignIn,
  type UnlockCodeRequest,
  type UnlockRequest,
} from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { publicOrigin, requestContext, type AppContext, type AppEnv } from '../http/context.ts';
import { clearSessionCookie, readSessionToken, requestedMode, setSessionCookie } from '../http/session.ts';
import { validate, validateForTenant, validated } from '../http/validate.ts';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { idempotent } from '../http/idempotency.ts';
import { acceptAgreements } from '../services/consents.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { register } from '../services/registration.ts';
import type { IssuedSession } from '../services/sessions.ts';
import { endSession, validateSession } from '../services/sessions.ts';
import { completeMfaSignIn, signIn, startSignInMfaSetup } from '../services/sign-in.ts';
import { sendUnlockCode, unlockWithCode } from '../services/unlock.ts';
import { withAccessToken } from './tokens.ts';

function deliverSession(c: AppContext, issued: IssuedSession) {
  if (issued.summary.mode === 'cookie') setSessionCookie(c, issued.token, issued.summary.expiresAt);
}

/** Registration, sign-in, the current session and sign-out. */
export function sessionRoutes(deps: ServiceDeps) {
  return (
    new Hono<AppEnv>()
      // a registration whose answer was lost is retried with its Idempotency-Key: the same answer, not "name taken"
      .post('/accounts', idempotent(deps), validateForTenant('json', registerBody), async (c) => {
        const body = validated<RegisterBody>(c, 'json');
        const ctx = { ...requestContext(c, deps), mode: requestedMode(c), baseUrl: publicOrigin(c, deps) };
        const { signedIn, issued } = await register(deps, c.get('tenant'), body, ctx);
        deliverSession(c, issued);
        return c.json(await withAccessToken(deps, c, signedIn, issued), 201);
      })
      .post('/sessions', validate('json', signInBody), async (c) => {
        const body = validated<SignIn>(c, 'json');
        const ctx = { ...requestContext(c, deps), mode: requestedMode(c), previousToken: readSessionToken(c) };
        const { signedIn, issued } = await signIn(deps, c.get('tenant'), body, ctx);
        deliverSession(c, issued);
        return c.json(await withAccessToken(deps, c, signedIn, issued), 200);
      })
      .post('/sessions/unlock/code', validate('json', unlockCodeBody), async (c) =>
        c.json(
          await sendUnlockCode(deps, c.get('tenant'), validated<UnlockCodeRequest>(c, 'json'), requestContext(c, deps)),
          202,
        ),
      )
      .post('/sessions/unlock', validate('json', unlockBody), async (c) =>
        c.json(
          await unlockWithCode(deps, c.get('tenant'), validated<UnlockRequest>(c, 'json'), requestContext(c, deps)),
        ),
      )
      .post('/sessions/mfa/setup', async (c) =>
        c.json(await startSignInMfaSetup(deps, c.get('tenant'), readSessionToken(c), requestContext(c, deps).locale)),
      )
      .post('/sessions/mfa', validate('json', mfaSignInBody), async (c) => {
        const body = validated<{ code?: string; recoveryCode?: string }>(c, 'json');
        const ctx = { ...requestContext(c, deps), mode: requestedMode(c) };
        const { signedIn, issued } = await completeMfaSignIn(deps, c.get('tenant'), readSessionToken(c), body, ctx);
        deliverSession(c, issued);
        return c.json(await withAccessToken(deps, c, signedIn, issued), 200);
      })
      .post('/consents', requireSession(deps), validate('json', consentsBody), async (c) => {
        const { agreements } = validated<{ agreements: { key: string; version: string }[] }>(c, 'json');
        return c.json(
          await acceptAgreements(deps, c.get('tenant'), sessionAuth(c), agreements, requestContext(c, deps)),
        );
      })
      .get('/session', async (c) => {
        const token = readSessionToken(c);
        const signedIn = token ? await validateSession(deps, c.get('tenant').id, token) : undefined;
        c.header('cache-control', 'no-store');
        if (!signedIn) throw new AppError('not_signed_in');
        return c.json(signedIn);
      })
      .delete('/session', async (c) => {
        const token = readSessionToken(c);
        if (token) await endSession(deps, c.get('tenant').id, token);
        clearSessionCookie(c);
        return c.body(null, 204);
      })
  );
}
