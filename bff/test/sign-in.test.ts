import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, makeHarness, type Harness } from './harness.ts';
import { readDevOutbox } from '../src/delivery/outbox.ts';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const signIn = (identifier: string, password: string, locale = 'en') =>
  h.request('/v1/sessions', { body: { identifier, password }, locale, headers: { 'x-jd-session-mode': 'token' } });

async function openEmailLink(email: string) {
  const [mail] = await readDevOutbox(h.db, { to: email, limit: 1 });
  const url = new URL(mail.link!);
  return h.app.request(`http://localhost${url.pathname}${url.search}`);
}

describe(`sign-in and the login-identifier rule (${backend})`, () => {
  beforeAll(async () => {
    // alice binds the phone and the email first: the phone is her login identifier; the email
    // will be too only if she is the first to verify it (services/contacts.ts)
    expect(
      (
        await h.register({
          accountName: 'Alice_01',
          number: '13811110001',
          email: 'shared@example.com',
          password: 'Alice#2026',
        })
      ).status,
    ).toBe(201);
    // bob binds the same phone and email later: for him they only verify identity
    h.clock.advance(60);
    expect(
      (
        await h.register(
          { accountName: 'bob_02', number: '13811110001', email: 'shared@example.com', password: 'Bob#2026x' },
          { ip: '192.0.2.50' },
        )
      ).status,
    ).toBe(201);
  });

  it('signs in by account name, case-insensitively', async () => {
    const res = await signIn('alice_01', 'Alice#2026');
    expect(res.status).toBe(200);
    expect(res.json.account.accountName).toBe('Alice_01');
    expect(res.json.session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('gives the same answer for a wrong password and an unknown account', async () => {
    const wrong = await signIn('alice_01', 'Wrong#2026');
    const unknown = await signIn('nobody_here', 'Wrong#2026');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json.error).toEqual({ ...unknown.json.error, requestId: wrong.json.error.requestId });
    expect(wrong.json.error).toMatchObject({ code: 'invalid_credentials', message: 'Account or password incorrect.' });
  });

  it('signs in by phone only to the account whose binding can sign in', async () => {
    const alice = await signIn('138 1111 0001', 'Alice#2026');
    expect(alice.status).toBe(200);
    expect(alice.json.account.accountName).toBe('Alice_01');
    expect((await signIn('+8613811110001', 'Alice#2026')).status).toBe(200);
    // bob's password on the shared phone: the phone signs in to alice only, and bob is told to use his name
    const bob = await signIn('13811110001', 'Bob#2026x');
    expect(bob.status).toBe(401);
    expect(bob.json.error.code).toBe('identifier_multiple_accounts');
    expect((await signIn('bob_02', 'Bob#2026x')).status).toBe(200);
  });

  it('shows the login flags: a verified phone decided at binding, an unverified email not yet', async () => {
    const rows = await h.db
      .selectFrom('account_contacts as c')
      .innerJoin('accounts as a', 'a.id', 'c.account_id')
      .select(['a.account_name', 'c.kind', 'c.can_sign_in'])
      .where('c.value', 'in', ['+8613811110001', 'shared@example.com'])
      .orderBy('a.account_name')
      .orderBy('c.kind')
      .execute();
    expect(rows.map((r) => `${r.account_name}:${r.kind}:${r.can_sign_in}`)).toEqual([
      'Alice_01:email:false',
      'Alice_01:phone:true',
      'bob_02:email:false',
      'bob_02:phone:false',
    ]);
  });

  it('does not sign in with an unverified email', async () => {
    const res = await signIn('shared@example.com', 'Alice#2026');
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('invalid_credentials');
  });

  it('gives the "multiple accounts" message only when the password matched an account bound to the identifier', async () => {
    // bob verifies the shared email first: only verified bindings count, so it signs in to him
    const [bobMail, aliceMail] = await readDevOutbox(h.db, { to: 'shared@example.com', limit: 2 });
    const open = (mail: typeof bobMail) => h.app.request(new URL(mail.link!).pathname + new URL(mail.link!).search);
    expect((await open(bobMail)).status).toBe(200);
    expect((await signIn('shared@example.com', 'Bob#2026x')).json.account.accountName).toBe('bob_02');
    // alice verifies it later: bound to two accounts, it keeps signing in to bob only
    expect((await open(aliceMail)).status).toBe(200);
    const matched = await signIn('Shared@Example.com', 'Alice#2026', 'zh-CN');
    expect(matched.status).toBe(401);
    expect(matched.json.error).toMatchObject({
      code: 'identifier_multiple_accounts',
      message: '该手机号/邮箱已关联多个账号，无法用于登录，请使用账号名登录。',
    });
    const unmatched = await signIn('shared@example.com', 'Guess#2026');
    expect(unmatched.json.error.code).toBe('invalid_credentials');
  });

  it('signs in with a verified email that is a login identifier', async () => {
    expect(
      (
        await h.register({
          accountName: 'carol_03',
          number: '13811110003',
          email: 'carol@example.com',
          password: 'Carol#2026',
        })
      ).status,
    ).toBe(201);
    expect((await openEmailLink('carol@example.com')).status).toBe(200);
    const res = await signIn('CAROL@example.com', 'Carol#2026');
    expect(res.status).toBe(200);
    expect(res.json.account).toMatchObject({ accountName: 'carol_03', emailVerified: true });
  });

  it('throttles one client after 5 failures on an account, before checking the password, while the owner elsewhere gets in', async () => {
    expect((await h.register({ accountName: 'lock_me', number: '13811110009', password: 'Lock#2026x' })).status).toBe(
      201,
    );
    const from = (ip: string, password: string) =>
      h.request('/v1/sessions', {
        body: { identifier: 'lock_me', password },
        ip,
        headers: { 'x-jd-session-mode': 'token' },
      });
    for (let i = 0; i < 5; i++)
      expect((await from('198.51.100.9', `Wrong#${i}x`)).json.error.code).toBe('invalid_credentials');
    const throttled = await from('198.51.100.9', 'Lock#2026x');
    expect(throttled.status).toBe(429);
    expect(throttled.json.error).toMatchObject({ code: 'too_many_attempts', params: { seconds: 30 } });
    expect(throttled.headers.get('retry-after')).toBe('30');
    expect((await from('198.51.100.10', 'Lock#2026x')).status).toBe(200);
    h.clock.advance(31);
    expect((await from('198.51.100.9', 'Lock#2026x')).status).toBe(200);
  });

  it('refuses empty or missing fields with field errors', async () => {
    const res = await h.request('/v1/sessions', { body: { identifier: '  ' }, locale: 'en' });
    expect(res.status).toBe(400);
    expect(res.json.error.fields.map((f: { path: string; code: string }) => `${f.path}:${f.code}`)).toEqual([
      'identifier:required',
      'password:required',
    ]);
  });

  it('keeps tenants apart: an account of one tenant does not exist for another', async () => {
    const { createTenant } = await import('../src/services/tenants.ts');
    const other = await createTenant(h.db, { slug: 'other-tenant', origins: [] });
    const res = await h.request('/v1/sessions', {
      pk: other.publishableKey,
      body: { identifier: 'alice_01', password: 'Alice#2026' },
    });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('invalid_credentials');
    const avail = await h.request('/v1/account-names/availability?name=alice_01', { pk: other.publishableKey });
    expect(avail.json.available).toBe(true);
  });

  it('refuses an unknown publishable key', async () => {
    const res = await h.request('/v1/config', { pk: 'pk_test_nope' });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('tenant_unknown');
    expect((await h.request('/v1/config', { pk: null })).json.error.code).toBe('tenant_unknown');
  });

  it('serves the public config without the allowed origins', async () => {
    const res = await h.request('/v1/config');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ slug: 'acme', defaultLocale: 'zh-CN', phoneRegions: ['CN'] });
    expect(res.json.passwordPolicy.minLength).toBe(7);
    expect(res.json.agreements).toHaveLength(3);
    expect(res.json.allowedOrigins).toBeUndefined();
  });
});
