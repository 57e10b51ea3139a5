import { sql, type Transaction } from 'kysely';
import type { Database, VerificationCodesTable } from './schema.ts';
import type { Db } from './create.ts';
import type { Insertable } from 'kysely';

type Trx = Transaction<Database>;

/** The newest code for a target and purpose (and account, for account-bound purposes), locked. */
export function latestCode(trx: Trx, tenantId: string, target: string, purpose: string, accountId: string | null) {
  return trx
    .selectFrom('verification_codes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('target', '=', target)
    .where('purpose', '=', purpose)
    .where((eb) => (accountId === null ? eb('account_id', 'is', null) : eb('account_id', '=', accountId)))
    .orderBy('seq', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

/** Where the newest code of an account-bound purpose went (any target), to check a code against it. */
export function latestAccountCodeTarget(db: Db, tenantId: string, accountId: string, purpose: string) {
  return db
    .selectFrom('verification_codes')
    .select(['target', 'channel'])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('purpose', '=', purpose)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function countCodesSince(
  trx: Trx,
  tenantId: string,
  by: { target: string } | { ip: string },
  since: Date,
): Promise<number> {
  let q = trx
    .selectFrom('verification_codes')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('tenant_id', '=', tenantId)
    .where('created_at', '>', since);
  q = 'target' in by ? q.where('target', '=', by.target) : q.where('client_ip', '=', by.ip);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function voidOpenCodes(
  trx: Trx,
  tenantId: string,
  target: string,
  purpose: string,
  accountId: string | null,
  now: Date,
) {
  await trx
    .updateTable('verification_codes')
    .set({ voided_at: now })
    .where('tenant_id', '=', tenantId)
    .where('target', '=', target)
    .where('purpose', '=', purpose)
    .where((eb) => (accountId === null ? eb('account_id', 'is', null) : eb('account_id', '=', accountId)))
    .where('consumed_at', 'is', null)
    .where('voided_at', 'is', null)
    .execute();
}

export async function insertCode(trx: Trx, row: Insertable<VerificationCodesTable>): Promise<string> {
  const inserted = await trx.insertInto('verification_codes').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

export async function linkDelivery(trx: Trx, tenantId: string, codeId: string, outboxId: string) {
  await trx
    .updateTable('verification_codes')
    .set({ delivery_id: outboxId })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', codeId)
    .execute();
}

/** Did the message that carried this code fail for good? */
export async function deliveryFailed(trx: Trx, tenantId: string, outboxId: string | null): Promise<boolean> {
  if (!outboxId) return false;
  const row = await trx
    .selectFrom('outbox')
    .select('status')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', outboxId)
    .executeTakeFirst();
  return row?.status === 'failed';
}

export async function recordWrongAttempt(trx: Trx, tenantId: string, id: string, voidNow: Date | null) {
  await trx
    .updateTable('verification_codes')
    .set({ attempts: sql`attempts + 1`, ...(voidNow ? { voided_at: voidNow } : {}) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Marks a checked code used; false when another request used it first or it lapsed meanwhile. */
export async function consumeCode(trx: Trx, tenantId: string, id: string, now: Date): Promise<boolean> {
  const row = await trx
    .updateTable('verification_codes')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('tenant_id', '=', tenantId)
    .where('consumed_at', 'is', null)
    .where('voided_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
