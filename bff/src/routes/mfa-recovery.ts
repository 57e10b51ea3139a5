import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { mfaApplicationBody } from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { requestContext, type AppEnv } from '../http/context.ts';
import { idempotent } from '../http/idempotency.ts';
import { validateForTenant, validated } from '../http/validate.ts';
import type { ServiceDeps } from '../services/deps.ts';
import * as recovery from '../services/mfa-recovery.ts';
import { postgresFileStore } from '../storage/files.ts';

/** The user who passed the password step but lost the MFA device applies to disassociate it. */
export function mfaRecoveryRoutes(deps: ServiceDeps) {
  const files = postgresFileStore(deps.db);
  return new Hono<AppEnv>()
    .use('*', requireSession(deps, { allowMfaPending: true, primaryOnly: true }))
    .get('/', async (c) => c.json(await recovery.eligibility(deps, c.get('tenant'), sessionAuth(c))))
    .post(
      '/applications',
      // two images of at most 2 MB, base64-encoded, in one JSON body
      bodyLimit({
        maxSize: 6 * 1024 * 1024,
        onError: () => {
          throw new AppError('payload_too_large');
        },
      }),
      idempotent(deps),
      validateForTenant('json', mfaApplicationBody),
      async (c) => {
        const body = validated<Parameters<typeof recovery.submitApplication>[4]>(c, 'json');
        return c.json(
          await recovery.submitApplication(deps, files, c.get('tenant'), sessionAuth(c), body, requestContext(c, deps)),
          201,
        );
      },
    );
}
