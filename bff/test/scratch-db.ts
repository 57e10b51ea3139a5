/**
 * An empty database on the Postgres server of `serverUrl` (DATABASE_URL in CI), created for one
 * test file and dropped after it, through node-postgres like the BFF itself.
 */
import pg from 'pg';

export interface ScratchDatabase {
  /** the new database's URL */
  url: string;
  name: string;
  /** runs one statement on the new database (a short-lived connection) */
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  drop: () => Promise<void>;
}

async function onServer<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // a dropped connection rejects the pending query; it must not end the test process
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createScratchDatabase(serverUrl: string, prefix = 'jd_test'): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await onServer(serverUrl, (c) => c.query(`create database ${name}`));
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  const url = target.toString();
  return {
    url,
    name,
    query: (text, values) => onServer(url, async (c) => (await c.query(text, values)).rows),
    drop: () =>
      onServer(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
