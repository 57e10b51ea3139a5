import { sql, type Kysely } from 'kysely';

/**
 * A lost security phone (docs/product.md#23-lost-security-phone): an account with no other way to
 * verify its identity applies, like for a lost MFA device, in the same review queue — the
 * application's `purpose` tells the two apart. An approved one lets the account bind a new security
 * phone by that phone's code alone until `security_phone_rebind_until`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // one statement per call: the Postgres dialect prepares each statement by name
  await sql
    .raw(
      `alter table mfa_applications add column purpose text not null default 'mfa' check (purpose in ('mfa', 'security_phone'))`,
    )
    .execute(db);
  await sql.raw(`alter table accounts add column security_phone_rebind_until timestamptz`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table accounts drop column security_phone_rebind_until').execute(db);
  await sql.raw('alter table mfa_applications drop column purpose').execute(db);
}
