/**
 * The outbox lease on the real clock (docs/operating.md#outbox-and-crashed-workers): a claim is short and renewed while the
 * provider call runs, so a worker that dies mid-send gives its messages up within about one
 * lease, while a live worker with a slow provider keeps them; Resend gets the outbox id as
 * Idempotency-Key, so an email retaken after such a crash is not sent twice. Leases here are
 * 300 ms instead of the default 10 s. A "dead" worker is one whose database calls all fail from
 * the moment it dies (a plugin on its Kysely handle) and whose provider call never returns: it
 * can neither renew nor record anything, as after a crash.
 */
import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_LEASE_MS,
  enqueueMessage,
  OutboxWorker,
  type QueuedMessage,
  type WorkerOptions,
} from '../src/delivery/outbox.ts';
import { createResendSender } from '../src/delivery/resend.ts';
import type { DeliveryResult, MessageSender, OutgoingMessage } from '../src/delivery/sender.ts';
import { outboxLeaseMs } from '../src/config.ts';
import type { Db } from '../src/db/create.ts';
import type { LogFields } from '../src/log.ts';
import { startFakeResend, type FakeResend } from './fakes/resend.ts';
import { backend, makeHarness, type Harness } from './harness.ts';

// long enough that a renewal (every third of it) is not late on a loaded 2-core CI machine
const LEASE_MS = 1000;
const RESEND_KEY = 're_LEASETEST_key_0123456789abcdef';
const ms = (d: Date | string | null) => (d === null ? NaN : new Date(d).getTime());
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const realNow = () => new Date();

/** A Kysely handle on `db` whose every query fails once die() was called. */
function killable(db: Db): { db: Db; die(): void } {
  let dead = false;
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      if (dead) throw new Error('worker process is gone');
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), die: () => (dead = true) };
}

/** A sender that records what it got and answers when the test says (or at once). */
function recordingSender(
  name: string,
  answer: (m: OutgoingMessage) => Promise<DeliveryResult> = async (m) => ({ ok: true, providerId: `${name}-${m.id}` }),
) {
  const calls: OutgoingMessage[] = [];
  const sender: MessageSender = {
    name,
    deliver: (m) => {
      calls.push(m);
      return answer(m);
    },
  };
  return { sender, calls };
}

/** A promise the test settles later, for provider calls that hang until released. */
function gate<T>() {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

describe(`outbox lease: short, renewed while sending, retaken after a crash (${backend})`, { timeout: 60_000 }, () => {
  let h: Harness;
  let resend: FakeResend;
  let logs: Array<{ msg: string; fields?: LogFields }>;
  beforeEach(async () => {
    h = await makeHarness();
    resend = await startFakeResend();
    logs = [];
  }, 60_000);
  afterEach(async () => {
    await resend.close();
    await h.close();
  }, 60_000);

  function worker(o: Partial<WorkerOptions> & Pick<WorkerOptions, 'resolveSender'>): OutboxWorker {
    return new OutboxWorker({
      db: h.db,
      now: realNow,
      keepBodies: false,
      leaseMs: LEASE_MS,
      log: (msg, fields) => logs.push({ msg, fields }),
      ...o,
    });
  }

  async function enqueue(m: Partial<QueuedMessage> = {}): Promise<string> {
    const message: QueuedMessage = {
      tenantId: h.tenant.id,
      channel: 'sms',
      to: '+8613900005001',
      purpose: 'register',
      locale: 'en',
      text: 'Your code is 731904.',
      code: '731904',
      ...m,
    };
    return h.db.transaction().execute((trx) => enqueueMessage(trx, message, realNow()));
  }

  const row = (id: string) => h.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const attempts = async (id: string) =>
    (await h.db.selectFrom('outbox_attempts').selectAll().where('outbox_id', '=', id).orderBy('attempt').execute()).map(
      (a) => [a.attempt, a.provider, a.ok, a.error],
    );

  /** Runs passes until one handles something; returns when (real clock). */
  async function runUntilHandled(w: OutboxWorker, withinMs = 20_000): Promise<number> {
    const until = Date.now() + withinMs;
    while (Date.now() < until) {
      if ((await w.runOnce()) > 0) return Date.now();
      await sleep(20);
    }
    throw new Error(`nothing handled within ${withinMs} ms`);
  }

  function expectNoPersonalData(...secrets: string[]) {
    const text = JSON.stringify(logs, (_k, v: unknown) =>
      v instanceof Error ? { name: v.name, message: v.message } : v,
    );
    for (const s of secrets) expect(text).not.toContain(s);
  }

  it('a worker that dies mid-send: a second worker delivers the message once the short lease lapses, not a minute later', async () => {
    const id = await enqueue();
    // worker A claims the message, its provider call never returns, then the process "dies"
    const dying = killable(h.db);
    const hung = gate<DeliveryResult>();
    const a = recordingSender('hangs', () => hung.promise);
    const aRun = worker({ db: dying.db, resolveSender: async () => a.sender }).runOnce();
    aRun.catch(() => {}); // its late outcome cannot be written (dead), see the end
    await expect.poll(() => a.calls.length, { timeout: 10_000, interval: 10 }).toBe(1);
    const claimed = await row(id);
    expect(claimed).toMatchObject({ status: 'sending', attempts: 1 });
    const claimedAt = ms(claimed.updated_at); // the claim's time (renewals move locked_until only)
    expect(ms(claimed.locked_until) - claimedAt).toBe(LEASE_MS);

    dying.die();
    const diedAt = Date.now();

    // worker B, alive, polls: it takes the message only once A's lease has lapsed
    const b = recordingSender('second');
    const takenAt = await runUntilHandled(worker({ resolveSender: async () => b.sender }));
    expect(b.calls.map((m) => m.id)).toEqual([id]);
    const sent = await row(id);
    expect(sent).toMatchObject({
      status: 'sent',
      attempts: 2,
      provider: 'second',
      provider_message_id: `second-${id}`,
      lease_id: null,
      locked_until: null,
    });
    // after more than one lease from A's claim (A renewed it until it died) …
    expect(ms(sent.sent_at) - claimedAt).toBeGreaterThan(LEASE_MS);
    // … and long before the old 60 s lease would have let anyone retake it
    expect(takenAt - diedAt).toBeLessThan(10_000);
    expect(await attempts(id)).toEqual([[2, 'second', true, null]]); // the dead worker recorded nothing

    // A's provider call finally "returns": nothing of it reaches the database
    hung.open({ ok: true, providerId: 'late' });
    await expect(aRun).rejects.toThrow('worker process is gone');
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2, provider_message_id: `second-${id}` });
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(1);
    // A noticed it could not renew; its log lines name the message, never its recipient or code
    expect(logs.some((l) => l.msg === 'outbox lease renewal failed' && l.fields?.outboxId === id)).toBe(true);
    expectNoPersonalData('+8613900005001', '731904', 'Your code');
  });

  it('a provider call longer than the lease: the lease is renewed, a second worker does not take the message, it is sent once', async () => {
    const id = await enqueue({ to: '+8613900005002' });
    const slow = gate<DeliveryResult>();
    const a = recordingSender('slow', () => slow.promise);
    const aRun = worker({ resolveSender: async () => a.sender }).runOnce();
    await expect.poll(() => a.calls.length, { timeout: 10_000, interval: 10 }).toBe(1);
    const claimed = await row(id);
    expect(claimed.status).toBe('sending');

    // for four leases, a second worker polls: the claim stays A's, its expiry keeps moving on
    const b = recordingSender('second');
    const other = worker({ resolveSender: async () => b.sender });
    const until = Date.now() + 4 * LEASE_MS;
    let passes = 0;
    while (Date.now() < until) {
      expect(await other.runOnce()).toBe(0);
      passes++;
      await sleep(20);
    }
    expect(passes).toBeGreaterThan(4);
    const during = await row(id);
    expect(during).toMatchObject({ status: 'sending', lease_id: claimed.lease_id, attempts: 1 });
    expect(ms(during.locked_until)).toBeGreaterThan(ms(claimed.locked_until) + 2 * LEASE_MS); // renewed, not just the first claim
    expect(ms(during.updated_at)).toBe(ms(claimed.updated_at)); // a renewal is not a status change (GET /v1/deliveries/:id)

    slow.open({ ok: true, providerId: 'slow-1' });
    expect(await aRun).toBe(1);
    expect(await row(id)).toMatchObject({
      status: 'sent',
      attempts: 1,
      provider: 'slow',
      provider_message_id: 'slow-1',
      lease_id: null,
      locked_until: null,
    });
    expect(await attempts(id)).toEqual([[1, 'slow', true, null]]);
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(0);
    // renewals have stopped with the send: the row stays as recorded, and nothing is left to take
    await sleep(2 * LEASE_MS);
    expect(await row(id)).toMatchObject({ status: 'sent', lease_id: null, locked_until: null });
    expect(await other.runOnce()).toBe(0);
    expect(logs).toEqual([]);
  });

  it('an email retaken after a crash mid-send reaches Resend twice but is sent once (Idempotency-Key = outbox id)', async () => {
    const id = await enqueue({
      channel: 'email',
      to: 'lease.user@example.com',
      purpose: 'email_verification',
      subject: 'Verify your email',
      text: 'Open https://auth.acme.test/v1/email/verify?token=abc',
      html: '<p>Open the link</p>',
      code: null,
      link: 'https://auth.acme.test/v1/email/verify?token=abc',
    });
    const real = createResendSender({ apiKey: RESEND_KEY, from: 'Acme <no-reply@acme.test>', baseUrl: resend.url });

    // worker A: Resend accepts its request, then the process dies before it records anything
    const dying = killable(h.db);
    const a = recordingSender('resend', async (m) => {
      await real.deliver(m);
      dying.die();
      return new Promise<DeliveryResult>(() => {});
    });
    void worker({ db: dying.db, resolveSender: async () => a.sender })
      .runOnce()
      .catch(() => {});
    await expect.poll(() => resend.emails.length, { timeout: 10_000, interval: 10 }).toBe(1);
    expect((await row(id)).status).toBe('sending');

    // worker B retakes it after the lease and calls Resend again, with the same key
    await runUntilHandled(worker({ resolveSender: async () => real }));
    expect(resend.requests).toHaveLength(2);
    expect(resend.requests.map((r) => r.headers['idempotency-key'])).toEqual([id, id]);
    expect(resend.emails).toHaveLength(1); // the fake sent one email; the second request was a replay
    const sent = await row(id);
    expect(sent).toMatchObject({
      status: 'sent',
      attempts: 2,
      provider: 'resend',
      provider_message_id: resend.emails[0].id,
    });
    expect(await attempts(id)).toEqual([[2, 'resend', true, null]]);
    expectNoPersonalData('lease.user@example.com', 'token=abc', RESEND_KEY);
  });

  it('a lease lost while sending (another worker took the message over) is logged once, and the late outcome is discarded', async () => {
    const id = await enqueue({ to: '+8613900005003' });
    const slow = gate<DeliveryResult>();
    const a = recordingSender('slow', () => slow.promise);
    const aRun = worker({ resolveSender: async () => a.sender }).runOnce();
    await expect.poll(() => a.calls.length, { timeout: 10_000, interval: 10 }).toBe(1);
    // as if A had stalled past its lease and another worker had claimed the message (for a while)
    const stolen = crypto.randomUUID();
    await h.db
      .updateTable('outbox')
      .set({ lease_id: stolen, attempts: 2, locked_until: new Date(Date.now() + 60_000) })
      .where('id', '=', id)
      .execute();
    await expect
      .poll(() => logs.filter((l) => l.msg.startsWith('outbox lease lost')).length, { timeout: 10_000, interval: 10 })
      .toBe(1);
    await sleep(2 * LEASE_MS);
    expect(logs.filter((l) => l.msg.startsWith('outbox lease lost'))).toEqual([
      {
        msg: 'outbox lease lost while sending; another worker may send the message again',
        fields: { outboxId: id, tenantId: h.tenant.id, channel: 'sms', attempt: 1 },
      },
    ]);
    slow.open({ ok: true, providerId: 'late' });
    expect(await aRun).toBe(1);
    expect(await row(id)).toMatchObject({ status: 'sending', lease_id: stolen, attempts: 2, provider: null });
    expect(await attempts(id)).toEqual([]);
    expectNoPersonalData('+8613900005003', '731904');
  });

  it("a sender that never answers is cut off by the worker's own deadline: a retryable failure, the lease released", async () => {
    const id = await enqueue({ to: '+8613900005004' });
    const a = recordingSender('never', () => new Promise<DeliveryResult>(() => {}));
    const w = worker({ resolveSender: async () => a.sender, deliveryDeadlineMs: 4 * LEASE_MS });
    expect(await w.runOnce()).toBe(1);
    const r = await row(id);
    expect(r).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'delivery_deadline_exceeded',
      lease_id: null,
      locked_until: null,
    });
    expect(await attempts(id)).toEqual([[1, 'never', false, 'delivery_deadline_exceeded']]);
  });
});

describe('the fake Resend honours Idempotency-Key as Resend documents it', () => {
  it('same key and payload within 24 h: the first id, no second email; another payload: 409; after 24 h: a new email', async () => {
    let now = Date.parse('2026-11-24T08:00:00Z');
    const fake = await startFakeResend({ now: () => now });
    try {
      const sender = createResendSender({ apiKey: RESEND_KEY, from: 'Acme <no-reply@acme.test>', baseUrl: fake.url });
      const m: OutgoingMessage = {
        id: crypto.randomUUID(),
        tenantId: 't',
        channel: 'email',
        to: 'a@example.com',
        purpose: 'notice',
        locale: 'en',
        subject: 'Hi',
        text: 'Hello',
      };
      const first = await sender.deliver(m);
      now += 23 * 3600 * 1000;
      const again = await sender.deliver(m);
      expect(first.ok && again.ok && again.providerId).toBe(first.ok && first.providerId);
      expect(fake.emails).toHaveLength(1);

      const changed = await sender.deliver({ ...m, text: 'Hello again' });
      expect(changed).toEqual({
        ok: false,
        retryable: false,
        reason: 'resend_rejected:409:invalid_idempotent_request',
      });
      expect(fake.emails).toHaveLength(1);

      now += 2 * 3600 * 1000; // 25 h after the first: the key is forgotten
      const later = await sender.deliver(m);
      expect(later.ok).toBe(true);
      expect(fake.emails).toHaveLength(2);
      expect(fake.requests).toHaveLength(4);
    } finally {
      await fake.close();
    }
  });
});

describe('outbox lease settings', () => {
  it('defaults: a 10 s lease, OUTBOX_LEASE_SECONDS overrides it, parsed like the other settings', () => {
    expect(DEFAULT_LEASE_MS).toBe(10_000);
    expect(outboxLeaseMs({})).toBe(10_000);
    expect(outboxLeaseMs({ OUTBOX_LEASE_SECONDS: '' })).toBe(10_000);
    expect(outboxLeaseMs({ OUTBOX_LEASE_SECONDS: '0' })).toBe(10_000);
    expect(outboxLeaseMs({ OUTBOX_LEASE_SECONDS: '4' })).toBe(4_000);
    expect(() => outboxLeaseMs({ OUTBOX_LEASE_SECONDS: '2.5' })).toThrow(
      'OUTBOX_LEASE_SECONDS must be a non-negative integer',
    );
    expect(
      () =>
        new OutboxWorker({
          db: {} as Db,
          now: realNow,
          keepBodies: false,
          resolveSender: async () => recordingSender('x').sender,
          leaseMs: 0,
        }),
    ).toThrow('leaseMs must be positive');
  });
});
