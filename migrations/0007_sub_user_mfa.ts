import { sql, type Kysely } from 'kysely';

/**
 * Sub-users' own virtual MFA (docs/product.md#13-sub-users): a device belongs to a primary account or to one
 * of its sub-users; the primary account can disassociate a sub-user's device, which the sub-user
 * is told about at the next sign-in.
 */
const UP = `
alter table mfa_devices add column sub_user_id uuid references sub_users (id) on delete cascade;
drop index mfa_devices_account_uq;
create unique index mfa_devices_owner_uq on mfa_devices (tenant_id, account_id, sub_user_id) nulls not distinct;
alter table sub_users add column mfa_reset_at timestamptz
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP.split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table sub_users drop column mfa_reset_at').execute(db);
  await sql.raw('drop index mfa_devices_owner_uq').execute(db);
  await sql.raw('delete from mfa_devices where sub_user_id is not null').execute(db);
  await sql.raw('alter table mfa_devices drop column sub_user_id').execute(db);
  await sql.raw('create unique index mfa_devices_account_uq on mfa_devices (tenant_id, account_id)').execute(db);
}
