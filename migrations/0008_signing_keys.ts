import { sql, type Kysely } from 'kysely';

/**
 * Tokens for tenants' backends (docs/embedding.md#tokens-for-your-backend): per-tenant ES256 signing keys and what a token says
 * about its session.
 * - signing_keys: the private JWK is sealed (AES-256-GCM, key derived from JD_SECRET), never
 *   stored in plaintext. `retired_at` null = the tenant's signer; the partial unique index keeps
 *   it to one, even when two BFF processes create a tenant's first key at the same moment.
 * - sessions.sid: a stable, non-secret session id for the token's `sid` claim (the session token
 *   and its stored hash must never leave the BFF).
 * - sessions.mfa_verified_at: set when the MFA step of sign-in passed (the token's `amr`).
 */
const UP = `
create table signing_keys (
  kid text primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  alg text not null,
  public_jwk jsonb not null,
  private_key_enc text not null,
  created_at timestamptz not null,
  retired_at timestamptz
);
create unique index signing_keys_signer_uq on signing_keys (tenant_id) where retired_at is null;
create index signing_keys_tenant_idx on signing_keys (tenant_id, created_at);
alter table sessions add column sid uuid not null default gen_random_uuid();
alter table sessions add column mfa_verified_at timestamptz
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP.split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table sessions drop column mfa_verified_at').execute(db);
  await sql.raw('alter table sessions drop column sid').execute(db);
  await sql.raw('drop table signing_keys').execute(db);
}
