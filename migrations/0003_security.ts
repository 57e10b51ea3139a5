import { sql, type Kysely } from 'kysely';

/** Security settings (docs/product.md#9-step-up-verification): account-bound codes (also by email), step-up grants, the audit log. */
const UP = `
alter table verification_codes drop constraint verification_codes_channel_check;
alter table verification_codes add constraint verification_codes_channel_check check (channel in ('sms', 'voice', 'email'));
alter table verification_codes add column account_id uuid;
-- insertion order: two codes for one target may share a timestamp (or come from instances whose clocks disagree)
alter table verification_codes add column seq bigint generated always as identity;
alter table sessions add column step_up_expires_at timestamptz;
create table audit_events (
  id uuid primary key default gen_random_uuid(),
  -- insertion order: several events can share a timestamp
  seq bigint generated always as identity,
  tenant_id uuid not null references tenants(id),
  account_id uuid,
  type text not null,
  outcome text not null check (outcome in ('success', 'failure')),
  ip text,
  user_agent text,
  detail jsonb not null default '{}'::jsonb,
  created_at timestamptz not null
);
create index audit_events_account_idx on audit_events (tenant_id, account_id, seq desc)
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP.split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table audit_events').execute(db);
}
