/** Queries of closing an account (docs/product.md#24-closing-an-account); every one filters by tenant. */
import { sql, type Transaction } from 'kysely';
import type { Db } from './create.ts';
import type { Database } from './schema.ts';

type Trx = Transaction<Database>;
type Conn = Db | Trx;

/** Locks the account row and tells its closing state. */
export function lockClosingState(trx: Trx, tenantId: string, accountId: string) {
  return trx
    .selectFrom('accounts')
    .select(['id', 'closes_at', 'closed_at', 'locale'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .forUpdate()
    .executeTakeFirst();
}

export async function setClosing(
  trx: Trx,
  tenantId: string,
  accountId: string,
  at: { requestedAt: Date; closesAt: Date } | null,
) {
  await trx
    .updateTable('accounts')
    .set({ closing_requested_at: at?.requestedAt ?? null, closes_at: at?.closesAt ?? null })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .execute();
}

/** The account's closing state (a sub-user's sign-in asks after its primary account's). */
export function accountStatus(db: Conn, tenantId: string, accountId: string) {
  return db
    .selectFrom('accounts')
    .select(['disabled_at', 'closes_at', 'closed_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .executeTakeFirst();
}

/** Accounts whose closing is due (any tenant), oldest first. */
export function dueAccounts(db: Db, now: Date, limit: number) {
  return db
    .selectFrom('accounts')
    .select(['tenant_id', 'id'])
    .where('closes_at', '<=', now)
    .where('closed_at', 'is', null)
    .orderBy('closes_at')
    .limit(limit)
    .execute();
}

/** The due account's row, locked; undefined when another sweep holds it, erased it, or the closing was cancelled. */
export function lockDueAccount(trx: Trx, tenantId: string, accountId: string, now: Date) {
  return trx
    .selectFrom('accounts')
    .select(['id', 'account_name_folded'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .where('closes_at', '<=', now)
    .where('closed_at', 'is', null)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * Deletes everything of the account but its row and its audit events, in the caller's
 * transaction. `freed`: its phones/emails no other account of the tenant is bound to — the codes
 * and messages sent to them go too. `subjects`: what its attempt counters are keyed by.
 */
export async function eraseAccountData(
  trx: Trx,
  tenantId: string,
  accountId: string,
  o: { subUserIds: string[]; freed: string[]; subjects: string[] },
) {
  for (const table of [
    'sessions',
    'mfa_recovery_codes',
    'mfa_devices',
    'consents',
    'email_verifications',
    // its upstream accounts are free to sign up again (docs/product.md#25-sign-in-with-an-upstream-account)
    'federated_identities',
    'federation_flows',
  ] as const)
    await trx.deleteFrom(table).where('tenant_id', '=', tenantId).where('account_id', '=', accountId).execute();
  await trx
    .deleteFrom('sub_users')
    .where('tenant_id', '=', tenantId)
    .where('primary_account_id', '=', accountId)
    .execute();
  const applications = await trx
    .deleteFrom('mfa_applications')
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .returning('id')
    .execute();
  if (applications.length)
    await trx
      .deleteFrom('stored_files')
      .where('tenant_id', '=', tenantId)
      .where(
        'owner_id',
        'in',
        applications.map((a) => a.id),
      )
      .execute();
  await trx
    .deleteFrom('verification_codes')
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      o.freed.length
        ? eb.or([eb('account_id', '=', accountId), eb('target', 'in', o.freed)])
        : eb('account_id', '=', accountId),
    )
    .execute();
  if (o.freed.length)
    await trx.deleteFrom('outbox').where('tenant_id', '=', tenantId).where('recipient', 'in', o.freed).execute();
  // the scope names the acting account: `<method> <path> <account>/<sub-user>`
  await trx
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', tenantId)
    .where('scope', 'like', `% ${escapeLike(accountId)}/%`)
    .execute();
  // counters keyed by the account, its sub-users, or an identifier that named it (services/limits.ts)
  const patterns = [
    ...[accountId, ...o.subUserIds].map((id) => `%${escapeLike(id)}%`),
    ...o.subjects.flatMap((s) => [`%:${escapeLike(s)}`, `%:${escapeLike(s)}:%`, `%:${escapeLike(s)}/%`]),
  ];
  await trx
    .deleteFrom('attempt_counters')
    .where((eb) => eb.or(patterns.map((p) => eb('key', 'like', p))))
    .execute();
}

/** Keeps the account's audit events (their types and times) without the personal data in them. */
export async function scrubAuditEvents(trx: Trx, tenantId: string, accountId: string) {
  await sql`update audit_events set ip = null, user_agent = null, detail = '{}'::jsonb where tenant_id = ${tenantId} and account_id = ${accountId}`.execute(
    trx,
  );
}

/** The row as a tombstone: a name no one can register, an unusable password, no real name, no locale. */
export async function tombstone(
  trx: Trx,
  tenantId: string,
  accountId: string,
  t: { name: string; folded: string; skeleton: string; passwordHash: string; now: Date },
) {
  await trx
    .updateTable('accounts')
    .set({
      account_name: t.name,
      account_name_folded: t.folded,
      account_name_skeleton: t.skeleton,
      password_hash: t.passwordHash,
      referral_code: null,
      real_name_type: null,
      real_name: null,
      real_name_id_hash: null,
      real_name_enterprise: null,
      real_name_verified_at: null,
      locale: null,
      closed_at: t.now,
      updated_at: t.now,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .execute();
}

/** Of these phones/emails, those no account of the tenant is bound to (any more). */
export async function unboundValues(trx: Trx, tenantId: string, values: string[]): Promise<string[]> {
  if (!values.length) return [];
  const still = await trx
    .selectFrom('account_contacts')
    .select('value')
    .where('tenant_id', '=', tenantId)
    .where('value', 'in', values)
    .execute();
  const bound = new Set(still.map((r) => r.value));
  return values.filter((v) => !bound.has(v));
}

/** GET /admin/v1/closed-accounts: the tenant's accounts being closed or closed, newest request first. */
export function closingAccounts(db: Db, tenantId: string, limit: number) {
  return db
    .selectFrom('accounts')
    .select(['id', 'closing_requested_at', 'closes_at', 'closed_at'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('closes_at', 'is not', null), eb('closed_at', 'is not', null)]))
    .orderBy('closing_requested_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** What the export shows of the account itself. */
export function exportAccountRow(db: Db, tenantId: string, accountId: string) {
  return db
    .selectFrom('accounts')
    .select(['id', 'account_name', 'created_at', 'locale', 'real_name_type', 'real_name_verified_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .executeTakeFirst();
}

export function exportConsents(db: Db, tenantId: string, accountId: string) {
  return db
    .selectFrom('consents')
    .select(['agreement_key', 'version', 'accepted_at'])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .orderBy('accepted_at')
    .execute();
}
