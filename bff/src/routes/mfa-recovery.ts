import { bodyLimit } from 'hono/body-limit';
import {
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
import { postgresFileStore } from '../storage/files.ts';

/** Mounted at /v1/mfa-recovery. */
const routes = {
  eligibility: defineRoute({
    method: 'get',
    path: '/',
    tag: 'Virtual MFA',
    summary: 'Lost device: may this account apply to disassociate MFA?',
    auth: 'pending',
    responses: { 200: jsonAnswer(MfaRecoveryEligibilitySchema, 'Whether it may apply, and how') },
  }),
  apply: defineRoute({
    method: 'post',
    path: '/applications',
    tag: 'Virtual MFA',
    summary: 'Apply to disassociate a lost MFA device (real-name verified accounts)',
    auth: 'pending',
    idempotent: true,
    request: { body: tenantJsonBody(mfaApplicationBody) },
    responses: { 201: jsonAnswer(MfaApplicationSubmittedSchema, 'Queued for review') },
  }),
};

/** The user who passed the password step but lost the MFA device applies to disassociate it. */
export function mfaRecoveryRoutes(deps: ServiceDeps) {
  const files = postgresFileStore(deps.db);
  // two images of at most 2 MB, base64-encoded, in one JSON body
  const limitBody = bodyLimit({
    maxSize: 6 * 1024 * 1024,
    onError: () => {
      throw new AppError('payload_too_large');
    },
  });
  const app = apiRoutes();
  app.use('*', requireSession(deps, { allowMfaPending: true, primaryOnly: true }));
  app.openapi(routes.eligibility, async (c) =>
    c.json(await recovery.eligibility(deps, c.get('tenant'), sessionAuth(c)), 200),
  );
  app.openapi(withMiddleware(app, deps, routes.apply, [limitBody]), async (c) =>
    c.json(
      await recovery.submitApplication(
        deps,
        files,
        c.get('tenant'),
        sessionAuth(c),
        c.req.valid('json'),
        requestContext(c, deps),
      ),
      201,
    ),
  );
  return app;
}
