import type { Transaction } from 'kysely';
import type { Locale } from '../../../shared/src/i18n/index.ts';
import type { Database } from './schema.ts';

type Trx = Transaction<Database>;

export async function insertEmailVerification(
  trx: Trx,
  v: {
    tenantId: string;
    accountId: string;
    email: string;
    tokenHash: string;
    /** the language of the email: its landing page speaks it too */
    locale: Locale;
    now: Date;
    expiresAt: Date;
  },
) {
  await trx
    .insertInto('email_verifications')
    .values({
      tenant_id: v.tenantId,
      locale: v.locale,
      account_id: v.accountId,
      email: v.email,
      token_hash: v.tokenHash,
      created_at: v.now,
      expires_at: v.expiresAt,
    })
    .execute();
}

/**
 * The link's row by its token alone: a link names no tenant, so this goes by
 * email_verifications_token_idx (on Citus, to every shard: one per opened link).
 */
export function findEmailVerification(trx: Trx, tokenHash: string) {
  return trx
    .selectFrom('email_verifications')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst();
}

export async function markEmailVerificationUsed(trx: Trx, tenantId: string, id: string, now: Date) {
  await trx
    .updateTable('email_verifications')
    .set({ used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Verifies the security email of the account if it is still the address the link was sent to. */
export async function markSecurityEmailVerified(
  trx: Trx,
  tenantId: string,
  accountId: string,
  email: string,
  now: Date,
) {
  const res = await trx
    .updateTable('account_contacts')
    .set({ verified_at: now })
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('kind', '=', 'email')
    .where('role', '=', 'security')
    .where('value', '=', email)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export function latestEmailVerification(trx: Trx, tenantId: string, accountId: string) {
  return trx
    .selectFrom('email_verifications')
    .select(['created_at'])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
