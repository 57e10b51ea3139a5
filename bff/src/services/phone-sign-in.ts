/**
 * Sign-in with a phone code (docs/product.md#22-sign-in-with-a-phone-code): a code sent to a phone
 * that can sign in (docs/product.md#7-sign-in-identifiers: the one account it is a login identifier
 * of), in a region the tenant allows for it (`phoneCodeSignIn.regions`). As with unlock codes
 * (services/unlock.ts) the answers never tell whether the phone names an account: sending answers
 * the same for any phone, and any refused code is `code_invalid`.
 */
import type {
  PhoneSignInBody,
  PhoneSignInCodeBody,
  SessionMode,
  SignedIn,
  UnlockCodeResponse,
} from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { DIAL_CODES, PHONE_REGIONS } from '../../../shared/src/rules/phone-regions.ts';
import { phoneCodeSignInRegions } from '../../../shared/src/tenant.ts';
import * as accounts from '../db/accounts.ts';
import { recordEvent } from '../db/audit.ts';
import * as codes from '../db/codes.ts';
import type { TicketOutcome } from './abuse.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import { clientKey, signInLimits, withAttempts } from './limits.ts';
import type { IssuedSession } from './sessions.ts';
import { completeSignIn, identifierSubject } from './sign-in.ts';
import type { Tenant } from './tenants.ts';
import { answerThenIssue, checkCode, issueCode } from './verification.ts';

const PURPOSE = 'phone_sign_in';

/** The E.164 number (the body's, validated), once its region is one the tenant allows sign-in with a code for. */
function signInPhone(tenant: Tenant, e164: string): string {
  const region = PHONE_REGIONS.find((r) => e164.startsWith(`+${DIAL_CODES[r]}`));
  if (!region || !phoneCodeSignInRegions(tenant.config).includes(region))
    throw new AppError('phone_code_sign_in_unavailable', undefined, [
      { path: 'phone', code: 'phone_code_sign_in_unavailable' },
    ]);
  return e164;
}

/**
 * The one account the phone signs in to: the holder of its sign-in binding (one per value: a
 * unique index), whatever other accounts it is bound to. A phone bound to several accounts of
 * which none can sign in with it has none.
 */
async function candidateFor(deps: ServiceDeps, tenant: Tenant, e164: string) {
  const rows = await accounts.signInCandidates(deps.db, tenant.id, { kind: 'phone', value: e164 });
  const signable = rows.filter((r) => r.can_sign_in);
  return signable.length === 1 ? signable[0] : undefined;
}

const keyOf = (tenantId: string, e164: string) => `phone-code:${tenantId}:${e164}`;

/** POST /v1/sessions/phone-code/code: a code to the phone, if it signs in to an account (the same answer either way). */
export function sendPhoneSignInCode(
  deps: ServiceDeps,
  tenant: Tenant,
  body: PhoneSignInCodeBody,
  ctx: RequestContext,
): Promise<UnlockCodeResponse> {
  const e164 = signInPhone(tenant, body.phone);
  const key = keyOf(tenant.id, e164);
  // per phone whether it names an account or not, so the limits answer alike for both
  return answerThenIssue(
    deps,
    tenant,
    [
      { rule: 'phoneCodePerClient', key: `phone-code-${clientKey(ctx.ip)}` },
      { rule: 'phoneCodePerPhoneMinute', key: `${key}:minute` },
      { rule: 'phoneCodePerPhoneDay', key: `${key}:day` },
    ],
    'phone sign-in',
    { ip: ctx.ip, phone: e164, captcha: body.captcha },
    (ticket) => issuePhoneSignInCode(deps, tenant, e164, body.channel, ctx, ticket),
  );
}

async function issuePhoneSignInCode(
  deps: ServiceDeps,
  tenant: Tenant,
  e164: string,
  channel: PhoneSignInCodeBody['channel'],
  ctx: RequestContext,
  ticket: TicketOutcome,
): Promise<void> {
  const candidate = await candidateFor(deps, tenant, e164);
  if (!candidate) return;
  try {
    await issueCode(
      deps,
      tenant,
      { target: { kind: 'phone', value: e164, accountId: candidate.account_id }, purpose: PURPOSE, channel, ticket },
      ctx,
    );
  } catch (err) {
    // the real target's own cooldown or daily cap: nothing more to do, and nothing to tell
    if (!(err instanceof AppError)) throw err;
  }
}

/**
 * The account the phone signs in to, once its newest sign-in code (bound to that account and
 * phone) is right and used up. Any refusal reads alike: `code_invalid` on the field `code`.
 */
async function useCode(deps: ServiceDeps, tenant: Tenant, e164: string, code: string, ctx: RequestContext) {
  const invalid = () => new AppError('code_invalid', undefined, [{ path: 'code', code: 'code_invalid' }]);
  const candidate = await candidateFor(deps, tenant, e164);
  if (!candidate) throw invalid();
  const target = { kind: 'phone', value: e164, accountId: candidate.account_id } as const;
  let codeId: string;
  try {
    codeId = await checkCode(deps, tenant, { target, purpose: PURPOSE, code });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    // a failed sign-in goes to the account's audit log, as a wrong password does
    await recordEvent(deps.db, {
      tenantId: tenant.id,
      accountId: candidate.account_id,
      type: 'sign_in_failed',
      outcome: 'failure',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      detail: { reason: 'code_invalid', method: 'phone_code' },
      at: deps.clock.now(),
    });
    throw invalid(); // not sent, expired, used, too many tries: all read alike
  }
  // single use: of concurrent requests with the same code only the one that consumes it signs in
  const now = deps.clock.now();
  if (!(await deps.db.transaction().execute((trx) => codes.consumeCode(trx, tenant.id, codeId, now)))) throw invalid();
  return candidate;
}

/**
 * POST /v1/sessions/phone-code: the code signs in as password sign-in does (MFA step, agreements,
 * a new session). Attempts are reserved under the phone's sign-in limits before the code is checked.
 */
export async function signInWithPhoneCode(
  deps: ServiceDeps,
  tenant: Tenant,
  body: PhoneSignInBody,
  ctx: RequestContext & { mode: SessionMode; previousToken?: string | undefined },
): Promise<{ signedIn: SignedIn; issued: IssuedSession }> {
  const e164 = signInPhone(tenant, body.phone);
  // reserved under the phone's sign-in limits before the code is checked; a refused code stays counted
  const account = await withAttempts(
    deps,
    signInLimits(tenant.id, identifierSubject({ kind: 'phone', value: e164 }), ctx.ip),
    () => useCode(deps, tenant, e164, body.code, ctx),
  );
  return completeSignIn(deps, tenant, account, { ...ctx, method: { method: 'phone_code' } });
}
