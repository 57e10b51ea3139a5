import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_MAX_ATTEMPTS } from '../../shared/src/rules/code.ts';
import { createTenant } from '../src/services/tenants.ts';
import { AGREEMENTS, backend, makeHarness, ORIGIN, type Harness } from './harness.ts';

let h: Harness;
let n = 0;
/** A fresh mainland mobile number per test, so cooldowns and caps don't leak between tests. */
const nextPhone = () => `1370000${String(1000 + n++).padStart(4, '0')}`;
const ip = () => `198.51.100.${100 + (n % 100)}`;

beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const check = (number: string, code: string, o: { pk?: string; locale?: string } = {}) =>
  h.request('/v1/verification-codes/check', {
    ip: ip(),
    ...o,
    body: { phone: { region: 'CN', number }, code, purpose: 'register' },
  });

const wrongOf = (code: string) => (code === '000000' ? '111111' : '000000');

describe(`POST /v1/verification-codes/check (${backend})`, () => {
  it('a right code answers valid without using it up; registration still takes it', async () => {
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip: ip() });
    for (let i = 0; i < 3; i++) {
      const res = await check(phone, code!);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ valid: true, phoneInUse: false });
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const reg = await h.request('/v1/accounts', {
      ip: ip(),
      body: {
        accountName: `chk_${phone.slice(-6)}`,
        password: 'Secret#2026',
        phone: { region: 'CN', number: phone },
        code,
        agreements: AGREEMENTS,
      },
    });
    expect(reg.status).toBe(201);
    // used up by registration: the check now answers as registration would
    expect((await check(phone, code!)).json.error.code).toBe('code_not_sent');
  });

  it('a wrong code answers the same error as registration, localized, and counts against the same cap', async () => {
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip: ip() });
    const zh = await check(phone, wrongOf(code!), { locale: 'zh-CN' });
    expect(zh.status).toBe(400);
    expect(zh.json.error).toMatchObject({
      code: 'code_invalid',
      message: '验证码不正确。',
      params: { remaining: CODE_MAX_ATTEMPTS - 1 },
      fields: [{ path: 'code', code: 'code_invalid' }],
    });
    const en = await check(phone, wrongOf(code!), { locale: 'en' });
    expect(en.json.error.code).toBe('code_invalid');
    expect(en.json.error.message).not.toBe(zh.json.error.message);
    // registration with a wrong code spends a try of the same budget
    const reg = await h.request('/v1/accounts', {
      ip: ip(),
      body: {
        accountName: `cap_${phone.slice(-6)}`,
        password: 'Secret#2026',
        phone: { region: 'CN', number: phone },
        code: wrongOf(code!),
        agreements: AGREEMENTS,
      },
    });
    expect(reg.json.error).toMatchObject({ code: 'code_invalid', params: { remaining: CODE_MAX_ATTEMPTS - 3 } });
    // an expired code: the same error registration gives
    const other = nextPhone();
    const sent = await h.sendCode(other, { ip: ip() });
    h.clock.advance(11 * 60);
    expect((await check(other, sent.code!)).json.error.code).toBe('code_expired');
  });

  it(`100 concurrent wrong checks get no more than ${CODE_MAX_ATTEMPTS} tries; the right code is then refused`, async () => {
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip: ip() });
    const wrong = wrongOf(code!);
    const answers = await Promise.all(Array.from({ length: 100 }, () => check(phone, wrong)));
    const codes = answers.map((a) => a.json.error?.code as string);
    expect(codes.every((c) => c === 'code_invalid' || c === 'code_too_many_attempts' || c === 'code_not_sent')).toBe(
      true,
    );
    expect(codes.filter((c) => c === 'code_invalid').length).toBe(CODE_MAX_ATTEMPTS - 1);
    const row = await h.db
      .selectFrom('verification_codes')
      .select(['attempts', 'voided_at'])
      .where('target', '=', `+86${phone}`)
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(CODE_MAX_ATTEMPTS);
    expect(row.voided_at).not.toBeNull();
    expect((await check(phone, code!)).json.error.code).toBe('code_too_many_attempts');
  });

  it('says whether the phone is used by another account only after a right code', async () => {
    const phone = nextPhone();
    const first = await h.register({ accountName: `use_${phone.slice(-6)}`, number: phone }, { ip: ip() });
    expect(first.status).toBe(201);
    h.clock.advance(61); // past the resend cooldown
    const { code } = await h.sendCode(phone, { ip: ip() });
    const wrong = await check(phone, wrongOf(code!));
    expect(wrong.status).toBe(400);
    expect(wrong.text).not.toMatch(/phoneInUse|in_use/i);
    const right = await check(phone, code!);
    expect(right.status).toBe(200);
    expect(right.json).toEqual({ valid: true, phoneInUse: true });
  });

  it("another tenant's key: the code does not exist there", async () => {
    const other = await createTenant(h.db, { slug: 'check-other', displayName: 'Other', origins: [ORIGIN] });
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip: ip() });
    const res = await check(phone, code!, { pk: other.publishableKey });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('code_not_sent');
    // and the check there spent nothing of this tenant's code
    expect((await check(phone, code!)).json).toEqual({ valid: true, phoneInUse: false });
    expect((await check(phone, code!, { pk: 'pk_unknown' })).status).toBe(401);
  });

  it('refuses NUL and control characters, other purposes and malformed bodies with stable codes', async () => {
    const phone = nextPhone();
    const { code } = await h.sendCode(phone, { ip: ip() });
    const nul = await check(phone, `${code!.slice(0, 3)}\u0000${code!.slice(3)}`);
    expect(nul.status).toBe(400);
    expect(['invalid_input', 'code_format']).toContain(nul.json.error.code);
    const ctl = await h.request('/v1/verification-codes/check', {
      ip: ip(),
      body: { phone: { region: 'CN', number: `${phone}\u0007` }, code, purpose: 'register' },
    });
    expect(ctl.status).toBe(400);
    expect(ctl.json.error.code).toBe('invalid_input');
    const purpose = await h.request('/v1/verification-codes/check', {
      ip: ip(),
      body: { phone: { region: 'CN', number: phone }, code, purpose: 'unlock' },
    });
    expect(purpose.status).toBe(400);
    expect(purpose.json.error.code).toBe('invalid_input');
    const raw = await h.request('/v1/verification-codes/check', {
      ip: ip(),
      rawBody: '{"phone":',
      headers: { 'content-type': 'application/json' },
    });
    expect(raw.status).toBe(400);
    // none of those spent a try: the right code still passes
    expect((await check(phone, code!)).json).toEqual({ valid: true, phoneInUse: false });
  });
});
