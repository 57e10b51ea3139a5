import { AppError } from '../../../shared/src/errors.ts';
import type { MfaSetupResponse, SessionMode, SignIn, SignInNotice, SignedIn } from '../../../shared/src/api.ts';
import type { Locale } from '../../../shared/src/i18n/index.ts';
import { foldAccountName } from '../../../shared/src/rules/account-name.ts';
import { normalizeEmail } from '../../../shared/src/rules/email.ts';
import { parseIdentifierPhone } from '../../../shared/src/rules/phone.ts';
import * as accounts from '../db/accounts.ts';
import { accountStatus } from '../db/account-closing.ts';
import { recordEvent, type AuditEvent } from '../db/audit.ts';
import { agreementsToAccept } from './consents.ts';
import { reserveAttempts, reserveAttemptsAlong, signInLimits, type Reservation } from './limits.ts';
import { noteSignInFailure, screenSignIn } from './abuse.ts';
import type { ContactKind } from '../db/schema.ts';
import type { SettleKey } from '../db/attempts.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import { reserveMfaAttempt } from '../db/sessions.ts';
import { findSubUser, findSubUserById, markMfaReset } from '../db/sub-users.ts';
import { authenticateSubUser } from './sub-users.ts';
import {
  confirmSubUserSetup,
  hasDevice,
  startSubUserSetup,
  useRecoveryCode,
  verifyAccountTotp,
  verifySubUserTotp,
} from './mfa.ts';
import {
  authenticateSession,
  createSession,
  endSession,
  toAccountSummary,
  type IssuedSession,
  type SignInMethodOf,
} from './sessions.ts';
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

/**
 * Where sign-in checks `disabled_at` (after the right secret only): an account being closed
 * (docs/product.md#24-closing-an-account) answers `account_closing` with the time it closes; an
 * erased one reads as wrong credentials.
 */
export function refuseClosing(row: { closes_at: Date | string | null; closed_at: Date | string | null }): void {
  if (row.closed_at) throw invalid();
  if (row.closes_at) {
    const closesAt = (row.closes_at instanceof Date ? row.closes_at : new Date(row.closes_at)).toISOString();
    throw new AppError('account_closing', { closesAt, date: closesAt.slice(0, 10) });
  }
}

type Candidate = Awaited<ReturnType<typeof accounts.signInCandidates>>[number];

/** How many other accounts sharing a phone/email have their password checked for the "use the account name" answer. */
const MAX_SHARED_CANDIDATES = 5;

/** The limits' subject of a sign-in identifier, known or not (services/limits.ts). */
export const identifierSubject = (id: Identifier) => `i:${id.kind}:${id.kind === 'name' ? id.folded : id.value}`;

/**
 * Finds the account the identifier signs in to and checks the password, spending one argon2
 * verification whether or not an account exists. Attempts are reserved before any password is
 * checked (services/limits.ts): per account (or unknown identifier) from all clients, per
 * (account, client), per client. docs/product.md#7-sign-in-identifiers: a phone/email signs
 * in only where its binding can sign in; when the password is wrong for that account (or no
 * binding can sign in), the other accounts it is bound to are tried under their own limits, and
 * the right password of one of them answers "use the account name" instead. The right password
 * returns its reservation unsettled: completeSignIn settles it with the session it writes.
 */
async function authenticate(
  deps: ServiceDeps,
  tenant: Tenant,
  body: SignIn,
  ctx: RequestContext,
): Promise<{ candidate: Candidate; reservation: Reservation }> {
  const id = classifyIdentifier(body.identifier, tenant);
  // limited per identifier, known or not: one account's name, phone and email have counters of
  // their own, so a throttle on one cannot tell that another belongs to the same account. The
  // reservation and the candidates' read are one statement (one round trip); a refusal throws
  // before any row is looked at, so it answers the same whether or not an account exists
  const subject = identifierSubject(id);
  const { reservation, rows } = await reserveAttemptsAlong(
    deps,
    signInLimits(tenant.id, subject, ctx.ip),
    {
      build: accounts.signInCandidatesRead,
      values:
        id.kind === 'name'
          ? { tenantId: tenant.id, folded: id.folded }
          : { tenantId: tenant.id, kind: id.kind, value: id.value },
    },
    'account_id',
  );
  // An email signs in only once verified (docs/product.md#5-email: an unverified email serves nothing).
  const bound = id.kind === 'email' ? rows.filter((r) => r.bound_verified_at !== null) : rows;
  const signable = bound.find((r) => r.can_sign_in);
  if (signable) {
    if (await deps.hasher.verify(signable.password_hash, body.password)) return { candidate: signable, reservation };
    await recordFailure(deps, tenant, signable.account_id, ctx);
  } else if (bound.length === 0) {
    await deps.hasher.verifyDummy(body.password);
    throw invalid();
  }
  for (const other of bound.filter((r) => r !== signable).slice(0, MAX_SHARED_CANDIDATES)) {
    // that account's own limits hold here too (the client's was reserved once above): a locked or throttled one is not tried
    const own = await reserveAttempts(deps, signInLimits(tenant.id, `a:${other.account_id}`, ctx.ip).slice(1)).catch(
      () => undefined,
    );
    if (!own) continue;
    if (await deps.hasher.verify(other.password_hash, body.password)) {
      await Promise.all([own.cancel(), reservation.cancel()]);
      throw new AppError('identifier_multiple_accounts');
    }
    await recordFailure(deps, tenant, other.account_id, ctx);
  }
  throw invalid();
}

/** A failed sign-in goes to the audit log of the account whose password was tried. */
async function recordFailure(deps: ServiceDeps, tenant: Tenant, accountId: string, ctx: RequestContext): Promise<void> {
  await recordEvent(deps.db, {
    tenantId: tenant.id,
    accountId,
    type: 'sign_in_failed',
    outcome: 'failure',
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    detail: { reason: 'invalid_credentials' },
    at: deps.clock.now(),
  });
}

/** Signs in and issues a fresh session; an old session presented with the request is ended (new id at sign-in). */
export async function signIn(
  deps: ServiceDeps,
  tenant: Tenant,
  body: SignIn,
  ctx: RequestContext & { mode: SessionMode; previousToken?: string | undefined },
): Promise<{ signedIn: SignedIn; issued: IssuedSession }> {
  if (body.subUser) {
    const sub = await authenticateSubUser(
      deps,
      tenant,
      { primary: body.identifier, subUser: body.subUser, password: body.password },
      ctx,
    );
    // admin API: a disabled primary account's sub-users are refused too (after the right password)
    const status = await accountStatus(deps.db, tenant.id, sub.accountId);
    if (status?.disabled_at) throw new AppError('account_disabled');
    if (status) refuseClosing(status);
    if (ctx.previousToken) await endSession(deps, tenant.id, ctx.previousToken);
    const bound = await hasDevice(deps, { tenantId: tenant.id, accountId: sub.accountId, subUserId: sub.subUserId });
    const notices: SignInNotice[] = sub.mfaResetAt ? ['mfa_reset_by_primary'] : [];
    if (bound || sub.mfaRequired) {
      // docs/product.md#13-sub-users: the code of a bound device is due; with "MFA required" and
      // no device, binding one is (the pending session does either next)
      const [issued, summary] = await Promise.all([
        createSession(
          deps.db,
          deps,
          { tenantId: tenant.id, accountId: sub.accountId, mode: ctx.mode, mfaPending: true, subUserId: sub.subUserId },
          ctx,
        ),
        accounts.findAccountSummary(deps.db, tenant.id, sub.accountId),
      ]);
      const account = toAccountSummary({ ...summary!, sub_user_id: sub.subUserId, sub_user_name: sub.subUserName });
      const signedIn: SignedIn = { account, session: issued.summary, mfaRequired: true };
      if (!bound) signedIn.mfaSetupRequired = true;
      if (notices.length) signedIn.notices = notices;
      return { signedIn, issued };
    }
    return withNotices(
      deps,
      tenant,
      sub.subUserId,
      notices,
      await issueSignedIn(deps, tenant, sub.accountId, ctx, sub.subUserId),
    );
  }
  // spraying (services/abuse.ts): with a captcha, a client that failed as many identifiers is asked
  // for one, then refused; without one the per-client attempt limit is the refusal, and the check
  // costs the sign-in path nothing
  if (tenant.config.captcha) await screenSignIn(deps, tenant, { ip: ctx.ip, captcha: body.captcha });
  const { candidate, reservation } = await authenticate(deps, tenant, body, ctx).catch(async (err: unknown) => {
    if (err instanceof AppError && err.code === 'invalid_credentials')
      await noteSignInFailure(deps, tenant.id, body.identifier.trim().toLowerCase(), ctx.ip);
    throw err;
  });
  return completeSignIn(deps, tenant, candidate, ctx, reservation);
}

/**
 * A primary account's first factor was right (its password, or a code to its phone): a disabled
 * or closing account is told so now, and only now; the old session presented ends; then the MFA
 * step when a device is bound (docs/product.md#11-virtual-mfa: a code replaces the password, never
 * the MFA code), else a session, with the agreements still to accept.
 *
 * A password's `reservation` (the secret was right) is settled in the statement that writes the
 * session (db/sessions.ts insertSession): one round trip and one commit fewer
 * (docs/benchmarks.md#the-floor). Any answer that ends the sign-in before then — disabled,
 * closing, a fault — settles it alone, as the right password always does.
 */
export async function completeSignIn(
  deps: ServiceDeps,
  tenant: Tenant,
  candidate: Candidate,
  ctx: RequestContext & { mode: SessionMode; previousToken?: string | undefined; method?: SignInMethodOf },
  reservation?: Reservation,
): Promise<{ signedIn: SignedIn; issued: IssuedSession }> {
  const settle = reservation?.settlement;
  try {
    if (candidate.disabled_at) throw new AppError('account_disabled'); // admin API
    refuseClosing(candidate);
    if (ctx.previousToken) await endSession(deps, tenant.id, ctx.previousToken);
    await recordLocale(deps, tenant, candidate.account_id, candidate.locale, ctx);
    if (candidate.has_mfa) {
      const issued = await createSession(
        deps.db,
        deps,
        {
          tenantId: tenant.id,
          accountId: candidate.account_id,
          mode: ctx.mode,
          mfaPending: true,
          method: ctx.method,
          settle,
        },
        ctx,
      );
      return { signedIn: { account: toAccountSummary(candidate), session: issued.summary, mfaRequired: true }, issued };
    }
    return withAgreements(
      tenant,
      candidate.consented,
      await issueSignedIn(deps, tenant, candidate.account_id, ctx, null, candidate, settle),
    );
  } catch (err) {
    // the session's statement did not commit (or never ran): the right password is settled alone
    await reservation?.succeeded();
    throw err;
  }
}

/**
 * The user's language, recorded on the (primary) account when the sign-in names another one than
 * the stored: messages sent later outside the user's requests use it (docs/product.md#19-languages).
 */
export async function recordLocale(
  deps: ServiceDeps,
  tenant: Tenant,
  accountId: string,
  stored: Locale | null,
  ctx: RequestContext,
): Promise<void> {
  if (ctx.preferredLocale && ctx.preferredLocale !== stored)
    await accounts.recordAccountLocale(deps.db, tenant.id, accountId, ctx.preferredLocale);
}

/** A primary account's full sign-in names the tenant's agreements it has not accepted yet. */
export function withAgreements<T extends { signedIn: SignedIn }>(
  tenant: Tenant,
  consented: readonly string[],
  result: T,
): T {
  const missing = agreementsToAccept(tenant, consented);
  return missing.length ? { ...result, signedIn: { ...result.signedIn, agreementsToAccept: missing } } : result;
}

/** Issues a full session, its `sign_in` audit event (`method` names a sign-in other than the password's) and the answer. */
export async function issueSignedIn(
  deps: ServiceDeps,
  tenant: Tenant,
  accountId: string,
  ctx: RequestContext & { mode: SessionMode; mfaVerified?: boolean; method?: SignInMethodOf | undefined },
  subUserId: string | null = null,
  known?: Parameters<typeof toAccountSummary>[0],
  /** the password's reservation, settled by the session's statement (completeSignIn) */
  settle?: readonly SettleKey[],
) {
  // one statement writes the session and its audit event; the summary is read alongside unless sign-in already has it
  const event: AuditEvent = {
    tenantId: tenant.id,
    accountId,
    type: 'sign_in',
    outcome: 'success',
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    detail: subUserId
      ? { mode: ctx.mode, subUser: subUserId }
      : {
          mode: ctx.mode,
          ...(ctx.method ? { method: ctx.method.method } : {}),
          ...(ctx.method?.idp ? { provider: ctx.method.idp } : {}),
        },
    at: deps.clock.now(),
  };
  const [issued, summary, subUser] = await Promise.all([
    createSession(
      deps.db,
      deps,
      {
        tenantId: tenant.id,
        accountId,
        mode: ctx.mode,
        subUserId,
        mfaVerified: ctx.mfaVerified ?? false,
        method: ctx.method,
        settle,
      },
      ctx,
      event,
    ),
    known ?? accounts.findAccountSummary(deps.db, tenant.id, accountId),
    subUserId ? findSubUserById(deps.db, tenant.id, subUserId) : undefined,
  ]);
  const account = toAccountSummary({
    ...summary!,
    sub_user_id: subUser?.id ?? null,
    sub_user_name: subUser?.name ?? null,
  });
  return { signedIn: { account, session: issued.summary }, issued };
}

/** A sub-user's notices go in the answer that completes its sign-in, and are then cleared. */
async function withNotices<T extends { signedIn: SignedIn }>(
  deps: ServiceDeps,
  tenant: Tenant,
  subUserId: string,
  notices: SignInNotice[],
  result: T,
): Promise<T> {
  if (!notices.length) return result;
  await markMfaReset(deps.db, tenant.id, subUserId, null);
  return { ...result, signedIn: { ...result.signedIn, notices } };
}

const MFA_MAX_FAILURES = 5;

/**
 * The MFA step of sign-in: the pending session presents a TOTP code or a recovery code — or, for
 * a sub-user whose primary account requires MFA and who has no device yet, the first code of the
 * device it is binding (POST /v1/sessions/mfa/setup). Wrong codes count on the session; the fifth
 * ends it. Success ends the pending session and issues a fresh one (a new id once fully signed in).
 */
export async function completeMfaSignIn(
  deps: ServiceDeps,
  tenant: Tenant,
  token: string | undefined,
  body: { code?: string | undefined; recoveryCode?: string | undefined },
  ctx: RequestContext & { mode: SessionMode },
): Promise<{ signedIn: SignedIn; issued: IssuedSession }> {
  const auth = await pendingSession(deps, tenant, token);
  // the attempt is reserved on the session and under the sign-in limits before the code is checked
  const made = await reserveMfaAttempt(deps.db, tenant.id, auth.idHash, MFA_MAX_FAILURES);
  if (made === undefined) {
    await endSession(deps, tenant.id, token!);
    throw new AppError('mfa_too_many_attempts');
  }
  const subject = auth.subUserId ? `s:${auth.subUserId}` : `a:${auth.accountId}`;
  const reservation = await reserveAttempts(deps, signInLimits(tenant.id, subject, ctx.ip));
  const sub = auth.subUserId ? await findSubUser(deps.db, tenant.id, auth.accountId, auth.subUserId) : undefined;
  try {
    if (sub) {
      if (body.recoveryCode)
        throw new AppError('recovery_codes_unavailable', undefined, [
          { path: 'recoveryCode', code: 'recovery_codes_unavailable' },
        ]);
      const owner = { tenantId: tenant.id, accountId: auth.accountId, subUserId: sub.id };
      if (await hasDevice(deps, owner))
        await verifySubUserTotp(deps, tenant, auth.accountId, sub.id, body.code ?? '', ctx, 'sign_in');
      else await confirmSubUserSetup(deps, tenant, auth.accountId, sub.id, body.code ?? '', ctx);
    } else if (body.recoveryCode) await useRecoveryCode(deps, tenant, auth.accountId, body.recoveryCode, ctx);
    else await verifyAccountTotp(deps, tenant, auth.accountId, body.code ?? '', ctx, 'sign_in');
  } catch (err) {
    if (!(err instanceof AppError)) await reservation.cancel().catch(() => {});
    if (err instanceof AppError && made >= MFA_MAX_FAILURES) {
      await endSession(deps, tenant.id, token!);
      throw new AppError('mfa_too_many_attempts');
    }
    throw err;
  }
  await reservation.succeeded();
  // the pending session is spent once: of concurrent MFA steps that each passed (two recovery
  // codes, the codes of two time steps) only the one that ends it is signed in
  if (!(await endSession(deps, tenant.id, token!))) throw new AppError('not_signed_in');
  const result = await issueSignedIn(
    deps,
    tenant,
    auth.accountId,
    { ...ctx, mode: auth.signedIn.session.mode, mfaVerified: true, method: auth.method },
    auth.subUserId,
  );
  if (sub) return sub.mfa_reset_at ? withNotices(deps, tenant, sub.id, ['mfa_reset_by_primary'], result) : result;
  await recordLocale(deps, tenant, auth.accountId, auth.locale, ctx);
  return withAgreements(tenant, auth.consented, result);
}

async function pendingSession(deps: ServiceDeps, tenant: Tenant, token: string | undefined) {
  const auth = token ? await authenticateSession(deps, tenant.id, token) : undefined;
  if (!auth || !auth.mfaPending) throw new AppError('not_signed_in');
  return auth;
}

/** POST /v1/sessions/mfa/setup: the pending session of a sub-user who must bind a device before getting in. */
export async function startSignInMfaSetup(
  deps: ServiceDeps,
  tenant: Tenant,
  token: string | undefined,
  locale: 'zh-CN' | 'en',
): Promise<MfaSetupResponse> {
  const auth = await pendingSession(deps, tenant, token);
  if (!auth.subUserId) throw new AppError('mfa_setup_not_required');
  const sub = await findSubUser(deps.db, tenant.id, auth.accountId, auth.subUserId);
  if (!sub?.mfa_required) throw new AppError('mfa_setup_not_required');
  return startSubUserSetup(deps, tenant, auth.accountId, sub.id, locale);
}
