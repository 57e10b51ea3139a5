import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/create.ts';
import { jsonb } from '../db/json.ts';
import type { Database } from '../db/schema.ts';
import type { MessageSender } from './sender.ts';

export interface QueuedMessage {
  tenantId: string;
  channel: 'sms' | 'voice' | 'email';
  to: string;
  purpose: string;
  locale: string;
  subject?: string;
  text: string;
  /** structured extras for the dev outbox (the code or link) */
  payload?: Record<string, unknown>;
}

/**
 * Writes the message in the caller's transaction, so the state change and the message commit
 * together: nothing is lost if the process dies between "changed" and "sent".
 */
export async function enqueueMessage(trx: Transaction<Database>, m: QueuedMessage, now: Date): Promise<string> {
  const row = await trx
    .insertInto('outbox')
    .values({
      tenant_id: m.tenantId,
      channel: m.channel,
      recipient: m.to,
      purpose: m.purpose,
      locale: m.locale,
      subject: m.subject ?? null,
      body: m.text,
      payload: jsonb(m.payload ?? {}),
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Hands pending messages to the sender. Rows are claimed with FOR UPDATE SKIP LOCKED so two
 * BFF processes on one database never deliver the same message twice. Retries with backoff
 * and provider failover belong to the delivery issue; here a failure leaves the row pending.
 */
export async function dispatchPending(db: Db, sender: MessageSender, now: () => Date, limit = 20): Promise<number> {
  let delivered = 0;
  for (let i = 0; i < limit; i++) {
    const done = await db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('outbox')
        .selectAll()
        .where('status', '=', 'pending')
        .orderBy('created_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!row) return false;
      const result = await sender.deliver({
        id: row.id,
        tenantId: row.tenant_id,
        channel: row.channel,
        to: row.recipient,
        purpose: row.purpose,
        locale: row.locale,
        subject: row.subject,
        text: row.body,
      });
      await trx
        .updateTable('outbox')
        .set({
          attempts: sql`attempts + 1`,
          ...(result.ok ? { status: 'sent' as const, sent_at: now() } : {}),
        })
        .where('id', '=', row.id)
        .execute();
      return result.ok;
    });
    if (!done) break;
    delivered++;
  }
  return delivered;
}

export interface DevOutboxEntry {
  id: string;
  tenantId: string;
  channel: string;
  to: string;
  purpose: string;
  code: string | null;
  link: string | null;
  subject: string | null;
  text: string;
  status: string;
  createdAt: string;
}

/** The dev outbox, newest first (development mode only). */
export async function readDevOutbox(db: Db, filter: { to?: string; limit?: number }): Promise<DevOutboxEntry[]> {
  let q = db.selectFrom('outbox').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit ?? 50);
  if (filter.to) q = q.where('recipient', '=', filter.to);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    channel: r.channel,
    to: r.recipient,
    purpose: r.purpose,
    code: typeof r.payload.code === 'string' ? r.payload.code : null,
    link: typeof r.payload.link === 'string' ? r.payload.link : null,
    subject: r.subject,
    text: r.body,
    status: r.status,
    createdAt: r.created_at instanceof Date ? r.created_at.toISOString() : String(r.created_at),
  }));
}
