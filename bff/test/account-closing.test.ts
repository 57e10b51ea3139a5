/**
 * Closing an account (docs/product.md#24-closing-an-account, bff/src/services/account-closing.ts):
 * the export of its data, the closing request (every session ends), sign-in refused with
 * `account_closing` after the right secret only, the cancel, and the erasure once the tenant's
 * cooling-off days have passed — after which the name, phone and email register again.
 */
import { generate } from 'otplib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { createAdminKey } from '../src/services/admin-keys.ts';
import { eraseClosedAccounts } from '../src/services/account-closing.ts';
import { backend, cookieFrom, makeHarness, ORIGIN, type Harness } from './harness.ts';
import { epochOf } from './mfa-helpers.ts';

let h: Harness;
let n = 0;
let adminKey = '';
beforeAll(async () => {
  h = await makeHarness();
  adminKey = (await createAdminKey(h.db, h.clock, h.tenant.id, 'closing test')).secretKey;
});
afterAll(() => h.close());

const TOKEN = { 'x-jd-session-mode': 'token' };
const PASSWORD = 'Close#2026x';
const SUB_PASSWORD = 'Sub#Pass2026';
const DAY = 86_400;

/** A user of its own: name, phone, email, client address and user agent no other test uses. */
async function newUser(o: { email?: boolean; subUser?: boolean } = {}) {
  n++;
  const accountName = `closing_user_${n}`;
  const number = `1368888${String(n).padStart(4, '0')}`;
  const email = o.email ? `closing${n}@example.com` : undefined;
  const ip = `198.18.${n}.77`;
  const ua = `ClosingTestAgent/${n}.${n}`;
  const headers = { ...TOKEN, 'user-agent': ua };
  const reg = await h.register(
    { accountName, number, password: PASSWORD, ...(email ? { email } : {}) },
    { ip, headers, locale: 'en' },
  );
  expect(reg.status).toBe(201);
  if (email) {
    const [mail] = await readDevOutbox(h.db, { to: email, limit: 1 });
    const link = new URL(mail.link!);
    expect((await h.app.request(`${link.pathname}${link.search}`)).status).toBe(200);
  }
  const token = reg.json.session.token as string;
  const call = (path: string, c: { body?: unknown; method?: string; t?: string } = {}) =>
    h.request(path, {
      token: c.t ?? token,
      ip,
      headers: { 'user-agent': ua },
      locale: 'en',
      ...(c.body !== undefined ? { body: c.body } : {}),
      ...(c.method ? { method: c.method } : {}),
    });
  const stepUp = async (t = token) => {
    expect((await call('/v1/security/step-up/start', { body: { method: 'phone' }, t })).status).toBe(202);
    const [m] = await readDevOutbox(h.db, { to: `+86${number}`, limit: 1 });
    expect((await call('/v1/security/step-up/verify', { body: { method: 'phone', code: m.code }, t })).status).toBe(
      200,
    );
  };
  let subToken = '';
  if (o.subUser) {
    expect((await call('/v1/sub-users', { body: { name: 'auditor', password: SUB_PASSWORD } })).status).toBe(201);
    const sub = await subSignIn(accountName, SUB_PASSWORD, ip);
    expect(sub.status).toBe(200);
    subToken = sub.json.session.token as string;
  }
  return {
    accountName,
    number,
    phone: `+86${number}`,
    email,
    ip,
    ua,
    token,
    call,
    stepUp,
    subToken,
    id: reg.json.account.id as string,
  };
}

const signIn = (identifier: string, password: string, ip = '203.0.113.90') =>
  h.request('/v1/sessions', { body: { identifier, password }, headers: TOKEN, ip, locale: 'en' });
const subSignIn = (identifier: string, password: string, ip = '203.0.113.91') =>
  h.request('/v1/sessions', { body: { identifier, subUser: 'auditor', password }, headers: TOKEN, ip, locale: 'en' });
const cancel = (identifier: string, password: string, ip = '203.0.113.92') =>
  h.request('/v1/account/closing/cancel', { body: { identifier, password }, ip, locale: 'en' });
const admin = (path: string) => h.request(path, { pk: null, headers: { authorization: `Bearer ${adminKey}` } });

/** Codes issued after the answer (phone sign-in, password reset): wait for the newest of `purpose`. */
async function codeSentTo(to: string, purpose: string, after: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const [latest] = await readDevOutbox(h.db, { to, limit: 1 });
    if (latest?.code && latest.purpose === purpose && new Date(latest.createdAt ?? 0).getTime() >= after)
      return latest.code;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`no ${purpose} code was sent to ${to}`);
}

describe(`closing an account (${backend})`, () => {
  it('exports the data after a step-up, primary account only, with no hash, secret or code in it', async () => {
    const u = await newUser({ email: true, subUser: true });
    // sub-user forbidden, step-up required
    expect((await u.call('/v1/account/export', { t: u.subToken })).json.error.code).toBe('sub_user_forbidden');
    expect((await u.call('/v1/account/export')).json.error.code).toBe('step_up_required');
    expect((await h.request('/v1/account/export')).json.error.code).toBe('not_signed_in');
    await u.stepUp();
    // bind MFA, so that its secret and recovery codes exist to be left out
    const setup = await u.call('/v1/security/mfa/setup', { body: {} });
    expect(setup.status).toBe(200);
    const secret = setup.json.secret as string;
    const confirmed = await u.call('/v1/security/mfa/confirm', {
      body: { code: await generate({ secret, epoch: epochOf(h.clock.now()) }) },
    });
    expect(confirmed.status).toBe(200);
    const recoveryCodes = confirmed.json.recoveryCodes as string[];

    const res = await u.call('/v1/account/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="account-export.json"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const x = res.json;
    expect(x.format).toBe('jd-account-export/1');
    expect(x.account).toMatchObject({ id: u.id, accountName: u.accountName, locale: 'en' });
    expect(x.contacts).toEqual(
      expect.arrayContaining([
        { kind: 'phone', role: 'security', value: u.phone, verified: true, canSignIn: true },
        { kind: 'email', role: 'security', value: u.email, verified: true, canSignIn: true },
      ]),
    );
    expect(x.subUsers).toEqual([
      expect.objectContaining({ name: 'auditor', disabled: false, mfaRequired: false, mfaBound: false }),
    ]);
    expect(x.consents.map((c: { key: string }) => c.key).sort()).toEqual(['privacy', 'registration', 'service']);
    expect(x.mfa).toEqual({ bound: true, recoveryCodesLeft: recoveryCodes.length });
    expect(x.securityEvents[0]).toMatchObject({ type: 'mfa_bound', ip: u.ip, userAgent: u.ua });
    expect(x.securityEvents.at(-1).type).toBe('registered');
    for (const e of x.securityEvents)
      expect(Object.keys(e).sort()).toEqual(['at', 'ip', 'outcome', 'type', 'userAgent']);
    const text = res.text.toLowerCase();
    for (const bad of ['hash', '$argon2', secret.toLowerCase(), 'secret', 'token', ...recoveryCodes])
      expect(text).not.toContain(bad.toLowerCase());
  });

  it('closes: every session ends (primary, sub-user, cookie), sign-in is refused after the right secret only, cancel restores it', async () => {
    const u = await newUser({ subUser: true });
    // a cookie session of the same account
    const web = await h.request('/v1/sessions', {
      body: { identifier: u.accountName, password: PASSWORD },
      origin: ORIGIN,
      ip: u.ip,
    });
    expect(web.status).toBe(200);
    const cookie = cookieFrom(web.headers.get('set-cookie'));
    // a step-up is needed; a sub-user may not
    expect((await u.call('/v1/account/closing', { body: {} })).json.error.code).toBe('step_up_required');
    expect((await u.call('/v1/account/closing', { body: {}, t: u.subToken })).json.error.code).toBe(
      'sub_user_forbidden',
    );
    expect((await h.request('/v1/account/closing', { body: {}, origin: ORIGIN, cookie })).json.error.code).toBe(
      'step_up_required',
    );
    // closing from the cookie session, after its own step-up
    expect(
      (await h.request('/v1/security/step-up/start', { body: { method: 'phone' }, origin: ORIGIN, cookie })).status,
    ).toBe(202);
    const [m] = await readDevOutbox(h.db, { to: u.phone, limit: 1 });
    expect(
      (
        await h.request('/v1/security/step-up/verify', {
          body: { method: 'phone', code: m.code },
          origin: ORIGIN,
          cookie,
        })
      ).status,
    ).toBe(200);
    const closed = await h.request('/v1/account/closing', { body: {}, origin: ORIGIN, cookie });
    expect(closed.status).toBe(200);
    expect(closed.json.closesAt).toBe(new Date(h.clock.now().getTime() + 15 * DAY * 1000).toISOString());
    expect(closed.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(await h.sessionState({ origin: ORIGIN, cookie })).toBe('out');
    expect(await h.sessionState({ token: u.token })).toBe('out');
    expect(await h.sessionState({ token: u.subToken })).toBe('out');
    expect((await h.request('/v1/session/token', { body: {}, token: u.token })).json.error.code).toBe('not_signed_in');
    // the security phone is told
    const [notice] = await readDevOutbox(h.db, { to: u.phone, limit: 1 });
    expect(notice.purpose).toBe('security_notice');

    // password sign-in: wrong → invalid_credentials; right → account_closing with the time
    expect((await signIn(u.accountName, 'Wrong#2026x')).json.error.code).toBe('invalid_credentials');
    const refused = await signIn(u.accountName, PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: 'account_closing', params: { closesAt: closed.json.closesAt } });
    expect(refused.json.error.message).toContain(closed.json.closesAt.slice(0, 10));
    expect((await signIn(u.phone, PASSWORD)).json.error.code).toBe('account_closing');
    // sub-user sign-in
    expect((await subSignIn(u.accountName, 'Wrong#2026x')).json.error.code).toBe('invalid_credentials');
    expect((await subSignIn(u.accountName, SUB_PASSWORD)).json.error.code).toBe('account_closing');
    // phone-code sign-in
    h.clock.advance(61); // past the phone's code cooldown
    const asked = h.clock.now().getTime();
    expect(
      (
        await h.request('/v1/sessions/phone-code/code', {
          body: { phone: { region: 'CN', number: u.number } },
          ip: '203.0.113.93',
        })
      ).status,
    ).toBe(202);
    const phoneCode = await codeSentTo(u.phone, 'phone_sign_in', asked);
    const phoneSignIn = (code: string) =>
      h.request('/v1/sessions/phone-code', {
        body: { phone: { region: 'CN', number: u.number }, code },
        headers: TOKEN,
        ip: '203.0.113.94',
      });
    expect((await phoneSignIn(phoneCode === '000000' ? '111111' : '000000')).json.error.code).toBe('code_invalid');
    expect((await phoneSignIn(phoneCode)).json.error.code).toBe('account_closing');
    // password reset
    h.clock.advance(61); // past the phone's code cooldown
    const resetAsked = h.clock.now().getTime();
    expect(
      (
        await h.request('/v1/password-reset/code', {
          body: { identifier: u.accountName, channel: 'sms' },
          ip: '203.0.113.95',
        })
      ).status,
    ).toBe(202);
    const resetCode = await codeSentTo(u.phone, 'password_reset', resetAsked);
    const reset = (code: string) =>
      h.request('/v1/password-reset', {
        body: { identifier: u.accountName, code, password: 'Brand#New2026' },
        ip: '203.0.113.96',
      });
    expect((await reset(resetCode === '000000' ? '111111' : '000000')).json.error.code).toBe('code_invalid');
    expect((await reset(resetCode)).json.error.code).toBe('account_closing');

    // cancel: anything wrong reads alike; the right password cancels; then sign-in works
    expect((await cancel(u.accountName, 'Wrong#2026x')).json.error.code).toBe('invalid_credentials');
    expect((await cancel('no_such_account_x', PASSWORD)).json.error.code).toBe('invalid_credentials');
    const cancelled = await cancel(u.accountName, PASSWORD);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toEqual({ cancelled: true });
    expect((await cancel(u.accountName, PASSWORD)).json).toEqual({ cancelled: true });
    expect((await signIn(u.accountName, PASSWORD)).status).toBe(200);
    expect((await subSignIn(u.accountName, SUB_PASSWORD)).status).toBe(200);
    const types = (await h.db.selectFrom('audit_events').select('type').where('account_id', '=', u.id).execute()).map(
      (e) => e.type,
    );
    expect(types).toContain('account_closing_requested');
    expect(types).toContain('account_closing_cancelled');
    // a cancelled closing is not erased later
    h.clock.advance(16 * DAY);
    await eraseClosedAccounts(h.deps, h.clock.now());
    expect((await signIn(u.accountName, PASSWORD)).status).toBe(200);
  });

  it('erases the account once closes_at has passed: nothing personal left anywhere, and the name, phone and email register again', async () => {
    const u = await newUser({ email: true, subUser: true });
    await u.stepUp();
    const setup = await u.call('/v1/security/mfa/setup', { body: {} });
    const confirmed = await u.call('/v1/security/mfa/confirm', {
      body: { code: await generate({ secret: setup.json.secret, epoch: epochOf(h.clock.now()) }) },
    });
    expect(confirmed.status).toBe(200);
    h.clock.advance(30);
    const closed = await u.call('/v1/account/closing', { body: {} });
    expect(closed.status).toBe(200);
    // not before its time
    h.clock.advance(15 * DAY - 60);
    await eraseClosedAccounts(h.deps, h.clock.now());
    expect((await signIn(u.accountName, PASSWORD)).json.error.code).toBe('account_closing');
    h.clock.advance(61);
    expect(await eraseClosedAccounts(h.deps, h.clock.now())).toBeGreaterThanOrEqual(1);
    expect(await eraseClosedAccounts(h.deps, h.clock.now())).toBe(0);

    // every table, every row: none names the phone, email, account name, address or user agent
    const needles = [u.number, u.email!, u.accountName, u.ip, u.ua];
    const tables = (
      await sql<{
        table_name: string;
      }>`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(
        h.db,
      )
    ).rows.map((r) => r.table_name);
    expect(tables).toContain('accounts');
    const found: string[] = [];
    for (const table of tables) {
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(h.db)).rows;
      for (const row of rows) {
        // per-client throttles are keyed by the address alone (no account): they expire with their window
        if (table === 'attempt_counters' && /client:/.test(String(row.key))) continue;
        const text = JSON.stringify(row, (_k, v: unknown) => (v instanceof Uint8Array ? '' : v));
        for (const needle of needles)
          if (text.includes(needle)) found.push(`${table}: ${needle} in ${text.slice(0, 200)}`);
      }
    }
    expect(found).toEqual([]);
    const row = await h.db.selectFrom('accounts').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.account_name).toBe(`closed:${u.id}`);
    expect(row.closed_at).not.toBeNull();
    expect(row.locale).toBeNull();
    const events = await h.db.selectFrom('audit_events').selectAll().where('account_id', '=', u.id).execute();
    expect(events.filter((e) => e.type === 'account_closed')).toHaveLength(1);
    for (const e of events) expect([e.ip, e.user_agent, JSON.stringify(e.detail)]).toEqual([null, null, '{}']);
    // the tombstone signs in to nothing
    expect((await signIn(`closed:${u.id}`, PASSWORD)).json.error.code).toBe('invalid_credentials');
    expect((await signIn(u.accountName, PASSWORD)).json.error.code).toBe('invalid_credentials');
    expect((await cancel(u.accountName, PASSWORD)).json.error.code).toBe('invalid_credentials');

    // the name, phone and email are free
    const again = await h.register(
      { accountName: u.accountName, number: u.number, password: 'Again#2026x', email: u.email! },
      { headers: TOKEN, ip: '203.0.113.97' },
    );
    expect(again.status).toBe(201);
    expect(again.json.account.id).not.toBe(u.id);
    expect((await signIn(u.phone, 'Again#2026x')).status).toBe(200);
  });

  it('lists closing and closed accounts for the tenant (admin API), with the status on the account', async () => {
    const closing = await newUser();
    await closing.stepUp();
    expect((await closing.call('/v1/account/closing', { body: {} })).status).toBe(200);
    const list = await admin('/admin/v1/closed-accounts');
    expect(list.status).toBe(200);
    const mine = list.json.accounts.find((a: { id: string }) => a.id === closing.id);
    expect(mine).toMatchObject({ status: 'closing', closedAt: null });
    expect(mine.closesAt).toBe(new Date(h.clock.now().getTime() + 15 * DAY * 1000).toISOString());
    expect(list.json.accounts.some((a: { status: string }) => a.status === 'closed')).toBe(true);
    expect(list.json.accounts[0].id).toBe(closing.id); // newest first
    expect((await admin(`/admin/v1/accounts/${closing.id}`)).json.status).toBe('closing');
    const active = await newUser();
    expect((await admin(`/admin/v1/accounts/${active.id}`)).json.status).toBe('active');
    expect((await h.request('/admin/v1/closed-accounts', { pk: null })).status).toBe(401);
  });

  it("uses the tenant's cooling-off days: 0 erases at the next sweep; the setting is checked", async () => {
    const bad = await h.request('/admin/v1/config', {
      method: 'PATCH',
      pk: null,
      headers: { authorization: `Bearer ${adminKey}` },
      body: { accountClosing: { coolingOffDays: 91 } },
    });
    expect(bad.status).toBe(400);
    const ok = await h.request('/admin/v1/config', {
      method: 'PATCH',
      pk: null,
      headers: { authorization: `Bearer ${adminKey}` },
      body: { accountClosing: { coolingOffDays: 0 } },
    });
    expect(ok.status).toBe(200);
    h.tenants.invalidate();
    try {
      const u = await newUser();
      await u.stepUp();
      const closed = await u.call('/v1/account/closing', { body: {} });
      expect(closed.json.closesAt).toBe(h.clock.now().toISOString());
      expect(await eraseClosedAccounts(h.deps, h.clock.now())).toBe(1);
      expect((await admin(`/admin/v1/accounts/${u.id}`)).json.status).toBe('closed');
    } finally {
      await h.setTenantConfig({ accountClosing: { coolingOffDays: 15 } });
    }
  });

  it('refuses hostile input on the new endpoints without a 5xx', async () => {
    for (const identifier of ['ab\u0000cd', 'ab\ud800cd', 'a\u001bb', '']) {
      const r = await cancel(identifier, PASSWORD, '203.0.113.98');
      expect(r.status).toBe(400);
    }
    for (const body of [
      '{',
      '[]',
      '"x"',
      '{"identifier":1,"password":2}',
      JSON.stringify({ identifier: 'x'.repeat(400), password: 'y' }),
    ]) {
      const r = await h.request('/v1/account/closing/cancel', {
        rawBody: body,
        headers: { 'content-type': 'application/json' },
        method: 'POST',
      });
      expect(r.status).toBe(400);
    }
    const u = await newUser();
    const r = await u.call('/v1/account/closing', { body: { anything: 'ab\u0000' } });
    expect(r.status).toBeLessThan(500);
    expect((await h.request('/v1/account/closing', { body: {}, token: 'x'.repeat(40) })).json.error.code).toBe(
      'not_signed_in',
    );
    expect((await h.request('/v1/account/closing', { body: {}, pk: null })).status).toBe(401);
  });

  it('of 20 concurrent closing requests exactly one closes the account', async () => {
    const u = await newUser();
    await u.stepUp();
    const answers = await Promise.all(Array.from({ length: 20 }, () => u.call('/v1/account/closing', { body: {} })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200))
      expect(['account_already_closing', 'not_signed_in']).toContain(a.json.error.code);
    const events = await h.db
      .selectFrom('audit_events')
      .select('type')
      .where('account_id', '=', u.id)
      .where('type', '=', 'account_closing_requested')
      .execute();
    expect(events).toHaveLength(1);
  });
});
