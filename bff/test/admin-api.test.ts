import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { testConfig } from '../src/config.ts';
import { createDb, migrateToLatest } from '../src/db/create.ts';
import { nodeDeps } from '../src/deps.node.ts';
import { createAdminKey, revokeAdminKey } from '../src/services/admin-keys.ts';
import { idNumberHash } from '../src/services/mfa-recovery.ts';
import { createTenant, TenantDirectory, type Tenant } from '../src/services/tenants.ts';
import { postgresFileStore } from '../src/storage/files.ts';
import { backend, makeHarness, TestClock, type Harness } from './harness.ts';
import { userWithMfa } from './mfa-helpers.ts';

let h: Harness;
let A: Tenant; // h.tenant ("acme")
let B: Tenant; // another tenant on the same BFF
let keyA: string;
let keyAId: string;
let keyB: string;
let seq = 0;
let names = 0;
const PASSWORD = 'Admin#Test2026';
// a 1×1 PNG header: files are checked by content
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

beforeAll(async () => {
  h = await makeHarness();
  A = h.tenant;
  B = await createTenant(h.db, { slug: 'globex', displayName: 'Globex', origins: ['https://portal.globex.test'] });
  ({ secretKey: keyA, keyId: keyAId } = await createAdminKey(h.db, h.clock, A.id, 'acme back office'));
  ({ secretKey: keyB } = await createAdminKey(h.db, h.clock, B.id));
});
afterAll(() => h.close());

const nextNumber = () => `1396666${String(seq++).padStart(4, '0')}`;

/** Registers an account (token mode) in tenant A, or in B with `pk: B.publishableKey`. */
async function account(o: { pk?: string; name?: string; number?: string; email?: string } = {}) {
  const name = o.name ?? `adm_user_${names++}`;
  const number = o.number ?? nextNumber();
  h.clock.advance(61); // the same phone may be registered again after the resend cooldown
  const reg = await h.register(
    { accountName: name, number, password: PASSWORD, ...(o.email ? { email: o.email } : {}) },
    { ...(o.pk ? { pk: o.pk } : {}), headers: { 'x-jd-session-mode': 'token' }, ip: `198.51.100.${seq % 250}` },
  );
  expect(reg.status).toBe(201);
  return { id: reg.json.account.id as string, name, number, token: reg.json.session.token as string };
}

/** A call of the admin API: server to server, no publishable key; `key: null` sends no Authorization. */
function admin(
  path: string,
  o: { key?: string | null; method?: string; body?: unknown; locale?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...o.headers };
  if (o.locale) headers['accept-language'] = o.locale;
  return h.request(`/admin/v1${path}`, {
    pk: null,
    ...(o.key !== null ? { token: o.key ?? keyA } : {}),
    ...(o.method ? { method: o.method } : {}),
    ...(o.body !== undefined ? { body: o.body } : {}),
    headers,
  });
}

const signIn = (identifier: string, password: string, o: { pk?: string; subUser?: string } = {}) =>
  h.request('/v1/sessions', {
    body: { identifier, password, ...(o.subUser ? { subUser: o.subUser } : {}) },
    headers: { 'x-jd-session-mode': 'token' },
    locale: 'en',
    ...(o.pk ? { pk: o.pk } : {}),
  });
/** GET /v1/session's state: 'in' or 'out' (harness.ts sessionState) */
const session = (token: string, pk?: string) => h.sessionState({ token, ...(pk ? { pk } : {}) });

async function accountRow(id: string) {
  return h.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
async function eventsOf(id: string) {
  return h.db.selectFrom('audit_events').selectAll().where('account_id', '=', id).orderBy('seq', 'desc').execute();
}

/** An application of tenant B (arranged directly: B's widget flow is tested elsewhere). */
async function applicationOfB(accountId: string) {
  const app = await h.db
    .insertInto('mfa_applications')
    .values({
      tenant_id: B.id,
      account_id: accountId,
      type: 'personal',
      applicant_name: '王五',
      phone: '+8613966669999',
      id_number_hash: 'x',
      id_number_last4: '1234',
      created_at: h.clock.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const fileId = await postgresFileStore(h.db).put({
    tenantId: B.id,
    ownerId: app.id,
    kind: 'id_photo',
    contentType: 'image/png',
    bytes: new Uint8Array(PNG),
    at: h.clock.now(),
  });
  return { id: app.id, fileId };
}

describe(`admin API: authentication (${backend})`, () => {
  it('refuses a missing, malformed, wrong or revoked key with 401 admin_key_invalid, localised', async () => {
    const { keyId, secretKey } = await createAdminKey(h.db, h.clock, A.id);
    const wrongSecret = `sk_${keyId}_${'A'.repeat(43)}`;
    const cases: { key: string | null; headers?: Record<string, string> }[] = [
      { key: null },
      { key: 'sk_nonsense' },
      { key: wrongSecret },
      { key: A.publishableKey },
      { key: null, headers: { authorization: `Basic ${Buffer.from(`x:${secretKey}`).toString('base64')}` } },
    ];
    for (const c of cases) {
      const res = await admin('/accounts?name=whoever', {
        key: c.key,
        locale: 'en',
        ...(c.headers ? { headers: c.headers } : {}),
      });
      expect(res.status).toBe(401);
      expect(res.json.error).toMatchObject({
        code: 'admin_key_invalid',
        message: expect.stringContaining('secret key'),
      });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect((await admin('/accounts?name=whoever', { key: null, locale: 'zh-CN' })).json.error.message).toContain(
      '密钥',
    );
    // the right key works, then not once revoked
    expect((await admin('/accounts?name=whoever', { key: secretKey })).status).toBe(200);
    expect(await revokeAdminKey(h.db, h.clock, A.id, keyId)).toBe(true);
    const revoked = await admin('/accounts?name=whoever', { key: secretKey });
    expect(revoked.status).toBe(401);
    expect(revoked.json.error.code).toBe('admin_key_invalid');
    // an unknown path under /admin/v1 also needs a key first
    expect((await admin('/nothing-here', { key: null })).status).toBe(401);
    expect((await admin('/nothing-here')).status).toBe(404);
  });

  it('stores only a hash of the key, and records when it was last used', async () => {
    const { keyId, secretKey } = await createAdminKey(h.db, h.clock, A.id, 'rotation test');
    expect(secretKey).toMatch(/^sk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const row = await h.db.selectFrom('admin_keys').selectAll().where('key_id', '=', keyId).executeTakeFirstOrThrow();
    expect(row.secret_hash).not.toContain(secretKey.slice(20));
    expect(row.secret_hash).toBe(createHash('sha256').update(secretKey).digest('hex'));
    expect(row.last_used_at).toBeNull();
    await admin('/accounts?name=whoever', { key: secretKey });
    const used = await h.db
      .selectFrom('admin_keys')
      .select('last_used_at')
      .where('key_id', '=', keyId)
      .executeTakeFirstOrThrow();
    expect(new Date(used.last_used_at!).toISOString()).toBe(h.clock.now().toISOString());
  });

  it('is server to server: no CORS headers even for an allowed origin, no cookie or publishable key consulted', async () => {
    const u = await account();
    const res = await admin(`/accounts/${u.id}`, { headers: { origin: 'https://portal.acme.test' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    const preflight = await h.request('/admin/v1/accounts', {
      method: 'OPTIONS',
      pk: null,
      headers: { origin: 'https://portal.acme.test', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    // the user's own session token is not an admin key
    expect((await admin(`/accounts/${u.id}`, { key: u.token })).status).toBe(401);
  });
});

describe(`admin API: accounts (${backend})`, () => {
  it('looks an account up by id, name (case-insensitive), phone (E.164 or national) and email (normalised)', async () => {
    const u = await account({ name: 'Lookup_Me', email: 'Lookup.Me@Example.com' });
    const byId = await admin(`/accounts?id=${u.id.toUpperCase()}`);
    expect(byId.status).toBe(200);
    expect(byId.json.accounts).toHaveLength(1);
    expect(byId.json.accounts[0]).toMatchObject({
      id: u.id,
      accountName: 'Lookup_Me',
      disabledAt: null,
      mfaBound: false,
      realName: null,
      contacts: expect.arrayContaining([
        expect.objectContaining({
          kind: 'phone',
          role: 'security',
          value: `+86${u.number}`,
          verified: true,
          canSignIn: true,
        }),
        expect.objectContaining({ kind: 'email', role: 'security', value: 'lookup.me@example.com', verified: false }),
      ]),
    });
    for (const q of [
      'name=lookup_me',
      `phone=${u.number}`,
      `phone=${encodeURIComponent(`+86 ${u.number}`)}`,
      `email=${encodeURIComponent('LOOKUP.me@example.COM')}`,
    ]) {
      const res = await admin(`/accounts?${q}`);
      expect(res.status, q).toBe(200);
      expect(
        res.json.accounts.map((a: { id: string }) => a.id),
        q,
      ).toEqual([u.id]);
    }
    expect((await admin(`/accounts/${u.id}`)).json).toEqual(byId.json.accounts[0]);
    expect((await admin('/accounts?name=no_such_account')).json).toEqual({ accounts: [] });
  });

  it('returns every account a phone is bound to', async () => {
    const first = await account();
    const second = await account({ number: first.number });
    const res = await admin(`/accounts?phone=%2B86${first.number}`);
    expect(res.json.accounts.map((a: { id: string }) => a.id).sort()).toEqual([first.id, second.id].sort());
    const flags = Object.fromEntries(
      res.json.accounts.map((a: { id: string; contacts: { canSignIn: boolean }[] }) => [a.id, a.contacts[0].canSignIn]),
    );
    expect(flags).toEqual({ [first.id]: true, [second.id]: false });
  });

  it('refuses bad lookups with 400 and stable codes, never 500', async () => {
    const none = await admin('/accounts', { locale: 'en' });
    expect(none.status).toBe(400);
    expect(none.json.error).toMatchObject({
      code: 'lookup_query_invalid',
      message: 'Give exactly one of id, name, phone or email.',
    });
    expect((await admin('/accounts?name=a&email=a@b.cn')).json.error.code).toBe('lookup_query_invalid');
    expect((await admin('/accounts?name=', { locale: 'zh-CN' })).json.error.message).toContain('仅提供');
    const badId = await admin('/accounts?id=not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.json.error).toMatchObject({ code: 'invalid_input', fields: [{ path: 'id', code: 'invalid_input' }] });
    const badPhone = await admin('/accounts?phone=12345', { locale: 'en' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.json.error.fields).toEqual([
      { path: 'phone', code: 'phone_invalid', message: 'Enter a valid mobile phone number.' },
    ]);
    expect((await admin('/accounts?email=not-an-email')).json.error.fields[0].code).toBe('email_invalid');
    expect((await admin(`/accounts?name=${'x'.repeat(65)}`)).status).toBe(400);
    for (const path of ['/accounts/not-a-uuid', '/accounts/00000000-0000-4000-8000-000000000000']) {
      const res = await admin(path);
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('account_not_found');
    }
  });

  it('tells where to send notices: verified contacts, else the verified security ones, else nothing', async () => {
    const u = await account({ email: 'notices@example.com' });
    // registration: a verified security phone, an unverified security email
    expect((await admin(`/accounts/${u.id}/notice-targets`)).json).toEqual({
      phone: { value: `+86${u.number}`, source: 'security' },
      email: null,
    });
    const now = h.clock.now();
    const contact = (kind: 'phone' | 'email', value: string, verified: boolean) =>
      h.db
        .insertInto('account_contacts')
        .values({
          tenant_id: A.id,
          account_id: u.id,
          kind,
          role: 'contact',
          value,
          verified_at: verified ? now : null,
          can_sign_in: false,
          created_at: now,
        })
        .execute();
    await contact('phone', '+8613900000000', true);
    await contact('email', 'billing@example.com', false);
    expect((await admin(`/accounts/${u.id}/notice-targets`)).json).toEqual({
      phone: { value: '+8613900000000', source: 'contact' },
      email: null,
    });
    await h.db
      .updateTable('account_contacts')
      .set({ verified_at: now })
      .where('account_id', '=', u.id)
      .where('value', '=', 'notices@example.com')
      .execute();
    expect((await admin(`/accounts/${u.id}/notice-targets`)).json.email).toEqual({
      value: 'notices@example.com',
      source: 'security',
    });
    await h.db
      .updateTable('account_contacts')
      .set({ verified_at: now })
      .where('account_id', '=', u.id)
      .where('value', '=', 'billing@example.com')
      .execute();
    expect((await admin(`/accounts/${u.id}/notice-targets`)).json.email).toEqual({
      value: 'billing@example.com',
      source: 'contact',
    });
  });

  it('sets and clears real-name status; the ID number is stored only as a keyed hash and never returned', async () => {
    const u = await account();
    const res = await admin(`/accounts/${u.id}/real-name`, {
      method: 'PUT',
      body: { type: 'enterprise', name: '李四', idNumber: '11010119900307123x', enterpriseName: '示例科技有限公司' },
    });
    expect(res.status).toBe(200);
    expect(res.json.realName).toMatchObject({
      type: 'enterprise',
      name: '李四',
      enterpriseName: '示例科技有限公司',
      verifiedAt: h.clock.now().toISOString(),
    });
    expect(res.text).not.toMatch(/1101011990/);
    const row = await accountRow(u.id);
    expect(row.real_name_id_hash).toBe(idNumberHash(h.deps, A.id, '11010119900307123X'));
    expect(row.real_name_id_hash).not.toContain('11010119900307123');
    // the lost-device path now sees the account as real-name verified
    expect((await h.request('/v1/mfa-recovery', { token: u.token })).json).toMatchObject({
      realNameVerified: true,
      type: 'enterprise',
    });
    const [set] = await eventsOf(u.id);
    expect(set).toMatchObject({
      type: 'real_name_set',
      outcome: 'success',
      detail: { actor: 'admin_key', adminKeyId: keyAId, realNameType: 'enterprise' },
    });

    const cleared = await admin(`/accounts/${u.id}/real-name`, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    expect(cleared.json.realName).toBeNull();
    expect((await accountRow(u.id)).real_name_id_hash).toBeNull();
    expect((await eventsOf(u.id))[0]).toMatchObject({ type: 'real_name_cleared', detail: { adminKeyId: keyAId } });
  });

  it("refuses bad real-name input with field errors in the caller's language", async () => {
    const u = await account();
    const put = (body: unknown, locale = 'en') => admin(`/accounts/${u.id}/real-name`, { method: 'PUT', body, locale });
    const noEnterprise = await put({ type: 'enterprise', name: '李四', idNumber: '110101199003071234' });
    expect(noEnterprise.status).toBe(400);
    expect(noEnterprise.json.error.fields).toEqual([
      { path: 'enterpriseName', code: 'required', message: 'This field is required.' },
    ]);
    const zh = await put({ type: 'enterprise', name: '李四', idNumber: '110101199003071234' }, 'zh-CN');
    expect(zh.json.error.fields[0].message).not.toBe('This field is required.');
    const bad = await put({ type: 'alien', name: ' ', idNumber: '12-34' });
    expect(bad.json.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['idNumber', 'name', 'type']);
    const notJson = await h.request(`/admin/v1/accounts/${u.id}/real-name`, {
      method: 'PUT',
      pk: null,
      token: keyA,
      rawBody: '{nope',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect((await accountRow(u.id)).real_name_type).toBeNull();
  });

  it('disabling ends every session at once and refuses sign-in — told only after the right password', async () => {
    const u = await account();
    const second = (await signIn(u.name, PASSWORD)).json.session.token as string;
    // a sub-user of the account, signed in too
    expect(
      (await h.request('/v1/sub-users', { token: u.token, body: { name: 'ops_member', password: 'Sub#Pass2026' } }))
        .status,
    ).toBe(201);
    const subToken = (await signIn(u.name, 'Sub#Pass2026', { subUser: 'ops_member' })).json.session.token as string;
    for (const t of [u.token, second, subToken]) expect(await session(t)).toBe('in'); // now in the session cache too

    const res = await admin(`/accounts/${u.id}/disable`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.json.disabledAt).toBe(h.clock.now().toISOString());
    for (const t of [u.token, second, subToken]) expect(await session(t)).toBe('out');
    expect(await h.db.selectFrom('sessions').select('id_hash').where('account_id', '=', u.id).execute()).toEqual([]);

    const wrong = await signIn(u.name, 'Wrong#Pass2026');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_credentials');
    for (const identifier of [u.name, u.number]) {
      const right = await signIn(identifier, PASSWORD);
      expect(right.status).toBe(403);
      expect(right.json.error).toMatchObject({
        code: 'account_disabled',
        message: 'This account has been disabled. Please contact support.',
      });
    }
    expect((await signIn(u.name, 'Wrong#2026', { subUser: 'ops_member' })).json.error.code).toBe('invalid_credentials');
    const subOfDisabled = await signIn(u.name, 'Sub#Pass2026', { subUser: 'ops_member' });
    expect([subOfDisabled.status, subOfDisabled.json.error.code]).toEqual([403, 'account_disabled']);
    expect(await h.db.selectFrom('sessions').select('id_hash').where('account_id', '=', u.id).execute()).toEqual([]);
    // disabling again changes nothing and is not audited twice
    expect((await admin(`/accounts/${u.id}/disable`, { method: 'POST' })).json.disabledAt).toBe(res.json.disabledAt);
    expect((await eventsOf(u.id)).filter((e) => e.type === 'account_disabled')).toEqual([
      expect.objectContaining({ detail: { actor: 'admin_key', adminKeyId: keyAId, signedOutSessions: 3 } }),
    ]);

    // a sign-in that passed its checks just before the disable committed still creates a session: refused at use
    const { createSession } = await import('../src/services/sessions.ts');
    const raced = await createSession(
      h.db,
      h.deps,
      { tenantId: A.id, accountId: u.id, mode: 'token' },
      { ip: null, userAgent: null, locale: 'en' },
    );
    expect(await session(raced.token)).toBe('out');

    const enabled = await admin(`/accounts/${u.id}/enable`, { method: 'POST' });
    expect(enabled.json.disabledAt).toBeNull();
    expect((await signIn(u.name, PASSWORD)).status).toBe(200);
    expect((await eventsOf(u.id)).some((e) => e.type === 'account_enabled' && e.detail.adminKeyId === keyAId)).toBe(
      true,
    );
  });

  it('signs an account out everywhere; it can sign in again', async () => {
    const u = await account();
    const other = (await signIn(u.name, PASSWORD)).json.session.token as string;
    expect(await session(u.token)).toBe('in');
    const res = await admin(`/accounts/${u.id}/sign-out-everywhere`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ signedOutSessions: 2 });
    expect(await session(u.token)).toBe('out');
    expect(await session(other)).toBe('out');
    expect((await eventsOf(u.id))[0]).toMatchObject({
      type: 'signed_out_everywhere',
      ip: null,
      detail: { adminKeyId: keyAId, signedOutSessions: 2 },
    });
    expect((await signIn(u.name, PASSWORD)).status).toBe(200);
  });

  it('lists the audit events newest first, a page at a time', async () => {
    const u = await account();
    for (let i = 0; i < 3; i++) await signIn(u.name, 'Wrong#Pass2026');
    await signIn(u.name, PASSWORD);
    const all = await eventsOf(u.id);
    expect(all.length).toBeGreaterThanOrEqual(5); // registered, 3 failures, sign-in (and more)
    const seen: string[] = [];
    let before: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await admin(`/accounts/${u.id}/audit-events?limit=2${before ? `&before=${before}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.json.events.length).toBeLessThanOrEqual(2);
      seen.push(...res.json.events.map((e: { id: string }) => e.id));
      before = res.json.nextBefore;
      if (!before) break;
    }
    expect(seen).toEqual(all.map((e) => e.id));
    const first = (await admin(`/accounts/${u.id}/audit-events`)).json.events[0];
    expect(first).toMatchObject({
      type: 'sign_in',
      outcome: 'success',
      ip: expect.any(String),
      detail: { mode: 'token' },
    });
    for (const q of ['limit=0', 'limit=201', 'limit=abc', 'before=abc', 'before=-1']) {
      const res = await admin(`/accounts/${u.id}/audit-events?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.json.error.code, q).toBe('invalid_input');
    }
  });
});

describe(`admin API: the MFA-application review (${backend})`, () => {
  let n = 0;
  /** A user of tenant A with MFA, real-name verified through the admin API, who lost the device and applied. */
  async function applicant(name: string) {
    const number = `1375556${String(n++).padStart(4, '0')}`;
    const u = await userWithMfa(h, { number, name });
    expect(
      (
        await admin(`/accounts/${u.accountId}/real-name`, {
          method: 'PUT',
          body: { type: 'personal', name: '张三', idNumber: '11010119900307123X' },
        })
      ).status,
    ).toBe(200);
    const pending = (await signIn(u.name, u.password)).json.session.token as string;
    const applied = await h.request('/v1/mfa-recovery/applications', {
      token: pending,
      body: {
        type: 'personal',
        name: '张三',
        phone: { region: 'CN', number },
        idNumber: '110101199003071230',
        idPhoto: { data: PNG.toString('base64') },
      },
    });
    expect(applied.status).toBe(201);
    return { ...u, applicationId: applied.json.id as string };
  }

  it('lists applications by status and shows one with its files and mismatch flags', async () => {
    const u = await applicant('mfa_lost_1');
    const list = await admin('/mfa-applications?status=pending');
    expect(list.status).toBe(200);
    expect(list.json.applications.map((a: { id: string }) => a.id)).toContain(u.applicationId);
    expect(
      (await admin('/mfa-applications?status=rejected')).json.applications.map((a: { id: string }) => a.id),
    ).not.toContain(u.applicationId);
    const bad = await admin('/mfa-applications?status=bogus');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_input');
    const one = await admin(`/mfa-applications/${u.applicationId}`);
    expect(one.json).toMatchObject({
      id: u.applicationId,
      accountId: u.accountId,
      status: 'pending',
      idNumberLast4: '1230',
      mismatches: ['id_number'],
      files: [{ kind: 'id_photo', contentType: 'image/png', size: PNG.length }],
    });
    for (const path of ['/mfa-applications/nope', '/mfa-applications/00000000-0000-4000-8000-000000000000']) {
      expect((await admin(path)).json.error.code).toBe('application_not_found');
    }
  });

  it('serves an uploaded file as a download with its sniffed type, and audits the viewing', async () => {
    const u = await applicant('mfa_lost_2');
    const [file] = (await admin(`/mfa-applications/${u.applicationId}`)).json.files;
    const res = await h.app.request(`http://localhost/admin/v1/mfa-applications/${u.applicationId}/files/${file.id}`, {
      headers: { authorization: `Bearer ${keyA}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="id_photo.png"');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await eventsOf(u.accountId))[0]).toMatchObject({
      type: 'mfa_application_file_viewed',
      detail: { adminKeyId: keyAId, application: u.applicationId, kind: 'id_photo' },
    });
    expect(
      (await admin(`/mfa-applications/${u.applicationId}/files/00000000-0000-4000-8000-000000000000`)).status,
    ).toBe(404);
    expect((await admin(`/mfa-applications/${u.applicationId}/files/nope`)).status).toBe(404);
  });

  it('rejects with a reason (only once), approves another: its MFA and sessions are gone', async () => {
    const r = await applicant('mfa_lost_3');
    const noReason = await admin(`/mfa-applications/${r.applicationId}/reject`, {
      method: 'POST',
      body: { reason: '  ' },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.json.error.fields[0]).toMatchObject({ path: 'reason', code: 'required' });
    const rejected = await admin(`/mfa-applications/${r.applicationId}/reject`, {
      method: 'POST',
      body: { reason: 'ID number does not match' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.json).toMatchObject({ status: 'rejected', reason: 'ID number does not match' });
    const again = await admin(`/mfa-applications/${r.applicationId}/approve`, { method: 'POST', locale: 'en' });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({
      code: 'application_not_pending',
      message: 'This application has already been reviewed.',
    });
    expect((await eventsOf(r.accountId))[0]).toMatchObject({
      type: 'mfa_application_rejected',
      detail: { adminKeyId: keyAId, application: r.applicationId },
    });
    expect((await signIn(r.name, r.password)).json.mfaRequired).toBe(true);

    const a = await applicant('mfa_lost_4');
    expect(await session(a.token)).toBe('in');
    const approved = await admin(`/mfa-applications/${a.applicationId}/approve`, { method: 'POST' });
    expect(approved.status).toBe(200);
    expect(approved.json.status).toBe('approved');
    expect(await session(a.token)).toBe('out');
    expect((await admin(`/accounts/${a.accountId}`)).json.mfaBound).toBe(false);
    expect((await signIn(a.name, a.password)).json.mfaRequired).toBeUndefined();
    expect(
      (await eventsOf(a.accountId)).some(
        (e) => e.type === 'mfa_application_approved' && e.detail.adminKeyId === keyAId,
      ),
    ).toBe(true);
  });
});

describe(`admin API: tenant isolation (${backend})`, () => {
  it('a key of tenant A gets 404 for every account, application and file of tenant B, and changes nothing', async () => {
    const b = await account({ pk: B.publishableKey, name: 'globex_user', email: 'globex.user@example.com' });
    const app = await applicationOfB(b.id);
    const eventsBefore = (await eventsOf(b.id)).length;
    const calls: [string, string, unknown?][] = [
      ['GET', `/accounts/${b.id}`],
      ['GET', `/accounts/${b.id}/notice-targets`],
      ['PUT', `/accounts/${b.id}/real-name`, { type: 'personal', name: '王五', idNumber: '110101199003071234' }],
      ['DELETE', `/accounts/${b.id}/real-name`],
      ['POST', `/accounts/${b.id}/disable`],
      ['POST', `/accounts/${b.id}/enable`],
      ['POST', `/accounts/${b.id}/sign-out-everywhere`],
      ['GET', `/accounts/${b.id}/audit-events`],
      ['GET', `/mfa-applications/${app.id}`],
      ['GET', `/mfa-applications/${app.id}/files/${app.fileId}`],
      ['POST', `/mfa-applications/${app.id}/approve`],
      ['POST', `/mfa-applications/${app.id}/reject`, { reason: 'no' }],
    ];
    for (const [method, path, body] of calls) {
      const res = await admin(path, { method, ...(body !== undefined ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json.error.code, `${method} ${path}`).toMatch(/^(account_not_found|application_not_found|not_found)$/);
      expect(res.text, `${method} ${path}`).not.toContain('globex');
    }
    // nothing of B changed: not disabled, no real name, still signed in, application pending, no events
    const row = await accountRow(b.id);
    expect(row.disabled_at).toBeNull();
    expect(row.real_name_type).toBeNull();
    expect(await session(b.token, B.publishableKey)).toBe('in');
    expect(
      (await h.db.selectFrom('mfa_applications').select('status').where('id', '=', app.id).executeTakeFirstOrThrow())
        .status,
    ).toBe('pending');
    expect((await eventsOf(b.id)).length).toBe(eventsBefore);
    // and the list of A's applications never shows B's
    expect((await admin('/mfa-applications')).json.applications.map((x: { id: string }) => x.id)).not.toContain(app.id);

    // B's own key sees them (the 404s above are about the tenant, not the ids)
    expect((await admin(`/accounts/${b.id}`, { key: keyB })).status).toBe(200);
    expect((await admin(`/mfa-applications/${app.id}`, { key: keyB })).status).toBe(200);
    expect((await admin(`/mfa-applications/${app.id}/files/${app.fileId}`, { key: keyB })).status).toBe(200);
    expect(
      (await admin('/mfa-applications', { key: keyB })).json.applications.map((x: { id: string }) => x.id),
    ).toEqual([app.id]);
  });

  it("lookups by id, name, phone or email never return another tenant's accounts", async () => {
    const number = nextNumber();
    const b = await account({ pk: B.publishableKey, name: 'Shared_Name', number, email: 'shared.person@example.com' });
    for (const q of [
      `id=${b.id}`,
      'name=shared_name',
      `phone=${number}`,
      `phone=%2B86${number}`,
      'email=shared.person@example.com',
    ]) {
      expect((await admin(`/accounts?${q}`)).json, q).toEqual({ accounts: [] });
      expect(
        (await admin(`/accounts?${q}`, { key: keyB })).json.accounts.map((x: { id: string }) => x.id),
        q,
      ).toEqual([b.id]);
    }
    // the same name, phone and email in tenant A: each key sees only its own
    const a = await account({ name: 'shared_name', number, email: 'shared.person@example.com' });
    for (const q of ['name=SHARED_NAME', `phone=${number}`, 'email=shared.person@example.com']) {
      expect(
        (await admin(`/accounts?${q}`)).json.accounts.map((x: { id: string }) => x.id),
        q,
      ).toEqual([a.id]);
      expect(
        (await admin(`/accounts?${q}`, { key: keyB })).json.accounts.map((x: { id: string }) => x.id),
        q,
      ).toEqual([b.id]);
    }
  });
});

describe('admin keys through the tenant CLI (npm run tenant -- admin-keys)', () => {
  const run = promisify(execFile);
  const root = resolve(import.meta.dirname, '../..');
  const dir = mkdtempSync(join(tmpdir(), 'jd-admin-cli-'));
  const { DATABASE_URL: _pg, ...baseEnv } = process.env;
  const env = { ...baseEnv, PGLITE_DIR: join(dir, 'pglite') };
  const tenant = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'bff/src/cli/tenant.ts', ...args], { cwd: root, env });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // each CLI run starts tsx and PGlite (tens of seconds on a loaded machine): the database is arranged and checked in-process
  async function withDb<T>(fn: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
    const db = createDb({ pgliteDir: join(dir, 'pglite') });
    try {
      return await fn(db);
    } finally {
      await db.destroy();
    }
  }
  const call = (db: ReturnType<typeof createDb>, key: string) =>
    createApp({
      deps: nodeDeps(db, testConfig(), { clock: new TestClock() }),
      tenants: new TenantDirectory(db, 0),
    }).request('http://localhost/admin/v1/accounts?name=nobody_here', {
      headers: { authorization: `Bearer ${key}` },
    });

  it('creates a key (the secret printed once), lists keys without it, revokes one; only a hash is stored', async () => {
    await withDb(async (db) => {
      await migrateToLatest(db);
      await createTenant(db, { slug: 'cli-admin', origins: ['https://cli.example.test'] });
    });
    const created = await tenant('admin-keys', 'create', 'cli-admin', '--label', 'billing server');
    const secret = /secret key[^:]*: (sk_[0-9a-f]{16}_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1];
    expect(secret).toBeDefined();
    const keyId = secret!.slice(3, 19);
    expect(created.stdout).toContain(`created admin key ${keyId}`);
    expect(created.stdout.split(secret!.slice(20)).length).toBe(2); // printed exactly once

    const listed = await tenant('admin-keys', 'list', 'cli-admin');
    expect(listed.stdout).not.toContain(secret!.slice(20));
    expect(listed.stdout).not.toContain('sk_');
    expect(JSON.parse(listed.stdout)).toEqual([
      { keyId, label: 'billing server', createdAt: expect.any(String), lastUsedAt: null, revokedAt: null },
    ]);

    // the database the CLI wrote holds a hash, not the secret; the BFF accepts the key
    await withDb(async (db) => {
      const row = await db.selectFrom('admin_keys').selectAll().where('key_id', '=', keyId).executeTakeFirstOrThrow();
      expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.secret_hash).not.toContain(secret!.slice(20));
      const ok = await call(db, secret!);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ accounts: [] });
    });

    expect((await tenant('admin-keys', 'revoke', 'cli-admin', keyId)).stdout).toContain(`revoked admin key ${keyId}`);
    await withDb(async (db) => {
      expect(
        (await db.selectFrom('admin_keys').select('revoked_at').where('key_id', '=', keyId).executeTakeFirstOrThrow())
          .revoked_at,
      ).not.toBeNull();
      expect((await call(db, secret!)).status).toBe(401);
    });
  }, 300_000);
});
