import { sql, type Kysely } from 'kysely';

/** Sub-users (docs/product.md#13-sub-users): members of a primary account who sign in with its name + their own name + password. */
const UP = `
create table sub_users (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  primary_account_id uuid not null,
  name text not null,
  name_folded text not null,
  password_hash text not null,
  mfa_required boolean not null default false,
  disabled_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  foreign key (tenant_id, primary_account_id) references accounts (tenant_id, id) on delete cascade
);
create unique index sub_users_name_uq on sub_users (tenant_id, primary_account_id, name_folded);
alter table sessions add column sub_user_id uuid references sub_users(id) on delete cascade
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP.split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table sessions drop column sub_user_id').execute(db);
  await sql.raw('drop table sub_users').execute(db);
}
