/**
 * A Kysely dialect for postgres.js that uses the pool directly for single statements and
 * reserves a connection only for a transaction. kysely-postgres-js reserves one for every
 * query, which doubled the cost of a one-statement request (measured on the session check and
 * sign-in): reserving and releasing is pool bookkeeping plus extra socket writes per query.
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
import type postgres from 'postgres';

type Params = postgres.ParameterOrJSON<never>[];
const COUNTED = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PoolConnection implements DatabaseConnection {
  /** set between BEGIN and COMMIT/ROLLBACK: every statement of the transaction runs on it */
  reserved: postgres.ReservedSql | undefined;
  constructor(private readonly sql: postgres.Sql) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const runner = this.reserved ?? this.sql;
    const result = await runner.unsafe(q.sql, [...q.parameters] as Params, { prepare: true });
    return {
      numAffectedRows: COUNTED.has(result.command) ? BigInt(result.count) : undefined,
      rows: Array.from(result) as R[],
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported by this dialect');
  }
}

class PostgresJsDriver implements Driver {
  constructor(private readonly sql: postgres.Sql) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new PoolConnection(this.sql);
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const conn = connection as PoolConnection;
    conn.reserved = await this.sql.reserve();
    let begin = 'begin';
    if (settings.isolationLevel) begin += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) begin += ` ${settings.accessMode}`;
    await conn.reserved.unsafe(begin);
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PoolConnection).reserved!.unsafe('commit');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PoolConnection).reserved!.unsafe('rollback');
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const conn = connection as PoolConnection;
    conn.reserved?.release();
    conn.reserved = undefined;
  }
  async destroy(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}

export class PostgresJsDialect implements Dialect {
  constructor(private readonly sql: postgres.Sql) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PostgresJsDriver(this.sql);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}
