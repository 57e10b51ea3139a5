import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { backend, makeHarness, type Harness } from './harness.ts';

let h: Harness;
let n = 0;
const phone = () => `1371111${String(n++).padStart(4, '0')}`;

beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

/** A registered, signed-in user (token mode), with helpers that act for them. */
async function user(opts: { email?: string; name?: string; password?: string } = {}) {
  const number = phone();
  const password = opts.password ?? 'Secure#2026';
  const reg = await h.register(
    { accountName: opts.name ?? `sec_user_${n}`, number, password, ...(opts.email ? { email: opts.email } : {}) },
    { headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(reg.status).toBe(201);
  const token = reg.json.session.token as string;
  const call = (path: string, o: { method?: string; body?: unknown; token?: string; pk?: string } = {}) =>
    h.request(`/v1/security${path}`, {
      token: o.token ?? token,
      method: o.method ?? (o.body !== undefined ? 'POST' : 'GET'),
      ...(o.body !== undefined ? { body: o.body } : {}),
      ...(o.pk ? { pk: o.pk } : {}),
      locale: 'en',
    });
  const lastCode = async (to: string) => (await readDevOutbox(h.db, { to, limit: 1 }))[0];
  async function stepUp(via: 'phone' | 'email' = 'phone', t = token) {
    const start = await call('/step-up/start', { body: { method: via }, token: t });
    expect(start.status).toBe(202);
    const to = via === 'phone' ? `+86${number}` : opts.email!;
    const code = (await lastCode(to)).code!;
    const ok = await call('/step-up/verify', { body: { method: via, code }, token: t });
    expect(ok.status).toBe(200);
    return ok;
  }
  return { number, password, token, call, stepUp, lastCode, accountName: reg.json.account.accountName as string };
}

async function signInToken(identifier: string, password: string) {
  return h.request('/v1/sessions', { body: { identifier, password }, headers: { 'x-jd-session-mode': 'token' } });
}

describe(`security settings API (${backend})`, () => {
  it('refuses every endpoint without a session', async () => {
    for (const [path, method, body] of [
      ['', 'GET', undefined],
      ['/step-up/start', 'POST', { method: 'phone' }],
      ['/step-up/verify', 'POST', { method: 'phone', code: '123456' }],
      ['/contacts/start', 'POST', { kind: 'phone', role: 'contact', phone: { region: 'CN', number: '13800000000' } }],
      [
        '/contacts/confirm',
        'POST',
        { kind: 'phone', role: 'contact', phone: { region: 'CN', number: '13800000000' }, code: '123456' },
      ],
      ['/contacts/phone', 'DELETE', undefined],
      ['/email', 'POST', { email: 'x@example.com' }],
      ['/email/verification', 'POST', {}],
      ['/password', 'POST', { currentPassword: 'a', newPassword: 'Secure#2027' }],
    ] as const) {
      const res = await h.request(`/v1/security${path}`, { method, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.json.error.code).toBe('not_signed_in');
    }
  });

  it('shows the overview: masked contacts, flags, methods, support channels and recent events', async () => {
    const u = await user({ email: 'overview@example.com' });
    const res = await u.call('');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json).toMatchObject({
      account: { accountName: u.accountName },
      securityPhone: {
        kind: 'phone',
        value: `${u.number.slice(0, 3)}****${u.number.slice(-4)}`,
        verified: true,
        canVerifyIdentity: true,
        canSignIn: true,
      },
      // bound first, so it will sign in — once verified
      securityEmail: {
        kind: 'email',
        value: 'o***@example.com',
        verified: false,
        canVerifyIdentity: false,
        canSignIn: false,
      },
      contactPhone: null,
      contactEmail: null,
      mfa: { bound: false },
      stepUp: { active: false, expiresAt: null },
      stepUpMethods: ['phone'],
      supportChannels: { hotline: '400-000-0000' },
    });
    expect(res.json.events.map((e: { type: string }) => e.type)).toEqual(['registered']);
  });

  it('step-up by a code to the security phone grants this session 10 minutes', async () => {
    const u = await user();
    const start = await u.call('/step-up/start', { body: { method: 'phone', channel: 'voice' } });
    expect(start.json).toMatchObject({
      method: 'phone',
      channel: 'voice',
      sentTo: `${u.number.slice(0, 3)}****${u.number.slice(-4)}`,
    });
    const msg = await u.lastCode(`+86${u.number}`);
    expect(msg.purpose).toBe('verify_identity');
    const wrong = await u.call('/step-up/verify', {
      body: { method: 'phone', code: msg.code === '000000' ? '111111' : '000000' },
    });
    expect(wrong.json.error.code).toBe('code_invalid');
    const ok = await u.call('/step-up/verify', { body: { method: 'phone', code: msg.code } });
    expect(ok.json.stepUp.active).toBe(true);
    expect(new Date(ok.json.stepUp.expiresAt).getTime() - h.clock.now().getTime()).toBe(600_000);
    const overview = (await u.call('')).json;
    expect(overview.stepUp.active).toBe(true);
    expect(overview.events.slice(0, 3).map((e: { type: string; outcome: string }) => `${e.type}:${e.outcome}`)).toEqual(
      ['step_up_passed:success', 'step_up_failed:failure', 'code_sent:success'],
    );
    h.clock.advance(601);
    expect((await u.call('')).json.stepUp.active).toBe(false);
  });

  it('a step-up code of one account cannot pass for another account on the same phone', async () => {
    const a = await user();
    h.clock.advance(60);
    // b registers with a's phone (bound, cannot sign in with it)
    const reg = await h.register(
      { accountName: `twin_${n}`, number: a.number },
      { headers: { 'x-jd-session-mode': 'token' } },
    );
    const bToken = reg.json.session.token as string;
    await a.call('/step-up/start', { body: { method: 'phone' } });
    const code = (await a.lastCode(`+86${a.number}`)).code!;
    const stolen = await a.call('/step-up/verify', { body: { method: 'phone', code }, token: bToken });
    expect(stolen.json.error.code).toBe('code_not_sent');
  });

  it('an unverified email cannot be used for step-up', async () => {
    const u = await user({ email: 'unverified@example.com' });
    const res = await u.call('/step-up/start', { body: { method: 'email' } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('step_up_method_unavailable');
    expect((await u.call('/step-up/start', { body: { method: 'totp' } })).json.error.code).toBe(
      'step_up_method_unavailable',
    );
  });

  it('changes the security phone only after step-up; notifies the old phone; the new one signs in', async () => {
    const u = await user();
    const next = phone();
    const body = { kind: 'phone', role: 'security', phone: { region: 'CN', number: next } };
    const refused = await u.call('/contacts/start', { body });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('step_up_required');
    await u.stepUp();
    expect((await u.call('/contacts/start', { body })).status).toBe(202);
    const code = (await u.lastCode(`+86${next}`)).code!;
    const done = await u.call('/contacts/confirm', { body: { ...body, code } });
    expect(done.status).toBe(200);
    expect(done.json.securityPhone).toMatchObject({
      value: `${next.slice(0, 3)}****${next.slice(-4)}`,
      verified: true,
      canSignIn: true,
    });
    expect(done.json.events[0]).toMatchObject({ type: 'contact_changed', detail: { kind: 'phone', role: 'security' } });
    const notice = await u.lastCode(`+86${u.number}`);
    expect(notice.purpose).toBe('security_notice');
    expect((await signInToken(next, u.password)).status).toBe(200);
    expect((await signInToken(u.number, u.password)).status).toBe(401);
  });

  it('a new security phone another account already has binds, but cannot sign in', async () => {
    const other = await user();
    const u = await user({ password: 'Unique#2026x' });
    await u.stepUp();
    const body = { kind: 'phone', role: 'security', phone: { region: 'CN', number: other.number } };
    h.clock.advance(60);
    expect((await u.call('/contacts/start', { body })).status).toBe(202);
    const code = (await u.lastCode(`+86${other.number}`)).code!;
    const done = await u.call('/contacts/confirm', { body: { ...body, code } });
    expect(done.json.securityPhone).toMatchObject({ verified: true, canVerifyIdentity: true, canSignIn: false });
    // the phone still signs in to the other account only; u's own password there says "use the account name"
    const signIn = await signInToken(other.number, u.password);
    expect(signIn.json.error.code).toBe('identifier_multiple_accounts');
    expect((await signInToken(other.number, other.password)).json.account.accountName).toBe(other.accountName);
  });

  it('refuses a step-up grant of another session, and an expired grant', async () => {
    const u = await user();
    const second = (await signInToken(u.accountName, u.password)).json.session.token as string;
    await u.stepUp('phone', second);
    const body = { kind: 'phone', role: 'security', phone: { region: 'CN', number: phone() } };
    expect((await u.call('/contacts/start', { body })).json.error.code).toBe('step_up_required');
    expect((await u.call('/contacts/start', { body, token: second })).status).toBe(202);
    h.clock.advance(601);
    expect((await u.call('/contacts/start', { body, token: second })).json.error.code).toBe('step_up_required');
  });

  it('sets a contact phone with a code and no step-up, and resets it to "same as security"', async () => {
    const u = await user();
    const contact = phone();
    const body = { kind: 'phone', role: 'contact', phone: { region: 'CN', number: contact } };
    expect((await u.call('/contacts/start', { body })).status).toBe(202);
    const code = (await u.lastCode(`+86${contact}`)).code!;
    const done = await u.call('/contacts/confirm', { body: { ...body, code } });
    expect(done.json.contactPhone).toMatchObject({ verified: true, canVerifyIdentity: false, canSignIn: false });
    expect((await u.call('/contacts/start', { body })).json.error.code).toBe('contact_unchanged');
    const reset = await u.call('/contacts/phone', { method: 'DELETE' });
    expect(reset.json.contactPhone).toBeNull();
    expect(reset.json.events[0].type).toBe('contact_reset');
    expect((await u.call('/contacts/fax', { method: 'DELETE' })).status).toBe(400);
  });

  it('adds a security email by link after step-up, resends it 60 s apart, verifies it, and then allows step-up by email', async () => {
    const u = await user();
    // docs/product.md#10-changing-identity-verification-methods: even a first security email is a new identity-verification method
    expect((await u.call('/email', { body: { email: 'Later@Example.com' } })).json.error.code).toBe('step_up_required');
    await u.stepUp();
    const add = await u.call('/email', { body: { email: 'Later@Example.com' } });
    expect(add.status).toBe(202);
    expect(add.json.sentTo).toBe('l***@example.com');
    expect((await u.call('')).json.securityEmail).toMatchObject({ verified: false });
    expect((await u.call('/email/verification', { body: {} })).json.error.code).toBe('code_cooldown');
    h.clock.advance(60);
    expect((await u.call('/email/verification', { body: {} })).status).toBe(202);
    const link = new URL((await u.lastCode('later@example.com')).link!);
    expect((await h.app.request(`${link.pathname}${link.search}`)).status).toBe(200);
    const overview = (await u.call('')).json;
    expect(overview.securityEmail).toMatchObject({ verified: true, canVerifyIdentity: true, canSignIn: true });
    expect(overview.events[0]).toMatchObject({ type: 'contact_verified', detail: { kind: 'email' } });
    expect(overview.stepUpMethods).toEqual(['phone', 'email']);
    expect((await u.call('/email/verification', { body: {} })).json.error.code).toBe('email_already_verified');
    // replacing a verified email needs step-up (the phone's grant has ended); by email code this time
    h.clock.advance(600);
    expect((await u.call('/email', { body: { email: 'new@example.com' } })).json.error.code).toBe('step_up_required');
    await u.call('/step-up/start', { body: { method: 'email' } });
    const code = (await u.lastCode('later@example.com')).code!;
    expect((await u.call('/step-up/verify', { body: { method: 'email', code } })).status).toBe(200);
    expect((await u.call('/email', { body: { email: 'new@example.com' } })).status).toBe(202);
    // the old, verified address is told
    expect((await u.lastCode('later@example.com')).purpose).toBe('security_notice');
  });

  it('changes the password with step-up and the current password; other sessions end', async () => {
    const u = await user();
    const other = (await signInToken(u.accountName, u.password)).json.session.token as string;
    const body = { currentPassword: u.password, newPassword: 'Changed#2027' };
    expect((await u.call('/password', { body })).json.error.code).toBe('step_up_required');
    await u.stepUp();
    const wrong = await u.call('/password', { body: { ...body, currentPassword: 'Nope#2026' } });
    expect(wrong.json.error.code).toBe('password_incorrect');
    const weak = await u.call('/password', { body: { ...body, newPassword: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.json.error.fields[0]).toMatchObject({ path: 'newPassword', code: 'password_too_short' });
    const same = await u.call('/password', { body: { ...body, newPassword: u.accountName } });
    expect(same.status).toBe(400);
    const ok = await u.call('/password', { body });
    expect(ok.json).toEqual({ signedOutSessions: 1 });
    expect(await h.sessionState({ token: other })).toBe('out');
    expect(await h.sessionState({ token: u.token })).toBe('in');
    expect((await signInToken(u.accountName, 'Changed#2027')).status).toBe(200);
    expect((await signInToken(u.accountName, u.password)).status).toBe(401);
  });

  it('serialises concurrent changes of one account: no lost update, no 500', async () => {
    const u = await user();
    const [p1, p2] = [phone(), phone()];
    const start = (p: string) =>
      u.call('/contacts/start', { body: { kind: 'phone', role: 'contact', phone: { region: 'CN', number: p } } });
    await start(p1);
    await start(p2);
    const code1 = (await u.lastCode(`+86${p1}`)).code!;
    const code2 = (await u.lastCode(`+86${p2}`)).code!;
    const email = 'both@example.com';
    await u.call('/contacts/start', { body: { kind: 'email', role: 'contact', email } });
    const code3 = (await u.lastCode(email)).code!;
    const results = await Promise.all([
      u.call('/contacts/confirm', {
        body: { kind: 'phone', role: 'contact', phone: { region: 'CN', number: p1 }, code: code1 },
      }),
      u.call('/contacts/confirm', {
        body: { kind: 'phone', role: 'contact', phone: { region: 'CN', number: p2 }, code: code2 },
      }),
      u.call('/contacts/confirm', { body: { kind: 'email', role: 'contact', email, code: code3 } }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const rows = await h.db
      .selectFrom('account_contacts as c')
      .innerJoin('accounts as a', 'a.id', 'c.account_id')
      .select(['c.kind', 'c.role', 'c.value'])
      .where('a.account_name', '=', u.accountName)
      .execute();
    expect(rows.filter((r) => r.role === 'contact' && r.kind === 'phone')).toHaveLength(1);
    expect(rows.filter((r) => r.role === 'contact' && r.kind === 'email').map((r) => r.value)).toEqual([email]);
  });

  it('is tenant-scoped: another tenant sees no session and no data', async () => {
    const u = await user();
    const { createTenant } = await import('../src/services/tenants.ts');
    const other = await createTenant(h.db, { slug: `sec-other-${n}`, origins: [] });
    const res = await u.call('/', { pk: other.publishableKey });
    expect(res.status).toBe(401);
    expect((await u.call('/step-up/start', { body: { method: 'phone' }, pk: other.publishableKey })).status).toBe(401);
  });

  it('records sign-ins and failed sign-ins in the audit log', async () => {
    const u = await user();
    await signInToken(u.accountName, 'Wrong#2026');
    await signInToken(u.accountName, u.password);
    const events = (await u.call('')).json.events.map(
      (e: { type: string; outcome: string }) => `${e.type}:${e.outcome}`,
    );
    expect(events.slice(0, 2)).toEqual(['sign_in:success', 'sign_in_failed:failure']);
  });
});
