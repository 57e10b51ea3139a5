/** Queries of the admin API over accounts and their MFA applications; every one filters by the key's tenant. */
import { sql, type Transaction } from 'kysely';
import type { Db } from './create.ts';
import type { ContactKind, Database } from './schema.ts';

type Trx = Transaction<Database>;
type Conn = Db | Trx;

/** What the admin API shows of accounts (contacts come separately, see contactsOf). */
export function findAccounts(db: Conn, tenantId: string, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('accounts as a')
    .select([
      'a.id',
      'a.account_name',
      'a.created_at',
      'a.disabled_at',
      'a.closes_at',
      'a.closed_at',
      'a.real_name_type',
      'a.real_name',
      'a.real_name_enterprise',
      'a.real_name_verified_at',
      // the primary account's own device: sub-users' devices do not count
      sql<boolean>`exists (select 1 from mfa_devices m where m.tenant_id = a.tenant_id and m.account_id = a.id and m.sub_user_id is null and m.confirmed_at is not null)`.as(
        'mfa_bound',
      ),
    ])
    .where('a.tenant_id', '=', tenantId)
    .where('a.id', 'in', ids)
    .orderBy('a.created_at')
    .execute();
}

export async function accountExists(db: Conn, tenantId: string, id: string): Promise<boolean> {
  return (
    (await db
      .selectFrom('accounts')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()) !== undefined
  );
}

/** Accounts a phone/email is bound to, in any role. */
export async function accountIdsByContact(
  db: Conn,
  tenantId: string,
  kind: ContactKind,
  value: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('account_contacts')
    .select('account_id')
    .distinct()
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('value', '=', value)
    .limit(limit)
    .execute();
  return rows.map((r) => r.account_id);
}

export function contactsOf(db: Conn, tenantId: string, accountIds: string[]) {
  if (accountIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('account_contacts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('account_id', 'in', accountIds)
    .orderBy('kind')
    .orderBy('role', 'desc') // security before contact
    .execute();
}

/** Locks the account row (concurrent disable/enable run one after another) and tells whether it is disabled. */
export function lockAccountDisabledAt(trx: Trx, tenantId: string, id: string) {
  return trx
    .selectFrom('accounts')
    .select('disabled_at')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** Sets or clears disabled_at (a repeated disable keeps the first time); false when the tenant has no such account. */
export async function setAccountDisabled(
  trx: Trx,
  tenantId: string,
  id: string,
  at: Date | null,
  now: Date,
): Promise<boolean> {
  const row = await trx
    .updateTable('accounts')
    .set((eb) => ({ disabled_at: at === null ? null : eb.fn.coalesce('disabled_at', eb.val(at)), updated_at: now }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Every session of the account, its sub-users' included (they carry the primary's account_id). */
export async function deleteAccountSessions(conn: Conn, tenantId: string, accountId: string): Promise<number> {
  const res = await conn
    .deleteFrom('sessions')
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** One page of the account's audit log, newest first; `before` is the seq of the last event of the previous page. */
export function auditPage(db: Conn, tenantId: string, accountId: string, limit: number, before?: string) {
  let q = db
    .selectFrom('audit_events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .orderBy('seq', 'desc')
    .limit(limit);
  if (before !== undefined) q = q.where('seq', '<', before);
  return q.execute();
}

export function findApplication(db: Conn, tenantId: string, id: string) {
  return db
    .selectFrom('mfa_applications')
    .select(['id', 'account_id', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A file of an application of this tenant (files belong to the application that uploaded them). */
export function findApplicationFile(db: Conn, tenantId: string, applicationId: string, fileId: string) {
  return db
    .selectFrom('stored_files')
    .select(['id', 'kind', 'content_type', 'bytes'])
    .where('tenant_id', '=', tenantId)
    .where('owner_id', '=', applicationId)
    .where('id', '=', fileId)
    .executeTakeFirst();
}
