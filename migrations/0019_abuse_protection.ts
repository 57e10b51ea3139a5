import { sql, type Kysely } from 'kysely';

/**
 * Abuse protection for paid messages (docs/security.md#abuse-protection-for-paid-messages):
 * - `risk_counters`: code requests per risk signal (client, network, prefix, region, spraying) in
 *   one-hour windows, counted by an upsert inside the code's own transaction, so a refused or
 *   challenged request gives its count back and a burst on any number of BFFs cannot pass a threshold;
 * - `message_budgets`: messages a tenant sent per day (UTC+8), counted in the same transaction as
 *   the message is queued, against its daily budget;
 * - `abuse_stats`: what the operator reads per tenant and day: codes sent, challenged, refused by reason;
 * - `captcha_tickets`: the hash of every captcha ticket used, so a ticket is accepted once even
 *   where the provider would answer for it again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // one statement per call: the Postgres dialect prepares each statement by name
  const statements = [
    `create table risk_counters (
      tenant_id uuid not null references tenants (id) on delete cascade,
      key text collate "C" not null,
      hits integer not null,
      window_start timestamptz not null,
      primary key (tenant_id, key)
    )`,
    `create index risk_counters_window_idx on risk_counters (window_start)`,
    `create table message_budgets (
      tenant_id uuid not null references tenants (id) on delete cascade,
      day text collate "C" not null,
      sent integer not null,
      primary key (tenant_id, day)
    )`,
    `create table abuse_stats (
      tenant_id uuid not null references tenants (id) on delete cascade,
      day text collate "C" not null,
      outcome text not null check (outcome in ('sent', 'challenged', 'passed', 'refused')),
      reason text not null,
      count integer not null,
      primary key (tenant_id, day, outcome, reason)
    )`,
    `create table captcha_tickets (
      tenant_id uuid not null references tenants (id) on delete cascade,
      ticket_hash text not null,
      used_at timestamptz not null,
      primary key (tenant_id, ticket_hash)
    )`,
    `create index captcha_tickets_used_idx on captcha_tickets (used_at)`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['captcha_tickets', 'abuse_stats', 'message_budgets', 'risk_counters'])
    await sql.raw(`drop table ${t}`).execute(db);
}
