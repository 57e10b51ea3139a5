/**
 * Attempt limits (bff/src/services/limits.ts, docs/security.md#attempt-limits): every capped secret is
 * reserved before it is checked, so concurrent bursts never check more than the cap; a stranger
 * cannot keep the owner out (per-client throttles; a lock the owner lifts with a code); locked,
 * throttled, unknown and known identifiers answer alike.
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

const signIn = (identifier: string, password: string, ip = '203.0.113.7') =>
  h.request('/v1/sessions', {
    body: { identifier, password },
    ip,
    headers: { 'x-jd-session-mode': 'token' },
    locale: 'en',
  });
/** A distinct client address per call (the harness trusts X-Forwarded-For). */
const ipOf = (i: number) => `10.${Math.floor(i / 250) % 250}.${i % 250}.${(n % 200) + 1}`;

async function newUser(password = 'Limit#2026x') {
  n++;
  const accountName = `limit_user_${n}`;
  const number = `1393333${String(n).padStart(4, '0')}`;
  const reg = await h.register(
    { accountName, number, password },
    { ip: `192.0.2.${n}`, headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(reg.status).toBe(201);
  return {
    accountName,
    number,
    password,
    accountId: reg.json.account.id as string,
    token: reg.json.session.token as string,
  };
}

async function failures(accountId: string, type = 'sign_in_failed') {
  const rows = await h.db
    .selectFrom('audit_events')
    .select('id')
    .where('account_id', '=', accountId)
    .where('type', '=', type as never)
    .where('outcome', '=', 'failure')
    .execute();
  return rows.length;
}

/** The newest unlock code sent to a phone/email: unlock codes are issued after the answer, so wait for it. */
async function codeSentTo(to: string, after = 0): Promise<{ code: string; channel: string }> {
  for (let i = 0; i < 100; i++) {
    const [latest] = await readDevOutbox(h.db, { to, limit: 1 });
    if (latest?.code && latest.purpose === 'unlock' && new Date(latest.createdAt ?? 0).getTime() >= after)
      return { code: latest.code, channel: latest.channel };
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`no code was sent to ${to}`);
}

/** The error of an answer without its request id, to compare two answers. */
const errorOf = (res: { status: number; json: any }) => ({
  status: res.status,
  error: { ...res.json.error, requestId: undefined },
});

describe(`attempt limits (${backend})`, () => {
  it('100 concurrent wrong passwords from one client check 5, and a right one in the burst cannot add a sixth check', async () => {
    const u = await newUser();
    const burst = await Promise.all([
      ...Array.from({ length: 99 }, (_, i) => signIn(u.accountName, `Wrong#${i}x`, '198.51.100.1')),
      signIn(u.accountName, u.password, '198.51.100.1'),
    ]);
    const checked = burst.filter((r) => r.status !== 429).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(await failures(u.accountId)).toBe(burst.filter((r) => r.status === 401).length);
    expect(
      burst
        .filter((r) => r.status === 429)
        .every((r) => r.json.error.code === 'too_many_attempts' && Number(r.headers.get('retry-after')) > 0),
    ).toBe(true);
    // the owner from elsewhere is not kept out
    expect((await signIn(u.accountName, u.password, '198.51.100.2')).status).toBe(200);
  });

  it('the delay grows with every further failure from the same client', async () => {
    const u = await newUser();
    const ip = '198.51.100.3';
    for (let i = 0; i < 5; i++) expect((await signIn(u.accountName, `Wrong#${i}x`, ip)).status).toBe(401);
    expect((await signIn(u.accountName, 'Wrong#5x', ip)).json.error.params.seconds).toBe(30);
    h.clock.advance(30);
    expect((await signIn(u.accountName, 'Wrong#6x', ip)).status).toBe(401); // one more try after the delay
    expect((await signIn(u.accountName, 'Wrong#7x', ip)).json.error.params.seconds).toBe(60);
    h.clock.advance(60);
    expect((await signIn(u.accountName, 'Wrong#8x', ip)).status).toBe(401);
    expect((await signIn(u.accountName, u.password, ip)).json.error.params.seconds).toBe(120);
    h.clock.advance(15 * 60);
  });

  it('100 concurrent wrong passwords from 100 clients check 20, then the account is locked for everyone; the owner unlocks it with a code', async () => {
    const u = await newUser();
    const burst = await Promise.all(
      Array.from({ length: 100 }, (_, i) => signIn(u.accountName, `Wrong#${i}x`, ipOf(i))),
    );
    expect(burst.filter((r) => r.status === 401)).toHaveLength(20);
    expect(await failures(u.accountId)).toBe(20);
    const locked = await signIn(u.accountName, u.password, '198.51.100.20');
    expect(locked.status).toBe(429);
    expect(locked.json.error).toMatchObject({ code: 'account_locked', params: { minutes: 15 } });
    expect(locked.json.error.message).toContain('unlock');

    // the owner asks for a code (the same answer an unknown name gets) and unlocks
    const ask = await h.request('/v1/sessions/unlock/code', {
      body: { identifier: u.accountName, channel: 'sms' },
      ip: '198.51.100.20',
    });
    const askUnknown = await h.request('/v1/sessions/unlock/code', {
      body: { identifier: 'nobody_at_all', channel: 'sms' },
      ip: '198.51.100.21',
    });
    expect(ask.status).toBe(202);
    expect(askUnknown.status).toBe(202);
    expect(ask.json).toEqual(askUnknown.json);
    const { code } = await codeSentTo(`+86${u.number}`);
    const wrong = await h.request('/v1/sessions/unlock', {
      body: { identifier: u.accountName, code: code === '000000' ? '111111' : '000000' },
      ip: '198.51.100.20',
    });
    const unknown = await h.request('/v1/sessions/unlock', {
      body: { identifier: 'nobody_at_all', code },
      ip: '198.51.100.21',
    });
    expect(errorOf(wrong)).toEqual(errorOf(unknown));
    expect(wrong.json.error.code).toBe('code_invalid');
    const unlocked = await h.request('/v1/sessions/unlock', {
      body: { identifier: u.accountName, code },
      ip: '198.51.100.20',
    });
    expect(unlocked.status).toBe(200);
    expect(unlocked.json).toEqual({ unlocked: true });
    expect(
      (await h.request('/v1/sessions/unlock', { body: { identifier: u.accountName, code }, ip: '198.51.100.20' })).json
        .error.code,
    ).toBe('code_invalid'); // single use
    expect((await signIn(u.accountName, u.password, '198.51.100.20')).status).toBe(200);
    const events = await h.db
      .selectFrom('audit_events')
      .select('type')
      .where('account_id', '=', u.accountId)
      .where('type', '=', 'account_unlocked')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('a locked or throttled unknown identifier answers exactly like a registered one', async () => {
    const u = await newUser();
    for (const who of [u.accountName, 'never_registered_9']) {
      for (let i = 0; i < 20; i++) await signIn(who, `Wrong#${i}x`, ipOf(i + 300));
    }
    const known = await signIn(u.accountName, 'Wrong#x1', '198.51.100.30');
    const unknown = await signIn('never_registered_9', 'Wrong#x1', '198.51.100.30');
    expect(known.status).toBe(429);
    expect(errorOf(known)).toEqual(errorOf(unknown));
    expect(known.headers.get('retry-after')).toBe(unknown.headers.get('retry-after'));
    // throttled per client, alike too: a registered phone and one bound to no account
    const v = await newUser();
    const phone = '+8613944449999';
    for (let i = 0; i < 5; i++) {
      await signIn(v.number, `Wrong#${i}y`, '198.51.100.31');
      await signIn(phone, `Wrong#${i}y`, '198.51.100.32');
    }
    const a = await signIn(v.number, 'Wrong#5y', '198.51.100.31');
    const b = await signIn(phone, 'Wrong#5y', '198.51.100.32');
    expect(a.status).toBe(429);
    expect(errorOf(a)).toEqual(errorOf(b));
    h.clock.advance(15 * 60 + 1);
  });

  it('one client address is limited across accounts and identifiers (spraying), others are not', async () => {
    const ip = '198.51.100.40';
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => signIn(`spray_target_${i}`, 'Summer#2026', ip)),
    );
    expect(answers.filter((r) => r.status === 401)).toHaveLength(50);
    expect(answers.filter((r) => r.status === 429).every((r) => r.json.error.code === 'too_many_attempts')).toBe(true);
    expect((await signIn('spray_target_0', 'Summer#2026', '198.51.100.41')).status).toBe(401);
    h.clock.advance(3600);
  });

  it('a phone shared by several accounts: failures go to the account tried, under its limits; the right password of another says "use the account name"', async () => {
    const first = await newUser('First#2026x');
    n++;
    h.clock.advance(61); // the phone's code cooldown
    const second = await h.register(
      { accountName: `limit_user_${n}`, number: first.number, password: 'Second#2026x' },
      { ip: `192.0.2.${n}`, headers: { 'x-jd-session-mode': 'token' } },
    );
    const secondId = second.json.account.id as string;
    expect((await signIn(first.number, 'Second#2026x', '198.51.100.50')).json.error.code).toBe(
      'identifier_multiple_accounts',
    );
    expect((await signIn(first.number, 'First#2026x', '198.51.100.50')).status).toBe(200);
    expect((await signIn(first.number, 'Nobody#2026x', '198.51.100.50')).json.error.code).toBe('invalid_credentials');
    // the first account's password was tried (and failed) both times; the second's only the last time
    expect(await failures(first.accountId)).toBe(2);
    expect(await failures(secondId)).toBe(1);
    // the shared phone obeys the throttle like any identifier
    for (let i = 0; i < 4; i++) await signIn(first.number, `Wrong#${i}z`, '198.51.100.50');
    expect((await signIn(first.number, 'First#2026x', '198.51.100.50')).json.error.code).toBe('too_many_attempts');
    h.clock.advance(15 * 60 + 1);
  });

  it('100 concurrent wrong MFA codes on one pending session check 5 and end it', async () => {
    const u = await userWithMfa(h, { number: '13933339001', name: 'limit_mfa_1' });
    const pending = await signIn(u.name, u.password, '198.51.100.60');
    const token = pending.json.session.token as string;
    const burst = await Promise.all(
      Array.from({ length: 100 }, () =>
        h.request('/v1/sessions/mfa', { token, body: { code: '000000' }, ip: '198.51.100.60' }),
      ),
    );
    expect(await failures(u.accountId, 'mfa_failed')).toBeLessThanOrEqual(5);
    expect(burst.some((r) => r.json.error.code === 'mfa_too_many_attempts')).toBe(true);
    expect(burst.every((r) => r.status < 500)).toBe(true);
    expect(
      (
        await h.request('/v1/sessions/mfa', {
          token,
          body: { code: await generate({ secret: u.secret, epoch: epochOf(h.clock.now()) }) },
        })
      ).status,
    ).toBe(401);
  });

  it('secrets behind a session are capped under bursts, and their failures never lock the sign-in', async () => {
    const u = await userWithMfa(h, { number: '13933339002', name: 'limit_mfa_2' });
    const ip = '198.51.100.70';
    const stepUp = () =>
      h.request('/v1/security/step-up/verify', {
        token: u.token,
        body: { method: 'totp', code: '000000' },
        ip,
        locale: 'en',
      });
    const burst = await Promise.all(Array.from({ length: 50 }, stepUp));
    expect(burst.filter((r) => r.status === 400)).toHaveLength(5);
    expect(burst.filter((r) => r.status === 429).every((r) => r.json.error.code === 'too_many_attempts')).toBe(true);
    // the current password at a password change shares that cap (5 wrong already): refused before any check
    const change = await h.request('/v1/security/password', {
      token: u.token,
      body: { currentPassword: 'Wrong#2026x', newPassword: 'Brand#New2026' },
      ip,
      locale: 'en',
    });
    expect(change.status).toBe(429);
    // the owner's sign-in is untouched
    expect((await signIn(u.name, u.password, ip)).json.mfaRequired).toBe(true);
    h.clock.advance(15 * 60 + 1);
  });

  it('30 concurrent wrong current passwords at a password change check 5', async () => {
    const u = await newUser();
    // step-up by a code to the security phone
    await h.request('/v1/security/step-up/start', { token: u.token, body: { method: 'phone', channel: 'sms' } });
    const code = (await readDevOutbox(h.db, { to: `+86${u.number}`, limit: 1 }))[0].code!;
    expect(
      (await h.request('/v1/security/step-up/verify', { token: u.token, body: { method: 'phone', code } })).status,
    ).toBe(200);
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        h.request('/v1/security/password', {
          token: u.token,
          body: { currentPassword: `Wrong#${i}x`, newPassword: 'Brand#New2026' },
          ip: '198.51.100.80',
        }),
      ),
    );
    expect(burst.filter((r) => r.json?.error?.code === 'password_incorrect')).toHaveLength(5);
    expect(await failures(u.accountId, 'password_changed')).toBe(5);
    expect((await signIn(u.accountName, u.password, '198.51.100.80')).status).toBe(200);
    h.clock.advance(15 * 60 + 1);
  });

  it('limits account-name look-ups per client', async () => {
    const ip = '198.51.100.90';
    const answers = await Promise.all(
      Array.from({ length: 70 }, (_, i) => h.request(`/v1/account-names/availability?name=free_name_${i}`, { ip })),
    );
    expect(answers.filter((r) => r.status === 200)).toHaveLength(60);
    expect(
      answers
        .filter((r) => r.status === 429)
        .every((r) => r.json.error.code === 'too_many_attempts' && r.headers.get('retry-after')),
    ).toBe(true);
    expect((await h.request('/v1/account-names/availability?name=free_name_x', { ip: '198.51.100.91' })).status).toBe(
      200,
    );
  });

  it('unlock codes: one a minute per identifier, known or not, and the answer never names the target', async () => {
    const u = await newUser();
    const ask = (identifier: string, ip: string) =>
      h.request('/v1/sessions/unlock/code', { body: { identifier, channel: 'voice' }, ip, locale: 'en' });
    expect((await ask(u.accountName, '198.51.100.100')).status).toBe(202);
    expect((await ask('not_a_user_77', '198.51.100.101')).status).toBe(202);
    const again = await ask(u.accountName, '198.51.100.102');
    const againUnknown = await ask('not_a_user_77', '198.51.100.103');
    expect(again.status).toBe(429);
    expect(errorOf(again)).toEqual(errorOf(againUnknown));
    expect(JSON.stringify((await ask('not_a_user_78', '198.51.100.104')).json)).not.toMatch(/\*|\+86/);
    expect((await codeSentTo(`+86${u.number}`)).channel).toBe('voice');
  });

  it('a client cannot pose as a new one: the forwarded hop our proxy appended counts, and an IPv6 /64 is one client', async () => {
    const u = await newUser();
    const spoofed = (i: number) =>
      h.request('/v1/sessions', {
        body: { identifier: u.accountName, password: `Wrong#${i}q` },
        headers: { 'x-forwarded-for': `10.71.0.${i}, 198.51.100.110` },
      });
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push((await spoofed(i)).status);
    expect(answers).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const v6 = [];
    for (let i = 1; i <= 7; i++)
      v6.push((await signIn(u.accountName, `Wrong#${i}v`, `2001:db8:77:1::${i.toString(16)}`)).status);
    expect(v6).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect((await signIn(u.accountName, u.password, '2001:db8:77:2::1')).status).toBe(200); // another /64
  });

  it("a throttle on an account's name says nothing about its phone, and an unlock lifts the lock of every identifier", async () => {
    const u = await newUser();
    const ip = '198.51.100.120';
    for (let i = 0; i < 5; i++) await signIn(u.accountName, `Wrong#${i}n`, ip);
    expect((await signIn(u.accountName, 'Wrong#5n', ip)).status).toBe(429);
    expect((await signIn(u.number, 'Wrong#5n', ip)).status).toBe(401);
    // lock the phone from many clients, unlock by the name
    for (let i = 0; i < 20; i++) await signIn(u.number, `Wrong#${i}p`, ipOf(i + 600));
    expect((await signIn(u.number, u.password, '198.51.100.121')).json.error.code).toBe('account_locked');
    h.clock.advance(61);
    const sentAt = h.clock.now().getTime();
    expect(
      (
        await h.request('/v1/sessions/unlock/code', {
          body: { identifier: u.accountName, channel: 'sms' },
          ip: '198.51.100.121',
        })
      ).status,
    ).toBe(202);
    const { code } = await codeSentTo(`+86${u.number}`, sentAt);
    expect(
      (await h.request('/v1/sessions/unlock', { body: { identifier: u.accountName, code }, ip: '198.51.100.121' }))
        .status,
    ).toBe(200);
    expect((await signIn(u.number, u.password, '198.51.100.121')).status).toBe(200);
    expect((await signIn(u.accountName, u.password, ip)).status).toBe(200); // the client's own throttle went too
  });

  it('the confirming code of a new MFA device is capped too: 30 concurrent wrong codes check 5', async () => {
    const u = await newUser();
    await h.request('/v1/security/step-up/start', { token: u.token, body: { method: 'phone', channel: 'sms' } });
    const code = (await readDevOutbox(h.db, { to: `+86${u.number}`, limit: 1 }))[0].code!;
    expect(
      (await h.request('/v1/security/step-up/verify', { token: u.token, body: { method: 'phone', code } })).status,
    ).toBe(200);
    expect((await h.request('/v1/security/mfa/setup', { token: u.token, body: {} })).status).toBe(200);
    const burst = await Promise.all(
      Array.from({ length: 30 }, () =>
        h.request('/v1/security/mfa/confirm', { token: u.token, body: { code: '000000' }, ip: '198.51.100.130' }),
      ),
    );
    expect(burst.filter((r) => r.status === 400)).toHaveLength(5);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(25);
    h.clock.advance(15 * 60 + 1);
  });

  it('the daily cap of codes per client counts an IPv6 client by its /64', async () => {
    const send = (i: number) =>
      h.request('/v1/verification-codes', {
        body: {
          phone: { region: 'CN', number: `1377777${String(i).padStart(4, '0')}` },
          purpose: 'register',
          channel: 'sms',
        },
        ip: `2001:db8:99:5::${(i + 1).toString(16)}`,
      });
    const statuses = [];
    for (let i = 0; i < 51; i++) statuses.push((await send(i)).status);
    expect(statuses.slice(0, 50).every((s) => s === 202)).toBe(true);
    expect(statuses[50]).toBe(429);
  });
});
