import { Kysely, PGliteDialect, type CompiledQuery } from 'kysely';
import { Migrator } from 'kysely/migration';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { migrations } from '../../../migrations/index.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface DbOptions {
  /** a postgres:// URL; without it, embedded PGlite */
  url?: string | undefined;
  /** PGlite data directory; undefined = in memory */
  pgliteDir?: string | undefined;
  /** pool size for real Postgres */
  poolSize?: number;
}

// The postgres.js client behind a Kysely instance, for hot paths (see runCompiled).
const pgClients = new WeakMap<Db, postgres.Sql>();

/** Real Postgres through postgres.js when a URL is given, else PGlite (on disk or in memory). */
export function createDb(opts: DbOptions): Db {
  if (opts.url) {
    const client = postgres(opts.url, { max: opts.poolSize ?? 10, onnotice: () => {} });
    const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) });
    pgClients.set(db, client);
    return db;
  }
  return new Kysely<Database>({
    dialect: new PGliteDialect({
      pglite: async () => {
        // lazy: keeps the wasm off the real-Postgres path
        const { PGlite } = await import('@electric-sql/pglite');
        return PGlite.create(opts.pgliteDir);
      },
    }),
  });
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Unique-violation detection across postgres.js and PGlite error shapes. */
export function uniqueViolation(err: unknown): string | undefined {
  const e = err as { code?: string; constraint_name?: string; constraint?: string } | null;
  if (e && e.code === '23505') return e.constraint_name ?? e.constraint ?? '';
  return undefined;
}

/**
 * Runs a query Kysely compiled, with new parameters. On Postgres it goes straight to postgres.js
 * as a prepared statement: kysely-postgres-js reserves a dedicated connection for every query,
 * which halves the throughput of a one-statement request (measured on the session check).
 * Only for single statements outside transactions.
 */
export async function runCompiled<R>(db: Db, compiled: CompiledQuery, parameters: readonly unknown[]): Promise<R[]> {
  const client = pgClients.get(db);
  if (client) return (await client.unsafe(compiled.sql, parameters as postgres.ParameterOrJSON<never>[], { prepare: true })) as unknown as R[];
  return (await db.executeQuery<R>({ ...compiled, parameters })).rows;
}
