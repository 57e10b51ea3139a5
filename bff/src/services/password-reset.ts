/**
 * Forgot password (docs/product.md#21-forgot-password). The owner of a primary account proves its
 * verified security phone (SMS, voice) or email with a code, gives the MFA code (or a recovery
 * code) when a device is bound, and sets a new password under the tenant's policy. Every session
 * of the account ends, its locks are lifted, its security contacts are told.
 *
 * Nothing answers differently for an identifier that names no account: sending always answers the
 * same (the code is issued after the answer, as unlocking does: services/unlock.ts), and any
 * refusal of a code — unknown identifier, no code, wrong, expired, used — is `code_invalid`, after
 * the same database work as a wrong code of a real account.
 */
import type {
  PasswordResetBody,
  PasswordResetCodeRequest,
  PasswordResetCodeResponse,
  PasswordResetResponse,
  PasswordResetVerifyRequest,
  PasswordResetVerifyResponse,
  SessionMode,
  SignedIn,
} from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { passwordProblems } from '../../../shared/src/rules/password.ts';
import { signInAfterReset } from '../../../shared/src/tenant.ts';
import * as accounts from '../db/accounts.ts';
import { recordEvent } from '../db/audit.ts';
import * as codes from '../db/codes.ts';
import * as sessions from '../db/sessions.ts';
import type { TicketOutcome } from './abuse.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import { clientKey, sessionSecretLimits, withAttempts, type Limit } from './limits.ts';
import { hasMfa, useRecoveryCode, verifyAccountTotp } from './mfa.ts';
import { notifySecurityContacts } from './notices.ts';
import { createSession, toAccountSummary, type IssuedSession } from './sessions.ts';
import { classifyIdentifier, identifierSubject, issueSignedIn, refuseClosing, withAgreements } from './sign-in.ts';
import type { Tenant } from './tenants.ts';
import { accountOfIdentifier, liftAccountLocks, securityContactFor } from './unlock.ts';
import { answerThenIssue, checkCode, issueCode, type CodeTarget } from './verification.ts';

type Identifier = ReturnType<typeof classifyIdentifier>;

const PURPOSE = 'password_reset';
const identifierKey = (tenantId: string, id: Identifier) => `reset:${tenantId}:${identifierSubject(id)}`;
const invalid = () => new AppError('code_invalid', undefined, [{ path: 'code', code: 'code_invalid' }]);

/** Checks of a reset code: per client, and per identifier (known or not) from all clients. */
const checkLimits = (tenantId: string, id: Identifier, ip: string | null): Limit[] => [
  { rule: 'perClient', key: clientKey(ip) },
  { rule: 'perAccount', key: `${identifierKey(tenantId, id)}:checks`, clearOnSuccess: true },
];

/** POST /v1/password-reset/code: a code to the account's verified security phone or email, if there is one. */
export function sendPasswordResetCode(
  deps: ServiceDeps,
  tenant: Tenant,
  input: PasswordResetCodeRequest,
  ctx: RequestContext,
): Promise<PasswordResetCodeResponse> {
  const id = classifyIdentifier(input.identifier, tenant);
  const key = identifierKey(tenant.id, id);
  return answerThenIssue(
    deps,
    tenant,
    [
      { rule: 'resetPerClient', key: `reset-${clientKey(ctx.ip)}` },
      { rule: 'resetPerIdentifierMinute', key: `${key}:minute` },
      { rule: 'resetPerIdentifierDay', key: `${key}:day` },
    ],
    'password reset',
    { ip: ctx.ip, captcha: input.captcha },
    (ticket) => issueResetCode(deps, tenant, id, input.channel, ctx, ticket),
  );
}

async function issueResetCode(
  deps: ServiceDeps,
  tenant: Tenant,
  id: Identifier,
  channel: PasswordResetCodeRequest['channel'],
  ctx: RequestContext,
  ticket: TicketOutcome,
): Promise<void> {
  const account = await accountOfIdentifier(deps, tenant, id);
  const contact = account ? await securityContactFor(deps, tenant.id, account.account_id, channel) : undefined;
  if (!account || !contact) return;
  try {
    await issueCode(
      deps,
      tenant,
      {
        target: { kind: contact.kind, value: contact.value, accountId: account.account_id },
        purpose: PURPOSE,
        channel: channel === 'voice' ? 'voice' : 'sms',
        ticket,
      },
      ctx,
    );
  } catch (err) {
    // the real target's own cooldown or daily cap: nothing more to do, and nothing to tell
    if (!(err instanceof AppError)) throw err;
  }
}

/**
 * The account and the code's row for an identifier and a code: checked (a wrong code counts a
 * try on it), not used up. Unknown identifiers go through the same check against a target no code
 * was sent to, so their answer costs what a real account's wrong code costs.
 */
async function checkResetCode(deps: ServiceDeps, tenant: Tenant, id: Identifier, code: string) {
  const account = await accountOfIdentifier(deps, tenant, id);
  const sent = account
    ? await codes.latestAccountCodeTarget(deps.db, tenant.id, account.account_id, PURPOSE)
    : undefined;
  const target: CodeTarget =
    account && sent
      ? { kind: sent.channel === 'email' ? 'email' : 'phone', value: sent.target, accountId: account.account_id }
      : { kind: 'phone', value: `unknown:${identifierSubject(id)}`, accountId: null };
  let codeId: string;
  try {
    codeId = await checkCode(deps, tenant, { target, purpose: PURPOSE, code });
  } catch (err) {
    if (err instanceof AppError) throw invalid(); // expired, used, too many tries, never sent: all read alike
    throw err;
  }
  if (!account || !sent) throw invalid();
  return { account, codeId };
}

/** POST /v1/password-reset/verify: the code is right (not used up); whether the MFA code is asked too. */
export async function verifyPasswordResetCode(
  deps: ServiceDeps,
  tenant: Tenant,
  input: PasswordResetVerifyRequest,
  ctx: RequestContext,
): Promise<PasswordResetVerifyResponse> {
  const id = classifyIdentifier(input.identifier, tenant);
  const { account } = await withAttempts(deps, checkLimits(tenant.id, id, ctx.ip), () =>
    checkResetCode(deps, tenant, id, input.code),
  );
  return { mfaRequired: account.has_mfa };
}

/**
 * POST /v1/password-reset: the code, the MFA code when a device is bound, the new password. One
 * transaction uses the code up, sets the password and ends every session of the account (its
 * sub-users' too); then its locks are lifted and, by the tenant's setting, a new session starts.
 */
export async function resetPassword(
  deps: ServiceDeps,
  tenant: Tenant,
  input: PasswordResetBody,
  ctx: RequestContext & { mode: SessionMode },
): Promise<{ answer: PasswordResetResponse; issued?: IssuedSession }> {
  const id = classifyIdentifier(input.identifier, tenant);
  const { account, codeId } = await withAttempts(deps, checkLimits(tenant.id, id, ctx.ip), () =>
    checkResetCode(deps, tenant, id, input.code),
  );
  if (account.disabled_at) throw new AppError('account_disabled');
  refuseClosing(account);
  // the rule that needs the account name, before any MFA attempt is spent
  const problems = passwordProblems(input.password, tenant.config.passwordPolicy, account.account_name ?? undefined);
  if (problems.length)
    throw new AppError(
      'invalid_input',
      undefined,
      problems.map((code) => ({ path: 'password', code })),
    );
  const mfaVerified = account.has_mfa;
  if (account.has_mfa) await checkMfa(deps, tenant, account.account_id, input, ctx);
  const hash = await deps.hasher.hash(input.password);
  const now = deps.clock.now();
  const signedOut = await deps.db.transaction().execute(async (trx) => {
    await accounts.lockAccount(trx, tenant.id, account.account_id);
    // single use: of concurrent resets with one code, only the one that consumes it goes on
    if (!(await codes.consumeCode(trx, tenant.id, codeId, now))) throw invalid();
    await accounts.updatePasswordHash(trx, tenant.id, account.account_id, hash, now);
    // every session of the account, its sub-users' too (no id hash is empty, so none is kept)
    const n = await sessions.deleteOtherSessions(trx, tenant.id, account.account_id, '');
    await notifySecurityContacts(
      trx,
      tenant,
      account.account_id,
      { purpose: 'security_notice', kind: 'password' },
      account.locale ?? ctx.locale,
      now,
    );
    await recordEvent(trx, {
      tenantId: tenant.id,
      accountId: account.account_id,
      type: 'password_reset',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      detail: { signedOutSessions: n, mfa: mfaVerified ? 'verified' : 'none' },
      at: now,
    });
    return n;
  });
  deps.sessionCache.forgetAccount(tenant.id, account.account_id);
  deps.onEnqueued();
  deps.log.info('password reset', { tenant: tenant.slug, signedOutSessions: signedOut });
  await liftAccountLocks(deps, tenant, account.account_id);
  if (!signInAfterReset(tenant.config)) return { answer: { reset: true } };
  const { signedIn, issued } = withAgreements(
    tenant,
    account.consented,
    await issueSignedIn(deps, tenant, account.account_id, { ...ctx, mfaVerified }, null, account),
  );
  return { answer: { ...signedIn, reset: true }, issued };
}

/** The MFA code (or a recovery code) of the bound device: a wrong one counts as a wrong secret of the account. */
async function checkMfa(
  deps: ServiceDeps,
  tenant: Tenant,
  accountId: string,
  input: PasswordResetBody,
  ctx: RequestContext,
): Promise<void> {
  if (!input.mfaCode && !input.recoveryCode)
    throw new AppError('required', undefined, [{ path: 'mfaCode', code: 'required' }]);
  await withAttempts(deps, sessionSecretLimits(tenant.id, accountId, null, ctx.ip), async () => {
    if (input.recoveryCode) return useRecoveryCode(deps, tenant, accountId, input.recoveryCode, ctx);
    try {
      await verifyAccountTotp(deps, tenant, accountId, input.mfaCode ?? '', ctx, PURPOSE);
    } catch (err) {
      // the TOTP check names its field `code`; here that is the reset code's, so the field is `mfaCode`
      if (err instanceof AppError)
        throw new AppError(err.code, err.params, [{ path: 'mfaCode', code: err.code, params: err.params }]);
      throw err;
    }
  });
}

/**
 * POST /v1/password-reset/lost-device: the code is right, MFA is bound and its device is lost. The
 * code is used up and opens the same pending session a right password does (the MFA step is due),
 * from which the lost-device application is made (docs/product.md#14-lost-mfa-device-applications).
 */
export async function startLostDeviceFromReset(
  deps: ServiceDeps,
  tenant: Tenant,
  input: PasswordResetVerifyRequest,
  ctx: RequestContext & { mode: SessionMode },
): Promise<{ signedIn: SignedIn; issued: IssuedSession }> {
  const id = classifyIdentifier(input.identifier, tenant);
  const { account, codeId } = await withAttempts(deps, checkLimits(tenant.id, id, ctx.ip), () =>
    checkResetCode(deps, tenant, id, input.code),
  );
  if (account.disabled_at) throw new AppError('account_disabled');
  refuseClosing(account);
  if (!(await hasMfa(deps, tenant.id, account.account_id))) throw new AppError('mfa_not_bound');
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    if (!(await codes.consumeCode(trx, tenant.id, codeId, now))) throw invalid();
  });
  const issued = await createSession(
    deps.db,
    deps,
    { tenantId: tenant.id, accountId: account.account_id, mode: ctx.mode, mfaPending: true },
    ctx,
  );
  return { signedIn: { account: toAccountSummary(account), session: issued.summary, mfaRequired: true }, issued };
}
