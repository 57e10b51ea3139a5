import type { Transaction } from 'kysely';
import type { Db } from './create.ts';
import type { Database } from './schema.ts';

type Conn = Db | Transaction<Database>;

export function findDevice(db: Conn, tenantId: string, accountId: string) {
  return db.selectFrom('mfa_devices').selectAll().where('tenant_id', '=', tenantId).where('account_id', '=', accountId).executeTakeFirst();
}

export async function replacePendingDevice(trx: Transaction<Database>, d: { tenantId: string; accountId: string; secretEnc: string; now: Date; expiresAt: Date }) {
  await trx.deleteFrom('mfa_devices').where('tenant_id', '=', d.tenantId).where('account_id', '=', d.accountId).where('confirmed_at', 'is', null).execute();
  await trx
    .insertInto('mfa_devices')
    .values({ tenant_id: d.tenantId, account_id: d.accountId, secret_enc: d.secretEnc, created_at: d.now, setup_expires_at: d.expiresAt })
    .execute();
}

/** Records an accepted time step, only if it is newer than the last one (a concurrent replay loses). */
export async function acceptStep(db: Conn, tenantId: string, accountId: string, step: number): Promise<boolean> {
  const res = await db
    .updateTable('mfa_devices')
    .set({ last_step: step })
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function confirmDevice(trx: Transaction<Database>, tenantId: string, accountId: string, now: Date) {
  await trx.updateTable('mfa_devices').set({ confirmed_at: now, setup_expires_at: null }).where('tenant_id', '=', tenantId).where('account_id', '=', accountId).execute();
}

export async function deleteDevice(trx: Transaction<Database>, tenantId: string, accountId: string) {
  await trx.deleteFrom('mfa_devices').where('tenant_id', '=', tenantId).where('account_id', '=', accountId).execute();
  await trx.deleteFrom('mfa_recovery_codes').where('tenant_id', '=', tenantId).where('account_id', '=', accountId).execute();
}

export async function replaceRecoveryCodes(trx: Transaction<Database>, tenantId: string, accountId: string, hashes: string[], now: Date) {
  await trx.deleteFrom('mfa_recovery_codes').where('tenant_id', '=', tenantId).where('account_id', '=', accountId).execute();
  await trx
    .insertInto('mfa_recovery_codes')
    .values(hashes.map((h) => ({ tenant_id: tenantId, account_id: accountId, code_hash: h, created_at: now })))
    .execute();
}

/** Marks a matching unused recovery code used; false if none matched. */
export async function useRecoveryCode(db: Conn, tenantId: string, accountId: string, hash: string, now: Date): Promise<boolean> {
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
