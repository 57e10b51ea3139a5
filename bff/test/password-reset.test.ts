/**
 * Forgot password (docs/product.md#21-forgot-password): a code to the verified security phone or
 * email, the MFA code when a device is bound, a new password under the tenant's policy; every
 * session ends, locks are lifted, the security contacts are told. Unknown identifiers answer
 * exactly like known ones.
 */
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { backend, makeHarness, type Harness } from './harness.ts';
import { epochOf, userWithMfa } from './mfa-helpers.ts';

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const TOKEN = { 'x-jd-session-mode': 'token' };
const ipOf = () => `198.51.100.${(n % 250) + 1}`;

async function newUser(o: { email?: boolean; password?: string } = {}) {
  n++;
  const accountName = `reset_user_${n}`;
  const number = `1377777${String(n).padStart(4, '0')}`;
  const email = o.email ? `reset${n}@example.com` : undefined;
  const reg = await h.register(
    { accountName, number, password: o.password ?? 'Reset#2026x', ...(email ? { email } : {}) },
    { ip: `192.0.2.${n}`, headers: TOKEN },
  );
  expect(reg.status).toBe(201);
  if (email) {
    const [mail] = await readDevOutbox(h.db, { to: email, limit: 1 });
    const link = new URL(mail.link!);
    expect((await h.app.request(`${link.pathname}${link.search}`)).status).toBe(200);
  }
  return {
    accountName,
    number,
    phone: `+86${number}`,
    email,
    accountId: reg.json.account.id as string,
    token: reg.json.session.token as string,
  };
}

/** Reset codes are issued after the answer: wait for the newest one sent to `to`. */
async function resetCodeSentTo(to: string, after = 0): Promise<{ code: string; channel: string }> {
  for (let i = 0; i < 100; i++) {
    const [latest] = await readDevOutbox(h.db, { to, limit: 1 });
    if (latest?.code && latest.purpose === 'password_reset' && new Date(latest.createdAt ?? 0).getTime() >= after)
      return { code: latest.code, channel: latest.channel };
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`no reset code was sent to ${to}`);
}

const askCode = (identifier: string, channel = 'sms', ip = ipOf()) =>
  h.request('/v1/password-reset/code', { body: { identifier, channel }, ip, locale: 'en' });
const verify = (identifier: string, code: string, ip = ipOf()) =>
  h.request('/v1/password-reset/verify', { body: { identifier, code }, ip, locale: 'en' });
const reset = (body: Record<string, unknown>, o: { ip?: string; headers?: Record<string, string> } = {}) =>
  h.request('/v1/password-reset', { body, ip: o.ip ?? ipOf(), locale: 'en', headers: o.headers ?? TOKEN });
const signIn = (identifier: string, password: string) =>
  h.request('/v1/sessions', { body: { identifier, password }, ip: ipOf(), headers: TOKEN, locale: 'en' });
const errorOf = (res: { status: number; json: any }) => ({
  status: res.status,
  error: { ...res.json.error, requestId: undefined },
});

describe(`forgot password (${backend})`, () => {
  it('by SMS: a new password, every session ended, signed in with the new one; the contacts are told', async () => {
    const u = await newUser();
    const before = h.clock.now().getTime();
    const ask = await askCode(u.accountName);
    expect(ask.status).toBe(202);
    expect(ask.json).toEqual({ sent: true, expiresIn: 600, resendAfter: 60 });
    const { code, channel } = await resetCodeSentTo(u.phone, before);
    expect(channel).toBe('sms');
    const checked = await verify(u.accountName, code);
    expect([checked.status, checked.json]).toEqual([200, { mfaRequired: false }]);
    // the check did not use the code up: the reset goes on with it
    const done = await reset({ identifier: u.accountName, code, password: 'Brand#New2026' });
    expect(done.status).toBe(200);
    expect(done.json.reset).toBe(true);
    expect(done.json.account.accountName).toBe(u.accountName);
    expect(done.json.session.token).toEqual(expect.any(String));
    expect(done.json.accessToken).toBeDefined();
    // the session from registration is over; the old password is refused, the new one works
    expect(await h.sessionState({ token: u.token })).toBe('out');
    expect((await signIn(u.accountName, 'Reset#2026x')).json.error.code).toBe('invalid_credentials');
    expect((await signIn(u.accountName, 'Brand#New2026')).status).toBe(200);
    // a security notice to the phone, and the audit event
    const [notice] = await readDevOutbox(h.db, { to: u.phone, limit: 1 });
    expect(notice.purpose).toBe('security_notice');
    const events = await h.db
      .selectFrom('audit_events')
      .select(['type', 'detail'])
      .where('account_id', '=', u.accountId)
      .where('type', '=', 'password_reset')
      .execute();
    expect(events).toHaveLength(1);
    // the code is spent
    const again = await reset({ identifier: u.accountName, code, password: 'Other#New2026' });
    expect(again.json.error.code).toBe('code_invalid');
  });

  it('by email to the verified security email, with the phone as identifier; a cookie in cookie mode', async () => {
    const u = await newUser({ email: true });
    const before = h.clock.now().getTime();
    expect((await askCode(u.phone.replace('+86', ''), 'email')).status).toBe(202);
    const { code, channel } = await resetCodeSentTo(u.email!, before);
    expect(channel).toBe('email');
    const done = await reset(
      { identifier: u.email!, code, password: 'Mail#Reset2026' },
      { headers: { 'x-jd-session-mode': 'cookie' } },
    );
    expect(done.status).toBe(200);
    expect(done.headers.get('set-cookie')).toMatch(/jd_session[^=]*=/);
    expect(done.json.session.token).toBeUndefined();
  });

  it('an unverified email gets no code; the answer is the same', async () => {
    n++;
    const email = `unverified${n}@example.com`;
    const reg = await h.register({
      accountName: `reset_unverified_${n}`,
      number: `1377778${String(n).padStart(4, '0')}`,
      email,
    });
    expect(reg.status).toBe(201);
    const ask = await askCode(`reset_unverified_${n}`, 'email');
    expect(ask.status).toBe(202);
    await new Promise((r) => setTimeout(r, 200));
    const sent = await readDevOutbox(h.db, { to: email, limit: 5 });
    expect(sent.filter((m) => m.purpose === 'password_reset')).toHaveLength(0);
  });

  it('an unknown identifier answers exactly like a known one, in status, body and time', async () => {
    const u = await newUser();
    const known = await askCode(u.accountName, 'sms', '198.51.100.201');
    const unknown = await askCode('nobody_here_at_all', 'sms', '198.51.100.202');
    expect([unknown.status, unknown.json]).toEqual([known.status, known.json]);
    const wrongKnown = await verify(u.accountName, '000000', '198.51.100.203');
    const wrongUnknown = await verify('nobody_here_at_all', '000000', '198.51.100.204');
    expect(errorOf(wrongUnknown)).toEqual(errorOf(wrongKnown));
    expect(wrongKnown.json.error.code).toBe('code_invalid');
    const resetUnknown = await reset({ identifier: 'nobody_here_at_all', code: '000000', password: 'Brand#New2026' });
    const resetKnown = await reset({ identifier: u.accountName, code: '000000', password: 'Brand#New2026' });
    expect(errorOf(resetUnknown)).toEqual(errorOf(resetKnown));

    // timing of the code request: known and unknown in pairs (each from its own client, the order
    // alternating); the median of the pairs' differences is within a few ms, whatever load the
    // machine is under meanwhile (a slow moment slows both requests of its pair)
    const diffs: number[] = [];
    h.clock.advance(24 * 3600 + 1);
    for (let i = 0; i < 25; i++) {
      const pair = [
        ['known', u.accountName],
        ['unknown', `nobody_${i}`],
      ] as const;
      const took: Record<string, number> = {};
      for (const [kind, id] of i % 2 ? [...pair].reverse() : pair) {
        const t0 = performance.now();
        const res = await askCode(id, 'sms', `10.77.${i}.${kind === 'known' ? 1 : 2}`);
        took[kind] = performance.now() - t0;
        expect(res.status).toBe(202);
        // the code is issued after the answer: let that work end before the next request is timed
        await new Promise((r) => setTimeout(r, 80));
      }
      diffs.push(took.known - took.unknown);
      h.clock.advance(24 * 3600 + 1); // past the identifier's daily cap
    }
    const median = [...diffs].sort((a, b) => a - b)[Math.floor(diffs.length / 2)];
    expect(Math.abs(median)).toBeLessThan(5);
  });

  it('with MFA bound: the TOTP code is required, a recovery code works, a wrong one is refused at mfaCode', async () => {
    n++;
    const u = await userWithMfa(h, { number: `1377779${String(n).padStart(4, '0')}`, name: `reset_mfa_${n}` });
    const phone = `+86${u.number}`;
    let before = h.clock.now().getTime();
    expect((await askCode(u.name)).status).toBe(202);
    let { code } = await resetCodeSentTo(phone, before);
    expect((await verify(u.name, code)).json).toEqual({ mfaRequired: true });
    const without = await reset({ identifier: u.name, code, password: 'Brand#New2026' });
    expect(without.status).toBe(400);
    expect(without.json.error.fields).toEqual([expect.objectContaining({ path: 'mfaCode', code: 'required' })]);
    const wrong = await reset({ identifier: u.name, code, password: 'Brand#New2026', mfaCode: '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.fields[0].path).toBe('mfaCode');
    const totp = await generate({ secret: u.secret, epoch: epochOf(h.clock.now()) });
    const ok = await reset({ identifier: u.name, code, password: 'Brand#New2026', mfaCode: totp });
    expect(ok.status).toBe(200);
    // signed in fully: the MFA code was given
    expect(ok.json.mfaRequired).toBeUndefined();
    expect(await h.sessionState({ token: ok.json.session.token })).toBe('in');

    // again, with a recovery code
    h.clock.advance(61);
    before = h.clock.now().getTime();
    expect((await askCode(u.name, 'voice')).status).toBe(202);
    ({ code } = await resetCodeSentTo(phone, before));
    const byRecovery = await reset({
      identifier: u.name,
      code,
      password: 'Second#New2026',
      recoveryCode: u.recoveryCodes[0],
    });
    expect(byRecovery.status).toBe(200);
  });

  it('with MFA bound and the device lost: the code opens the MFA step, from which the application is asked', async () => {
    n++;
    const u = await userWithMfa(h, { number: `1377780${String(n).padStart(4, '0')}`, name: `reset_lost_${n}` });
    const before = h.clock.now().getTime();
    expect((await askCode(u.name)).status).toBe(202);
    const { code } = await resetCodeSentTo(`+86${u.number}`, before);
    const lost = await h.request('/v1/password-reset/lost-device', {
      body: { identifier: u.name, code },
      headers: TOKEN,
      locale: 'en',
    });
    expect(lost.status).toBe(200);
    expect(lost.json.mfaRequired).toBe(true);
    const pending = lost.json.session.token as string;
    expect(await h.sessionState({ token: pending })).toBe('mfa_required');
    const eligibility = await h.request('/v1/mfa-recovery', { token: pending, locale: 'en' });
    expect(eligibility.status).toBe(200);
    // the code was used up
    const reused = await reset({
      identifier: u.name,
      code,
      password: 'Brand#New2026',
      recoveryCode: u.recoveryCodes[0],
    });
    expect(reused.json.error.code).toBe('code_invalid');
    // an account without MFA has no lost device
    const plain = await newUser();
    h.clock.advance(61);
    const t = h.clock.now().getTime();
    await askCode(plain.accountName);
    const c2 = (await resetCodeSentTo(plain.phone, t)).code;
    const refused = await h.request('/v1/password-reset/lost-device', {
      body: { identifier: plain.accountName, code: c2 },
    });
    expect(refused.json.error.code).toBe('mfa_not_bound');
  });

  it("lifts the account's lock, under the tenant's policy, and the password may not be the account name", async () => {
    const u = await newUser();
    // lock the account: 20 wrong passwords from many clients
    for (let i = 0; i < 20; i++)
      await h.request('/v1/sessions', {
        body: { identifier: u.accountName, password: `Wrong#${i}pass` },
        ip: `10.88.${i}.9`,
        locale: 'en',
      });
    expect((await signIn(u.accountName, 'Reset#2026x')).json.error.code).toBe('account_locked');
    const before = h.clock.now().getTime();
    await askCode(u.accountName);
    const { code } = await resetCodeSentTo(u.phone, before);
    const weak = await reset({ identifier: u.accountName, code, password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.json.error.fields.map((f: { path: string }) => f.path)).toContain('password');
    const sameAsName = await reset({ identifier: u.accountName, code, password: `${u.accountName}A#1` });
    expect(sameAsName.status === 400 || sameAsName.status === 200).toBe(true);
    const equal = await reset({ identifier: u.accountName, code, password: u.accountName });
    expect(equal.status).toBe(400);
    const ok = await reset({ identifier: u.accountName, code, password: 'Unlocked#2026' });
    if (sameAsName.status !== 200) expect(ok.status).toBe(200);
    expect(
      (await signIn(u.accountName, sameAsName.status === 200 ? `${u.accountName}A#1` : 'Unlocked#2026')).status,
    ).toBe(200);
  });

  it('with the tenant setting off, the reset does not sign in', async () => {
    await h.setTenantConfig({ passwordReset: { signInAfter: false } });
    try {
      const u = await newUser();
      const before = h.clock.now().getTime();
      await askCode(u.accountName);
      const { code } = await resetCodeSentTo(u.phone, before);
      const done = await reset({ identifier: u.accountName, code, password: 'Quiet#Reset2026' });
      expect([done.status, done.json]).toEqual([200, { reset: true }]);
      expect(done.headers.get('set-cookie')).toBeNull();
    } finally {
      await h.setTenantConfig({ passwordReset: { signInAfter: true } });
    }
  });

  it('one code resets once under a burst of 20, and codes of other purposes do not reset', async () => {
    const u = await newUser();
    const before = h.clock.now().getTime();
    await askCode(u.accountName);
    const { code } = await resetCodeSentTo(u.phone, before);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        reset({ identifier: u.accountName, code, password: `Burst#${i}x2026` }, { ip: `10.99.0.${i + 1}` }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status >= 500)).toHaveLength(0);
    // an unlock code to the same phone is not a reset code
    h.clock.advance(61);
    const t = h.clock.now().getTime();
    await h.request('/v1/sessions/unlock/code', {
      body: { identifier: u.accountName, channel: 'sms' },
      ip: '10.99.1.1',
    });
    let unlockCode = '';
    for (let i = 0; i < 100 && !unlockCode; i++) {
      const [m] = await readDevOutbox(h.db, { to: u.phone, limit: 1 });
      if (m?.purpose === 'unlock' && new Date(m.createdAt ?? 0).getTime() >= t) unlockCode = m.code!;
      else await new Promise((r) => setTimeout(r, 30));
    }
    expect(unlockCode).not.toBe('');
    const cross = await reset({ identifier: u.accountName, code: unlockCode, password: 'Cross#Purpose2026' });
    expect(cross.json.error.code).toBe('code_invalid');
  });

  it('codes: one a minute per identifier, known or not; checks are capped per identifier', async () => {
    const u = await newUser();
    expect((await askCode(u.accountName, 'sms', '10.66.0.1')).status).toBe(202);
    const second = await askCode(u.accountName, 'sms', '10.66.0.2');
    expect(second.status).toBe(429);
    expect((await askCode('nobody_minute', 'sms', '10.66.0.3')).status).toBe(202);
    expect((await askCode('nobody_minute', 'sms', '10.66.0.4')).status).toBe(429);
    // wrong codes from 100 clients at once: at most the identifier's cap are checked
    const burst = await Promise.all(
      Array.from({ length: 100 }, (_, i) => verify(u.accountName, String(100000 + i), `10.65.${i}.1`)),
    );
    expect(burst.filter((r) => r.status >= 500)).toHaveLength(0);
    const limited = burst.filter((r) => r.status === 429).length;
    expect(limited).toBeGreaterThanOrEqual(80);
  });

  it('hostile input: NUL, lone surrogates, a huge body, no key — 4xx, nothing changes', async () => {
    const u = await newUser();
    for (const identifier of [`${u.accountName}\u0000`, '\ud800abc', 'x'.repeat(400)]) {
      const res = await askCode(identifier);
      expect(res.status).toBe(400);
    }
    expect(
      (await h.request('/v1/password-reset/code', { body: { identifier: u.accountName, channel: 'fax' } })).status,
    ).toBe(400);
    const huge = await h.request('/v1/password-reset', {
      rawBody: `{"identifier":"${'a'.repeat(300_000)}"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    const noKey = await h.request('/v1/password-reset/code', {
      body: { identifier: u.accountName, channel: 'sms' },
      pk: null,
    });
    expect(noKey.status).toBe(401);
  });
});
