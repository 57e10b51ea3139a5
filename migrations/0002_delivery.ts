import { sql, type Kysely } from 'kysely';

/**
 * Delivery (docs/operating.md#outbox-and-crashed-workers): the outbox becomes a work queue with leases, retries with backoff and a
 * record of every attempt.
 */
const UP = `
alter table outbox drop constraint outbox_status_check;
alter table outbox add constraint outbox_status_check check (status in ('pending', 'sending', 'sent', 'failed'));
alter table outbox add column next_attempt_at timestamptz;
update outbox set next_attempt_at = created_at;
alter table outbox alter column next_attempt_at set not null;
alter table outbox add column lease_id uuid;
alter table outbox add column locked_until timestamptz;
alter table outbox add column last_error text;
alter table outbox add column provider text;
alter table outbox add column provider_message_id text;
alter table outbox add column updated_at timestamptz;
alter table outbox add column seq bigint generated always as identity;
drop index outbox_pending_idx;
create index outbox_due_idx on outbox (next_attempt_at) where status in ('pending', 'sending');

create table outbox_attempts (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants(id),
  outbox_id uuid not null references outbox(id) on delete cascade,
  attempt integer not null,
  provider text not null,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  ok boolean not null,
  retryable boolean not null,
  error text,
  provider_message_id text
);
create index outbox_attempts_outbox_idx on outbox_attempts (outbox_id, attempt);
alter table verification_codes add column delivery_id uuid
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP.split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table outbox_attempts').execute(db);
}
