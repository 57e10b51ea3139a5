import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

/**
 * A transaction-scoped advisory lock on a string key: serialises concurrent work on one phone,
 * IP or identifier (cooldowns, daily caps, "can sign in" at binding) on Postgres and PGlite alike.
 */
export async function lockKey(trx: Transaction<Database>, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}
