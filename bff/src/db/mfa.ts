import type { ExpressionBuilder, Transaction } from 'kysely';
import type { Db } from './create.ts';
import type { Database } from './schema.ts';

type Conn = Db | Transaction<Database>;

/** Whose device: a primary account's own (subUserId null) or one of its sub-users'. */
export interface MfaOwner {
  tenantId: string;
  accountId: string;
  subUserId: string | null;
}

/** The filter for one owner's device, for any select, update or delete of mfa_devices. */
const ownedBy = (o: MfaOwner) => (eb: ExpressionBuilder<Database, 'mfa_devices'>) =>
  eb.and([
    eb('tenant_id', '=', o.tenantId),
    eb('account_id', '=', o.accountId),
    o.subUserId === null ? eb('sub_user_id', 'is', null) : eb('sub_user_id', '=', o.subUserId),
  ]);

export function findDevice(db: Conn, o: MfaOwner) {
  return db.selectFrom('mfa_devices').selectAll().where(ownedBy(o)).executeTakeFirst();
}

export async function replacePendingDevice(
  trx: Transaction<Database>,
  o: MfaOwner,
  d: { secretEnc: string; now: Date; expiresAt: Date },
) {
  await trx.deleteFrom('mfa_devices').where(ownedBy(o)).where('confirmed_at', 'is', null).execute();
  await trx
    .insertInto('mfa_devices')
    .values({
      tenant_id: o.tenantId,
      account_id: o.accountId,
      sub_user_id: o.subUserId,
      secret_enc: d.secretEnc,
      created_at: d.now,
      setup_expires_at: d.expiresAt,
    })
    .execute();
}

/** Records an accepted time step, only if it is newer than the last one (a concurrent replay loses). */
export async function acceptStep(db: Conn, o: MfaOwner, step: number): Promise<boolean> {
  const res = await db
    .updateTable('mfa_devices')
    .set({ last_step: step })
    .where(ownedBy(o))
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Confirms this pending device (by id): false when it was confirmed or replaced meanwhile. */
export async function confirmDevice(
  trx: Transaction<Database>,
  o: MfaOwner,
  deviceId: string,
  now: Date,
): Promise<boolean> {
  const res = await trx
    .updateTable('mfa_devices')
    .set({ confirmed_at: now, setup_expires_at: null })
    .where(ownedBy(o))
    .where('id', '=', deviceId)
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * Removes the device, pending or bound; a primary account's recovery codes go with it (sub-users
 * have none). True when a BOUND device was removed: of concurrent removals, only one is told so.
 */
export async function deleteDevice(trx: Transaction<Database>, o: MfaOwner): Promise<boolean> {
  const removed = await trx.deleteFrom('mfa_devices').where(ownedBy(o)).returning('confirmed_at').execute();
  if (o.subUserId === null)
    await trx
      .deleteFrom('mfa_recovery_codes')
      .where('tenant_id', '=', o.tenantId)
      .where('account_id', '=', o.accountId)
      .execute();
  return removed.some((r) => r.confirmed_at !== null);
}

/** Which of a primary account's sub-users have a bound device. */
export async function subUsersWithDevice(db: Conn, tenantId: string, accountId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('mfa_devices')
    .select('sub_user_id')
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('sub_user_id', 'is not', null)
    .where('confirmed_at', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.sub_user_id!));
}

export async function replaceRecoveryCodes(
  trx: Transaction<Database>,
  tenantId: string,
  accountId: string,
  hashes: string[],
  now: Date,
) {
  await trx
    .deleteFrom('mfa_recovery_codes')
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .execute();
  await trx
    .insertInto('mfa_recovery_codes')
    .values(hashes.map((h) => ({ tenant_id: tenantId, account_id: accountId, code_hash: h, created_at: now })))
    .execute();
}

/** Marks a matching unused recovery code used; false if none matched. */
export async function useRecoveryCode(
  db: Conn,
  tenantId: string,
  accountId: string,
  hash: string,
  now: Date,
): Promise<boolean> {
  const res = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function recoveryCodesLeft(db: Conn, tenantId: string, accountId: string): Promise<number> {
  const rows = await db
    .selectFrom('mfa_recovery_codes')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('used_at', 'is', null)
    .execute();
  return rows.length;
}
