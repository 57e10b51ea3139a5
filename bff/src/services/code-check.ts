import { z } from 'zod';
import { CodeSchema, PhoneInputSchema } from '../../../shared/src/api.ts';
import type { PhoneRegion } from '../../../shared/src/rules/phone-regions.ts';
import type { ServiceDeps } from './deps.ts';
import type { Tenant } from './tenants.ts';
import { checkCode } from './verification.ts';
import { contactTakenElsewhere } from '../db/accounts.ts';

/** POST /v1/verification-codes/check: registration's phone step (docs/product.md#6-registration). */
export const checkCodeBody = (rules: { phoneRegions: readonly PhoneRegion[] }) =>
  z.object({
    phone: PhoneInputSchema(rules.phoneRegions),
    code: CodeSchema,
    // only registration codes: account-bound purposes are checked by their own steps
    purpose: z.enum(['register'], { error: 'invalid_input' }),
  });
export type CheckCodeBody = z.infer<ReturnType<typeof checkCodeBody>>;

export const CodeCheckResponseSchema = z
  .object({
    valid: z.literal(true),
    phoneInUse: z
      .boolean()
      .describe(
        'the phone is verified on another account of the tenant: it will verify identity and receive messages for the new account, but not sign in to it',
      ),
  })
  .meta({ id: 'CodeCheck' });
export type CodeCheckResponse = z.infer<typeof CodeCheckResponseSchema>;

/**
 * Step 1 of registration asks "is this code right?" before the name and password, without using
 * the code up: registration checks it again and consumes it (docs/product.md#6-registration).
 *
 * The check is registration's own (services/verification.ts checkCode): the same errors for a
 * wrong, expired or unsent code, and the same cap. The code's row is locked (`FOR UPDATE`) and a
 * wrong try is recorded in that transaction before it commits, so concurrent checks take turns and
 * each sees the tries before it: a burst cannot get more than CODE_MAX_ATTEMPTS wrong guesses in,
 * and checks spend the same tries registration would.
 *
 * Only after a right code does the answer say whether another account of the tenant has this
 * phone verified: someone who merely typed a number learns nothing about it. Such a phone still
 * becomes the new account's security phone, but cannot sign in to it (services/contacts.ts).
 */
export async function checkRegistrationCode(
  deps: ServiceDeps,
  tenant: Tenant,
  body: CheckCodeBody,
): Promise<CodeCheckResponse> {
  await checkCode(deps, tenant, {
    target: { kind: 'phone', value: body.phone },
    purpose: body.purpose,
    code: body.code,
  });
  const phoneInUse = await contactTakenElsewhere(deps.db, tenant.id, 'phone', body.phone);
  return { valid: true, phoneInUse };
}
