/**
 * Abuse protection's rows (migration 0019): risk counters, the daily message budget, the operator's
 * counters and used captcha tickets. One place for their SQL (bff/src/services/abuse.ts decides).
 */
import { sql, type Transaction } from 'kysely';
import type { Db } from './create.ts';
import type { AbuseStatsTable, Database } from './schema.ts';

type Executor = Db | Transaction<Database>;

/**
 * Counts one request on each key (fixed windows: a key's count starts again once its window has
 * lapsed) and answers each key's count and window start. Keys in one order, so two requests
 * sharing keys lock their rows in the same order. Inside the caller's transaction: its rollback
 * gives the counts back.
 */
export async function countRisk(
  trx: Executor,
  tenantId: string,
  keys: string[],
  windowSeconds: number,
  now: Date,
): Promise<Map<string, { hits: number; windowStart: Date }>> {
  const sorted = [...new Set(keys)].sort();
  if (!sorted.length) return new Map();
  const lapsed = sql`c.window_start <= ${now}::timestamptz - make_interval(secs => ${windowSeconds})`;
  const rows = await sql<{ key: string; hits: number; window_start: Date | string }>`
    insert into risk_counters as c (tenant_id, key, hits, window_start)
    select ${tenantId}::uuid, k, 1, ${now}::timestamptz from unnest(${sorted}::text[]) with ordinality as t(k, ord) order by ord
    on conflict (tenant_id, key) do update set
      hits = case when ${lapsed} then 1 else c.hits + 1 end,
      window_start = case when ${lapsed} then excluded.window_start else c.window_start end
    returning key, hits, window_start`.execute(trx);
  return new Map(rows.rows.map((r) => [r.key, { hits: r.hits, windowStart: new Date(r.window_start) }]));
}

/** The keys' counts in their current windows, without counting (a look before the real count). */
export async function peekRisk(
  db: Executor,
  tenantId: string,
  keys: string[],
  windowSeconds: number,
  now: Date,
): Promise<Map<string, { hits: number; windowStart: Date }>> {
  if (!keys.length) return new Map();
  const rows = await db
    .selectFrom('risk_counters')
    .select(['key', 'hits', 'window_start'])
    .where('tenant_id', '=', tenantId)
    .where('key', 'in', keys)
    .where('window_start', '>', new Date(now.getTime() - windowSeconds * 1000))
    .execute();
  return new Map(rows.map((r) => [r.key, { hits: r.hits, windowStart: new Date(r.window_start) }]));
}

/** Distinct code targets one client asked for since a time (serialized by the caller's per-client lock). */
export async function distinctTargetsFromClient(
  trx: Executor,
  tenantId: string,
  client: string,
  since: Date,
): Promise<string[]> {
  const rows = await trx
    .selectFrom('verification_codes')
    .select('target')
    .distinct()
    .where('tenant_id', '=', tenantId)
    .where('client_ip', '=', client)
    .where('created_at', '>', since)
    .limit(1000)
    .execute();
  return rows.map((r) => r.target);
}

/**
 * Counts one message on the tenant's day while it is within `budget`; false when the budget is
 * spent. In the transaction that queues the message: the row stays locked until it commits, so
 * concurrent sends on any number of BFFs are counted one after another.
 */
export async function spendBudget(trx: Executor, tenantId: string, day: string, budget: number): Promise<boolean> {
  if (budget <= 0) return false;
  const row = await sql<{ sent: number }>`
    insert into message_budgets as b (tenant_id, day, sent) values (${tenantId}::uuid, ${day}, 1)
    on conflict (tenant_id, day) do update set sent = b.sent + 1 where b.sent < ${budget}
    returning sent`.execute(trx);
  return row.rows.length === 1;
}

export async function budgetSpent(db: Executor, tenantId: string, day: string): Promise<number> {
  const row = await db
    .selectFrom('message_budgets')
    .select('sent')
    .where('tenant_id', '=', tenantId)
    .where('day', '=', day)
    .executeTakeFirst();
  return row?.sent ?? 0;
}

/** Adds one to the operator's counter of an outcome and reason on a day. */
export async function countOutcome(
  db: Executor,
  tenantId: string,
  day: string,
  outcome: AbuseStatsTable['outcome'],
  reason: string,
): Promise<void> {
  await sql`insert into abuse_stats as s (tenant_id, day, outcome, reason, count)
    values (${tenantId}::uuid, ${day}, ${outcome}, ${reason}, 1)
    on conflict (tenant_id, day, outcome, reason) do update set count = s.count + 1`.execute(db);
}

/** The operator's counters of a tenant from a day on, newest day first. */
export async function outcomesSince(db: Executor, tenantId: string, fromDay: string) {
  return db
    .selectFrom('abuse_stats')
    .select(['day', 'outcome', 'reason', 'count'])
    .where('tenant_id', '=', tenantId)
    .where('day', '>=', fromDay)
    .orderBy('day', 'desc')
    .orderBy('outcome')
    .orderBy('reason')
    .execute();
}

/** Records a captcha ticket as used; false when it was used before. */
export async function useTicket(db: Executor, tenantId: string, ticketHash: string, now: Date): Promise<boolean> {
  const result = await db
    .insertInto('captcha_tickets')
    .values({ tenant_id: tenantId, ticket_hash: ticketHash, used_at: now })
    .onConflict((oc) => oc.columns(['tenant_id', 'ticket_hash']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Forgets counters and tickets older than any window or ticket lifetime. */
export async function sweepAbuse(db: Executor, before: Date): Promise<void> {
  await db.deleteFrom('risk_counters').where('window_start', '<', before).execute();
  await db.deleteFrom('captcha_tickets').where('used_at', '<', before).execute();
}
