/**
 * Closing an account (docs/product.md#24-closing-an-account). The owner of a primary account,
 * after a step-up, downloads its data and asks to close it: every session of the account (its
 * sub-users' too) ends at once, sign-in answers `account_closing` (after the right secret only),
 * and after the tenant's cooling-off days the sweep erases it — its name, phones and emails are
 * free again, its audit events keep their types and times only. Until then the owner cancels the
 * closing with the account's identifier and password, and signs in again.
 */
import type {
  AccountClosingResponse,
  AccountExport,
  ClosingCancelled,
  ClosingCancelRequest,
} from '../../../shared/src/api.ts';
import type { AdminClosedAccounts } from '../../../shared/src/admin-api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { accountNameSkeleton, foldAccountName } from '../../../shared/src/rules/account-name.ts';
import { coolingOffDays } from '../../../shared/src/tenant.ts';
import { randomToken } from '../crypto.ts';
import * as closing from '../db/account-closing.ts';
import * as accounts from '../db/accounts.ts';
import { recentEvents, recordEvent } from '../db/audit.ts';
import * as sessions from '../db/sessions.ts';
import { subUsersWithDevice } from '../db/mfa.ts';
import * as subs from '../db/sub-users.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import { reserveAttempts, signInLimits } from './limits.ts';
import { mfaStatus } from './mfa.ts';
import { notifySecurityContacts } from './notices.ts';
import type { SessionAuth } from './sessions.ts';
import { classifyIdentifier, identifierSubject } from './sign-in.ts';
import { requireStepUp } from './step-up.ts';
import { requirePrimary } from './sub-users.ts';
import type { Tenant } from './tenants.ts';
import { accountOfIdentifier } from './unlock.ts';

const DAY_MS = 86_400_000;
const EXPORT_EVENTS = 1000;
const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

/** GET /v1/account/export: the account's data, no hash, secret, code or token (primary account, after a step-up). */
export async function exportAccount(deps: ServiceDeps, tenant: Tenant, auth: SessionAuth): Promise<AccountExport> {
  requirePrimary(auth);
  requireStepUp(deps, auth);
  const [account, contacts, subUsers, withDevice, consents, mfa, events] = await Promise.all([
    closing.exportAccountRow(deps.db, tenant.id, auth.accountId),
    accounts.listContacts(deps.db, tenant.id, auth.accountId),
    subs.listSubUsers(deps.db, tenant.id, auth.accountId),
    subUsersWithDevice(deps.db, tenant.id, auth.accountId),
    closing.exportConsents(deps.db, tenant.id, auth.accountId),
    mfaStatus(deps, tenant.id, auth.accountId),
    recentEvents(deps.db, tenant.id, auth.accountId, EXPORT_EVENTS),
  ]);
  if (!account) throw new AppError('not_signed_in');
  return {
    format: 'jd-account-export/1',
    exportedAt: deps.clock.now().toISOString(),
    account: {
      id: account.id,
      accountName: account.account_name,
      createdAt: iso(account.created_at),
      locale: account.locale,
      ...(account.real_name_type
        ? { realName: { type: account.real_name_type, verified: account.real_name_verified_at !== null } }
        : {}),
    },
    contacts: contacts
      .sort((a, b) => (a.kind + a.role).localeCompare(b.kind + b.role))
      .map((c) => ({
        kind: c.kind,
        role: c.role,
        value: c.value,
        verified: c.verified_at !== null,
        canSignIn: c.can_sign_in,
      })),
    subUsers: subUsers.map((s) => ({
      name: s.name,
      createdAt: iso(s.created_at),
      disabled: s.disabled_at !== null,
      mfaRequired: s.mfa_required,
      mfaBound: withDevice.has(s.id),
    })),
    consents: consents.map((c) => ({ key: c.agreement_key, version: c.version, acceptedAt: iso(c.accepted_at) })),
    mfa: { bound: mfa.bound, recoveryCodesLeft: mfa.recoveryCodesLeft },
    securityEvents: events.map((e) => ({
      type: e.type,
      outcome: e.outcome,
      at: e.at,
      ip: e.ip,
      userAgent: e.userAgent,
    })),
  };
}

/**
 * POST /v1/account/closing (primary account, after a step-up). One transaction, under the
 * account's row lock, marks it closing, ends every session of the account (its sub-users' too),
 * audits and tells its verified security contacts; a second request answers `account_already_closing`.
 */
export async function requestClosing(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  ctx: RequestContext,
): Promise<AccountClosingResponse> {
  requirePrimary(auth);
  requireStepUp(deps, auth);
  const now = deps.clock.now();
  const closesAt = new Date(now.getTime() + coolingOffDays(tenant.config) * DAY_MS);
  const signedOut = await deps.db.transaction().execute(async (trx) => {
    const row = await closing.lockClosingState(trx, tenant.id, auth.accountId);
    if (!row || row.closed_at) throw new AppError('not_signed_in');
    if (row.closes_at) throw new AppError('account_already_closing');
    await closing.setClosing(trx, tenant.id, auth.accountId, { requestedAt: now, closesAt });
    // every session of the account, its sub-users' too (no id hash is empty, so none is kept)
    const n = await sessions.deleteOtherSessions(trx, tenant.id, auth.accountId, '');
    await notifySecurityContacts(
      trx,
      tenant,
      auth.accountId,
      { purpose: 'security_notice', kind: 'account_closing' },
      row.locale ?? ctx.locale,
      now,
    );
    await recordEvent(trx, {
      tenantId: tenant.id,
      accountId: auth.accountId,
      type: 'account_closing_requested',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      detail: { signedOutSessions: n, closesAt: closesAt.toISOString() },
      at: now,
    });
    return n;
  });
  deps.sessionCache.forgetAccount(tenant.id, auth.accountId);
  deps.onEnqueued();
  deps.log.info('account closing requested', { tenant: tenant.slug, signedOutSessions: signedOut });
  return { closesAt: closesAt.toISOString() };
}

/**
 * POST /v1/account/closing/cancel: the identifier and password, under the sign-in limits (reserved
 * before anything is looked up). Anything wrong is `invalid_credentials`; an account not (or no
 * longer) being closed answers the same `{ cancelled: true }` with nothing changed.
 */
export async function cancelClosing(
  deps: ServiceDeps,
  tenant: Tenant,
  input: ClosingCancelRequest,
  ctx: RequestContext,
): Promise<ClosingCancelled> {
  const id = classifyIdentifier(input.identifier, tenant);
  const reservation = await reserveAttempts(deps, signInLimits(tenant.id, identifierSubject(id), ctx.ip));
  const account = await accountOfIdentifier(deps, tenant, id);
  if (!account || account.closed_at) {
    await deps.hasher.verifyDummy(input.password);
    throw new AppError('invalid_credentials');
  }
  if (!(await deps.hasher.verify(account.password_hash, input.password))) {
    // a failed sign-in goes to the audit log of the account whose password was tried
    await recordEvent(deps.db, {
      tenantId: tenant.id,
      accountId: account.account_id,
      type: 'sign_in_failed',
      outcome: 'failure',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      detail: { reason: 'invalid_credentials' },
      at: deps.clock.now(),
    });
    throw new AppError('invalid_credentials');
  }
  await reservation.succeeded();
  if (!account.closes_at) return { cancelled: true };
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const row = await closing.lockClosingState(trx, tenant.id, account.account_id);
    // erased in the meantime: nothing is left to cancel
    if (!row || row.closed_at) throw new AppError('invalid_credentials');
    if (!row.closes_at) return; // a concurrent cancel did it
    await closing.setClosing(trx, tenant.id, account.account_id, null);
    await notifySecurityContacts(
      trx,
      tenant,
      account.account_id,
      { purpose: 'security_notice', kind: 'account_closing' },
      row.locale ?? ctx.locale,
      now,
    );
    await recordEvent(trx, {
      tenantId: tenant.id,
      accountId: account.account_id,
      type: 'account_closing_cancelled',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      at: now,
    });
  });
  deps.onEnqueued();
  return { cancelled: true };
}

/**
 * The sweep: every account whose closing is due is erased, each in its own transaction with its
 * row locked (a row another sweep holds is skipped). Returns how many were erased. Runs every
 * minute in the server process (boot.ts) and is called by tests directly.
 */
export async function eraseClosedAccounts(deps: ServiceDeps, now: Date, batch = 100): Promise<number> {
  let erased = 0;
  for (const due of await closing.dueAccounts(deps.db, now, batch)) {
    if (await eraseAccount(deps, due.tenant_id, due.id, now)) erased++;
  }
  if (erased) deps.log.info('closed accounts erased', { count: erased });
  return erased;
}

async function eraseAccount(deps: ServiceDeps, tenantId: string, accountId: string, now: Date): Promise<boolean> {
  // an unusable password that costs a real verification, hashed outside the transaction
  const passwordHash = await deps.hasher.hash(`closed:${randomToken(32)}`);
  // ':' is in no account name (shared/src/rules/account-name.ts): the tombstone can never take a real name
  const name = `closed:${accountId.toLowerCase()}`;
  const done = await deps.db.transaction().execute(async (trx) => {
    const row = await closing.lockDueAccount(trx, tenantId, accountId, now);
    if (!row) return false;
    const [contacts, subUsers] = await Promise.all([
      accounts.listContacts(trx, tenantId, accountId),
      subs.listSubUsers(trx, tenantId, accountId),
    ]);
    const values = [...new Set(contacts.map((c) => c.value))];
    await trx
      .deleteFrom('account_contacts')
      .where('tenant_id', '=', tenantId)
      .where('account_id', '=', accountId)
      .execute();
    const freed = await closing.unboundValues(trx, tenantId, values);
    const subjects = [
      `i:name:${row.account_name_folded}`,
      `i:sub:${row.account_name_folded}`,
      `i:sub:${accountId}`,
      ...contacts.map((c) => `i:${c.kind}:${c.value}`),
      ...freed,
    ];
    await closing.eraseAccountData(trx, tenantId, accountId, {
      subUserIds: subUsers.map((s) => s.id),
      freed,
      subjects,
    });
    await closing.scrubAuditEvents(trx, tenantId, accountId);
    await closing.tombstone(trx, tenantId, accountId, {
      name,
      folded: foldAccountName(name),
      skeleton: accountNameSkeleton(name),
      passwordHash,
      now,
    });
    await recordEvent(trx, {
      tenantId,
      accountId,
      type: 'account_closed',
      outcome: 'success',
      ip: null,
      userAgent: null,
      at: now,
    });
    return true;
  });
  if (done) deps.sessionCache.forgetAccount(tenantId, accountId);
  return done;
}

/** GET /admin/v1/closed-accounts. */
export async function listClosingAccounts(deps: ServiceDeps, tenant: Tenant): Promise<AdminClosedAccounts> {
  const rows = await closing.closingAccounts(deps.db, tenant.id, 1000);
  const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));
  return {
    accounts: rows.map((r) => ({
      id: r.id,
      status: r.closed_at ? ('closed' as const) : ('closing' as const),
      closingRequestedAt: isoOrNull(r.closing_requested_at),
      closesAt: isoOrNull(r.closes_at),
      closedAt: isoOrNull(r.closed_at),
    })),
  };
}
