/**
 * A Kysely dialect for node-postgres (`pg`) that sends a single statement through the pool
 * (`pool.query`: check out, run, check in) and holds a client only for a transaction, and names
 * every statement so each pooled connection parses and plans it once (a prepared statement).
 *
 * Why pg and not postgres.js: the choice, the figures and the fault test behind it are in
 * docs/operating.md ("Database client").
 */
import {
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { Pool, PoolClient, QueryConfig } from 'pg';

const COUNTED = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * One name per SQL text, for the life of the process: pg prepares a named statement once per
 * connection and reuses it. Kysely builds a bounded set of texts (its queries are fixed shapes;
 * values are parameters), so the map stays small; past the bound, statements run unnamed.
 */
const names = new Map<string, string>();
const MAX_NAMED = 2000;
function statement(q: CompiledQuery, named: boolean): QueryConfig {
  if (!named) return { text: q.sql, values: [...q.parameters] };
  let name = names.get(q.sql);
  if (!name && names.size < MAX_NAMED) names.set(q.sql, (name = `k${names.size + 1}`));
  return { text: q.sql, values: [...q.parameters], ...(name ? { name } : {}) };
}

class PgConnection implements DatabaseConnection {
  /** set between BEGIN and COMMIT/ROLLBACK: every statement of the transaction runs on it */
  client: PoolClient | undefined;
  constructor(
    private readonly pool: Pool,
    private readonly named: boolean,
  ) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const result = await (this.client ?? this.pool).query(statement(q, this.named));
    return {
      numAffectedRows: COUNTED.has(result.command) && result.rowCount !== null ? BigInt(result.rowCount) : undefined,
      rows: result.rows as R[],
    };
  }

  // Kysely iterates this inside its own async generator, so throwing at the call fails the stream as a
  // rejected next() would.
  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported by this dialect');
  }
}

class PgDriver implements Driver {
  constructor(
    private readonly pool: Pool,
    private readonly named: boolean,
    private readonly settings: string,
  ) {}
  async init(): Promise<void> {}
  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new PgConnection(this.pool, this.named));
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const conn = connection as PgConnection;
    conn.client = await this.pool.connect();
    let begin = 'begin';
    if (settings.isolationLevel) begin += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) begin += ` ${settings.accessMode}`;
    if (this.settings) begin += `; ${this.settings}`;
    try {
      await conn.client.query(begin);
    } catch (err) {
      this.release(conn, err);
      throw err;
    }
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgConnection).client!.query('commit');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as PgConnection;
    try {
      await conn.client!.query('rollback');
    } catch (err) {
      // the connection broke: it must not go back to the pool with a transaction half open
      this.release(conn, err);
      throw err;
    }
  }
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.release(connection as PgConnection);
    return Promise.resolve();
  }
  private release(conn: PgConnection, err?: unknown) {
    conn.client?.release(err instanceof Error ? err : undefined);
    conn.client = undefined;
  }
  async destroy(): Promise<void> {
    await this.pool.end();
  }
}

export interface PgDialectOptions {
  /**
   * Name statements so each connection prepares them once (the default). Off behind a pooler in
   * transaction mode (docs/operating.md "Replicas and a pooler"): consecutive statements may run on
   * different server connections there, and a name prepared on one is unknown on the next.
   */
  namedStatements?: boolean;
  /**
   * `set local …` statements sent with every BEGIN (one round trip). Behind a transaction-mode
   * pooler the connection's startup parameters cannot carry the timeouts, so each transaction sets
   * its own; they end with it.
   */
  transactionSettings?: string;
}

export class PgDialect implements Dialect {
  private readonly named: boolean;
  private readonly settings: string;
  constructor(
    private readonly pool: Pool,
    options: PgDialectOptions = {},
  ) {
    this.named = options.namedStatements ?? true;
    this.settings = options.transactionSettings ?? '';
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PgDriver(this.pool, this.named, this.settings);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}
