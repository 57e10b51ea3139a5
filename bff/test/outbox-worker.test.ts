/**
 * Fault tests of the transactional outbox, in process: the real app (makeHarness) queues
 * messages, an OutboxWorker built like boot.ts builds it (createSenderResolver + the real
 * provider factories) delivers them to local fakes of Twilio and Resend, and the tests read
 * the observable results — the fake's recorded requests, outbox/outbox_attempts rows, and
 * GET /v1/deliveries/:id.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config.ts';
import { createDb, type Db } from '../src/db/create.ts';
import { senderFactories } from '../src/delivery/factories.ts';
import { enqueueMessage, OutboxWorker, readDevOutbox, type WorkerOptions } from '../src/delivery/outbox.ts';
import { createSenderResolver } from '../src/delivery/providers.ts';
import { configureTenant } from '../src/services/tenants.ts';
import type { MessageSender, SenderResolver } from '../src/delivery/sender.ts';
import { startFakeResend, type FakeResend } from './fakes/resend.ts';
import { startFakeTwilio, type FakeTwilio } from './fakes/twilio.ts';
import { AGREEMENTS, backend, makeHarness, type Harness } from './harness.ts';

const ACCOUNT_SID = `AC${'0f1e2d3c4b5a6978'.repeat(2)}`;
const AUTH_TOKEN = 'twilioOUTBOXSECRETtoken0123456789';
const RESEND_KEY = 're_OUTBOXSECRETkey_0123456789abc';
const SECRETS = [AUTH_TOKEN, RESEND_KEY];
const TWILIO_FROM = '+15005550006';
const EMAIL_FROM = 'Acme <no-reply@acme.test>';

const ms = (d: Date | string | null) => (d === null ? NaN : new Date(d).getTime());

interface Ctx {
  h: Harness;
  twilio: FakeTwilio;
  resend: FakeResend;
}

let providerEnv: Record<string, string> = {};

async function setUp(config?: Partial<AppConfig>): Promise<Ctx> {
  const h = await makeHarness(config ? { config } : {});
  const twilio = await startFakeTwilio();
  const resend = await startFakeResend();
  // the tenant's own accounts (sealed credentials); where the providers' APIs live is the
  // operator's environment alone (docs/operating.md#delivery-providers), here the local fakes
  const sms = {
    provider: 'twilio' as const,
    from: TWILIO_FROM,
    credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
  };
  const configured = await configureTenant(
    h.db,
    h.tenant,
    {
      emailFrom: EMAIL_FROM,
      delivery: { sms, voice: sms, email: { provider: 'resend', credentials: { apiKey: RESEND_KEY } } },
    },
    { secret: h.deps.config.secret },
  );
  await h.setTenantConfig(configured.config); // keeps the harness's copy of the tenant in step
  providerEnv = { TWILIO_BASE_URL: twilio.url, RESEND_BASE_URL: resend.url };
  return { h, twilio, resend };
}

async function tearDown(c: Ctx | undefined) {
  if (!c) return;
  await Promise.allSettled([c.twilio.close(), c.resend.close()]);
  await c.h.close();
}

/** A worker wired like boot.ts, but on the test clock, without dev bodies, with fast retries. */
function makeWorker(h: Harness, over: Partial<WorkerOptions> = {}, db: Db = h.db): OutboxWorker {
  return new OutboxWorker({
    db,
    now: () => h.clock.now(),
    resolveSender: createSenderResolver({
      db,
      env: providerEnv,
      dev: false,
      factories: senderFactories,
      secret: h.deps.config.secret,
    }),
    keepBodies: false,
    baseDelayMs: 1000,
    maxAttempts: 3,
    ...over,
  });
}

const outboxRow = (h: Harness, id: string) =>
  h.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const attemptRows = (h: Harness, id: string) =>
  h.db.selectFrom('outbox_attempts').selectAll().where('outbox_id', '=', id).orderBy('attempt').execute();

async function sendSmsCode(h: Harness, number: string, o: { channel?: string; locale?: string; ip?: string } = {}) {
  const { res, code } = await h.sendCode(number, {
    ip: o.ip ?? '198.51.100.20',
    ...(o.channel ? { channel: o.channel } : {}),
    ...(o.locale ? { locale: o.locale } : {}),
  });
  expect(res.status).toBe(202);
  expect(res.json.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
  expect(code).toMatch(/^\d{6}$/);
  return { deliveryId: res.json.deliveryId as string, code: code! };
}

function expectNoSecrets(...texts: Array<string | null | undefined>) {
  for (const t of texts) for (const s of SECRETS) expect(t ?? '').not.toContain(s);
}

const smsRequests = (fake: FakeTwilio, to?: string) =>
  fake.requests.filter((r) => r.path.endsWith('/Messages.json') && (to === undefined || r.body.To === to));

// ---------------------------------------------------------------------------------------------
describe(`outbox worker delivering through real adapters to provider fakes (${backend})`, { timeout: 120_000 }, () => {
  let c: Ctx | undefined;
  beforeEach(async () => {
    c = await setUp();
  }, 120_000);
  afterEach(async () => {
    await tearDown(c);
    c = undefined;
  }, 60_000);

  it('delivers a code sent through the API to the provider once, records the attempt, wipes the body, reports sent', async () => {
    const { h, twilio } = c!;
    const { deliveryId, code } = await sendSmsCode(h, '13900001001', { locale: 'en' });
    expect((await h.request(`/v1/deliveries/${deliveryId}`)).json).toMatchObject({
      id: deliveryId,
      channel: 'sms',
      status: 'queued',
      attempts: 0,
    });
    expect(twilio.requests).toHaveLength(0); // the API only queues; nothing leaves before the worker runs

    expect(await makeWorker(h).runOnce()).toBe(1);

    expect(twilio.requests).toHaveLength(1);
    const req = twilio.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(req.body).toMatchObject({ To: '+8613900001001', From: TWILIO_FROM });
    expect(String(req.body.Body)).toContain(code);

    const row = await outboxRow(h, deliveryId);
    expect(row).toMatchObject({
      status: 'sent',
      attempts: 1,
      provider: 'twilio',
      last_error: null,
      lease_id: null,
      locked_until: null,
      body: '',
      payload: {},
    });
    expect(row.provider_message_id).toMatch(/^SM[0-9a-f]{32}$/);
    expect(ms(row.sent_at)).toBe(h.clock.now().getTime());

    const attempts = await attemptRows(h, deliveryId);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      attempt: 1,
      provider: 'twilio',
      ok: true,
      retryable: false,
      error: null,
      provider_message_id: row.provider_message_id,
    });

    const status = await h.request(`/v1/deliveries/${deliveryId}`);
    expect(status.status).toBe(200);
    expect(status.headers.get('cache-control')).toBe('no-store');
    expect(status.json).toEqual({
      id: deliveryId,
      channel: 'sms',
      status: 'sent',
      attempts: 1,
      updatedAt: h.clock.now().toISOString(),
    });

    // nothing is due any more: a second pass sends nothing
    h.clock.advance(3600);
    expect(await makeWorker(h).runOnce()).toBe(0);
    expect(twilio.requests).toHaveLength(1);
  });

  it('delivers the email verification link through Resend with the outbox id as idempotency key', async () => {
    const { h, resend } = c!;
    const res = await h.register(
      { accountName: 'mail_user_01', number: '13900001002', email: 'Mail.User@Example.com' },
      { ip: '198.51.100.21', locale: 'en' },
    );
    expect(res.status).toBe(201);
    const mail = await h.db.selectFrom('outbox').selectAll().where('channel', '=', 'email').executeTakeFirstOrThrow();
    const link = String(mail.payload.link);
    expect(link).toContain('/email/verify?token=');

    expect(await makeWorker(h).runOnce()).toBe(2); // the SMS code and the email

    expect(resend.requests).toHaveLength(1);
    const req = resend.requests[0];
    expect(req.path).toBe('/emails');
    expect(req.headers.authorization).toBe(`Bearer ${RESEND_KEY}`);
    expect(req.headers['idempotency-key']).toBe(mail.id);
    expect(req.body).toMatchObject({ from: EMAIL_FROM, to: ['mail.user@example.com'] });
    expect(String(req.body.text)).toContain(link);
    const row = await outboxRow(h, mail.id);
    expect(row).toMatchObject({ status: 'sent', provider: 'resend', body: '', payload: {} });
    expect(row.provider_message_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('retries a provider 500 with growing backoff, only when due, then fails for good after maxAttempts', async () => {
    const { h, twilio } = c!;
    const { deliveryId } = await sendSmsCode(h, '13900001003');
    for (let i = 0; i < 3; i++) twilio.failNextWith(500, 20500, `internal error for ${AUTH_TOKEN}`);
    const worker = makeWorker(h, { maxAttempts: 3, baseDelayMs: 1000 });

    // attempt 1 → pending, due in ~1 s (±20 %)
    expect(await worker.runOnce()).toBe(1);
    let row = await outboxRow(h, deliveryId);
    expect(row).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'twilio_server_error:500:20500',
      lease_id: null,
    });
    const delay1 = ms(row.next_attempt_at) - h.clock.now().getTime();
    expect(delay1).toBeGreaterThanOrEqual(800);
    expect(delay1).toBeLessThanOrEqual(1200);
    expect(row.body).not.toBe(''); // not final: the text is still needed for the retry
    expect((await h.request(`/v1/deliveries/${deliveryId}`)).json).toMatchObject({ status: 'queued', attempts: 1 });

    // not yet due: the worker leaves it alone
    h.clock.advance((delay1 - 1) / 1000);
    expect(await worker.runOnce()).toBe(0);
    expect(twilio.requests).toHaveLength(1);

    // attempt 2 → pending, due in ~2 s
    h.clock.advance(1 / 1000);
    expect(await worker.runOnce()).toBe(1);
    row = await outboxRow(h, deliveryId);
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    const delay2 = ms(row.next_attempt_at) - h.clock.now().getTime();
    expect(delay2).toBeGreaterThanOrEqual(1600);
    expect(delay2).toBeLessThanOrEqual(2400);
    expect(delay2).toBeGreaterThan(delay1);

    // attempt 3 = maxAttempts → failed for good, body and code wiped
    h.clock.advance(delay2 / 1000);
    expect(await worker.runOnce()).toBe(1);
    row = await outboxRow(h, deliveryId);
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 3,
      last_error: 'twilio_server_error:500:20500',
      body: '',
      payload: {},
      sent_at: null,
      provider_message_id: null,
    });
    expect(twilio.requests).toHaveLength(3);
    expect(new Set(twilio.requests.map((r) => r.body.To))).toEqual(new Set(['+8613900001003']));

    const attempts = await attemptRows(h, deliveryId);
    expect(attempts.map((a) => [a.attempt, a.ok, a.retryable, a.error])).toEqual([
      [1, false, true, 'twilio_server_error:500:20500'],
      [2, false, true, 'twilio_server_error:500:20500'],
      [3, false, true, 'twilio_server_error:500:20500'],
    ]);
    expectNoSecrets(row.last_error, JSON.stringify(row), ...attempts.map((a) => a.error), JSON.stringify(attempts));

    expect((await h.request(`/v1/deliveries/${deliveryId}`)).json).toMatchObject({ status: 'failed', attempts: 3 });
    h.clock.advance(3600);
    expect(await worker.runOnce()).toBe(0); // failed is final
    expect(twilio.requests).toHaveLength(3);
  });

  it('turns a hung provider into a retryable timeout (the adapter deadline, 10 s — not configurable per tenant), then delivers on retry', async () => {
    const { h, twilio, resend } = c!;
    // one SMS (the code) and one email (the verification link), both providers hang on the first request
    const reg = await h.register(
      { accountName: 'hang_user_01', number: '13900001004', email: 'hang@example.com' },
      { ip: '198.51.100.22' },
    );
    expect(reg.status).toBe(201);
    twilio.hangNext();
    resend.hangNext();
    const worker = makeWorker(h);
    const started = Date.now();
    expect(await worker.runOnce()).toBe(2);
    const elapsed = Date.now() - started;
    // the tenant entry sets no timeoutMs and the environment no JD_PROVIDER_TIMEOUT_MS: the default 10 s deadline applies
    expect(elapsed).toBeGreaterThanOrEqual(9_000);

    const rows = await h.db.selectFrom('outbox').selectAll().orderBy('channel').execute();
    expect(rows.map((r) => [r.channel, r.status, r.attempts, r.last_error])).toEqual([
      ['email', 'pending', 1, 'resend_timeout'],
      ['sms', 'pending', 1, 'twilio_timeout'],
    ]);
    for (const r of rows) {
      const [a] = await attemptRows(h, r.id);
      expect(a).toMatchObject({ attempt: 1, ok: false, retryable: true });
    }

    h.clock.advance(5);
    expect(await worker.runOnce()).toBe(2);
    const after = await h.db.selectFrom('outbox').select(['status', 'attempts']).execute();
    expect(after).toEqual([
      { status: 'sent', attempts: 2 },
      { status: 'sent', attempts: 2 },
    ]);
    expect(smsRequests(twilio, '+8613900001004')).toHaveLength(2); // the hung one and the retry
    expect(resend.requests).toHaveLength(2);
    expect(resend.requests[0].headers['idempotency-key']).toBe(resend.requests[1].headers['idempotency-key']);
  }, 180_000);

  it('fails for good after one attempt when the provider refuses the credentials (401)', async () => {
    const { h, twilio } = c!;
    const { deliveryId } = await sendSmsCode(h, '13900001005');
    twilio.failNextWith(401, 20003, `Authenticate ${AUTH_TOKEN}`);
    const worker = makeWorker(h, { maxAttempts: 5 });
    expect(await worker.runOnce()).toBe(1);
    const row = await outboxRow(h, deliveryId);
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'twilio_auth_failed:401:20003',
      body: '',
      payload: {},
    });
    const attempts = await attemptRows(h, deliveryId);
    expect(attempts.map((a) => [a.attempt, a.ok, a.retryable, a.error])).toEqual([
      [1, false, false, 'twilio_auth_failed:401:20003'],
    ]);
    expectNoSecrets(JSON.stringify(row), JSON.stringify(attempts));
    expect((await h.request(`/v1/deliveries/${deliveryId}`)).json).toMatchObject({ status: 'failed', attempts: 1 });
    h.clock.advance(3600);
    expect(await worker.runOnce()).toBe(0);
    expect(twilio.requests).toHaveLength(1);
  });

  it('lifts the 60 s cooldown after a delivery failed for good (resend by voice at once), keeps it after a successful one', async () => {
    const { h, twilio } = c!;
    const worker = makeWorker(h);
    const ip = '198.51.100.23';

    // phone A: the SMS fails for good → a voice code may be requested at once
    const a = await sendSmsCode(h, '13900001006', { ip, locale: 'en' });
    twilio.failNextWith(400, 21211, 'invalid To');
    expect(await worker.runOnce()).toBe(1);
    expect((await outboxRow(h, a.deliveryId)).status).toBe('failed');
    // a second later: two codes of the very same instant tie in codes.latestCode (ordered by created_at only)
    h.clock.advance(1);
    const voice = await sendSmsCode(h, '13900001006', { ip, channel: 'voice', locale: 'en' });
    expect(voice.deliveryId).not.toBe(a.deliveryId);
    expect(await worker.runOnce()).toBe(1);
    const call = twilio.requests.at(-1)!;
    expect(call.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`);
    expect(call.body).toMatchObject({ To: '+8613900001006', From: TWILIO_FROM });
    expect(String(call.body.Twiml)).toContain([...voice.code].join(', '));
    expect((await outboxRow(h, voice.deliveryId)).status).toBe('sent');
    // the voice code was delivered: now the cooldown holds again
    const again = await h.sendCode('13900001006', { ip, channel: 'sms' });
    expect(again.res.status).toBe(429);
    expect(again.res.json.error.code).toBe('code_cooldown');
    // and the voice code (not the first one) registers
    const reg = await h.request('/v1/accounts', {
      ip,
      body: {
        accountName: 'voice_user_01',
        password: 'Secret#2026',
        phone: { region: 'CN', number: '13900001006' },
        code: voice.code,
        agreements: AGREEMENTS,
      },
    });
    expect(reg.status).toBe(201);

    // phone B: still queued/retrying → cooldown; delivered → cooldown
    const b = await sendSmsCode(h, '13900001007', { ip });
    twilio.failNextWith(503, 20503);
    expect(await worker.runOnce()).toBe(1);
    expect((await outboxRow(h, b.deliveryId)).status).toBe('pending');
    const whileRetrying = await h.sendCode('13900001007', { ip, channel: 'voice' });
    expect(whileRetrying.res.status).toBe(429);
    h.clock.advance(5);
    expect(await worker.runOnce()).toBe(1);
    expect((await outboxRow(h, b.deliveryId)).status).toBe('sent');
    const afterSent = await h.sendCode('13900001007', { ip, channel: 'voice' });
    expect(afterSent.res.status).toBe(429);
    expect(afterSent.res.json.error).toMatchObject({ code: 'code_cooldown', params: { seconds: 55 } });
    h.clock.advance(55);
    expect((await h.sendCode('13900001007', { ip, channel: 'voice' })).res.status).toBe(202);
  });

  it("retakes a crashed worker's claim once its lease has lapsed, never before, and sends it exactly once", async () => {
    const { h, twilio } = c!;
    const { deliveryId, code } = await sendSmsCode(h, '13900001008');
    const now = h.clock.now();
    // a worker claimed it (attempt 1) and died: status sending, lease until now + 60 s
    await h.db
      .updateTable('outbox')
      .set({
        status: 'sending',
        lease_id: crypto.randomUUID(),
        locked_until: new Date(now.getTime() + 60_000),
        attempts: 1,
        updated_at: now,
      })
      .where('id', '=', deliveryId)
      .execute();
    expect((await h.request(`/v1/deliveries/${deliveryId}`)).json).toMatchObject({ status: 'sending' });

    const worker = makeWorker(h, { leaseMs: 60_000 });
    expect(await worker.runOnce()).toBe(0); // the lease still holds
    h.clock.advance(59);
    expect(await worker.runOnce()).toBe(0);
    expect(twilio.requests).toHaveLength(0);

    h.clock.advance(2);
    expect(await worker.runOnce()).toBe(1);
    expect(smsRequests(twilio)).toHaveLength(1);
    expect(String(twilio.requests[0].body.Body)).toContain(code);
    const row = await outboxRow(h, deliveryId);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, lease_id: null, locked_until: null });
    expect((await attemptRows(h, deliveryId)).map((a) => [a.attempt, a.ok])).toEqual([[2, true]]);

    h.clock.advance(3600);
    expect(await worker.runOnce()).toBe(0);
    expect(twilio.requests).toHaveLength(1);
  });

  it("lets another worker retake a message from a worker stuck past its lease; the stuck worker's late outcome is discarded", async () => {
    const { h, twilio } = c!;
    const { deliveryId } = await sendSmsCode(h, '13900001009');

    // worker 1: its provider call never returns (until we let it)
    let release!: (r: { ok: true; providerId: string }) => void;
    const stuckSender: MessageSender = { name: 'stuck', deliver: () => new Promise((resolve) => (release = resolve)) };
    const stuckResolver: SenderResolver = async () => stuckSender;
    const stuck = makeWorker(h, { leaseMs: 30_000, resolveSender: stuckResolver });
    const stuckRun = stuck.runOnce();
    await expect
      .poll(async () => (await outboxRow(h, deliveryId)).status, { timeout: 20_000, interval: 50 })
      .toBe('sending');
    await expect.poll(() => typeof release, { timeout: 20_000, interval: 20 }).toBe('function');

    const other = makeWorker(h, { leaseMs: 30_000 });
    expect(await other.runOnce()).toBe(0); // claimed and within its lease
    h.clock.advance(31);
    expect(await other.runOnce()).toBe(1);
    expect(smsRequests(twilio, '+8613900001009')).toHaveLength(1);
    const sent = await outboxRow(h, deliveryId);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, provider: 'twilio' });

    // the stuck worker comes back: its lease is gone, so it changes nothing and records nothing
    release({ ok: true, providerId: 'late-stuck-id' });
    expect(await stuckRun).toBe(1);
    const row = await outboxRow(h, deliveryId);
    expect(row).toMatchObject({
      status: 'sent',
      attempts: 2,
      provider: 'twilio',
      provider_message_id: sent.provider_message_id,
    });
    expect((await attemptRows(h, deliveryId)).map((a) => [a.attempt, a.provider, a.ok])).toEqual([[2, 'twilio', true]]);
    expect(twilio.requests).toHaveLength(1);
  });

  it('two workers on one database send each of 30 queued messages exactly once', async () => {
    const { h, twilio } = c!;
    const recipients = Array.from({ length: 30 }, (_, i) => `+86139000020${String(i).padStart(2, '0')}`);
    await h.db.transaction().execute(async (trx) => {
      for (const [i, to] of recipients.entries()) {
        const code = String(100000 + i);
        await enqueueMessage(
          trx,
          {
            tenantId: h.tenant.id,
            channel: 'sms',
            to,
            purpose: 'register',
            locale: 'en',
            text: `Your code is ${code}.`,
            code,
          },
          h.clock.now(),
        );
      }
    });

    // on Postgres the second worker gets its own connection pool on the same database
    let db2: Db = h.db;
    if (process.env.DATABASE_URL) {
      const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(h.db);
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = `/${rows[0].name}`;
      db2 = createDb({ url: url.toString(), poolSize: 5 });
    }
    try {
      const w1 = makeWorker(h, { batchSize: 4 });
      const w2 = makeWorker(h, { batchSize: 4 }, db2);
      const [n1, n2] = await Promise.all([w1.runOnce(), w2.runOnce()]);
      expect(n1 + n2).toBe(30);
    } finally {
      if (db2 !== h.db) await db2.destroy();
    }

    const sms = smsRequests(twilio);
    expect(sms).toHaveLength(30);
    const perRecipient = new Map<string, number>();
    for (const r of sms) perRecipient.set(String(r.body.To), (perRecipient.get(String(r.body.To)) ?? 0) + 1);
    expect([...perRecipient.keys()].sort()).toEqual([...recipients].sort());
    expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);

    const rows = await h.db.selectFrom('outbox').select(['status', 'attempts']).execute();
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    const attempts = await h.db.selectFrom('outbox_attempts').select(['outbox_id', 'ok']).execute();
    expect(attempts).toHaveLength(30);
    expect(new Set(attempts.map((a) => a.outbox_id)).size).toBe(30);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
describe(`test identities and the outbox (${backend})`, { timeout: 120_000 }, () => {
  const testMode = { enabled: true, phones: ['+8619900000'], emails: ['@test.acme'], code: '246810' };
  let c: Ctx | undefined;
  afterEach(async () => {
    await tearDown(c);
    c = undefined;
  });

  it('a test number gets no delivery (deliveryId null, nothing queued or sent) and registers with the fixed code', async () => {
    c = await setUp();
    const { h, twilio } = c;
    await h.setTenantConfig({ testMode });
    const res = await h.request('/v1/verification-codes', {
      body: { phone: { region: 'CN', number: '19900000123' }, purpose: 'register', channel: 'sms' },
    });
    expect(res.status).toBe(202);
    expect(res.json.deliveryId).toBeNull();
    expect(await h.count('outbox')).toBe(0);
    expect(await makeWorker(h).runOnce()).toBe(0);
    expect(twilio.requests).toHaveLength(0);

    const reg = await h.request('/v1/accounts', {
      body: {
        accountName: 'ci_bot_001',
        password: 'Secret#2026',
        phone: { region: 'CN', number: '19900000123' },
        code: '246810',
        agreements: AGREEMENTS,
        email: 'bot@test.acme',
      },
    });
    expect(reg.status).toBe(201);
    expect(reg.json.account.emailVerified).toBe(true); // a test email: verified, sent nothing
    expect(await h.count('outbox')).toBe(0);

    // a number outside the range is an ordinary number
    const normal = await sendSmsCode(h, '13900001010');
    expect(await makeWorker(h).runOnce()).toBe(1);
    expect((await outboxRow(h, normal.deliveryId)).status).toBe('sent');
    expect(smsRequests(twilio, '+8613900001010')).toHaveLength(1);
  });

  it('in production without allowInProduction a test number is an ordinary number: a real code is queued and sent', async () => {
    c = await setUp({ dev: false, secret: 'x'.repeat(40), publicUrl: 'https://auth.acme.test' });
    const { h, twilio } = c;
    await h.setTenantConfig({ testMode });
    const res = await h.request('/v1/verification-codes', {
      body: { phone: { region: 'CN', number: '19900000124' }, purpose: 'register', channel: 'sms' },
    });
    expect(res.status).toBe(202);
    expect(res.json.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    const [queued] = await readDevOutbox(h.db, { to: '+8619900000124' });
    const realCode = queued.code!;
    expect(realCode).toMatch(/^\d{6}$/);

    expect(await makeWorker(h).runOnce()).toBe(1);
    expect(smsRequests(twilio, '+8619900000124')).toHaveLength(1);
    expect(String(twilio.requests[0].body.Body)).toContain(realCode);
    expect((await h.request(`/v1/deliveries/${res.json.deliveryId}`)).json).toMatchObject({ status: 'sent' });

    const body = {
      accountName: 'ci_bot_002',
      password: 'Secret#2026',
      phone: { region: 'CN', number: '19900000124' },
      agreements: AGREEMENTS,
    };
    if (realCode !== '246810') {
      const fixed = await h.request('/v1/accounts', { body: { ...body, code: '246810' } });
      expect(fixed.status).toBe(400);
      expect(fixed.json.error.code).toBe('code_invalid');
    }
    expect((await h.request('/v1/accounts', { body: { ...body, code: realCode } })).status).toBe(201);
  });

  it('in production with allowInProduction the test number works again and nothing is sent', async () => {
    c = await setUp({ dev: false, secret: 'x'.repeat(40), publicUrl: 'https://auth.acme.test' });
    const { h, twilio } = c;
    await h.setTenantConfig({ testMode: { ...testMode, allowInProduction: true } });
    const res = await h.request('/v1/verification-codes', {
      body: { phone: { region: 'CN', number: '19900000125' }, purpose: 'register', channel: 'sms' },
    });
    expect(res.status).toBe(202);
    expect(res.json.deliveryId).toBeNull();
    expect(await h.count('outbox')).toBe(0);
    const reg = await h.request('/v1/accounts', {
      body: {
        accountName: 'ci_bot_003',
        password: 'Secret#2026',
        phone: { region: 'CN', number: '19900000125' },
        code: '246810',
        agreements: AGREEMENTS,
      },
    });
    expect(reg.status).toBe(201);
    expect(twilio.requests).toHaveLength(0);
  });
});
