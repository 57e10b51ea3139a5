import type { Transaction } from 'kysely';
import type { AccountSummary, SessionMode, SessionState, SessionSummary, SignedIn } from '../../../shared/src/api.ts';
import type { Locale } from '../../../shared/src/i18n/index.ts';
import { maskEmail } from '../../../shared/src/rules/email.ts';
import { maskPhone } from '../../../shared/src/rules/phone-regions.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '../crypto.ts';
import * as accounts from '../db/accounts.ts';
import * as sessions from '../db/sessions.ts';
import type { AuditEvent } from '../db/audit.ts';
import type { SettleKey } from '../db/attempts.ts';
import type { Database, SignInMethod } from '../db/schema.ts';
import type { Db } from '../db/create.ts';
import { agreementsToAccept } from './consents.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import type { SessionCheck } from './session-cache.ts';
import type { Tenant } from './tenants.ts';

/**
 * Sessions, Lucia-style: a random 256-bit id the client holds, its SHA-256 the server stores;
 * idle and absolute expiry; a new id at every sign-in.
 */
export interface IssuedSession {
  token: string;
  summary: SessionSummary;
  /** the stable, non-secret session id (tokens' `sid`) */
  sid: string;
  /** the MFA step of sign-in passed (tokens' `amr`) */
  mfaVerified: boolean;
  /** how the first factor was given (tokens' `amr`, `idp`) */
  method?: SignInMethodOf;
}

/** A first factor other than the password, and the upstream provider's id for `federation`. */
export interface SignInMethodOf {
  method: SignInMethod;
  idp?: string | undefined;
}

/** A timestamp as a `Date`, its text, or milliseconds since the epoch (the session check reads those: db/sessions.ts). */
type Instant = Date | string | number;

const iso = (d: Instant) => (d instanceof Date ? d : new Date(d)).toISOString();

export async function createSession(
  trx: Db | Transaction<Database>,
  deps: ServiceDeps,
  input: {
    tenantId: string;
    accountId: string;
    mode: SessionMode;
    mfaPending?: boolean;
    mfaVerified?: boolean;
    subUserId?: string | null;
    method?: SignInMethodOf | undefined;
    /** a password's attempt reservation, settled in the same statement (services/limits.ts Reservation) */
    settle?: readonly SettleKey[] | undefined;
  },
  ctx: RequestContext,
  /** written in the same statement (sign-in's event) */
  event?: AuditEvent,
): Promise<IssuedSession> {
  const now = deps.clock.now();
  const token = randomToken();
  const idle = new Date(now.getTime() + deps.config.session.idleSeconds * 1000);
  const absolute = new Date(now.getTime() + deps.config.session.absoluteSeconds * 1000);
  // made here rather than by the database, so a token can be signed without reading the row back
  const sid = randomUUID();
  const mfaVerified = input.mfaVerified ?? false;
  await sessions.insertSession(
    trx,
    {
      id_hash: sha256Hex(token),
      sid,
      mfa_verified_at: mfaVerified ? now : null,
      tenant_id: input.tenantId,
      account_id: input.accountId,
      mode: input.mode,
      created_at: now,
      last_seen_at: now,
      idle_expires_at: idle,
      expires_at: absolute,
      ip: ctx.ip,
      user_agent: ctx.userAgent?.slice(0, 512) ?? null,
      mfa_pending: input.mfaPending ?? false,
      sub_user_id: input.subUserId ?? null,
      sign_in_method: input.method?.method ?? null,
      idp: input.method?.idp ?? null,
    },
    event,
    input.settle,
  );
  const summary: SessionSummary = {
    mode: input.mode,
    idleExpiresAt: idle.toISOString(),
    expiresAt: absolute.toISOString(),
  };
  if (input.mfaPending) summary.mfaPending = true;
  if (input.mode === 'token') summary.token = token;
  return { token, summary, sid, mfaVerified, ...(input.method ? { method: input.method } : {}) };
}

export function toAccountSummary(row: {
  account_id: string;
  account_name: string | null;
  account_created_at: Instant;
  phone: string | null;
  email: string | null;
  email_verified_at: Instant | null;
  sub_user_id?: string | null;
  sub_user_name?: string | null;
  /** false for an account created upstream that has not set a password (docs/product.md#25-sign-in-with-an-upstream-account) */
  has_password?: boolean;
}): AccountSummary {
  return {
    ...(row.sub_user_id && row.sub_user_name ? { subUser: { id: row.sub_user_id, name: row.sub_user_name } } : {}),
    id: row.account_id,
    accountName: row.account_name,
    ...(row.has_password === false ? { hasPassword: false } : {}),
    phone: row.phone ? maskPhone(row.phone) : null,
    email: row.email ? maskEmail(row.email) : null,
    emailVerified: row.email_verified_at !== null,
    createdAt: iso(row.account_created_at),
  };
}

/** A valid session as the services that act for its account see it. */
export interface SessionAuth {
  signedIn: SignedIn;
  accountId: string;
  idHash: string;
  /** the step-up grant, if one is active */
  stepUpUntil: Date | null;
  /** password passed, MFA code still due: nothing but the MFA step and sign-out is allowed */
  mfaPending: boolean;
  /** set for a sub-user's session; accountId is then its primary account */
  subUserId: string | null;
  /** the account's last locale (docs/product.md#19-languages) */
  locale: Locale | null;
  /** "key@version" of the agreements the (primary) account accepted */
  consented: readonly string[];
  /** how the session's first factor was given, when not by the password */
  method?: SignInMethodOf;
}

/** The session check, memoised briefly (see SessionCache); a session whose MFA step is due answers mfa_required. */
export async function validateSession(
  deps: ServiceDeps,
  tenantId: string,
  token: string,
): Promise<SessionCheck | undefined> {
  if (token.length < 16 || token.length > 128) return undefined;
  const now = deps.clock.now().getTime();
  const idHash = sha256Hex(token);
  const cached = deps.sessionCache.get(tenantId, idHash, now);
  if (cached) return cached;
  // the hash made above: the token is hashed once per check
  const found = await checkSession(deps, tenantId, idHash);
  if (!found) return undefined;
  const { auth, endsAt } = found;
  if (auth.mfaPending) throw new AppError('mfa_required');
  const { signedIn, accountId, subUserId, locale, consented } = auth;
  const check: SessionCheck = { signedIn, accountId, idHash, subUserId, locale, consented };
  deps.sessionCache.set(tenantId, idHash, check, now, endsAt);
  return check;
}

/**
 * The agreements a session's account still has to accept before the tenant's backend may get a
 * token for it (docs/product.md#16-agreements). None for a sub-user: agreements are the primary
 * account holder's to accept (a sub-user cannot, POST /v1/consents answers sub_user_forbidden),
 * and holding its members back would leave them nothing to do.
 */
export function pendingAgreements(tenant: Tenant, session: { subUserId: string | null; consented: readonly string[] }) {
  return session.subUserId ? [] : agreementsToAccept(tenant, session.consented);
}

/**
 * GET /v1/session: the signed-in answer, or `{ signedIn: false }` — no session is an answer here,
 * not an error, so a signed-out page load logs nothing. Records the user's locale when the
 * request names another one than the account's (one UPDATE then, none while it is unchanged:
 * this is the hot path measured by `npm run bench`); a sub-user's language is not its primary's.
 */
export async function currentSession(
  deps: ServiceDeps,
  tenant: Tenant,
  token: string | undefined,
  preferredLocale: Locale | undefined,
): Promise<SessionState> {
  const check = token ? await validateSession(deps, tenant.id, token) : undefined;
  if (!check) return { signedIn: false };
  if (preferredLocale && preferredLocale !== check.locale && !check.subUserId) {
    // remembered first, so the checks that follow within the memo's window do not write again
    deps.sessionCache.rememberLocale(tenant.id, check.idHash, preferredLocale);
    await accounts.recordAccountLocale(deps.db, tenant.id, check.accountId, preferredLocale);
  }
  const missing = pendingAgreements(tenant, check);
  return { signedIn: true, ...check.signedIn, ...(missing.length ? { agreementsToAccept: missing } : {}) };
}

export async function authenticateSession(
  deps: ServiceDeps,
  tenantId: string,
  token: string,
): Promise<SessionAuth | undefined> {
  if (token.length < 16 || token.length > 128) return undefined;
  return (await checkSession(deps, tenantId, sha256Hex(token)))?.auth;
}

/** The session check by the token's hash: the session as services see it, and when it ends (ms since the epoch). */
async function checkSession(
  deps: ServiceDeps,
  tenantId: string,
  idHash: string,
): Promise<{ auth: SessionAuth; endsAt: number } | undefined> {
  // no row either for a disabled account or sub-user, or an account being closed (db/sessions.ts)
  const row = await sessions.findSessionWithAccount(deps.db, tenantId, idHash);
  if (!row) return undefined;
  const now = deps.clock.now();
  const nowMs = now.getTime();
  const expires = row.expires_ms;
  let idle = row.idle_expires_ms;
  if (expires <= nowMs || idle <= nowMs) {
    await sessions.deleteSession(deps.db, tenantId, idHash);
    return undefined;
  }
  // Sliding idle expiry, written at most once a minute so the check stays one read.
  if (nowMs - row.last_seen_ms >= deps.config.session.touchAfterSeconds * 1000) {
    idle = Math.min(nowMs + deps.config.session.idleSeconds * 1000, expires);
    await sessions.touchSession(deps.db, tenantId, idHash, now, new Date(idle));
  }
  const stepUp = row.step_up_expires_ms;
  const auth: SessionAuth = {
    signedIn: {
      account: toAccountSummary(row),
      session: { mode: row.mode, idleExpiresAt: iso(idle), expiresAt: iso(expires) },
    },
    accountId: row.account_id,
    idHash,
    stepUpUntil: stepUp !== null && stepUp > nowMs ? new Date(stepUp) : null,
    mfaPending: row.mfa_pending,
    subUserId: row.sub_user_id ?? null,
    locale: row.account_locale,
    consented: row.consented,
    ...(row.sign_in_method ? { method: { method: row.sign_in_method, idp: row.idp ?? undefined } } : {}),
  };
  return { auth, endsAt: Math.min(idle, expires) };
}

/** Ends a session; false when it had ended already (a concurrent request ended it first). */
export async function endSession(deps: ServiceDeps, tenantId: string, token: string): Promise<boolean> {
  const idHash = sha256Hex(token);
  deps.sessionCache.forget(tenantId, idHash);
  return sessions.deleteSession(deps.db, tenantId, idHash);
}
