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
  const url = new URL(mail!.link!);
  return h.app.request(`http://localhost${url.pathname}${url.search}`);
}

describe(`sign-in and the login-identifier rule (${backend})`, () => {
  beforeAll(async () => {
    // alice binds the phone and the email first: both are her login identifiers
    expect((await h.register({ accountName: 'Alice_01', number: '13811110001', email: 'shared@example.com', password: 'Alice#2026' })).status).toBe(201);
    // bob binds the same phone and email later: for him they only verify identity
    h.clock.advance(60);
    expect((await h.register({ accountName: 'bob_02', number: '13811110001', email: 'shared@example.com', password: 'Bob#2026x' }, { ip: '192.0.2.50' })).status).toBe(201);
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
    // bob's password on the shared phone: the phone signs in to alice only
    const bob = await signIn('13811110001', 'Bob#2026x');
    expect(bob.status).toBe(401);
    expect(bob.json.error.code).toBe('invalid_credentials');
    expect((await signIn('bob_02', 'Bob#2026x')).status).toBe(200);
  });

  it('shows the login flags decided at binding time', async () => {
    const rows = await h.db
      .selectFrom('account_contacts as c')
      .innerJoin('accounts as a', 'a.id', 'c.account_id')
      .select(['a.account_name', 'c.kind', 'c.can_sign_in'])
      .where('c.value', 'in', ['+8613811110001', 'shared@example.com'])
      .orderBy('a.account_name')
      .orderBy('c.kind')
      .execute();
    expect(rows.map((r) => `${r.account_name}:${r.kind}:${r.can_sign_in}`)).toEqual([
      'Alice_01:email:true',
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
    // bob verifies the shared email; alice's (the login binding) stays unverified, so the email signs in to no one
    const bobMail = (await readDevOutbox(h.db, { to: 'shared@example.com', limit: 1 }))[0]!;
    expect((await h.app.request(new URL(bobMail.link!).pathname + new URL(bobMail.link!).search)).status).toBe(200);
    const matched = await signIn('Shared@Example.com', 'Bob#2026x', 'zh-CN');
    expect(matched.status).toBe(401);
    expect(matched.json.error).toMatchObject({
      code: 'identifier_multiple_accounts',
      message: '该手机号/邮箱已关联多个账户，无法用于登录，请使用账户名登录。',
    });
    const unmatched = await signIn('shared@example.com', 'Guess#2026');
    expect(unmatched.json.error.code).toBe('invalid_credentials');
  });

  it('signs in with a verified email that is a login identifier', async () => {
    expect((await h.register({ accountName: 'carol_03', number: '13811110003', email: 'carol@example.com', password: 'Carol#2026' })).status).toBe(201);
    expect((await openEmailLink('carol@example.com')).status).toBe(200);
    const res = await signIn('CAROL@example.com', 'Carol#2026');
    expect(res.status).toBe(200);
    expect(res.json.account).toMatchObject({ accountName: 'carol_03', emailVerified: true });
  });

  it('locks sign-in for 15 minutes after 10 failures, before checking the password', async () => {
    expect((await h.register({ accountName: 'lock_me', number: '13811110009', password: 'Lock#2026x' })).status).toBe(201);
    for (let i = 0; i < 10; i++) expect((await signIn('lock_me', `Wrong#${i}x`)).json.error.code).toBe('invalid_credentials');
    const locked = await signIn('lock_me', 'Lock#2026x');
    expect(locked.status).toBe(429);
    expect(locked.json.error).toMatchObject({ code: 'account_locked', params: { minutes: 15 } });
    h.clock.advance(15 * 60 + 1);
    expect((await signIn('lock_me', 'Lock#2026x')).status).toBe(200);
  });

  it('refuses empty or missing fields with field errors', async () => {
    const res = await h.request('/v1/sessions', { body: { identifier: '  ' }, locale: 'en' });
    expect(res.status).toBe(400);
    expect(res.json.error.fields.map((f: { path: string; code: string }) => `${f.path}:${f.code}`)).toEqual(['identifier:required', 'password:required']);
  });

  it('keeps tenants apart: an account of one tenant does not exist for another', async () => {
    const { createTenant } = await import('../src/services/tenants.ts');
    const other = await createTenant(h.db, { slug: 'other-tenant', origins: [] });
    const res = await h.request('/v1/sessions', { pk: other.publishableKey, body: { identifier: 'alice_01', password: 'Alice#2026' } });
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
