import { sql, type Kysely } from 'kysely';

/**
 * The lockout check at every sign-in counts an account's recent failures. Without this index it
 * read every audit event of the account — and each successful sign-in adds one, so the check got
 * slower the more an account was used. Failures only, newest last.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      "create index audit_events_failures_idx on audit_events (tenant_id, account_id, created_at) where outcome = 'failure'",
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop index audit_events_failures_idx').execute(db);
}
