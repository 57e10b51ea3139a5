import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/src/errors.ts';
import { configureTenant, findTenantBySlug, TenantDirectory } from '../src/services/tenants.ts';
import { backend, makeHarness, type Harness } from './harness.ts';
import { userWithMfa } from './mfa-helpers.ts';

/** Per-tenant configuration (docs/operating.md#tenant-configuration): one validation for CLI and admin API, branding, agreement versions. */
let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

async function refused(patch: unknown): Promise<AppError> {
  const before = (await findTenantBySlug(h.db, 'acme'))!.config;
  const err = await configureTenant(h.db, h.tenant, patch, { secret: h.deps.config.secret }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((await findTenantBySlug(h.db, 'acme'))!.config).toEqual(before); // nothing changed
  return err as AppError;
}

describe(`tenant configuration (${backend})`, () => {
  it('refuses anything but exact shapes: unknown keys, CSS in a colour, non-https logos, foreign http origins, bad agreements', async () => {
    expect((await refused({ colour: 'red' })).fields).toEqual([{ path: 'colour', code: 'invalid_input' }]);
    expect((await refused({ branding: { primaryColor: 'red;background:url(//x)' } })).fields![0].path).toBe(
      'branding.primaryColor',
    );
    expect((await refused({ branding: { logoUrl: 'javascript:alert(1)' } })).fields![0].path).toBe('branding.logoUrl');
    expect((await refused({ branding: { logoUrl: 'http://cdn.acme.test/logo.png' } })).fields![0].path).toBe(
      'branding.logoUrl',
    );
    expect((await refused({ branding: { cornerRadius: 99 } })).fields![0].path).toBe('branding.cornerRadius');
    expect((await refused({ allowedOrigins: ['http://portal.acme.test'] })).fields![0].path).toBe('allowedOrigins.0');
    expect((await refused({ allowedOrigins: ['https://portal.acme.test/path'] })).fields![0].path).toBe(
      'allowedOrigins.0',
    );
    expect((await refused({ displayName: { 'zh-CN': 'A\r\nB', en: 'A' } })).fields![0].path).toBe('displayName.zh-CN');
    expect((await refused({ supportChannels: { ticketUrl: '//evil.test/x' } })).fields![0].path).toBe(
      'supportChannels.ticketUrl',
    );
    const dupAgreements = [h.tenant.config.agreements[0], h.tenant.config.agreements[0]];
    expect((await refused({ agreements: dupAgreements })).code).toBe('invalid_input');
    expect(
      (await refused({ passwordPolicy: { ...h.tenant.config.passwordPolicy, minLength: 12, maxLength: 8 } })).code,
    ).toBe('invalid_input');
    expect((await refused('not an object')).code).toBe('invalid_input');
  });

  it('branding and other public settings reach the widgets without a restart, origins are normalised', async () => {
    const updated = await configureTenant(
      h.db,
      h.tenant,
      {
        branding: { primaryColor: '#0a7d5a', cornerRadius: 10, logoUrl: 'https://cdn.acme.test/logo.svg' },
        allowedOrigins: ['https://Portal.Acme.test:443', 'http://localhost:5173'],
      },
      { secret: h.deps.config.secret },
    );
    expect(updated.config.allowedOrigins).toEqual(['https://portal.acme.test', 'http://localhost:5173']);
    // a running BFF with a 1 s tenant cache sees the change once the cache expires, without a restart
    const directory = new TenantDirectory(h.db, 1);
    await new Promise((r) => setTimeout(r, 5));
    const seen = await directory.byPublishableKey(h.tenant.publishableKey);
    expect(seen!.config.branding).toEqual({
      primaryColor: '#0a7d5a',
      cornerRadius: 10,
      logoUrl: 'https://cdn.acme.test/logo.svg',
    });
    h.tenants.invalidate();
    const res = await h.request('/v1/config', { headers: { origin: 'https://portal.acme.test' } });
    expect(res.status).toBe(200);
    expect(res.json.branding).toEqual({
      primaryColor: '#0a7d5a',
      cornerRadius: 10,
      logoUrl: 'https://cdn.acme.test/logo.svg',
    });
    expect(res.json.allowedOrigins).toBeUndefined(); // never public
    await h.setTenantConfig({ allowedOrigins: ['https://portal.acme.test'] });
  });

  it('a new agreement version is asked for at the next sign-in, accepted once, and not asked again', async () => {
    expect(
      (await h.register({ accountName: 'agree_user', number: '13766660001', password: 'Agree#2026' })).status,
    ).toBe(201);
    const signIn = () =>
      h.request('/v1/sessions', {
        body: { identifier: 'agree_user', password: 'Agree#2026' },
        headers: { 'x-jd-session-mode': 'token' },
      });
    expect((await signIn()).json.agreementsToAccept).toBeUndefined();

    const agreements = h.tenant.config.agreements.map((a) => (a.key === 'privacy' ? { ...a, version: '2.0' } : a));
    await h.setTenantConfig({ agreements });
    const asked = await signIn();
    expect(asked.status).toBe(200);
    expect(asked.json.agreementsToAccept).toEqual([expect.objectContaining({ key: 'privacy', version: '2.0' })]);
    const token = asked.json.session.token as string;
    const stale = await h.request('/v1/consents', {
      token,
      body: { agreements: [{ key: 'privacy', version: '1.0' }] },
      locale: 'en',
    });
    expect(stale.status).toBe(400);
    expect(stale.json.error.code).toBe('agreements_required');
    expect(
      (await h.request('/v1/consents', { body: { agreements: [{ key: 'privacy', version: '2.0' }] } })).status,
    ).toBe(401);
    const accepted = await h.request('/v1/consents', {
      token,
      body: { agreements: [{ key: 'privacy', version: '2.0' }] },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.json.agreementsToAccept).toEqual([]);
    const row = await h.db
      .selectFrom('consents')
      .selectAll()
      .where('agreement_key', '=', 'privacy')
      .where('version', '=', '2.0')
      .execute();
    expect(row).toHaveLength(1);
    expect((await signIn()).json.agreementsToAccept).toBeUndefined();
  });

  it('with MFA, the agreements come with the answer that completes sign-in, not with the pending one', async () => {
    await h.setTenantConfig({ agreements: h.tenant.config.agreements.map((a) => ({ ...a, version: '1.0' })) }); // what the harness registers with
    const u = await userWithMfa(h, { number: '13766660002', name: 'agree_mfa' });
    await h.setTenantConfig({
      agreements: h.tenant.config.agreements.map((a) => (a.key === 'service' ? { ...a, version: '3.1' } : a)),
    });
    const pending = await h.request('/v1/sessions', {
      body: { identifier: u.name, password: u.password },
      headers: { 'x-jd-session-mode': 'token' },
    });
    expect(pending.json.mfaRequired).toBe(true);
    expect(pending.json.agreementsToAccept).toBeUndefined();
    const { generate } = await import('otplib');
    const done = await h.request('/v1/sessions/mfa', {
      token: pending.json.session.token,
      body: { code: await generate({ secret: u.secret, epoch: Math.floor(h.clock.now().getTime() / 1000) }) },
    });
    expect(done.status).toBe(200);
    expect(done.json.agreementsToAccept.map((a: { key: string; version: string }) => `${a.key}@${a.version}`)).toEqual([
      'service@3.1',
    ]);
  });

  it('the admin API reads and patches the config of its own tenant only, never showing provider credentials', async () => {
    const { createAdminKey } = await import('../src/services/admin-keys.ts');
    const { createTenant } = await import('../src/services/tenants.ts');
    const { secretKey } = await createAdminKey(h.db, h.clock, h.tenant.id, 'config');
    const other = await createTenant(h.db, { slug: 'config-other', origins: ['https://other.test'] });
    const { secretKey: otherKey } = await createAdminKey(h.db, h.clock, other.id);
    const admin = (key: string, method: string, body?: unknown) =>
      h.app.request('/admin/v1/config', {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'accept-language': 'en' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    const own = {
      provider: 'twilio',
      from: '+15005550006',
      credentials: { accountSid: 'AC1', authToken: 'very-secret-token' },
    };
    expect((await admin(secretKey, 'PATCH', { delivery: { sms: own } })).status).toBe(200);
    const read = await admin(secretKey, 'GET');
    expect(read.status).toBe(200);
    const text = await read.text();
    expect(text).not.toContain('very-secret-token');
    expect(JSON.parse(text).delivery.sms).toEqual({
      provider: 'twilio',
      from: '+15005550006',
      credentials: { set: true, keys: ['accountSid', 'authToken'] },
    });

    const bad = await admin(secretKey, 'PATCH', { branding: { primaryColor: 'blue' } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields[0]).toMatchObject({ path: 'branding.primaryColor', code: 'invalid_input' });
    const ok = await admin(secretKey, 'PATCH', { branding: { primaryColor: '#224488' }, defaultLocale: 'en' });
    expect(ok.status).toBe(200);
    // takes effect at once for the widgets of this BFF
    const config = await h.request('/v1/config', { headers: { origin: 'https://portal.acme.test' } });
    expect(config.json).toMatchObject({ branding: { primaryColor: '#224488' }, defaultLocale: 'en' });
    // the other tenant's key changes only the other tenant
    expect((await admin(otherKey, 'PATCH', { defaultLocale: 'zh-CN' })).status).toBe(200);
    expect((await findTenantBySlug(h.db, 'acme'))!.config.defaultLocale).toBe('en');
    expect((await findTenantBySlug(h.db, 'config-other'))!.config.defaultLocale).toBe('zh-CN');
    expect((await admin('sk_nope', 'GET')).status).toBe(401);
    const events = await h.db
      .selectFrom('audit_events')
      .select(['tenant_id', 'detail'])
      .where('type', '=', 'tenant_configured')
      .execute();
    expect(events.map((e) => e.tenant_id).sort()).toEqual([h.tenant.id, h.tenant.id, other.id].sort()); // delivery, then branding
  });
});
