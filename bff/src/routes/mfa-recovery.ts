import { bodyLimitByLength } from '../http/body-limit.ts';
import {
  applicationPurposeQuery,
  mfaApplicationBody,
  MfaApplicationSubmittedSchema,
  MfaRecoveryEligibilitySchema,
} from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { requestContext } from '../http/context.ts';
import { apiRoutes, tenantJsonBody } from '../http/validate.ts';
import { defineRoute, jsonAnswer, withMiddleware } from '../openapi/define.ts';
import type { ServiceDeps } from '../services/deps.ts';
import * as recovery from '../services/mfa-recovery.ts';
import type { SessionAuth } from '../services/sessions.ts';
import { postgresFileStore } from '../storage/files.ts';

/** Mounted at /v1/mfa-recovery. */
const routes = {
  eligibility: defineRoute({
    method: 'get',
    path: '/',
    tag: 'Virtual MFA',
    summary:
      'Lost device (or, with `purpose=security_phone` and a full session, a lost security phone): may this account apply?',
    auth: 'pending',
    request: { query: applicationPurposeQuery },
    responses: { 200: jsonAnswer(MfaRecoveryEligibilitySchema, 'Whether it may apply, and how') },
  }),
  apply: defineRoute({
    method: 'post',
    path: '/applications',
    tag: 'Virtual MFA',
    summary:
      'Apply to disassociate a lost MFA device, or (`purpose: security_phone`, full session) to bind a new security phone (real-name verified accounts)',
    auth: 'pending',
    idempotent: true,
    request: { body: tenantJsonBody(mfaApplicationBody) },
    responses: { 201: jsonAnswer(MfaApplicationSubmittedSchema, 'Queued for review') },
  }),
};

/** A lost security phone is applied for from a full session (signed in, MFA step passed): never a pending one. */
function fullSessionFor(purpose: 'mfa' | 'security_phone', auth: SessionAuth): SessionAuth {
  if (purpose === 'security_phone' && auth.mfaPending) throw new AppError('mfa_required');
  return auth;
}

/** The user who passed the password step but lost the MFA device applies to disassociate it. */
export function mfaRecoveryRoutes(deps: ServiceDeps) {
  const files = postgresFileStore(deps.db);
  // two images of at most 2 MB, base64-encoded, in one JSON body
  const limitBody = bodyLimitByLength(6 * 1024 * 1024);
  const app = apiRoutes();
  app.use('*', requireSession(deps, { allowMfaPending: true, primaryOnly: true }));
  app.openapi(routes.eligibility, async (c) => {
    const purpose = c.req.valid('query').purpose ?? 'mfa';
    return c.json(
      await recovery.eligibility(deps, c.get('tenant'), fullSessionFor(purpose, sessionAuth(c)), purpose),
      200,
    );
  });
  app.openapi(withMiddleware(app, deps, routes.apply, [limitBody]), async (c) =>
    c.json(
      await recovery.submitApplication(
        deps,
        files,
        c.get('tenant'),
        fullSessionFor(c.req.valid('json').purpose ?? 'mfa', sessionAuth(c)),
        c.req.valid('json'),
        requestContext(c, deps),
        c.req.valid('json').purpose ?? 'mfa',
      ),
      201,
    ),
  );
  return app;
}
