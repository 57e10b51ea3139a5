import { sql, type Kysely } from 'kysely';

/**
 * Lost MFA device (docs/product.md#14-lost-mfa-device-applications): real-name status on the account (set by the tenant's back office),
 * applications to disassociate MFA with their files, reviewed by tenant support.
 */
const UP = `
alter table accounts add column real_name_type text check (real_name_type in ('personal', 'enterprise'));
alter table accounts add column real_name text;
-- keyed hash of the ID number: comparable, not readable
alter table accounts add column real_name_id_hash text;
alter table accounts add column real_name_enterprise text;
alter table accounts add column real_name_verified_at timestamptz;
create table mfa_applications (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  account_id uuid not null,
  type text not null check (type in ('personal', 'enterprise')),
  applicant_name text not null,
  phone text not null,
  id_number_hash text not null,
  id_number_last4 text not null,
  enterprise_name text,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  reason text,
  created_at timestamptz not null,
  reviewed_at timestamptz,
  foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
);
create index mfa_applications_tenant_idx on mfa_applications (tenant_id, status, created_at);
create table stored_files (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants(id),
  owner_id uuid not null,
  kind text not null,
  content_type text not null,
  size integer not null,
  bytes bytea not null,
  created_at timestamptz not null
);
create index stored_files_owner_idx on stored_files (tenant_id, owner_id)
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP.split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table stored_files, mfa_applications').execute(db);
}
