/**
 * `tsx bench/driver.ts`: the database client's own CPU per statement, postgres.js vs node-postgres,
 * both through this repo's Kysely dialects, on one fresh database (BENCH_DATABASE_URL or
 * DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres). CPU time of this process
 * (process.cpuUsage), so other load on the machine moves it far less than wall time would.
 * Shapes: a session look-up by key (one row, prepared), and a short transaction (begin, select
 * for update, update, insert, commit) as sign-in and code issuing run them. 10 in flight.
 */
import { Kysely, sql, type Generated } from 'kysely';
import pg from 'pg';
import postgres from 'postgres';
import { PgDialect } from '../bff/src/db/pg-dialect.ts';
import { PostgresJsDialect } from './postgres-js-dialect.ts';

const base =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_DRIVER_OPS ?? 20_000);
const IN_FLIGHT = 10;

interface T {
  items: { id: number; name: string; n: number; at: Date };
  log: { id: Generated<number>; item: number; at: Date };
}

async function measure(label: string, db: Kysely<T>) {
  const run = async (op: (i: number) => Promise<unknown>, count: number) => {
    let next = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < count) await op(next++);
      }),
    );
    const cpu = process.cpuUsage(c0);
    return { cpuUs: (cpu.user + cpu.system) / count, wallMs: performance.now() - t0 };
  };
  const lookup = (i: number) =>
    db
      .selectFrom('items')
      .selectAll()
      .where('id', '=', (i % 1000) + 1)
      .executeTakeFirst();
  const trx = (i: number) =>
    db.transaction().execute(async (t) => {
      const id = (i % 1000) + 1;
      await t.selectFrom('items').select('n').where('id', '=', id).forUpdate().executeTakeFirst();
      await t
        .updateTable('items')
        .set({ n: sql`n + 1`, at: new Date() })
        .where('id', '=', id)
        .execute();
      await t.insertInto('log').values({ item: id, at: new Date() }).execute();
    });
  await run(lookup, 2000); // warm-up: prepared statements, JIT
  await run(trx, 500);
  const a = await run(lookup, N);
  const b = await run(trx, N / 4);
  console.log(
    `${label.padEnd(12)} lookup ${a.cpuUs.toFixed(1).padStart(6)} µs CPU/op (${Math.round(N / (a.wallMs / 1000))}/s)   transaction ${b.cpuUs.toFixed(1).padStart(6)} µs CPU/op (${Math.round(N / 4 / (b.wallMs / 1000))}/s)`,
  );
}

const admin = new pg.Client({ connectionString: base });
await admin.connect();
const name = `jd_driver_${Date.now()}`;
await admin.query(`create database ${name}`);
const url = new URL(base);
url.pathname = `/${name}`;
try {
  const setup = new pg.Client({ connectionString: url.href });
  await setup.connect();
  await setup.query(`create table items (id int primary key, name text not null, n int not null, at timestamptz not null);
    create table log (id serial primary key, item int not null, at timestamptz not null);
    insert into items select g, 'item ' || g, 0, now() from generate_series(1, 1000) g`);
  await setup.end();
  for (let round = 0; round < 2; round++) {
    const pgjs = postgres(url.href, { max: 10, onnotice: () => {} });
    await measure('postgres.js', new Kysely<T>({ dialect: new PostgresJsDialect(pgjs) }).withoutPlugins());
    await pgjs.end();
    const pool = new pg.Pool({ connectionString: url.href, max: 10 });
    pool.on('error', () => {});
    await measure('pg', new Kysely<T>({ dialect: new PgDialect(pool) }));
    await pool.end();
  }
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
