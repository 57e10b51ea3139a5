import { sql, type Kysely } from 'kysely';

/**
 * The foundation schema. Every table carries tenant_id (tenants.id is the tenant's own id) and
 * every query filters by it. Uniqueness rules of docs/product.md are unique indexes, so races cannot
 * break them. Postgres 15 SQL only (PGlite runs 18 and would accept newer syntax).
 */
const SCHEMA = `
    create table tenants (
      id uuid primary key default gen_random_uuid(),
      slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      publishable_key text not null unique,
      config jsonb not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table accounts (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants(id),
      account_name text not null,
      -- NFC + lower case, computed by shared/ (foldAccountName) so PG and PGlite agree whatever their locale
      account_name_folded text not null,
      password_hash text not null,
      referral_code text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create unique index accounts_tenant_name_uq on accounts (tenant_id, account_name_folded);
    create unique index accounts_tenant_id_uq on accounts (tenant_id, id);

    create table account_contacts (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null,
      account_id uuid not null,
      kind text not null check (kind in ('phone', 'email')),
      role text not null check (role in ('security', 'contact')),
      value text not null,
      verified_at timestamptz,
      -- docs/product.md#7-sign-in-identifiers: only when no other account of the tenant had this value
      can_sign_in boolean not null,
      created_at timestamptz not null,
      foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
    );
    create unique index account_contacts_slot_uq on account_contacts (tenant_id, account_id, kind, role);
    create index account_contacts_value_idx on account_contacts (tenant_id, kind, value);
    -- at most one account of a tenant may sign in with a given phone/email
    create unique index account_contacts_sign_in_uq on account_contacts (tenant_id, kind, value) where can_sign_in;

    create table verification_codes (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants(id),
      purpose text not null,
      target text not null,
      channel text not null check (channel in ('sms', 'voice')),
      code_hash text not null,
      attempts integer not null default 0,
      client_ip text,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      consumed_at timestamptz,
      voided_at timestamptz
    );
    create index verification_codes_target_idx on verification_codes (tenant_id, target, purpose, created_at desc);
    create index verification_codes_ip_idx on verification_codes (tenant_id, client_ip, created_at desc);

    create table sessions (
      id_hash text primary key,
      tenant_id uuid not null,
      account_id uuid not null,
      mode text not null check (mode in ('cookie', 'token')),
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      idle_expires_at timestamptz not null,
      expires_at timestamptz not null,
      ip text,
      user_agent text,
      foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
    );
    create index sessions_account_idx on sessions (tenant_id, account_id);

    create table consents (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null,
      account_id uuid not null,
      agreement_key text not null,
      version text not null,
      locale text not null,
      accepted_at timestamptz not null,
      foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
    );
    create index consents_account_idx on consents (tenant_id, account_id);

    create table email_verifications (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null,
      account_id uuid not null,
      email text not null,
      token_hash text not null unique,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      used_at timestamptz,
      foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
    );

    create table outbox (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants(id),
      channel text not null check (channel in ('sms', 'voice', 'email')),
      recipient text not null,
      purpose text not null,
      locale text not null,
      subject text,
      body text not null,
      payload jsonb not null default '{}'::jsonb,
      status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
      attempts integer not null default 0,
      created_at timestamptz not null,
      sent_at timestamptz
    );
    create index outbox_pending_idx on outbox (created_at) where status = 'pending';
    create index outbox_tenant_idx on outbox (tenant_id, created_at desc);
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: the extended protocol (postgres.js, PGlite) refuses multi-statement strings.
  for (const statement of SCHEMA.split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table outbox, email_verifications, consents, sessions, verification_codes, account_contacts, accounts, tenants`.execute(
    db,
  );
}
