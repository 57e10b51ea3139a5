import { sql, type Kysely } from 'kysely';

/**
 * The admin API (docs/api.md#admin-api): the tenant's secret keys, and disabling an account.
 * A key is `sk_<key id>_<secret>`: the key id is not secret and finds the row; only the
 * SHA-256 of the whole key is stored (a 256-bit random secret needs no slow hash), so a leaked
 * table signs in nowhere. The key id alone decides the tenant.
 */
const UP = `
create table admin_keys (
  key_id text primary key,
  tenant_id uuid not null references tenants(id),
  secret_hash text not null,
  label text,
  created_at timestamptz not null,
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index admin_keys_tenant_idx on admin_keys (tenant_id, created_at);
alter table accounts add column disabled_at timestamptz
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP.split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table accounts drop column disabled_at').execute(db);
  await sql.raw('drop table admin_keys').execute(db);
}
