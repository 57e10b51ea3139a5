import { sql, type Kysely } from 'kysely';

/**
 * Attempt counters (bff/src/services/limits.ts): one row per limited key — a client address, an
 * (account, client) pair, an account, a session-bound secret. A row is reserved by one atomic
 * upsert before the secret is checked, so a burst never checks more secrets than the cap, and
 * the counts live in the database so they hold across replicas.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create table attempt_counters (
        -- "C": byte order, so the primary key's index serves prefix look-ups (an account's pairs)
        key text collate "C" primary key,
        hits integer not null,
        window_start timestamptz not null,
        last_at timestamptz not null,
        -- the key's rule, carried by each reservation, so one statement reserves keys of different rules
        max_hits integer not null,
        window_seconds integer not null,
        backoff_seconds integer not null
      )`,
    )
    .execute(db);
  // the sweep of lapsed counters
  await sql.raw('create index attempt_counters_last_at_idx on attempt_counters (last_at)').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table attempt_counters').execute(db);
}
