import type { Transaction } from 'kysely';
import type { Db } from './create.ts';
import type { Database } from './schema.ts';

type Conn = Db | Transaction<Database>;

export type ApplicationPurpose = 'mfa' | 'security_phone';

/** The account's pending application of a purpose, if any (at most one each: services/mfa-recovery.ts). */
export function pendingApplication(db: Conn, tenantId: string, accountId: string, purpose: ApplicationPurpose = 'mfa') {
  return db
    .selectFrom('mfa_applications')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('purpose', '=', purpose)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

export function insertApplication(
  trx: Transaction<Database>,
  a: {
    tenantId: string;
    accountId: string;
    type: 'personal' | 'enterprise';
    applicantName: string;
    phone: string;
    idNumberHash: string;
    idNumberLast4: string;
    enterpriseName: string | null;
    purpose: ApplicationPurpose;
    now: Date;
  },
) {
  return trx
    .insertInto('mfa_applications')
    .values({
      tenant_id: a.tenantId,
      account_id: a.accountId,
      type: a.type,
      applicant_name: a.applicantName,
      phone: a.phone,
      id_number_hash: a.idNumberHash,
      id_number_last4: a.idNumberLast4,
      enterprise_name: a.enterpriseName,
      purpose: a.purpose,
      created_at: a.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}
