/**
 * Password presets (docs/product.md#2-passwords): a tenant picks the NIST SP 800-63B preset with
 * one setting through PATCH /admin/v1/config; the widget's GET /v1/config shows the rule; new
 * passwords are checked against the server's 10,000+ common-password list on every path that sets
 * one (registration, password change, sub-users), whatever the preset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NIST_PASSWORD_POLICY } from '../../shared/src/rules/password.ts';
import { createAdminKey } from '../src/services/admin-keys.ts';
import { backend, makeHarness, type Harness } from './harness.ts';

let h: Harness;
let n = 0;
const nextPhone = () => `1376000${String(1000 + n++).padStart(4, '0')}`;
const nextIp = () => `198.19.${n % 250}.${(n * 3) % 250}`;
let adminKey: string;

beforeAll(async () => {
  h = await makeHarness();
  ({ secretKey: adminKey } = await createAdminKey(h.db, h.clock, h.tenant.id, 'password policy'));
});
afterAll(() => h.close());

const admin = async (body: unknown) => {
  const res = await h.app.request('/admin/v1/config', {
    method: 'PATCH',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  h.tenants.invalidate();
  return { status: res.status, json: await res.json() };
};
const register = (accountName: string, password: string) =>
  h.register({ accountName, password, number: nextPhone() }, { ip: nextIp(), locale: 'en' });
const fieldCodes = (res: { json: any }) =>
  (res.json.error?.fields ?? []).map((f: { path: string; code: string }) => `${f.path}:${f.code}`);

describe(`password presets (${backend})`, () => {
  it('the default preset refuses a common password from deep in the server list that the widget does not ship', async () => {
    // "sasha_007" meets the default rule (letters, digits, symbols) and is in the zxcvbn list, not in the widget's
    const res = await register('deep_common_1', 'Sasha_007');
    expect(res.status).toBe(400);
    expect(fieldCodes(res)).toEqual(['password:password_too_common']);
  });

  it('one setting chooses the NIST preset; GET /v1/config shows it to the widget', async () => {
    const res = await admin({ passwordPolicy: { preset: 'nist' } });
    expect(res.status).toBe(200);
    const config = await h.request('/v1/config');
    expect(config.json.passwordPolicy).toEqual(NIST_PASSWORD_POLICY);
    // a bad preset name changes nothing
    expect((await admin({ passwordPolicy: { preset: 'weak' } })).status).toBe(400);
    expect((await h.request('/v1/config')).json.passwordPolicy.preset).toBe('nist');
  });

  it('registers with a Han + space passphrase and no composition rule; signs in with it', async () => {
    const password = '我的 密码 很长 ok';
    const res = await register('nist_user_1', password);
    expect(res.status).toBe(201);
    const signIn = await h.request('/v1/sessions', {
      body: { identifier: 'nist_user_1', password },
      ip: nextIp(),
      headers: { 'x-jd-session-mode': 'token' },
    });
    expect(signIn.status).toBe(200);
  });

  it('NFKC: a full-width passphrase is the same password as its ASCII form', async () => {
    expect((await register('nist_user_2', 'ｇｒｅｅｎ ｔｅａ ｉｓ ｎｉｃｅ')).status).toBe(201);
    const signIn = await h.request('/v1/sessions', {
      body: { identifier: 'nist_user_2', password: 'green tea is nice' },
      ip: nextIp(),
      headers: { 'x-jd-session-mode': 'token' },
    });
    expect(signIn.status).toBe(200);
  });

  it.each([
    ['iloveyou', 'password:password_too_common'], // on the widget's list as well
    ['papamama', 'password:password_too_common'], // rank ~9000 of the server list only
    ['GoldenEye', 'password:password_too_common'], // rank ~9500, any case
    ['short 7', 'password:password_too_short'],
    ['        ', 'password:password_too_common'], // repetitive strings (NIST SP 800-63B 3.1.1.2)
    ['a'.repeat(64), 'password:password_too_common'],
    ['zxzxzxzxzx', 'password:password_too_common'],
    ['x' + 'correct horse battery staple '.repeat(3).slice(0, 64), 'password:password_too_long'],
    ['tab\there ok', 'password:text_invalid_chars'], // the text rule of every input (shared/src/rules/text.ts) speaks first
    ['line\u2028separator', 'password:password_unprintable'],
  ])('refuses %j with %s', async (password, code) => {
    const res = await register(`nist_bad_${n}`, password);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_input');
    expect(fieldCodes(res)).toEqual([code]);
  });

  it('a new password (change, sub-user) meets the same server list', async () => {
    const reg = await h.register(
      { accountName: 'nist_owner_1', password: 'owner pass phrase', number: nextPhone() },
      { ip: nextIp(), headers: { 'x-jd-session-mode': 'token' } },
    );
    expect(reg.status).toBe(201);
    const token = reg.json.session.token as string;
    const sub = await h.request('/v1/sub-users', { token, body: { name: 'nist_sub', password: 'trooper1' } });
    expect(sub.status).toBe(400);
    expect(fieldCodes(sub)).toEqual(['password:password_too_common']);
    const change = await h.request('/v1/security/password', {
      token,
      body: { currentPassword: 'owner pass phrase', newPassword: 'papamama' },
    });
    expect(change.status).toBe(400);
    expect(fieldCodes(change)).toEqual(['newPassword:password_too_common']);
  });
});
