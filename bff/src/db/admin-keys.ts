import type { Db } from './create.ts';

/** The tenant's secret keys for the admin API: rows hold a hash of the key, never the key. */

export async function insertAdminKey(
  db: Db,
  k: { keyId: string; tenantId: string; secretHash: string; label: string | null; now: Date },
): Promise<void> {
  await db
    .insertInto('admin_keys')
    .values({ key_id: k.keyId, tenant_id: k.tenantId, secret_hash: k.secretHash, label: k.label, created_at: k.now })
    .execute();
}

/**
 * The row a presented key names by its (non-secret) key id. The key names no tenant: the look-up
 * goes by admin_keys_key_idx alone (on Citus, to every shard: one per admin request).
 */
export function findAdminKey(db: Db, keyId: string) {
  return db
    .selectFrom('admin_keys')
    .select(['key_id', 'tenant_id', 'secret_hash', 'revoked_at', 'last_used_at'])
    .where('key_id', '=', keyId)
    .executeTakeFirst();
}

export async function touchAdminKey(db: Db, tenantId: string, keyId: string, now: Date): Promise<void> {
  await db
    .updateTable('admin_keys')
    .set({ last_used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('key_id', '=', keyId)
    .execute();
}

export function listAdminKeys(db: Db, tenantId: string) {
  return db
    .selectFrom('admin_keys')
    .select(['key_id', 'label', 'created_at', 'last_used_at', 'revoked_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('key_id')
    .execute();
}

/** Revokes a key of this tenant (a revoked key keeps its first revocation time); false if the tenant has no such key. */
export async function revokeAdminKey(db: Db, tenantId: string, keyId: string, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('admin_keys')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(now)) }))
    .where('tenant_id', '=', tenantId)
    .where('key_id', '=', keyId)
    .returning('key_id')
    .executeTakeFirst();
  return row !== undefined;
}
