import { sql, type Kysely } from 'kysely';

/**
 * Every key of a tenant's rows leads with `tenant_id` (docs/operating.md#scaling-out), so the schema
 * can be distributed by tenant on Citus as it is: a distributed table's primary key and unique
 * indexes must contain its distribution column, and a foreign key between two distributed tables
 * must include it on both sides (then the two rows live on one shard). On one Postgres it changes no
 * answer: ids were unique already, and a foreign key through `(tenant_id, …)` also refuses a row
 * pointing into another tenant. bff/test/tenant-keys.test.ts checks the catalog for the rule.
 *
 * - Primary keys `(id)` become `(tenant_id, id)` (sessions: `(tenant_id, id_hash)`, signing keys
 *   `(tenant_id, kid)`, admin keys `(tenant_id, key_id)`). accounts already had a unique index on
 *   `(tenant_id, id)` that every foreign key to it uses: it becomes the primary key.
 * - The foreign keys to sub_users and outbox carry `tenant_id`.
 * - A token looked up before its tenant is known — an email link's token, a federation callback's
 *   state, a launch token, an admin key's id — keeps a plain (non-unique) index of its own for that
 *   look-up, and its uniqueness moves under the tenant. On Citus such a look-up asks every shard;
 *   each is rare (one per link, upstream sign-in or admin request), not a hot path.
 * - attempt_counters stays keyed by its key alone: a client address's counter is counted across
 *   tenants (docs/product.md#17-attempt-limits-and-lockout), so it is not a tenant's row.
 *
 * On a large database each primary key is rebuilt under the table's lock; the migration runs in
 * one transaction, so it applies whole or not at all.
 */

/** Tables whose primary key `(col)` becomes `(tenant_id, col)`, accounts aside. */
const PRIMARY_KEYS: [table: string, column: string][] = [
  ['account_contacts', 'id'],
  ['verification_codes', 'id'],
  ['consents', 'id'],
  ['email_verifications', 'id'],
  ['outbox', 'id'],
  ['outbox_attempts', 'id'],
  ['audit_events', 'id'],
  ['mfa_devices', 'id'],
  ['mfa_recovery_codes', 'id'],
  ['sub_users', 'id'],
  ['mfa_applications', 'id'],
  ['stored_files', 'id'],
  ['federation_flows', 'id'],
  ['sessions', 'id_hash'],
  ['signing_keys', 'kid'],
  ['admin_keys', 'key_id'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // one statement per call: the Postgres dialect prepares each statement by name
  const statements = [
    // the foreign keys that hang on the primary keys about to change
    `alter table sessions drop constraint sessions_sub_user_id_fkey`,
    `alter table mfa_devices drop constraint mfa_devices_sub_user_id_fkey`,
    `alter table outbox_attempts drop constraint outbox_attempts_outbox_id_fkey`,
    // accounts: the unique (tenant_id, id) every foreign key references becomes the primary key
    `alter table accounts drop constraint accounts_pkey`,
    `alter table accounts add constraint accounts_pkey primary key using index accounts_tenant_id_uq`,
    ...PRIMARY_KEYS.map(
      ([t, c]) => `alter table ${t} drop constraint ${t}_pkey, add constraint ${t}_pkey primary key (tenant_id, ${c})`,
    ),
    `alter table sessions add constraint sessions_sub_user_id_fkey foreign key (tenant_id, sub_user_id)
      references sub_users (tenant_id, id) on delete cascade`,
    `alter table mfa_devices add constraint mfa_devices_sub_user_id_fkey foreign key (tenant_id, sub_user_id)
      references sub_users (tenant_id, id) on delete cascade`,
    `alter table outbox_attempts add constraint outbox_attempts_outbox_id_fkey foreign key (tenant_id, outbox_id)
      references outbox (tenant_id, id) on delete cascade`,
    // the cascade from a deleted message finds its attempts through the tenant too
    `drop index outbox_attempts_outbox_idx`,
    `create index outbox_attempts_outbox_idx on outbox_attempts (tenant_id, outbox_id, attempt)`,
    // an email link names no tenant: its token is looked up alone (services/email-verification.ts)
    `alter table email_verifications drop constraint email_verifications_token_hash_key`,
    `alter table email_verifications add constraint email_verifications_token_hash_key unique (tenant_id, token_hash)`,
    `create index email_verifications_token_idx on email_verifications (token_hash)`,
    // an upstream's callback and a link flow's launch name no tenant (services/federation.ts);
    // a page's handle and an activation's ticket come with the tenant's publishable key
    `drop index federation_flows_state_uq`,
    `create unique index federation_flows_state_uq on federation_flows (tenant_id, state_hash)`,
    `create index federation_flows_state_idx on federation_flows (state_hash)`,
    `drop index federation_flows_launch_uq`,
    `create unique index federation_flows_launch_uq on federation_flows (tenant_id, launch_hash) where launch_hash is not null`,
    `create index federation_flows_launch_idx on federation_flows (launch_hash) where launch_hash is not null`,
    `drop index federation_flows_handle_uq`,
    `create unique index federation_flows_handle_uq on federation_flows (tenant_id, handle_hash) where handle_hash is not null`,
    `drop index federation_flows_ticket_uq`,
    `create unique index federation_flows_ticket_uq on federation_flows (tenant_id, ticket_hash) where ticket_hash is not null`,
    // a secret key names its tenant only through its key id (services/admin-keys.ts)
    `create index admin_keys_key_idx on admin_keys (key_id)`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `drop index admin_keys_key_idx`,
    `drop index federation_flows_ticket_uq`,
    `create unique index federation_flows_ticket_uq on federation_flows (ticket_hash) where ticket_hash is not null`,
    `drop index federation_flows_handle_uq`,
    `create unique index federation_flows_handle_uq on federation_flows (handle_hash) where handle_hash is not null`,
    `drop index federation_flows_launch_idx`,
    `drop index federation_flows_launch_uq`,
    `create unique index federation_flows_launch_uq on federation_flows (launch_hash) where launch_hash is not null`,
    `drop index federation_flows_state_idx`,
    `drop index federation_flows_state_uq`,
    `create unique index federation_flows_state_uq on federation_flows (state_hash)`,
    `drop index email_verifications_token_idx`,
    `alter table email_verifications drop constraint email_verifications_token_hash_key`,
    `alter table email_verifications add constraint email_verifications_token_hash_key unique (token_hash)`,
    `drop index outbox_attempts_outbox_idx`,
    `create index outbox_attempts_outbox_idx on outbox_attempts (outbox_id, attempt)`,
    `alter table sessions drop constraint sessions_sub_user_id_fkey`,
    `alter table mfa_devices drop constraint mfa_devices_sub_user_id_fkey`,
    `alter table outbox_attempts drop constraint outbox_attempts_outbox_id_fkey`,
    ...PRIMARY_KEYS.map(
      ([t, c]) => `alter table ${t} drop constraint ${t}_pkey, add constraint ${t}_pkey primary key (${c})`,
    ),
    `alter table sessions add constraint sessions_sub_user_id_fkey foreign key (sub_user_id)
      references sub_users (id) on delete cascade`,
    `alter table mfa_devices add constraint mfa_devices_sub_user_id_fkey foreign key (sub_user_id)
      references sub_users (id) on delete cascade`,
    `alter table outbox_attempts add constraint outbox_attempts_outbox_id_fkey foreign key (outbox_id)
      references outbox (id) on delete cascade`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
  // every foreign key to accounts hangs on its primary key's index now: they are made again on
  // the unique (tenant_id, id) index once the primary key is (id) again
  const { rows: fks } = await sql<{ table: string; name: string; def: string }>`
    select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as def
    from pg_constraint where contype = 'f' and confrelid = 'accounts'::regclass`.execute(db);
  for (const fk of fks) await sql.raw(`alter table ${fk.table} drop constraint ${fk.name}`).execute(db);
  await sql
    .raw(`alter table accounts drop constraint accounts_pkey, add constraint accounts_pkey primary key (id)`)
    .execute(db);
  await sql.raw(`create unique index accounts_tenant_id_uq on accounts (tenant_id, id)`).execute(db);
  for (const fk of fks) await sql.raw(`alter table ${fk.table} add constraint ${fk.name} ${fk.def}`).execute(db);
}
