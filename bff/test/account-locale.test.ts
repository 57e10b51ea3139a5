/**
 * The user's last locale (docs/product.md#19-languages): recorded on the account at registration,
 * sign-in (password and MFA step) and by the session check when it changes; messages sent to the
 * account outside the user's own requests (tenant support deciding a lost-device application)
 * use it, else the tenant's default. Messages sent during the user's request use that request's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { createAdminKey } from '../src/services/admin-keys.ts';
import { setRealName } from '../src/services/mfa-recovery.ts';
import { createTenant } from '../src/services/tenants.ts';
import { backend, makeHarness, type Harness } from './harness.ts';
import { epochOf, userWithMfa } from './mfa-helpers.ts';
import { generate } from 'otplib';

let h: Harness;
let adminKey: string;
let seq = 0;
beforeAll(async () => {
  h = await makeHarness();
  ({ secretKey: adminKey } = await createAdminKey(h.db, h.clock, h.tenant.id));
});
afterAll(() => h.close());

const nextNumber = () => `1357777${String(seq++).padStart(4, '0')}`;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');

/** The stored locale and the row version (xmin changes with every UPDATE that touches the row, even to the same value). */
async function stored(accountId: string) {
  const row = await h.db
    .selectFrom('accounts')
    .select(['locale', sql<string>`xmin::text`.as('version')])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return row;
}

const signIn = (identifier: string, password: string, headers: Record<string, string> = {}) =>
  h.request('/v1/sessions', { body: { identifier, password }, headers: { 'x-jd-session-mode': 'token', ...headers } });

async function registered(locale?: 'en' | 'zh-CN') {
  const name = `loc_user_${seq}`;
  const number = nextNumber();
  const res = await h.register(
    { accountName: name, number, password: 'Locale#2026' },
    { headers: { 'x-jd-session-mode': 'token' }, ...(locale ? { locale } : {}) },
  );
  expect(res.status).toBe(201);
  return { name, number, id: res.json.account.id as string, token: res.json.session.token as string };
}

/** A real-name verified account with MFA that lost its device and applied; the application's id. */
async function applicant(signInLocale: 'en' | 'zh-CN') {
  const number = nextNumber();
  const u = await userWithMfa(h, { number, name: `loc_mfa_${seq}` });
  await setRealName(h.deps, h.tenant.id, u.accountId, {
    type: 'personal',
    name: '张三',
    idNumber: '11010119900307123X',
  });
  // the password step of the sign-in that finds the device lost, in the user's language
  const pending = await signIn(u.name, u.password, { 'x-jd-locale': signInLocale });
  expect(pending.json.mfaRequired).toBe(true);
  const applied = await h.request('/v1/mfa-recovery/applications', {
    token: pending.json.session.token,
    locale: signInLocale,
    body: {
      type: 'personal',
      name: '张三',
      phone: { region: 'CN', number },
      idNumber: '11010119900307123X',
      idPhoto: { data: PNG },
    },
  });
  expect(applied.status).toBe(201);
  return { ...u, number, applicationId: applied.json.id as string };
}

/** The admin API's decision, asked in the other language: the message must not follow the operator's. */
const decide = (id: string, action: 'approve' | 'reject', operatorLocale: string) =>
  h.request(`/admin/v1/mfa-applications/${id}/${action}`, {
    pk: null,
    token: adminKey,
    headers: { 'accept-language': operatorLocale },
    ...(action === 'reject' ? { body: { reason: 'the photo is blurred' } } : { body: {} }),
  });

const lastSms = async (number: string) => (await readDevOutbox(h.db, { to: `+86${number}`, limit: 1 }))[0];

describe(`the account's last locale (${backend})`, () => {
  it('is recorded at registration from the request, and left unset when the request names none', async () => {
    expect((await stored((await registered('en')).id)).locale).toBe('en');
    expect((await stored((await registered()).id)).locale).toBeNull();
  });

  it('is recorded at a password sign-in when it changed, and a sign-in in the same language writes nothing', async () => {
    const u = await registered('zh-CN');
    expect((await signIn(u.name, 'Locale#2026', { 'x-jd-locale': 'en' })).status).toBe(200);
    const after = await stored(u.id);
    expect(after.locale).toBe('en');
    expect((await signIn(u.name, 'Locale#2026', { 'x-jd-locale': 'en' })).status).toBe(200);
    expect(await stored(u.id)).toEqual(after); // same row version: no UPDATE
    // a browser's Accept-Language counts when the widget names none; no language at all changes nothing
    expect((await signIn(u.name, 'Locale#2026', { 'accept-language': 'zh-TW,zh;q=0.9' })).status).toBe(200);
    expect((await stored(u.id)).locale).toBe('zh-CN');
    const before = await stored(u.id);
    expect((await signIn(u.name, 'Locale#2026')).status).toBe(200);
    expect(await stored(u.id)).toEqual(before);
  });

  it('is recorded when the MFA step completes the sign-in', async () => {
    const u = await userWithMfa(h, { number: nextNumber(), name: `loc_totp_${seq}` });
    expect((await stored(u.accountId)).locale).toBeNull();
    const pending = await signIn(u.name, u.password);
    expect(pending.json.mfaRequired).toBe(true);
    const done = await h.request('/v1/sessions/mfa', {
      token: pending.json.session.token,
      locale: 'en',
      body: { code: await generate({ secret: u.secret, epoch: epochOf(h.clock.now()) }) },
    });
    expect(done.status).toBe(200);
    expect((await stored(u.accountId)).locale).toBe('en');
  });

  it('is recorded by the session check only when it differs: one UPDATE, none while unchanged, even in a burst', async () => {
    const u = await registered('zh-CN');
    const v0 = await stored(u.id);
    expect(await h.sessionState({ token: u.token, locale: 'zh-CN' })).toBe('in');
    h.clock.advance(3); // past the memo
    expect(await h.sessionState({ token: u.token, locale: 'zh-CN' })).toBe('in');
    expect(await stored(u.id)).toEqual(v0);
    const burst = await Promise.all(Array.from({ length: 30 }, () => h.sessionState({ token: u.token, locale: 'en' })));
    expect(new Set(burst)).toEqual(new Set(['in']));
    const v1 = await stored(u.id);
    expect(v1.locale).toBe('en');
    h.clock.advance(3);
    for (let i = 0; i < 3; i++) expect(await h.sessionState({ token: u.token, locale: 'en' })).toBe('in');
    expect(await stored(u.id)).toEqual(v1);
    // a check that names no language records nothing
    h.clock.advance(3);
    expect(await h.sessionState({ token: u.token })).toBe('in');
    expect(await stored(u.id)).toEqual(v1);
  });

  it("a sub-user's language is not recorded on its primary account", async () => {
    const p = await registered('zh-CN');
    const created = await h.request('/v1/sub-users', {
      token: p.token,
      body: { name: 'loc_member', password: 'Member#2026' },
    });
    expect(created.status).toBe(201);
    const sub = await h.request('/v1/sessions', {
      body: { identifier: p.name, subUser: 'loc_member', password: 'Member#2026' },
      headers: { 'x-jd-session-mode': 'token', 'x-jd-locale': 'en' },
    });
    expect(sub.status).toBe(200);
    expect(await h.sessionState({ token: sub.json.session.token, locale: 'en' })).toBe('in');
    expect((await stored(p.id)).locale).toBe('zh-CN');
  });

  it('an applicant who used English hears of the approval in English, one who used Chinese in Chinese', async () => {
    const en = await applicant('en');
    const zh = await applicant('zh-CN');
    // the operator works in the other language each time; the tenant's default is zh-CN
    expect((await decide(en.applicationId, 'approve', 'zh-CN')).status).toBe(200);
    expect((await decide(zh.applicationId, 'approve', 'en')).status).toBe(200);
    const toEn = await lastSms(en.number);
    expect(toEn).toMatchObject({ purpose: 'mfa_change', channel: 'sms' });
    expect(toEn.text).toContain('A virtual MFA device was removed from your account');
    expect(toEn.text).toContain('Acme Cloud');
    const toZh = await lastSms(zh.number);
    expect(toZh.purpose).toBe('mfa_change');
    expect(toZh.text).toContain('解绑虚拟MFA设备');
    expect(toZh.text).not.toContain('removed from');
  });

  it('a rejection is told too, in the applicant’s language', async () => {
    const en = await applicant('en');
    const zh = await applicant('zh-CN');
    expect((await decide(en.applicationId, 'reject', 'zh-CN')).status).toBe(200);
    expect((await decide(zh.applicationId, 'reject', 'en')).status).toBe(200);
    const toEn = await lastSms(en.number);
    expect(toEn.purpose).toBe('mfa_application_rejected');
    expect(toEn.text).toContain('was not approved');
    expect(toEn.text).not.toContain('blurred'); // the reviewer's reason is an internal note
    const toZh = await lastSms(zh.number);
    expect(toZh.purpose).toBe('mfa_application_rejected');
    expect(toZh.text).toContain('未通过审核');
    // the MFA stays bound after a rejection: the next sign-in still asks for the code
    expect((await signIn(en.name, en.password)).json.mfaRequired).toBe(true);
  });

  it("without a recorded locale, the tenant's default", async () => {
    const u = await applicant('en');
    await h.db.updateTable('accounts').set({ locale: null }).where('id', '=', u.accountId).execute();
    await h.setTenantConfig({ defaultLocale: 'en' });
    try {
      expect((await decide(u.applicationId, 'approve', 'zh-CN')).status).toBe(200);
      expect((await lastSms(u.number)).text).toContain('removed from your account');
    } finally {
      await h.setTenantConfig({ defaultLocale: 'zh-CN' });
    }
  });

  it("a message sent during the user's own request uses that request's language, not the stored one", async () => {
    const u = await registered('en');
    const started = await h.request('/v1/security/step-up/start', {
      token: u.token,
      locale: 'zh-CN',
      body: { method: 'phone' },
    });
    expect(started.status).toBe(202);
    const sms = await lastSms(u.number);
    expect(sms.text).toContain('身份验证码');
    expect((await stored(u.id)).locale).toBe('en'); // a settings call does not change the stored language
  });

  it("another tenant's admin key cannot decide (or message) this tenant's applicant", async () => {
    const u = await applicant('en');
    const other = await createTenant(h.db, { slug: 'loc-other', origins: [] });
    const { secretKey } = await createAdminKey(h.db, h.clock, other.id);
    const before = await readDevOutbox(h.db, { to: `+86${u.number}`, limit: 50 });
    const res = await h.request(`/admin/v1/mfa-applications/${u.applicationId}/approve`, {
      pk: null,
      token: secretKey,
      body: {},
    });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('application_not_found');
    expect(await readDevOutbox(h.db, { to: `+86${u.number}`, limit: 50 })).toEqual(before);
    expect((await signIn(u.name, u.password)).json.mfaRequired).toBe(true);
  });
});
