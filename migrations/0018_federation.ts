import { sql, type Kysely } from 'kysely';

/**
 * Sign-in with an upstream account (docs/product.md#25-sign-in-with-an-upstream-account):
 * - `federated_identities`: an upstream subject linked to an account, once per (tenant, provider,
 *   subject) and once per (tenant, account, provider);
 * - `federation_flows`: one browser round trip to the upstream, from start to the activation step.
 *   Each stage's secret is kept only as a hash: `state` (start → callback), the `launch` token of a
 *   link started from a signed-in page (its POST → the browser's start), the `binding` cookie that
 *   ties the callback to the browser that started, the `handle` that
 *   brings the result back to the page (callback → resume) and the activation `ticket`
 *   (resume → activate); each is used once;
 * - an account created upstream has no name and no password until it sets them (the upgrade), so
 *   those columns may be null; the unique name index ignores nulls;
 * - a session remembers how it was signed in (the tokens' `amr` and `idp`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // one statement per call: the Postgres dialect prepares each statement by name
  const statements = [
    `create table federated_identities (
      tenant_id uuid not null,
      account_id uuid not null,
      provider text not null,
      subject text not null,
      created_at timestamptz not null,
      last_used_at timestamptz,
      primary key (tenant_id, provider, subject),
      foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
    )`,
    `create unique index federated_identities_account_uq on federated_identities (tenant_id, account_id, provider)`,
    `create table federation_flows (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants (id) on delete cascade,
      provider text not null,
      intent text not null check (intent in ('sign_in', 'link')),
      account_id uuid,
      state_hash text not null,
      launch_hash text,
      binding_hash text,
      code_verifier text not null,
      nonce text not null,
      return_to text not null,
      mode text not null check (mode in ('cookie', 'token')),
      locale text,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      returned_at timestamptz,
      handle_hash text,
      outcome jsonb,
      ticket_hash text,
      finished_at timestamptz
    )`,
    `create unique index federation_flows_state_uq on federation_flows (state_hash)`,
    `create unique index federation_flows_launch_uq on federation_flows (launch_hash) where launch_hash is not null`,
    `create unique index federation_flows_handle_uq on federation_flows (handle_hash) where handle_hash is not null`,
    `create unique index federation_flows_ticket_uq on federation_flows (ticket_hash) where ticket_hash is not null`,
    `create index federation_flows_expiry_idx on federation_flows (expires_at)`,
    `alter table accounts alter column account_name drop not null`,
    `alter table accounts alter column account_name_folded drop not null`,
    `alter table accounts alter column account_name_skeleton drop not null`,
    `alter table accounts alter column password_hash drop not null`,
    `alter table sessions add column sign_in_method text`,
    `alter table sessions add column idp text`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const statements = [
    'alter table sessions drop column idp',
    'alter table sessions drop column sign_in_method',
    'drop table federation_flows',
    'drop table federated_identities',
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}
