import { AppError } from '../../../shared/src/errors.ts';
import type { SessionMode, SignIn, SignedIn } from '../../../shared/src/api.ts';
import { foldAccountName } from '../../../shared/src/rules/account-name.ts';
import { normalizeEmail } from '../../../shared/src/rules/email.ts';
import { parseIdentifierPhone } from '../../../shared/src/rules/phone.ts';
import * as accounts from '../db/accounts.ts';
import { countFailuresSince, recordEvent } from '../db/audit.ts';
import type { ContactKind } from '../db/schema.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import { countMfaFailure } from '../db/sessions.ts';
import { findSubUserById } from '../db/sub-users.ts';
import { authenticateSubUser } from './sub-users.ts';
import { useRecoveryCode, verifyAccountTotp } from './mfa.ts';
import { authenticateSession, createSession, endSession, toAccountSummary, type IssuedSession } from './sessions.ts';
import type { Tenant } from './tenants.ts';

type Identifier = { kind: 'name'; folded: string } | { kind: ContactKind; value: string };

/** Account names are never digits only and never contain "@", so the three kinds cannot collide. */
export function classifyIdentifier(raw: string, tenant: Tenant): Identifier {
  const s = raw.trim();
  if (s.includes('@')) return { kind: 'email', value: normalizeEmail(s) };
  const phone = parseIdentifierPhone(s, tenant.config.phoneRegions);
  if (phone) return { kind: 'phone', value: phone };
  return { kind: 'name', folded: foldAccountName(s) };
}

const invalid = () => new AppError('invalid_credentials');

/** A failed sign-in goes to the account's audit log when the account is known. */
async function failed(deps: ServiceDeps, tenant: Tenant, accountId: string | null, ctx: RequestContext, err: AppError): Promise<never> {
  if (accountId) {
    await recordEvent(deps.db, { tenantId: tenant.id, accountId, type: 'sign_in_failed', outcome: 'failure', ip: ctx.ip, userAgent: ctx.userAgent, detail: { reason: err.code }, at: deps.clock.now() });
  }
  throw err;
}

/** Account lockout: this many failed passwords or MFA codes within the window lock sign-in for the rest of it. */
export const LOCKOUT_FAILURES = 10;
export const LOCKOUT_WINDOW_MINUTES = 15;

/** Refuses before the password is even checked, so a locked account cannot be brute-forced meanwhile. */
function assertNotLockedCount(recentFailures: number): void {
  if (Number(recentFailures) >= LOCKOUT_FAILURES) throw new AppError('account_locked', { minutes: LOCKOUT_WINDOW_MINUTES });
}

export async function assertNotLocked(deps: ServiceDeps, tenantId: string, accountId: string): Promise<void> {
  const since = new Date(deps.clock.now().getTime() - LOCKOUT_WINDOW_MINUTES * 60_000);
  assertNotLockedCount(await countFailuresSince(deps.db, tenantId, accountId, ['sign_in_failed', 'mfa_failed'], since));
}

type Candidate = Awaited<ReturnType<typeof accounts.signInCandidates>>[number];

/**
 * Finds the account the identifier signs in to and checks the password, spending one argon2
 * verification whether or not an account exists. PRODUCT.md "Which identifiers may sign in":
 * a phone/email signs in only where its binding can sign in; when it is bound only to accounts
 * that cannot, the "multiple accounts" message is given only if the password matched one of them.
 */
async function authenticate(deps: ServiceDeps, tenant: Tenant, body: SignIn, ctx: RequestContext): Promise<Candidate> {
  const id = classifyIdentifier(body.identifier, tenant);
  const since = new Date(deps.clock.now().getTime() - LOCKOUT_WINDOW_MINUTES * 60_000);
  const rows = await accounts.signInCandidates(deps.db, tenant.id, id.kind === 'name' ? { folded: id.folded } : { kind: id.kind, value: id.value }, since);
  // An email signs in only once verified (PRODUCT.md: an unverified email serves nothing).
  const bound = id.kind === 'email' ? rows.filter((r) => r.bound_verified_at !== null) : rows;
  const signable = bound.find((r) => r.can_sign_in);
  if (signable) {
    assertNotLockedCount(signable.recent_failures);
    if (!(await deps.hasher.verify(signable.password_hash, body.password))) return failed(deps, tenant, signable.account_id, ctx, invalid());
    return signable;
  }
  if (bound.length === 0) {
    await deps.hasher.verifyDummy(body.password);
    throw invalid();
  }
  for (const candidate of bound) {
    if (await deps.hasher.verify(candidate.password_hash, body.password)) throw new AppError('identifier_multiple_accounts');
  }
  throw invalid();
}

/** Signs in and issues a fresh session; an old session presented with the request is ended (new id at sign-in). */
export async function signIn(
  deps: ServiceDeps,
  tenant: Tenant,
  body: SignIn,
  ctx: RequestContext & { mode: SessionMode; previousToken?: string | undefined },
): Promise<{ signedIn: SignedIn; issued: IssuedSession }> {
  if (body.subUser) {
    const sub = await authenticateSubUser(deps, tenant, { primary: body.identifier, subUser: body.subUser, password: body.password });
    if (ctx.previousToken) await endSession(deps, tenant.id, ctx.previousToken);
    return issueSignedIn(deps, tenant, sub.accountId, ctx, sub.subUserId);
  }
  const candidate = await authenticate(deps, tenant, body, ctx);
  if (ctx.previousToken) await endSession(deps, tenant.id, ctx.previousToken);
  if (candidate.has_mfa) {
    // PRODUCT.md: once MFA is bound, sign-in asks for its code after the password
    const issued = await createSession(deps.db, deps, { tenantId: tenant.id, accountId: candidate.account_id, mode: ctx.mode, mfaPending: true }, ctx);
    return { signedIn: { account: toAccountSummary(candidate), session: issued.summary, mfaRequired: true }, issued };
  }
  return issueSignedIn(deps, tenant, candidate.account_id, ctx, null, candidate);
}

async function issueSignedIn(
  deps: ServiceDeps,
  tenant: Tenant,
  accountId: string,
  ctx: RequestContext & { mode: SessionMode },
  subUserId: string | null = null,
  known?: Parameters<typeof toAccountSummary>[0],
) {
  // single inserts need no transaction; the summary is read alongside them unless sign-in already has it
  const [issued, summary, subUser] = await Promise.all([
    createSession(deps.db, deps, { tenantId: tenant.id, accountId, mode: ctx.mode, subUserId }, ctx),
    known ?? accounts.findAccountSummary(deps.db, tenant.id, accountId),
    subUserId ? findSubUserById(deps.db, tenant.id, subUserId) : undefined,
    recordEvent(deps.db, {
      tenantId: tenant.id,
      accountId,
      type: 'sign_in',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      detail: subUserId ? { mode: ctx.mode, subUser: subUserId } : { mode: ctx.mode },
      at: deps.clock.now(),
    }),
  ]);
  const account = toAccountSummary({ ...summary!, sub_user_id: subUser?.id ?? null, sub_user_name: subUser?.name ?? null });
  return { signedIn: { account, session: issued.summary }, issued };
}

const MFA_MAX_FAILURES = 5;

/**
 * The MFA step of sign-in: the pending session presents a TOTP code or a recovery code. Wrong
 * codes count on the session; the fifth ends it. Success ends the pending session and issues a
 * fresh one (a new id once fully signed in).
 */
export async function completeMfaSignIn(
  deps: ServiceDeps,
  tenant: Tenant,
  token: string | undefined,
  body: { code?: string | undefined; recoveryCode?: string | undefined },
  ctx: RequestContext & { mode: SessionMode },
): Promise<{ signedIn: SignedIn; issued: IssuedSession }> {
  const auth = token ? await authenticateSession(deps, tenant.id, token) : undefined;
  if (!auth || !auth.mfaPending) throw new AppError('not_signed_in');
  await assertNotLocked(deps, tenant.id, auth.accountId); // wrong MFA codes count toward the lockout too
  try {
    if (body.recoveryCode) await useRecoveryCode(deps, tenant, auth.accountId, body.recoveryCode, ctx);
    else await verifyAccountTotp(deps, tenant, auth.accountId, body.code ?? '', ctx, 'sign_in');
  } catch (err) {
    if (err instanceof AppError && (await countMfaFailure(deps.db, tenant.id, auth.idHash)) >= MFA_MAX_FAILURES) {
      await endSession(deps, tenant.id, token!);
      throw new AppError('mfa_too_many_attempts');
    }
    throw err;
  }
  await endSession(deps, tenant.id, token!);
  return issueSignedIn(deps, tenant, auth.accountId, { ...ctx, mode: auth.signedIn.session.mode });
}
