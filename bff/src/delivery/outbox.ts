import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/create.ts';
import { jsonb } from '../db/json.ts';
import type { Database, OutboxStatus } from '../db/schema.ts';
import type { LogFields } from '../log.ts';
import { DeadlineExceeded, withDeadline } from './provider-errors.ts';
import type { DeliveryResult, OutgoingMessage, SenderResolver } from './sender.ts';

export interface QueuedMessage {
  tenantId: string;
  channel: 'sms' | 'voice' | 'email';
  to: string;
  purpose: string;
  locale: string;
  subject?: string | null;
  text: string;
  html?: string | null;
  template?: { key: string; params: string[] } | null;
  /** the code, for voice-code APIs and the dev outbox */
  code?: string | null;
  /** the link, for the dev outbox */
  link?: string | null;
}

/**
 * Writes the message in the caller's transaction, so the state change and the message commit
 * together: nothing is lost if the process dies between "changed" and "sent".
 */
export async function enqueueMessage(trx: Transaction<Database>, m: QueuedMessage, now: Date): Promise<string> {
  const payload: Record<string, unknown> = {};
  if (m.code) payload.code = m.code;
  if (m.link) payload.link = m.link;
  if (m.html) payload.html = m.html;
  if (m.template) payload.template = m.template;
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
      payload: jsonb(payload),
      created_at: now,
      next_attempt_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface WorkerOptions {
  db: Db;
  now: () => Date;
  resolveSender: SenderResolver;
  /** keep message bodies and codes after the final status (dev outbox); else they are wiped */
  keepBodies: boolean;
  maxAttempts?: number;
  /** first retry delay; doubles per attempt, capped at maxDelayMs, ±20 % jitter */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * How long a claim lasts unless renewed (default DEFAULT_LEASE_MS; OUTBOX_LEASE_SECONDS in
   * boot.ts). A live worker renews it every third of this while the provider call runs, so the
   * lease bounds only how long a crashed worker's messages wait to be retaken, not how long a
   * send may take.
   */
  leaseMs?: number;
  /**
   * The longest one delivery (sender lookup and provider call) may keep its message, renewals
   * included; past it the attempt counts as a retryable failure. The adapters' own deadline
   * (JD_PROVIDER_TIMEOUT_MS, a tenant's timeoutMs: at most 60 s, shared/src/delivery-providers.ts)
   * ends a provider call first; this bounds a sender without one, whose lease would otherwise
   * be renewed for as long as the process lives.
   */
  deliveryDeadlineMs?: number;
  batchSize?: number;
  /** structured log lines (a Logger's warn); never given recipients, bodies or codes */
  log?: (msg: string, fields?: LogFields) => void;
}

/** A crashed worker's messages are retaken within about this long (docs/operating.md#outbox-and-crashed-workers). */
export const DEFAULT_LEASE_MS = 10_000;
const DEFAULT_DELIVERY_DEADLINE_MS = 90_000;

type Claimed = Awaited<ReturnType<typeof claimDue>>[number];

async function claimDue(db: Db, now: Date, leaseMs: number, batch: number) {
  return db.transaction().execute(async (trx) => {
    // SKIP LOCKED: concurrent workers (several BFF processes on one database) never claim the same row.
    const due = await trx
      .selectFrom('outbox')
      .select(['tenant_id', 'id'])
      .where((eb) =>
        eb.or([
          eb('status', '=', 'pending'),
          eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', now)]), // a crashed worker's claim
        ]),
      )
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    const leaseId = crypto.randomUUID();
    // each row by its primary key (tenant_id, id): the claim spans tenants (on Citus, every shard)
    return trx
      .updateTable('outbox')
      .set({
        status: 'sending',
        lease_id: leaseId,
        locked_until: new Date(now.getTime() + leaseMs),
        attempts: sql`attempts + 1`,
        updated_at: now,
      })
      .where((eb) =>
        eb(
          eb.refTuple('tenant_id', 'id'),
          'in',
          due.map((d) => eb.tuple(d.tenant_id, d.id)),
        ),
      )
      .returningAll()
      .execute();
  });
}

function toOutgoing(row: Claimed): OutgoingMessage {
  const p = row.payload as { code?: string; html?: string; template?: { key: string; params: string[] } };
  return {
    id: row.id,
    tenantId: row.tenant_id,
    channel: row.channel,
    to: row.recipient,
    purpose: row.purpose,
    locale: row.locale,
    subject: row.subject,
    text: row.body,
    html: p.html ?? null,
    template: p.template ?? null,
    code: p.code ?? null,
  };
}

/**
 * Sends what the outbox holds: claims due messages (a lease, in a short transaction), delivers
 * them outside any transaction, then records the attempt and the outcome. Failures retry with
 * exponential backoff until maxAttempts, then the message is marked failed. Towards the
 * provider delivery is at-least-once: a worker that dies, or a call that times out, after the
 * provider accepted leads to a second send on retry. Resend takes the outbox id as idempotency
 * key and answers a repeat within 24 h with the first email's id, sending nothing (resend.ts).
 * Twilio's Messages and Calls APIs and Tencent's SendSms/VMS take no idempotency key (Tencent's
 * SessionContext, which carries the id, is only echoed back in status reports), so a retaken
 * SMS or call can arrive twice (a repeated code is harmless: the latest one counts).
 *
 * The lease is short and renewed while the provider call runs (keepLease), so a live worker
 * keeps its messages however slow the provider is, and a dead one's are retaken within about
 * one lease.
 */
export class OutboxWorker {
  private readonly o: Required<Omit<WorkerOptions, 'log'>> & Pick<WorkerOptions, 'log'>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private stopped = true;

  constructor(options: WorkerOptions) {
    this.o = {
      maxAttempts: 5,
      baseDelayMs: 2000,
      maxDelayMs: 10 * 60_000,
      leaseMs: DEFAULT_LEASE_MS,
      deliveryDeadlineMs: DEFAULT_DELIVERY_DEADLINE_MS,
      batchSize: 10,
      ...options,
    };
    if (!(this.o.leaseMs > 0)) throw new Error('outbox: leaseMs must be positive');
  }

  backoffMs(attempt: number): number {
    const raw = Math.min(this.o.baseDelayMs * 2 ** (attempt - 1), this.o.maxDelayMs);
    return Math.round(raw * (0.8 + Math.random() * 0.4));
  }

  /** One pass: claims and sends due messages until none are due. Returns how many were handled. */
  async runOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      const claimed = await claimDue(this.o.db, this.o.now(), this.o.leaseMs, this.o.batchSize);
      if (claimed.length === 0) return handled;
      await Promise.all(claimed.map((row) => this.deliver(row)));
      handled += claimed.length;
    }
  }

  private async deliver(row: Claimed): Promise<void> {
    const started = this.o.now();
    let provider = 'unknown';
    let result: DeliveryResult;
    const lease = this.keepLease(row);
    try {
      result = await withDeadline(this.o.deliveryDeadlineMs, async () => {
        const sender = await this.o.resolveSender(row.tenant_id, row.channel);
        provider = sender.name;
        return sender.deliver(toOutgoing(row));
      });
    } catch (err) {
      if (err instanceof DeadlineExceeded)
        result = { ok: false, retryable: true, reason: 'delivery_deadline_exceeded' };
      // a sender must not throw; if one does, treat it as a retryable fault without its message (may hold secrets)
      else
        result = { ok: false, retryable: true, reason: `sender_threw:${err instanceof Error ? err.name : 'unknown'}` };
    } finally {
      // no renewal may land after the outcome below (it would find the lease cleared and report it lost)
      await lease.stop();
    }
    const finished = this.o.now();
    const final = result.ok || !result.retryable || row.attempts >= this.o.maxAttempts;
    const status: OutboxStatus = result.ok ? 'sent' : final ? 'failed' : 'pending';
    const wipe = final && !this.o.keepBodies;
    await this.o.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('outbox')
        .set({
          status,
          lease_id: null,
          locked_until: null,
          updated_at: finished,
          provider,
          last_error: result.ok ? null : result.reason.slice(0, 500),
          ...(result.ok ? { sent_at: finished, provider_message_id: result.providerId ?? null } : {}),
          ...(status === 'pending'
            ? { next_attempt_at: new Date(finished.getTime() + this.backoffMs(row.attempts)) }
            : {}),
          // codes and links must not outlive their delivery outside development
          ...(wipe ? { body: '', payload: jsonb({}) } : {}),
        })
        .where('tenant_id', '=', row.tenant_id)
        .where('id', '=', row.id)
        .where('lease_id', '=', row.lease_id)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return; // our lease lapsed and another worker took over
      await trx
        .insertInto('outbox_attempts')
        .values({
          tenant_id: row.tenant_id,
          outbox_id: row.id,
          attempt: row.attempts,
          provider,
          started_at: started,
          finished_at: finished,
          ok: result.ok,
          retryable: result.ok ? false : result.retryable,
          error: result.ok ? null : result.reason.slice(0, 500),
          provider_message_id: result.ok ? (result.providerId ?? null) : null,
        })
        .execute();
    });
    if (!result.ok) {
      this.o.log?.(final ? 'outbox delivery failed for good' : 'outbox delivery attempt failed', {
        outboxId: row.id,
        tenantId: row.tenant_id,
        channel: row.channel,
        provider,
        attempt: row.attempts,
        reason: result.reason.slice(0, 200),
      });
    }
  }

  /**
   * Renews the claim on `row` every third of the lease until stop(): UPDATE … WHERE id AND
   * lease_id, so a renewal never revives a claim another worker has taken over. A renewal that
   * finds the lease gone is logged once and ends the renewals (the send already under way cannot
   * be recalled; the outcome will be discarded, see deliver). A failed renewal (database
   * unavailable) is logged and tried again at the next tick; the lease has two more in hand.
   */
  private keepLease(row: Claimed): { stop(): Promise<void> } {
    const ids = { outboxId: row.id, tenantId: row.tenant_id, channel: row.channel, attempt: row.attempts };
    let inFlight: Promise<void> | undefined;
    let ended = false;
    const renew = async () => {
      try {
        const renewed = await this.o.db
          .updateTable('outbox')
          .set({ locked_until: new Date(this.o.now().getTime() + this.o.leaseMs) })
          .where('tenant_id', '=', row.tenant_id)
          .where('id', '=', row.id)
          .where('lease_id', '=', row.lease_id)
          .executeTakeFirst();
        if (Number(renewed.numUpdatedRows) === 0 && !ended) {
          ended = true;
          clearInterval(timer);
          this.o.log?.('outbox lease lost while sending; another worker may send the message again', ids);
        }
      } catch (err) {
        if (!ended) this.o.log?.('outbox lease renewal failed', { ...ids, error: err });
      }
    };
    const timer = setInterval(
      () => {
        if (!inFlight && !ended) inFlight = renew().finally(() => (inFlight = undefined));
      },
      Math.max(1, Math.floor(this.o.leaseMs / 3)),
    );
    timer.unref?.(); // a pending send keeps the process up by its socket, never by this timer
    return {
      stop: async () => {
        ended = true;
        clearInterval(timer);
        await inFlight;
      },
    };
  }

  /** Runs a pass now (coalescing concurrent calls); errors are logged, never thrown. */
  kick(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      do {
        this.again = false;
        total += await this.runOnce().catch((err) => {
          this.o.log?.('outbox worker pass failed', { error: err });
          return 0;
        });
      } while (this.again);
      return total;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Polls every intervalMs (retries fall due by time, not by a kick). */
  start(intervalMs = 1000): void {
    this.stopped = false;
    const tick = async () => {
      await this.kick();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface DeliveryStatusAnswer {
  id: string;
  channel: 'sms' | 'voice' | 'email';
  status: DeliveryStatus;
  attempts: number;
  updatedAt: string;
}

const iso = (d: Date | string | null) =>
  d === null ? '' : d instanceof Date ? d.toISOString() : new Date(d).toISOString();

/** A message's delivery status, for the widget; only within its tenant. */
export async function deliveryStatus(db: Db, tenantId: string, id: string): Promise<DeliveryStatusAnswer | undefined> {
  const row = await db
    .selectFrom('outbox')
    .select(['id', 'channel', 'status', 'attempts', 'created_at', 'updated_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    channel: row.channel,
    status: row.status === 'pending' ? 'queued' : row.status,
    attempts: row.attempts,
    updatedAt: iso(row.updated_at ?? row.created_at),
  };
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
/**
 * The `to` filter of GET /dev/outbox as meant. In a query string a raw `+` decodes to a space, so
 * `?to=+8613800138000` arrives as " 8613800138000": a space before the digits is read as the `+`
 * of an E.164 number (`%2B` works as well). Other values (email addresses) are taken as given.
 */
export function devOutboxRecipient(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  return /^ [0-9]+$/.test(raw) ? `+${raw.slice(1)}` : raw;
}

export async function readDevOutbox(db: Db, filter: { to?: string; limit?: number }): Promise<DevOutboxEntry[]> {
  let q = db
    .selectFrom('outbox')
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(filter.limit ?? 50);
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
    createdAt: iso(r.created_at),
  }));
}
