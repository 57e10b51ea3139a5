/**
 * Sign-in with a phone code (bff/src/services/phone-sign-in.ts, docs/product.md#22-sign-in-with-a-phone-code):
 * a code to a phone that signs in to one account, in a region the tenant allows for it; the same
 * answer for any phone; the code is checked under the sign-in limits and used once.
 */
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { backend, cookieFrom, makeHarness, ORIGIN, type Harness } from './harness.ts';
import { epochOf, userWithMfa } from './mfa-helpers.ts';

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

/** A client address of its own for each call site that asks for it (the per-client caps stay out of the way). */
let ipSeq = 0;
const freshIp = () => {
  ipSeq++;
  return `10.77.${Math.floor(ipSeq / 250)}.${(ipSeq % 250) + 1}`;
};

const phoneOf = (number: string, region = 'CN') => ({ region, number });

const askCode = (number: string, o: { ip?: string; region?: string; channel?: string } = {}) =>
  h.request('/v1/sessions/phone-code/code', {
    body: { phone: phoneOf(number, o.region), ...(o.channel ? { channel: o.channel } : {}) },
    ip: o.ip ?? freshIp(),
    locale: 'en',
  });

const signInWith = (
  number: string,
  code: string,
  o: { ip?: string; mode?: 'token' | 'cookie'; region?: string } = {},
) =>
  h.request('/v1/sessions/phone-code', {
    body: { phone: phoneOf(number, o.region), code },
    ip: o.ip ?? freshIp(),
    locale: 'en',
    ...((o.mode ?? 'token') === 'token' ? { headers: { 'x-jd-session-mode': 'token' } } : { origin: ORIGIN }),
  });

async function newUser(opts: { number?: string; name?: string } = {}) {
  n++;
  const accountName = opts.name ?? `phone_user_${n}`;
  const number = opts.number ?? `1395555${String(n).padStart(4, '0')}`;
  const reg = await h.register(
    { accountName, number, password: 'Phone#2026x' },
    { ip: `192.0.2.${n}`, headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(reg.status).toBe(201);
  return { accountName, number, accountId: reg.json.account.id as string, token: reg.json.session.token as string };
}

/** The newest sign-in code sent to a phone after `after` (ms): codes are issued after the answer, so wait for it. */
async function codeSentTo(number: string, after = 0): Promise<{ code: string; channel: string }> {
  for (let i = 0; i < 100; i++) {
    const [latest] = await readDevOutbox(h.db, { to: `+86${number}`, limit: 1 });
    if (latest?.code && latest.purpose === 'phone_sign_in' && new Date(latest.createdAt ?? 0).getTime() >= after)
      return { code: latest.code, channel: latest.channel };
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`no sign-in code was sent to +86${number}`);
}

/** Sign-in codes issued for a phone (any account), once the asynchronous issuing had time to run. */
async function signInCodesFor(number: string) {
  await new Promise((r) => setTimeout(r, 300));
  const rows = await h.db
    .selectFrom('verification_codes')
    .select('id')
    .where('target', '=', `+86${number}`)
    .where('purpose', '=', 'phone_sign_in')
    .execute();
  return rows.length;
}

/** An answer without its request id, to compare two answers. */
const answerOf = (res: { status: number; json: any }) => ({
  status: res.status,
  json: res.json?.error ? { error: { ...res.json.error, requestId: undefined } } : res.json,
});

describe(`sign-in with a phone code (${backend})`, () => {
  it('signs in with the code in token mode, then in cookie mode, and audits the method', async () => {
    const u = await newUser();
    const asked = await askCode(u.number);
    expect(asked.status).toBe(202);
    expect(asked.json).toEqual({ sent: true, expiresIn: expect.any(Number), resendAfter: expect.any(Number) });
    const { code, channel } = await codeSentTo(u.number);
    expect(channel).toBe('sms');
    const res = await signInWith(u.number, code);
    expect(res.status).toBe(200);
    expect(res.json.account.accountName).toBe(u.accountName);
    expect(res.json.mfaRequired).toBeUndefined();
    expect(res.json.session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await h.sessionState({ token: res.json.session.token })).toBe('in');

    h.clock.advance(61);
    const after = h.clock.now().getTime();
    expect((await askCode(u.number, { channel: 'voice' })).status).toBe(202);
    const voice = await codeSentTo(u.number, after);
    expect(voice.channel).toBe('voice');
    const cookieRes = await signInWith(u.number, voice.code, { mode: 'cookie' });
    expect(cookieRes.status).toBe(200);
    expect(cookieRes.json.session.token).toBeUndefined();
    const cookie = cookieFrom(cookieRes.headers.get('set-cookie'));
    expect(cookie).toMatch(/jd_session/);
    expect(await h.sessionState({ cookie })).toBe('in');

    const events = await h.db
      .selectFrom('audit_events')
      .select(['detail'])
      .where('account_id', '=', u.accountId)
      .where('type', '=', 'sign_in')
      .where('outcome', '=', 'success')
      .execute();
    const methods = events.map((e) => (e.detail as Record<string, unknown>).method).filter(Boolean);
    expect(methods).toEqual(['phone_code', 'phone_code']);
    const modes = events
      .filter((e) => (e.detail as Record<string, unknown>).method === 'phone_code')
      .map((e) => (e.detail as Record<string, unknown>).mode)
      .sort();
    expect(modes).toEqual(['cookie', 'token']);
  });

  it('asks for the MFA code after the phone code when MFA is bound', async () => {
    n++;
    const u = await userWithMfa(h, { number: `1395555${String(n).padStart(4, '0')}`, name: `phone_mfa_${n}` });
    h.clock.advance(61);
    const after = h.clock.now().getTime();
    expect((await askCode(u.number)).status).toBe(202);
    const { code } = await codeSentTo(u.number, after);
    const pending = await signInWith(u.number, code);
    expect(pending.status).toBe(200);
    expect(pending.json.mfaRequired).toBe(true);
    const token = pending.json.session.token as string;
    expect(await h.sessionState({ token })).toBe('mfa_required');
    const totp = await generate({ secret: u.secret, epoch: epochOf(h.clock.now()) });
    const done = await h.request('/v1/sessions/mfa', { token, body: { code: totp }, locale: 'en' });
    expect(done.status).toBe(200);
    expect(done.json.mfaRequired).toBeUndefined();
    expect(await h.sessionState({ token: done.json.session.token })).toBe('in');
  });

  it('answers an unknown phone exactly as a known one, and sends it nothing', async () => {
    const u = await newUser();
    const unknown = '13955559999';
    const known = await askCode(u.number);
    const stranger = await askCode(unknown);
    expect(answerOf(stranger)).toEqual(answerOf(known));
    await codeSentTo(u.number);
    expect(await signInCodesFor(unknown)).toBe(0);
    const refused = await signInWith(unknown, '123456');
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('code_invalid');
    expect(refused.json.error.fields).toEqual([expect.objectContaining({ path: 'code', code: 'code_invalid' })]);
    // the limits answer alike too: a second code within the minute
    const againKnown = await askCode(u.number);
    const againUnknown = await askCode(unknown);
    expect(againKnown.status).toBe(429);
    expect(againKnown.json.error.code).toBe('too_many_attempts');
    expect(answerOf(againUnknown)).toEqual(answerOf(againKnown));
  });

  it('a phone shared by several accounts signs in to its holder only, and to none once no account holds it', async () => {
    const shared = '13955558801';
    const alice = await newUser({ number: shared, name: 'phone_alice' });
    h.clock.advance(61);
    const bob = await newUser({ number: shared, name: 'phone_bob' });
    h.clock.advance(61);
    const carol = await newUser({ number: shared, name: 'phone_carol' });
    // alice bound it first: the code signs in to her
    h.clock.advance(61);
    let after = h.clock.now().getTime();
    expect((await askCode(shared)).status).toBe(202);
    const first = await codeSentTo(shared, after);
    const res = await signInWith(shared, first.code);
    expect(res.status).toBe(200);
    expect(res.json.account.accountName).toBe('phone_alice');

    // alice moves her security phone away: bob and carol both verified it, so it signs in to neither
    const call = (path: string, body: unknown) =>
      h.request(`/v1/security${path}`, { token: alice.token, body, locale: 'en' });
    h.clock.advance(61);
    after = h.clock.now().getTime();
    expect((await call('/step-up/start', { method: 'phone' })).status).toBe(202);
    const [stepUpCode] = await readDevOutbox(h.db, { to: `+86${shared}`, limit: 1 });
    expect((await call('/step-up/verify', { method: 'phone', code: stepUpCode.code })).status).toBe(200);
    const next = '13955558802';
    const body = { kind: 'phone', role: 'security', phone: phoneOf(next) };
    expect((await call('/contacts/start', body)).status).toBe(202);
    const [changeCode] = await readDevOutbox(h.db, { to: `+86${next}`, limit: 1 });
    const changed = await call('/contacts/confirm', { ...body, code: changeCode.code });
    expect(changed.status).toBe(200);
    const holders = await h.db
      .selectFrom('account_contacts')
      .select(['account_id', 'can_sign_in'])
      .where('value', '=', `+86${shared}`)
      .execute();
    expect(holders.map((r) => r.account_id).sort()).toEqual([bob.accountId, carol.accountId].sort());
    expect(holders.every((r) => !r.can_sign_in)).toBe(true);

    const before = await signInCodesFor(shared);
    h.clock.advance(61);
    expect((await askCode(shared)).status).toBe(202);
    expect(await signInCodesFor(shared)).toBe(before); // nothing sent
    const refused = await signInWith(shared, first.code);
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('code_invalid');
    // alice's new phone signs in to her
    after = h.clock.now().getTime();
    expect((await askCode(next)).status).toBe(202);
    expect((await signInWith(next, (await codeSentTo(next, after)).code)).json.account.accountName).toBe('phone_alice');
  });

  it('refuses a region outside the setting with phone_code_sign_in_unavailable; [] turns it off', async () => {
    await h.setTenantConfig({ phoneRegions: ['CN', 'HK'] });
    try {
      const hk = await askCode('91234567', { region: 'HK' });
      expect(hk.status).toBe(400);
      expect(hk.json.error.code).toBe('phone_code_sign_in_unavailable');
      expect(hk.json.error.message).toBe(
        'Signing in with a code is not available for this phone number. Sign in with your password.',
      );
      const zh = await h.request('/v1/sessions/phone-code/code', {
        body: { phone: phoneOf('91234567', 'HK') },
        ip: freshIp(),
        locale: 'zh-CN',
      });
      expect(zh.json.error.message).toBe('该手机号不支持验证码登录，请使用密码登录。');
      expect((await signInWith('91234567', '123456', { region: 'HK' })).json.error.code).toBe(
        'phone_code_sign_in_unavailable',
      );
      expect((await h.request('/v1/config')).json.phoneCodeSignIn).toEqual({ regions: ['CN'] });

      await h.setTenantConfig({ phoneCodeSignIn: { regions: ['HK'] } });
      expect((await askCode('91234567', { region: 'HK' })).status).toBe(202);
      expect((await askCode('13955557777')).json.error.code).toBe('phone_code_sign_in_unavailable');

      await h.setTenantConfig({ phoneCodeSignIn: { regions: [] } });
      expect((await askCode('13955557778')).json.error.code).toBe('phone_code_sign_in_unavailable');
      expect((await h.request('/v1/config')).json.phoneCodeSignIn).toEqual({ regions: [] });
    } finally {
      await h.setTenantConfig({ phoneRegions: ['CN'], phoneCodeSignIn: { regions: ['CN'] } });
    }
  });

  it('a wrong code is refused and counted; the right one then signs in', async () => {
    const u = await newUser();
    expect((await askCode(u.number)).status).toBe(202);
    const { code } = await codeSentTo(u.number);
    const wrong = code === '000000' ? '000001' : '000000';
    const refused = await signInWith(u.number, wrong);
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('code_invalid');
    const row = await h.db
      .selectFrom('verification_codes')
      .select('attempts')
      .where('account_id', '=', u.accountId)
      .where('purpose', '=', 'phone_sign_in')
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
    const failed = await h.db
      .selectFrom('audit_events')
      .select('detail')
      .where('account_id', '=', u.accountId)
      .where('type', '=', 'sign_in_failed')
      .execute();
    expect(failed.map((e) => e.detail)).toEqual([{ reason: 'code_invalid', method: 'phone_code' }]);
    expect((await signInWith(u.number, code)).status).toBe(200);
  });

  it('uses a code once: of 20 concurrent sign-ins with it exactly one succeeds', async () => {
    const u = await newUser();
    expect((await askCode(u.number)).status).toBe(202);
    const { code } = await codeSentTo(u.number);
    const burst = await Promise.all(Array.from({ length: 20 }, () => signInWith(u.number, code)));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(1);
    expect(
      burst.filter((r) => r.status !== 200).every((r) => r.status === 400 && r.json.error.code === 'code_invalid'),
    ).toBe(true);
    expect((await signInWith(u.number, code)).json.error.code).toBe('code_invalid');
  });

  it('sends one code a minute per phone and 20 an hour per client', async () => {
    const u = await newUser();
    expect((await askCode(u.number)).status).toBe(202);
    const again = await askCode(u.number);
    expect(again.status).toBe(429);
    expect(again.json.error.code).toBe('too_many_attempts');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    const ip = freshIp();
    const statuses = [];
    for (let i = 0; i < 21; i++)
      statuses.push((await askCode(`139555560${String(i).padStart(2, '0')}`, { ip })).status);
    expect(statuses.slice(0, 20).every((s) => s === 202)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('a code for another purpose does not sign in: registration, unlock', async () => {
    const u = await newUser();
    // a registration code sent to the same phone
    h.clock.advance(61);
    const { code: registerCode } = await h.sendCode(u.number, { ip: freshIp() });
    expect(registerCode).toBeTruthy();
    expect((await signInWith(u.number, registerCode!)).json.error.code).toBe('code_invalid');
    // an unlock code to the account's security phone
    h.clock.advance(61);
    const after = h.clock.now().getTime();
    expect(
      (
        await h.request('/v1/sessions/unlock/code', {
          body: { identifier: u.accountName, channel: 'sms' },
          ip: freshIp(),
        })
      ).status,
    ).toBe(202);
    let unlockCode: string | null = null;
    for (let i = 0; i < 100 && !unlockCode; i++) {
      const [latest] = await readDevOutbox(h.db, { to: `+86${u.number}`, limit: 1 });
      if (latest?.purpose === 'unlock' && new Date(latest.createdAt ?? 0).getTime() >= after) unlockCode = latest.code;
      else await new Promise((r) => setTimeout(r, 30));
    }
    expect(unlockCode).toBeTruthy();
    expect((await signInWith(u.number, unlockCode!)).json.error.code).toBe('code_invalid');
    // and a sign-in code is no unlock code
    expect((await askCode(u.number)).status).toBe(202);
    const { code } = await codeSentTo(u.number, after);
    const unlock = await h.request('/v1/sessions/unlock', {
      body: { identifier: u.accountName, code },
      ip: freshIp(),
    });
    expect(unlock.json.error.code).toBe('code_invalid');
    expect((await signInWith(u.number, code)).status).toBe(200);
  });

  it('refuses a disabled account only after the right code', async () => {
    const u = await newUser();
    await h.db.updateTable('accounts').set({ disabled_at: h.clock.now() }).where('id', '=', u.accountId).execute();
    expect((await askCode(u.number)).status).toBe(202);
    const { code } = await codeSentTo(u.number);
    expect((await signInWith(u.number, '999999')).json.error.code).toBe('code_invalid');
    expect((await signInWith(u.number, code)).json.error.code).toBe('account_disabled');
  });

  it('refuses hostile input: NUL in the number is text_invalid_chars', async () => {
    const nul = await h.request('/v1/sessions/phone-code/code', {
      body: { phone: { region: 'CN', number: '139\u00005555' } },
      ip: freshIp(),
    });
    expect(nul.status).toBe(400);
    expect(nul.json.error.fields).toEqual([
      expect.objectContaining({ path: 'phone.number', code: 'text_invalid_chars' }),
    ]);
    const signIn = await h.request('/v1/sessions/phone-code', {
      body: { phone: { region: 'CN', number: '139\u00005555' }, code: '123456' },
      ip: freshIp(),
    });
    expect(signIn.status).toBe(400);
    expect(signIn.json.error.fields).toEqual([
      expect.objectContaining({ path: 'phone.number', code: 'text_invalid_chars' }),
    ]);
    const badCode = await signInWith('13955550001', '12\u00003456');
    expect(badCode.status).toBe(400);
    expect(badCode.json.error.fields[0]).toMatchObject({ path: 'code', code: 'text_invalid_chars' });
  });
});
