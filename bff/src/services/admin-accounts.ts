/**
 * The admin API over accounts (docs/api.md#admin-api): the tenant's back office looks accounts up, asks where
 * to send their notices, records real-name status, disables them, signs them out and reads their
 * audit log. Every query is scoped to the tenant the secret key belongs to; an account of another
 * tenant is simply not found. Every change is audited with the acting key's id.
 */
import type {
  AdminAccountLookupQuery,
  AdminAccountView,
  AdminAuditEventsPage,
  AdminContactView,
  NoticeTargets,
  SignOutEverywhereResponse,
} from '../../../shared/src/admin-api.ts';
import type { AuditEventType } from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { foldAccountName } from '../../../shared/src/rules/account-name.ts';
import { emailProblem, normalizeEmail } from '../../../shared/src/rules/email.ts';
import { PHONE_REGIONS } from '../../../shared/src/rules/phone-regions.ts';
import { parseIdentifierPhone } from '../../../shared/src/rules/phone.ts';
import * as accounts from '../db/accounts.ts';
import * as admin from '../db/admin-accounts.ts';
import { recordEvent } from '../db/audit.ts';
import type { Db } from '../db/create.ts';
import type { ContactRow } from '../db/schema.ts';
import type { ServiceDeps } from './deps.ts';
import { setRealName } from './mfa-recovery.ts';
import type { Tenant } from './tenants.ts';

/** Who acts: the admin key, named in every audit event it causes. */
export interface AdminActor {
  keyId: string;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** a phone/email bound to more accounts than this is answered with the first ones */
const LOOKUP_LIMIT = 50;

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

/** An admin action as an audit event of the account: no IP or user agent (the caller is the tenant's server, not the user). */
export function adminEvent(
  conn: Db,
  tenant: Tenant,
  accountId: string,
  actor: AdminActor,
  type: AuditEventType,
  now: Date,
  detail: Record<string, string | number> = {},
) {
  return recordEvent(conn, {
    tenantId: tenant.id,
    accountId,
    type,
    outcome: 'success',
    ip: null,
    userAgent: null,
    detail: { actor: 'admin_key', adminKeyId: actor.keyId, ...detail },
    at: now,
  });
}

function contactView(c: ContactRow): AdminContactView {
  return {
    kind: c.kind,
    role: c.role,
    value: c.value,
    verified: c.verified_at !== null,
    canSignIn: c.can_sign_in,
    boundAt: iso(c.created_at),
  };
}

async function views(db: Db, tenantId: string, ids: string[]): Promise<AdminAccountView[]> {
  const [rows, contacts] = await Promise.all([
    admin.findAccounts(db, tenantId, ids),
    admin.contactsOf(db, tenantId, ids),
  ]);
  return rows.map((a) => ({
    id: a.id,
    accountName: a.account_name,
    createdAt: iso(a.created_at),
    disabledAt: isoOrNull(a.disabled_at),
    mfaBound: Boolean(a.mfa_bound),
    status: a.closed_at ? 'closed' : a.closes_at ? 'closing' : 'active',
    realName:
      a.real_name_type && a.real_name_verified_at
        ? {
            type: a.real_name_type,
            name: a.real_name ?? '',
            enterpriseName: a.real_name_enterprise,
            verifiedAt: iso(a.real_name_verified_at),
          }
        : null,
    contacts: contacts.filter((c) => c.account_id === a.id).map(contactView),
  }));
}

/** The account of this tenant, or 404 `account_not_found` (also for another tenant's account: its existence is not revealed). */
export async function getAccount(deps: Pick<ServiceDeps, 'db'>, tenant: Tenant, id: string): Promise<AdminAccountView> {
  const [view] = UUID.test(id) ? await views(deps.db, tenant.id, [id.toLowerCase()]) : [];
  if (!view) throw new AppError('account_not_found');
  return view;
}

async function requireAccount(db: Db, tenant: Tenant, id: string): Promise<string> {
  if (!UUID.test(id) || !(await admin.accountExists(db, tenant.id, id.toLowerCase())))
    throw new AppError('account_not_found');
  return id.toLowerCase();
}

const fieldError = (path: string, code: 'invalid_input' | 'phone_invalid' | 'email_invalid') =>
  new AppError('invalid_input', undefined, [{ path, code }]);

/**
 * Lookup by exactly one of id, name (case-insensitive, NFC: the account-name rule), phone (E.164,
 * or a national number of the tenant's regions) or email (normalised). A phone/email may be bound
 * to several accounts (docs/product.md#7-sign-in-identifiers): all are returned.
 */
export async function lookupAccounts(
  deps: Pick<ServiceDeps, 'db'>,
  tenant: Tenant,
  q: AdminAccountLookupQuery,
): Promise<AdminAccountView[]> {
  const given = (['id', 'name', 'phone', 'email'] as const).filter((k) => q[k] !== undefined && q[k].trim() !== '');
  if (given.length !== 1) throw new AppError('lookup_query_invalid');
  let ids: string[];
  if (q.id !== undefined && given[0] === 'id') {
    if (!UUID.test(q.id.trim())) throw fieldError('id', 'invalid_input');
    ids = [q.id.trim().toLowerCase()];
  } else if (q.name !== undefined && given[0] === 'name') {
    const row = await accounts.findAccountByFoldedName(deps.db, tenant.id, foldAccountName(q.name.trim()));
    ids = row ? [row.id] : [];
  } else if (q.phone !== undefined && given[0] === 'phone') {
    // numbers of a region the tenant has since turned off are still bound: look them up too
    const e164 =
      parseIdentifierPhone(q.phone, tenant.config.phoneRegions) ?? parseIdentifierPhone(q.phone, PHONE_REGIONS);
    if (!e164) throw fieldError('phone', 'phone_invalid');
    ids = await admin.accountIdsByContact(deps.db, tenant.id, 'phone', e164, LOOKUP_LIMIT);
  } else {
    const email = q.email ?? '';
    if (emailProblem(email)) throw fieldError('email', 'email_invalid');
    ids = await admin.accountIdsByContact(deps.db, tenant.id, 'email', normalizeEmail(email), LOOKUP_LIMIT);
  }
  return views(deps.db, tenant.id, ids);
}

/**
 * docs/product.md#8-security-and-contact-phones-and-emails: notices go to the contact phone/email, which
 * defaults to the security one; only verified contacts are returned. A separate contact that is
 * not verified falls back to the verified security one rather than losing the notice.
 */
export async function noticeTargets(deps: Pick<ServiceDeps, 'db'>, tenant: Tenant, id: string): Promise<NoticeTargets> {
  const accountId = await requireAccount(deps.db, tenant, id);
  const rows = await accounts.listContacts(deps.db, tenant.id, accountId);
  const pick = (kind: 'phone' | 'email'): NoticeTargets['phone'] => {
    for (const role of ['contact', 'security'] as const) {
      const row = rows.find((r) => r.kind === kind && r.role === role && r.verified_at !== null);
      if (row) return { value: row.value, source: role };
    }
    return null;
  };
  return { phone: pick('phone'), email: pick('email') };
}

/** Records (or, with null, clears) the real-name verification, through the same service the CLI uses. */
export async function setRealNameByAdmin(
  deps: ServiceDeps,
  tenant: Tenant,
  id: string,
  input: {
    type: 'personal' | 'enterprise';
    name: string;
    idNumber: string;
    enterpriseName?: string | undefined;
  } | null,
  actor: AdminActor,
): Promise<AdminAccountView> {
  const accountId = await requireAccount(deps.db, tenant, id);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const realName = input && {
      type: input.type,
      name: input.name,
      idNumber: input.idNumber,
      ...(input.type === 'enterprise' && input.enterpriseName ? { enterprise: input.enterpriseName } : {}),
    };
    await setRealName({ db: trx, hmac: deps.hmac, clock: deps.clock }, tenant.id, accountId, realName);
    await adminEvent(
      trx,
      tenant,
      accountId,
      actor,
      input ? 'real_name_set' : 'real_name_cleared',
      now,
      input ? { realNameType: input.type } : {},
    );
  });
  return getAccount(deps, tenant, accountId);
}

/**
 * Disabling: the account can no longer sign in (`account_disabled`, told only after the right
 * password) and every session of it and its sub-users ends now — in the database and in this
 * process's session cache. Enabling lets it sign in again. Only a change is audited.
 */
export async function setAccountDisabled(
  deps: ServiceDeps,
  tenant: Tenant,
  id: string,
  disabled: boolean,
  actor: AdminActor,
): Promise<AdminAccountView> {
  const accountId = await requireAccount(deps.db, tenant, id);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const before = await admin.lockAccountDisabledAt(trx, tenant.id, accountId);
    if (!before) throw new AppError('account_not_found');
    await admin.setAccountDisabled(trx, tenant.id, accountId, disabled ? now : null, now);
    const ended = disabled ? await admin.deleteAccountSessions(trx, tenant.id, accountId) : 0;
    if (Boolean(before.disabled_at) !== disabled) {
      await adminEvent(
        trx,
        tenant,
        accountId,
        actor,
        disabled ? 'account_disabled' : 'account_enabled',
        now,
        disabled ? { signedOutSessions: ended } : {},
      );
    }
  });
  if (disabled) deps.sessionCache.forgetAccount(tenant.id, accountId);
  return getAccount(deps, tenant, accountId);
}

/** Ends every session of the account (and of its sub-users); they sign in again. */
export async function signOutEverywhere(
  deps: ServiceDeps,
  tenant: Tenant,
  id: string,
  actor: AdminActor,
): Promise<SignOutEverywhereResponse> {
  const accountId = await requireAccount(deps.db, tenant, id);
  const now = deps.clock.now();
  const signedOutSessions = await deps.db.transaction().execute(async (trx) => {
    const n = await admin.deleteAccountSessions(trx, tenant.id, accountId);
    await adminEvent(trx, tenant, accountId, actor, 'signed_out_everywhere', now, { signedOutSessions: n });
    return n;
  });
  deps.sessionCache.forgetAccount(tenant.id, accountId);
  return { signedOutSessions };
}

/** The account's audit log, newest first, `limit` at a time; `nextBefore` continues with older events. */
export async function auditEvents(
  deps: Pick<ServiceDeps, 'db'>,
  tenant: Tenant,
  id: string,
  q: { limit: number; before?: string | undefined },
): Promise<AdminAuditEventsPage> {
  const accountId = await requireAccount(deps.db, tenant, id);
  const rows = await admin.auditPage(deps.db, tenant.id, accountId, q.limit + 1, q.before);
  const page = rows.slice(0, q.limit);
  return {
    events: page.map((r) => ({
      id: r.id,
      type: r.type as AuditEventType,
      outcome: r.outcome,
      at: iso(r.created_at),
      ip: r.ip,
      userAgent: r.user_agent,
      detail: r.detail,
    })),
    nextBefore: rows.length > q.limit ? String(page[page.length - 1].seq) : null,
  };
}
