import type { Transaction } from 'kysely';
import type { Db } from './create.ts';
import type { Database } from './schema.ts';

type Conn = Db | Transaction<Database>;

export async function insertSubUser(
  db: Conn,
  s: {
    tenantId: string;
    primaryAccountId: string;
    name: string;
    folded: string;
    passwordHash: string;
    mfaRequired: boolean;
    now: Date;
  },
) {
  return db
    .insertInto('sub_users')
    .values({
      tenant_id: s.tenantId,
      primary_account_id: s.primaryAccountId,
      name: s.name,
      name_folded: s.folded,
      password_hash: s.passwordHash,
      mfa_required: s.mfaRequired,
      created_at: s.now,
      updated_at: s.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listSubUsers(db: Conn, tenantId: string, primaryAccountId: string) {
  return db
    .selectFrom('sub_users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('primary_account_id', '=', primaryAccountId)
    .orderBy('created_at')
    .execute();
}

export function findSubUser(db: Conn, tenantId: string, primaryAccountId: string, id: string) {
  return db
    .selectFrom('sub_users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('primary_account_id', '=', primaryAccountId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The sub-user's row, locked: concurrent changes of one sub-user run one after another. */
export function lockSubUser(trx: Transaction<Database>, tenantId: string, primaryAccountId: string, id: string) {
  return trx
    .selectFrom('sub_users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('primary_account_id', '=', primaryAccountId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function findSubUserById(db: Conn, tenantId: string, id: string) {
  return db
    .selectFrom('sub_users')
    .select(['id', 'name'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findSubUserByName(db: Conn, tenantId: string, primaryAccountId: string, folded: string) {
  return db
    .selectFrom('sub_users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('primary_account_id', '=', primaryAccountId)
    .where('name_folded', '=', folded)
    .executeTakeFirst();
}

export async function setDisabled(db: Conn, tenantId: string, id: string, at: Date | null, now: Date) {
  await db
    .updateTable('sub_users')
    .set({ disabled_at: at, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Deletes the sub-user; false when it was gone already (a concurrent deletion). */
export async function deleteSubUser(db: Conn, tenantId: string, id: string): Promise<boolean> {
  const res = await db
    .deleteFrom('sub_users')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Signs a sub-user out everywhere (disabled or deleted). */
export async function deleteSubUserSessions(db: Conn, tenantId: string, subUserId: string) {
  await db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('sub_user_id', '=', subUserId).execute();
}

export async function setPasswordHash(db: Conn, tenantId: string, id: string, hash: string, now: Date) {
  await db
    .updateTable('sub_users')
    .set({ password_hash: hash, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function setMfaRequired(db: Conn, tenantId: string, id: string, required: boolean, now: Date) {
  await db
    .updateTable('sub_users')
    .set({ mfa_required: required, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function markMfaReset(db: Conn, tenantId: string, id: string, at: Date | null) {
  await db
    .updateTable('sub_users')
    .set({ mfa_reset_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}
