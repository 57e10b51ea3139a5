import { sql, type CompiledQuery, type Expression, type RawBuilder } from 'kysely';
import type { Db } from './create.ts';
import { compiledStatement } from './compiled.ts';

/*
 * attempt_counters is the one table of counters without `tenant_id` (bff/test/tenant-keys.test.ts
 * allows it): a client address's failed checks are counted across tenants
 * (docs/product.md#17-attempt-limits-and-lockout), and a reservation counts that key and the
 * tenant's own keys (which name the tenant in the key) in one statement. On Citus it is
 * distributed by `key`, apart from the tenants' tables: a reservation touches up to three shards.
 */

export interface CounterRule {
  /** attempts allowed in a window */
  max: number;
  windowSeconds: number;
  /** past `max`, one more attempt after backoffSeconds · 2^(hits − max), at most the window */
  backoffSeconds: number;
}

export type Reserved = { ok: true } | { ok: false; key: string; retryAfterSeconds: number };

type Item = { key: string; rule: CounterRule };
type Counted = { key: string };

/** The upsert that counts one attempt on each row of `rows` (a VALUES list or a SELECT) while its rule allows it. */
function countAttempts(rows: RawBuilder<unknown>, now: Date) {
  const lapsed = sql`c.window_start <= ${now}::timestamptz - make_interval(secs => excluded.window_seconds)`;
  return sql`insert into attempt_counters as c (key, hits, window_start, last_at, max_hits, window_seconds, backoff_seconds) ${rows}
    on conflict (key) do update set
      hits = case when ${lapsed} then 1 else c.hits + 1 end,
      window_start = case when ${lapsed} then excluded.window_start else c.window_start end,
      last_at = excluded.last_at,
      max_hits = excluded.max_hits,
      window_seconds = excluded.window_seconds,
      backoff_seconds = excluded.backoff_seconds
    where ${lapsed}
      or c.hits < excluded.max_hits
      or (excluded.backoff_seconds > 0 and c.last_at <= ${now}::timestamptz
          - make_interval(secs => least(excluded.window_seconds, excluded.backoff_seconds * power(2, greatest(c.hits - excluded.max_hits, 0)))))
    returning key`;
}

const valuesOf = (items: Item[], now: Date) =>
  sql.join(
    items.map(
      ({ key, rule }) =>
        sql`(${key}::text, 1, ${now}::timestamptz, ${now}::timestamptz, ${rule.max}::int, ${rule.windowSeconds}::int, ${rule.backoffSeconds}::int)`,
    ),
  );

/**
 * Reserves one attempt on each key in a single statement: a key's new window starts when its
 * last one lapsed; within a window an attempt is counted only while the cap (or the backoff)
 * allows it. Postgres holds the row lock of each upsert, so concurrent reservations of one key
 * are counted one after another and no burst gets past a cap. The `then` keys are counted only
 * when every `first` key was (a client's own counters before an account's: one client's burst
 * never reaches the account's count). When any key refuses, the keys counted by the same
 * statement are given back, so a refusal changes nothing.
 */
export async function reserveAttempts(db: Db, first: Item[], then: Item[], now: Date): Promise<Reserved> {
  // One lock order for every reservation (the `first` keys, then the `then` keys, each sorted):
  // the upsert locks its rows in VALUES order, and two reservations sharing keys (a client's and
  // an account's, from concurrent requests) that locked them in different orders would deadlock.
  first = [...first].sort(byKey);
  then = [...then].sort(byKey);
  const statement = then.length
    ? sql<Counted>`with ${reservationCtes(first, then, now)} select key from first union all select key from then_`
    : sql<Counted>`${countAttempts(sql`values ${valuesOf(first, now)}`, now)}`;
  const result = await statement.execute(db);
  return settleReservation(
    db,
    [...first, ...then],
    result.rows.map((r) => r.key),
    now,
  );
}

/**
 * reserveAttempts and a read in one statement, one round trip (sign-in's hot path: the
 * reservation and the candidate accounts; docs/benchmarks.md#the-floor). The read sees the
 * snapshot the statement started with and nothing of the reservation, which touches only
 * `attempt_counters`; whether the reservation held is known before the caller looks at a row,
 * so a refused one answers exactly as it would alone. `present` names a column the read never
 * leaves null: the statement answers one row even when the read finds none.
 */
export async function reserveAttemptsAlong<V extends object, R extends Record<string, unknown>>(
  db: Db,
  first: Item[],
  then: Item[],
  now: Date,
  read: ReadAlong<V, R>,
  present: keyof R & string,
): Promise<{ reserved: Reserved; rows: R[] }> {
  first = [...first].sort(byKey);
  then = [...then].sort(byKey);
  const result = await db.executeQuery<R & { reserved_keys: string[] }>(
    statementAlong(read.build)(db, { first, then, now, read: read.values }),
  );
  const reserved = await settleReservation(db, [...first, ...then], result.rows[0]?.reserved_keys ?? [], now);
  const rows = result.rows
    .filter((row) => row[present] !== null && row[present] !== undefined)
    .map(({ reserved_keys: _, ...row }) => row as unknown as R);
  return { reserved, rows };
}

/** A read sent along with a reservation: how it is built from its values (plain data), and the values. */
export interface ReadAlong<V extends object, R> {
  build: (db: Db, values: V) => Expression<R>;
  values: V;
}

/** The statement of reserveAttemptsAlong, one per read, built and compiled once per shape (db/compiled.ts). */
const statementsAlong = new WeakMap<object, (db: Db, v: AlongValues) => CompiledQuery>();
type AlongValues = { first: Item[]; then: Item[]; now: Date; read: object };
function statementAlong<V extends object>(build: (db: Db, values: V) => Expression<unknown>) {
  let statement = statementsAlong.get(build);
  if (!statement) {
    // The read goes on the inner side of a left join `on true` with a one-row outer side: with no
    // join clause Postgres can only run a nested loop, which keeps the read's own order (ORDER BY)
    statement = compiledStatement(
      (db: Db, v: AlongValues) =>
        sql`with ${reservationCtes(v.first, v.then, v.now)}
    select coalesce((select json_agg(k.key) from (select key from first union all select key from then_) k), '[]'::json) as reserved_keys, r.*
    from (select 1) as one left join ${build(db, v.read as V)} as r on true`,
    );
    statementsAlong.set(build, statement);
  }
  return statement;
}

/** The reservation as two CTEs, `first` and `then_` (each `returning key`): keys sorted by the caller. */
function reservationCtes(first: Item[], then: Item[], now: Date) {
  const thenRows = then.length
    ? countAttempts(
        sql`select * from (values ${valuesOf(then, now)}) v where (select count(*) from first) = ${first.length}`,
        now,
      )
    : sql`select key from first where false`;
  return sql`first as (${countAttempts(sql`values ${valuesOf(first, now)}`, now)}), then_ as (${thenRows})`;
}

/** A reservation's outcome from the keys its statement counted: a refusal gives those back and names the refused key. */
async function settleReservation(db: Db, items: Item[], countedKeys: string[], now: Date): Promise<Reserved> {
  if (countedKeys.length === items.length) return { ok: true };
  const counted = new Set(countedKeys);
  const refused = items.find((i) => !counted.has(i.key))!;
  await releaseAttempts(
    db,
    items.filter((i) => counted.has(i.key)).map((i) => i.key),
  );
  const current = await db
    .selectFrom('attempt_counters')
    .select(['hits', 'window_start', 'last_at'])
    .where('key', '=', refused.key)
    .executeTakeFirst();
  return { ok: false, key: refused.key, retryAfterSeconds: current ? retryAfter(refused.rule, current, now) : 1 };
}

/** Seconds until a refused key takes an attempt again: its window's end, or sooner after its backoff. */
function retryAfter(
  rule: CounterRule,
  row: { hits: number; window_start: Date | string; last_at: Date | string },
  now: Date,
): number {
  const windowEnds = new Date(row.window_start).getTime() + rule.windowSeconds * 1000;
  let until = windowEnds;
  if (rule.backoffSeconds > 0) {
    const delay = Math.min(rule.windowSeconds, rule.backoffSeconds * 2 ** Math.max(Number(row.hits) - rule.max, 0));
    until = Math.min(windowEnds, new Date(row.last_at).getTime() + delay * 1000);
  }
  return Math.max(1, Math.ceil((until - now.getTime()) / 1000));
}

const byKey = (a: Item, b: Item) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** A key to settle: forgotten (`clear`) or one attempt given back. */
export interface SettleKey {
  key: string;
  clear: boolean;
}

/**
 * Gives back or forgets attempts on several keys in one statement. The keys must come in their
 * lock order, the order reserveAttempts locks them in (its `first` keys sorted, then its `then`
 * keys sorted): the statement locks the existing rows in exactly that order before changing
 * them, so it cannot deadlock with a reservation of the same keys — every statement that locks
 * more than one counter takes the locks in one global order.
 */
async function changeAttempts(db: Db, keys: readonly SettleKey[]): Promise<void> {
  if (!keys.length) return;
  await sql`with ${settlementCtes(keys)} select 1`.execute(db);
}

/**
 * changeAttempts's work as CTEs (`settle_locked`, `settle_cleared`, `settle_released`), for a
 * statement that settles a reservation along with its own write (sign-in's session insert,
 * db/sessions.ts): data-modifying CTEs must stand at the top of a statement's WITH.
 */
export function settlementCtes(keys: readonly SettleKey[]) {
  const wanted = sql.join(keys.map((k, i) => sql`(${k.key}::text, ${i}::int, ${k.clear}::boolean)`));
  return sql`settle_locked as materialized (
        select c.key, w.clear from attempt_counters c join (values ${wanted}) as w (key, ord, clear) on w.key = c.key
        order by w.ord for update of c),
      settle_cleared as (delete from attempt_counters where key in (select key from settle_locked where clear)),
      settle_released as (update attempt_counters set hits = greatest(hits - 1, 0) where key in (select key from settle_locked where not clear))`;
}

/** Gives back one reserved attempt on each key (its check passed, or never ran); keys in lock order. */
export async function releaseAttempts(db: Db, keys: string[]): Promise<void> {
  await changeAttempts(
    db,
    keys.map((key) => ({ key, clear: false })),
  );
}

/** Settles a passed check, keys in lock order: `clear` ones are forgotten, the others give one attempt back. */
export async function settleAttempts(db: Db, keys: readonly SettleKey[]): Promise<void> {
  await changeAttempts(db, keys);
}

/** Forgets keys' attempts (the owner proved the secret); keys in lock order. */
export async function clearAttempts(db: Db, keys: string[]): Promise<void> {
  await changeAttempts(
    db,
    keys.map((key) => ({ key, clear: true })),
  );
}

/** Forgets every key that starts with a prefix (an account's pairs with all its clients). */
export async function clearAttemptsByPrefix(db: Db, prefix: string): Promise<void> {
  const escaped = prefix.replace(/[\\%_]/g, (ch) => `\\${ch}`);
  await db.deleteFrom('attempt_counters').where('key', 'like', `${escaped}%`).execute();
}

/** Deletes counters idle for longer than any window. */
export async function sweepAttempts(db: Db, idleSince: Date): Promise<void> {
  await db.deleteFrom('attempt_counters').where('last_at', '<', idleSince).execute();
}
