import { sql, type Kysely } from 'kysely';

/**
 * Idempotency keys (bff/src/http/idempotency.ts): one row per (tenant, scope, key) a client sent
 * with a create request. The first request reserves the row in one statement (state 'running'),
 * its answer is stored ('done') and replayed to retries for 24 hours. The answer is sealed with a
 * key derived from JD_SECRET: a registration's answer carries a session token.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create table idempotency_keys (
        tenant_id uuid not null references tenants(id),
        -- method, path and the acting account ('' for an anonymous request): another account's key is another key
        scope text not null,
        key text not null,
        -- sha256 of method, path and raw body: the same key with another body is refused
        fingerprint text not null,
        state text not null check (state in ('running', 'done')),
        -- the reservation's owner: only it stores or drops the answer
        run_id text not null,
        -- a running reservation older than this was abandoned (a crashed process) and may be taken over
        locked_until timestamptz,
        status_code integer,
        -- crypto.ts seal(): { headers, body } of the answer
        response_enc text,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        primary key (tenant_id, scope, key),
        check (state = 'running' or (status_code is not null and response_enc is not null))
      )`,
    )
    .execute(db);
  // the sweep of expired keys
  await sql.raw('create index idempotency_keys_expires_at_idx on idempotency_keys (expires_at)').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table idempotency_keys').execute(db);
}
