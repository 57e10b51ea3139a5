import { sql, type Kysely } from 'kysely';

/**
 * Closing an account (docs/product.md#24-closing-an-account): the user asks, the account stops
 * signing in at once, and at `closes_at` (after the tenant's cooling-off days) its personal data
 * is erased and its name, phone and email are free again. `closing_requested_at`/`closes_at` are
 * cleared when the closing is cancelled; `closed_at` is set by the erasure and kept (the tombstone).
 * The sweep looks up the accounts due with the partial index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // one statement per call: the Postgres dialect prepares each statement by name
  await sql.raw('alter table accounts add column closing_requested_at timestamptz').execute(db);
  await sql.raw('alter table accounts add column closes_at timestamptz').execute(db);
  await sql.raw('alter table accounts add column closed_at timestamptz').execute(db);
  await sql
    .raw(
      'create index accounts_closes_at_idx on accounts (closes_at) where closes_at is not null and closed_at is null',
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop index if exists accounts_closes_at_idx').execute(db);
  await sql.raw('alter table accounts drop column closed_at').execute(db);
  await sql.raw('alter table accounts drop column closes_at').execute(db);
  await sql.raw('alter table accounts drop column closing_requested_at').execute(db);
}
