import { sql, type Kysely } from 'kysely';

/** Virtual MFA (docs/product.md#11-virtual-mfa): one TOTP device per account (pending until confirmed), recovery codes, pending-MFA sessions. */
const UP = `
create table mfa_devices (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  account_id uuid not null,
  -- AES-256-GCM with a key from the BFF's config; never returned after binding
  secret_enc text not null,
  confirmed_at timestamptz,
  setup_expires_at timestamptz,
  -- the last accepted time step: a code of that step or earlier is a replay
  last_step bigint,
  created_at timestamptz not null,
  foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
);
create unique index mfa_devices_account_uq on mfa_devices (tenant_id, account_id);
create table mfa_recovery_codes (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  account_id uuid not null,
  code_hash text not null,
  used_at timestamptz,
  created_at timestamptz not null,
  foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
);
create index mfa_recovery_codes_account_idx on mfa_recovery_codes (tenant_id, account_id);
alter table sessions add column mfa_pending boolean not null default false;
alter table sessions add column mfa_failures integer not null default 0
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP.split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table mfa_recovery_codes, mfa_devices').execute(db);
}
