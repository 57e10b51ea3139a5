import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AGREEMENTS, backend, makeHarness, type Harness } from './harness.ts';

let h: Harness;
let n = 0;
/** A fresh mainland mobile number per test, so cooldowns and caps don't leak between tests. */
const nextPhone = () => `1390000${String(1000 + n++).padStart(4, '0')}`;

beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

describe(`registration API (${backend})`, () => {
  let ip: string;
  beforeEach(() => {
    ip = `198.51.100.${n % 250}`;
  });

  it('registers with a verified phone, stores consents and signs in', async () => {
    const phone = nextPhone();
    const res = await h.register(
      { accountName: '京东云用户_01', number: phone, email: 'Alice@Example.com' },
      { ip, locale: 'en' },
    );
    expect(res.status).toBe(201);
    expect(res.json.account).toMatchObject({
      accountName: '京东云用户_01',
      phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      email: 'a***@example.com',
      emailVerified: false,
    });
    expect(res.headers.get('set-cookie')).toMatch(/^jd_session_[0-9a-f]{12}=/);
    const consents = await h.db
      .selectFrom('consents')
      .selectAll()
      .where('account_id', '=', res.json.account.id)
      .execute();
    expect(consents.map((c) => `${c.agreement_key}@${c.version}`).sort()).toEqual([
      'privacy@1.0',
      'registration@1.0',
      'service@1.0',
    ]);
    const contacts = await h.db
      .selectFrom('account_contacts')
      .selectAll()
      .where('account_id', '=', res.json.account.id)
      .orderBy('kind')
      .execute();
    expect(contacts.map((c) => [c.kind, c.role, c.value, c.verified_at !== null, c.can_sign_in])).toEqual([
      // an unverified email cannot sign in yet: decided when its link is opened (services/contacts.ts)
      ['email', 'security', 'alice@example.com', false, false],
      ['phone', 'security', `+86${phone}`, true, true],
    ]);
    const hash = await h.db
      .selectFrom('accounts')
      .select('password_hash')
      .where('id', '=', res.json.account.id)
      .executeTakeFirstOrThrow();
    expect(hash.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // the email verification link went to the outbox
    const mail = await h.db.selectFrom('outbox').selectAll().where('recipient', '=', 'alice@example.com').execute();
    expect(mail).toHaveLength(1);
    expect(mail[0].body).toContain('/email/verify?token=');
  });

  it('stores the referral code', async () => {
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip });
    const res = await h.request('/v1/accounts', {
      ip,
      body: {
        accountName: 'referred_1',
        password: 'Secret#2026',
        phone: { region: 'CN', number: phone },
        code,
        agreements: AGREEMENTS,
        referralCode: 'SALES42',
      },
    });
    expect(res.status).toBe(201);
    const row = await h.db
      .selectFrom('accounts')
      .select('referral_code')
      .where('id', '=', res.json.account.id)
      .executeTakeFirstOrThrow();
    expect(row.referral_code).toBe('SALES42');
  });

  it('answers account-name availability case-insensitively', async () => {
    await h.register({ accountName: 'TakenName', number: nextPhone() }, { ip });
    expect((await h.request('/v1/account-names/availability?name=takenname')).json).toEqual({ available: false });
    expect((await h.request('/v1/account-names/availability?name=FreeName')).json).toEqual({ available: true });
    const bad = await h.request('/v1/account-names/availability?name=12345', { locale: 'en' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields[0]).toMatchObject({
      path: 'name',
      code: 'account_name_digits_only',
      message: 'The account name cannot be digits only.',
    });
  });

  it('refuses a taken account name (case-insensitive) and keeps the code usable', async () => {
    await h.register({ accountName: 'SameName', number: nextPhone() }, { ip });
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip });
    const body = {
      accountName: 'samename',
      password: 'Secret#2026',
      phone: { region: 'CN', number: phone },
      code,
      agreements: AGREEMENTS,
    };
    const res = await h.request('/v1/accounts', { ip, body, locale: 'zh-CN' });
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: 'account_name_taken', message: '该账号名已被注册。' });
    // the failed registration changed nothing: the same code still registers another name
    const again = await h.request('/v1/accounts', { ip, body: { ...body, accountName: 'OtherName' } });
    expect(again.status).toBe(201);
  });

  it('refuses bad input with field errors, a 400, and no change', async () => {
    const before = await Promise.all([h.count('accounts'), h.count('sessions'), h.count('consents')]);
    const res = await h.request('/v1/accounts', {
      ip,
      locale: 'en',
      body: { accountName: '12', password: 'abc', phone: { region: 'CN', number: '12345' }, code: 'x', agreements: [] },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_input');
    const fields = res.json.error.fields.map((f: { path: string; code: string }) => `${f.path}:${f.code}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'accountName:account_name_too_short',
        'accountName:account_name_digits_only',
        'password:password_too_short',
        'phone.number:phone_invalid',
        'code:code_format',
      ]),
    );
    expect(
      res.json.error.fields.every((f: { message: string }) => typeof f.message === 'string' && f.message.length > 0),
    ).toBe(true);
    expect(await Promise.all([h.count('accounts'), h.count('sessions'), h.count('consents')])).toEqual(before);
  });

  it.each([
    [
      'malformed JSON',
      { rawBody: '{"accountName":', headers: { 'content-type': 'application/json' } },
      400,
      'invalid_input',
    ],
    ['a JSON array', { rawBody: '[1,2]', headers: { 'content-type': 'application/json' } }, 400, 'invalid_input'],
    [
      'a form post',
      { rawBody: 'accountName=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported_media_type',
    ],
    ['no body', { headers: { 'content-type': 'application/json' }, method: 'POST' }, 400, 'invalid_input'],
    [
      'wrong types',
      { body: { accountName: 5, password: [], phone: 'x', code: 1, agreements: 'all' } },
      400,
      'invalid_input',
    ],
    [
      'an oversized body',
      { rawBody: JSON.stringify({ accountName: 'x'.repeat(70_000) }), headers: { 'content-type': 'application/json' } },
      413,
      'payload_too_large',
    ],
  ])('answers %s with a 4xx, never a 500', async (_name, opts, status, code) => {
    const res = await h.request('/v1/accounts', { ip, ...opts });
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
  });

  it('requires every agreement at its current version', async () => {
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip });
    const res = await h.request('/v1/accounts', {
      ip,
      body: {
        accountName: 'agree_x',
        password: 'Secret#2026',
        phone: { region: 'CN', number: phone },
        code,
        agreements: [AGREEMENTS[0], { key: 'privacy', version: '0.9' }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('agreements_required');
  });

  it('applies the tenant password policy (legacy preset accepts 6 chars, two classes)', async () => {
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip });
    const body = {
      accountName: 'legacy_user',
      password: 'xy12zw',
      phone: { region: 'CN', number: phone },
      code,
      agreements: AGREEMENTS,
    };
    const strict = await h.request('/v1/accounts', { ip, body });
    expect(strict.status).toBe(400);
    expect(strict.json.error.fields.map((f: { code: string }) => f.code)).toEqual(
      expect.arrayContaining(['password_too_short', 'password_missing_symbol']),
    );
    await h.setTenantConfig({
      passwordPolicy: {
        minLength: 6,
        maxLength: 20,
        requiredClasses: [],
        minClasses: 2,
        forbidAccountName: true,
        blockCommon: true,
      },
    });
    try {
      expect((await h.request('/v1/accounts', { ip, body })).status).toBe(201);
    } finally {
      await h.setTenantConfig({
        passwordPolicy: {
          minLength: 7,
          maxLength: 20,
          requiredClasses: ['letter', 'digit', 'symbol'],
          minClasses: 3,
          forbidAccountName: true,
          blockCommon: true,
        },
      });
    }
  });

  it('accepts Hong Kong, Macao and Taiwan numbers only when the tenant enables them', async () => {
    const refused = await h.request('/v1/verification-codes', {
      ip,
      body: { phone: { region: 'HK', number: '91234567' }, purpose: 'register', channel: 'sms' },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.fields[0]).toMatchObject({ path: 'phone.region', code: 'phone_region_not_allowed' });
    await h.setTenantConfig({ phoneRegions: ['CN', 'HK', 'MO', 'TW'] });
    try {
      const res = await h.register({ accountName: 'hk_user', number: '91234567', region: 'HK' }, { ip });
      expect(res.status).toBe(201);
      expect(res.json.account.phone).toBe('+852 91****67');
      const tw = await h.register({ accountName: 'tw_user', number: '0912345678', region: 'TW' }, { ip });
      expect(tw.status).toBe(201);
    } finally {
      await h.setTenantConfig({ phoneRegions: ['CN'] });
    }
  });
});

describe(`verification codes (${backend})`, () => {
  const ip = '192.0.2.10';
  async function registerWith(phone: string, code: string, name = `u_${phone.slice(-6)}`) {
    return h.request('/v1/accounts', {
      ip,
      body: {
        accountName: name,
        password: 'Secret#2026',
        phone: { region: 'CN', number: phone },
        code,
        agreements: AGREEMENTS,
      },
    });
  }

  it('sends a 6-digit code by SMS or voice and stores only its keyed hash', async () => {
    const phone = nextPhone();
    const { res, code } = await h.sendCode(phone, { ip, channel: 'voice' });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({
      deliveryId: expect.any(String),
      channel: 'voice',
      sentTo: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      expiresIn: 600,
      resendAfter: 60,
    });
    expect(code).toMatch(/^\d{6}$/);
    const row = await h.db
      .selectFrom('verification_codes')
      .selectAll()
      .where('target', '=', `+86${phone}`)
      .executeTakeFirstOrThrow();
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.code_hash).not.toContain(code);
    expect(row.channel).toBe('voice');
  });

  it('refuses a resend within 60 s, allows it after', async () => {
    const phone = nextPhone();
    await h.sendCode(phone, { ip });
    h.clock.advance(45);
    const early = await h.sendCode(phone, { ip, locale: 'en' });
    expect(early.res.status).toBe(429);
    expect(early.res.json.error).toMatchObject({
      code: 'code_cooldown',
      params: { seconds: 15 },
      message: 'Please wait 15 s before requesting another code.',
    });
    h.clock.advance(15);
    expect((await h.sendCode(phone, { ip })).res.status).toBe(202);
  });

  it('a new code voids the previous one', async () => {
    const phone = nextPhone();
    const first = await h.sendCode(phone, { ip });
    h.clock.advance(60);
    const second = await h.sendCode(phone, { ip });
    // the old code is now simply wrong (a one-in-a-million equal draw would be the new code)
    if (first.code !== second.code)
      expect((await registerWith(phone, first.code!)).json.error.code).toBe('code_invalid');
    expect((await registerWith(phone, second.code!)).status).toBe(201);
  });

  it('expires after 10 minutes', async () => {
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip });
    h.clock.advance(600);
    const res = await registerWith(phone, code!);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('code_expired');
  });

  it('is void after 5 wrong tries, even for the right code', async () => {
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip });
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i++) {
      const res = await registerWith(phone, wrong);
      expect(res.json.error).toMatchObject({ code: 'code_invalid', params: { remaining: 5 - i } });
    }
    expect((await registerWith(phone, wrong)).json.error.code).toBe('code_too_many_attempts');
    expect((await registerWith(phone, code!)).json.error.code).toBe('code_too_many_attempts');
    expect(
      await h.db
        .selectFrom('accounts')
        .select('id')
        .where('account_name', '=', `u_${phone.slice(-6)}`)
        .execute(),
    ).toHaveLength(0);
  });

  it('is single use', async () => {
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip });
    expect((await registerWith(phone, code!, 'single_use_a')).status).toBe(201);
    const again = await registerWith(phone, code!, 'single_use_b');
    expect(again.status).toBe(400);
    expect(again.json.error.code).toBe('code_not_sent');
  });

  it('only verifies the phone it was sent to', async () => {
    const a = nextPhone();
    const b = nextPhone();
    const { code } = await h.sendCode(a, { ip });
    const res = await registerWith(b, code!);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('code_not_sent');
  });

  it('is bound to its tenant', async () => {
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip });
    const { createTenant } = await import('../src/services/tenants.ts');
    const other = await createTenant(h.db, { slug: `other-${n}`, origins: [] });
    const res = await h.request('/v1/accounts', {
      ip,
      pk: other.publishableKey,
      body: {
        accountName: 'tenant_hop',
        password: 'Secret#2026',
        phone: { region: 'CN', number: phone },
        code,
        agreements: AGREEMENTS,
      },
    });
    expect(res.json.error.code).toBe('code_not_sent');
  });

  it('caps codes per phone per day', async () => {
    const phone = nextPhone();
    for (let i = 0; i < 10; i++) {
      expect((await h.sendCode(phone, { ip: `10.9.0.${i}` })).res.status).toBe(202);
      h.clock.advance(60);
    }
    const over = await h.sendCode(phone, { ip: '10.9.0.99' });
    expect(over.res.status).toBe(429);
    expect(over.res.json.error.code).toBe('code_daily_limit');
    h.clock.advance(24 * 3600);
    expect((await h.sendCode(phone, { ip: '10.9.0.99' })).res.status).toBe(202);
  });

  it('caps codes per client IP per day', async () => {
    const capped = await makeHarness({ config: { codes: { dailyPerTarget: 10, dailyPerIp: 3 } } });
    try {
      for (let i = 0; i < 3; i++)
        expect((await capped.sendCode(`1370000000${i}`, { ip: '192.0.2.77' })).res.status).toBe(202);
      const over = await capped.sendCode('13700000009', { ip: '192.0.2.77' });
      expect(over.res.status).toBe(429);
      expect(over.res.json.error.code).toBe('code_daily_limit');
      expect((await capped.sendCode('13700000009', { ip: '192.0.2.78' })).res.status).toBe(202);
    } finally {
      await capped.close();
    }
  }, 90_000); // a second harness: a fresh database and every migration

  it('refuses an unknown purpose or channel', async () => {
    const res = await h.request('/v1/verification-codes', {
      ip,
      body: { phone: { region: 'CN', number: nextPhone() }, purpose: 'reset', channel: 'fax' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['channel', 'purpose']);
  });
});
