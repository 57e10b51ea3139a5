import { sql, type Kysely } from 'kysely';

/**
 * The user's last locale (docs/product.md#19-languages): messages the BFF sends to an account when
 * none of its user's requests is in flight (an MFA application decided by the tenant's support)
 * are written in the language the user last used, not the tenant's default. Recorded at
 * registration and sign-in and when the session check sees another one; null until then.
 * The email link keeps the locale its email was written in, for its landing page.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // one statement per call: the Postgres dialect prepares each statement by name
  await sql.raw(`alter table accounts add column locale text check (locale in ('zh-CN', 'en'))`).execute(db);
  await sql.raw(`alter table email_verifications add column locale text check (locale in ('zh-CN', 'en'))`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table email_verifications drop column locale').execute(db);
  await sql.raw('alter table accounts drop column locale').execute(db);
}
