import { Kysely, PGliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { PgDialect } from './pg-dialect.ts';
import { migrations } from '../../../migrations/index.ts';
import type { Database } from './schema.ts';
import { databaseTimeouts, type DatabaseTimeouts } from '../config.ts';

export type Db = Kysely<Database>;

export interface DbOptions {
  /** a postgres:// URL; without it, embedded PGlite */
  url?: string | undefined;
  /** PGlite data directory; undefined = in memory */
  pgliteDir?: string | undefined;
  /** pool size for real Postgres */
  poolSize?: number;
  /** connect, statement and idle-in-transaction timeouts for real Postgres (default: databaseTimeouts()) */
  timeouts?: DatabaseTimeouts;
  /**
   * 'transaction': Postgres is reached through a pooler in transaction mode (PgBouncer's
   * pool_mode=transaction; docs/operating.md "Replicas and a pooler"). Statements go unnamed and the
   * timeouts are set per transaction instead of per connection.
   */
  pooler?: 'transaction' | undefined;
}

/**
 * A node-postgres pool. A DATABASE_URL may name the server's Unix socket directory as libpq does
 * (`?host=/var/run/postgresql`): on one machine the socket costs about half the client CPU of TCP
 * loopback per query.
 */
function createPool(url: string, max: number, t: DatabaseTimeouts, pooled: boolean): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // bounds both a new connection and the wait for a pooled one when all are busy
    connectionTimeoutMillis: t.connectTimeoutMs,
    // the server ends a statement or an abandoned transaction past these (startup parameters, which
    // a transaction-mode pooler refuses: there PgDialect sets them per transaction)...
    ...(pooled
      ? {}
      : { statement_timeout: t.statementTimeoutMs, idle_in_transaction_session_timeout: t.idleInTransactionTimeoutMs }),
    // ...and the client stops waiting for a server that went silent without closing the socket
    query_timeout: t.statementTimeoutMs + 1000,
    keepAlive: true,
  });
  // a connection that breaks while idle in the pool is dropped by the pool; without a listener
  // its 'error' event would end the process
  pool.on('error', () => {});
  // the same for a checked-out client between two statements (its query rejects on its own)
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Real Postgres through node-postgres when a URL is given, else PGlite (on disk or in memory). */
export function createDb(opts: DbOptions): Db {
  if (opts.url) {
    const t = opts.timeouts ?? databaseTimeouts({});
    const pooled = opts.pooler === 'transaction';
    const pool = createPool(opts.url, opts.poolSize ?? 10, t, pooled);
    return new Kysely<Database>({
      dialect: new PgDialect(
        pool,
        pooled
          ? {
              namedStatements: false,
              transactionSettings: `set local statement_timeout = ${t.statementTimeoutMs}; set local idle_in_transaction_session_timeout = ${t.idleInTransactionTimeoutMs}`,
            }
          : {},
      ),
    });
  }
  return new Kysely<Database>({
    dialect: new PGliteDialect({
      pglite: async () => {
        // lazy: keeps the wasm off the real-Postgres path
        const { PGlite } = await import('@electric-sql/pglite');
        // Postgres's default 128 MB of shared buffers is resident in the process from the start
        // (PGlite's memory is the BFF's): a development database needs far less, and 16 MB keeps
        // ~120 MB off `npm start`'s RSS at no measurable query cost (docs/benchmarks.md#cold-start)
        return PGlite.create({
          dataDir: opts.pgliteDir,
          startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
        });
      },
    }),
  });
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
  const { error, results } = await migrator.migrateToLatest();
  // Kysely types the failure as `unknown`; it is the Error a migration threw.
  if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Unique-violation detection across node-postgres and PGlite error shapes. */
export function uniqueViolation(err: unknown): string | undefined {
  const e = err as { code?: string; constraint_name?: string; constraint?: string } | null;
  if (e && e.code === '23505') return e.constraint_name ?? e.constraint ?? '';
  return undefined;
}

/**
 * SQLSTATE classes and codes that mean "the database cannot serve this now; the same request may
 * succeed shortly": connection exceptions (08), insufficient resources (53: too many connections,
 * out of memory or disk), operator intervention (57P01 terminated by an administrator or a
 * failover, 57P02 crash, 57P03 starting or stopping, 57014 statement timeout), an idle-in-
 * transaction timeout (25P03), and transaction rollbacks of concurrency (40001, 40P01).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3]|57014|25P03|40001|40P01)/;
/** Socket errors of a database connection. */
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT',
]);
/** node-postgres reports a lost or timed-out connection by message only. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Cannot use a pool after calling end|Client was closed)/;

/**
 * Whether a failure means the database is unreachable, exhausted or too slow — answered 503
 * service_unavailable with Retry-After (bff/src/http/errors.ts), never 500.
 */
export function databaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_ERRNO.has(e.code))) return true;
  return typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message);
}
