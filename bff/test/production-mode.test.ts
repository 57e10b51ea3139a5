import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase } from './scratch-db.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { prepareBff } from '../src/boot.ts';
import { loadConfig } from '../src/config.ts';
import { OutboxWorker, readDevOutbox } from '../src/delivery/outbox.ts';
import { createSenderResolver } from '../src/delivery/providers.ts';
import { silentLogger } from '../src/log.ts';
import { createTenant } from '../src/services/tenants.ts';
import { backend, cookieFrom, makeHarness, ORIGIN, type Harness } from './harness.ts';

const PUBLIC_URL = 'https://auth.example.com';
const PRODUCTION = { NODE_ENV: 'production', JD_SECRET: 'x'.repeat(40), PUBLIC_URL };
/** what an attacker puts in the Host header: links and issuers built from it would point at them */
const EVIL = { url: 'http://evil.example', headers: { host: 'evil.example' } };

/** The payload of a JWT, unverified: only its claims are looked at here. */
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { iss: string };

describe('configuration', () => {
  it('requires a real JD_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PUBLIC_URL })).toThrow(/JD_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JD_SECRET: 'short', PUBLIC_URL })).toThrow(/JD_SECRET/);
    expect(loadConfig(PRODUCTION).dev).toBe(false);
    expect(loadConfig({}).dev).toBe(true);
  });
  // docs/security.md#production-what-the-operator-must-set: the tokens' issuer and email links come from PUBLIC_URL, never from Host
  it('requires PUBLIC_URL in production, and only there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JD_SECRET: 'x'.repeat(40) })).toThrow(
      /PUBLIC_URL .*required in production/,
    );
    expect(() => loadConfig({ ...PRODUCTION, PUBLIC_URL: 'auth.example.com' })).toThrow(
      /PUBLIC_URL must be an http\(s\) origin/,
    );
    expect(loadConfig({ ...PRODUCTION, PUBLIC_URL: 'https://auth.example.com/some/path' }).publicUrl).toBe(PUBLIC_URL);
    expect(loadConfig({}).publicUrl).toBeUndefined();
  });
  it('refuses malformed numbers instead of running with NaN', () => {
    expect(() => loadConfig({ SESSION_IDLE_SECONDS: 'soon' })).toThrow(/SESSION_IDLE_SECONDS/);
  });
});

describe(`production mode (${backend})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await makeHarness({ config: { dev: false, secret: 'p'.repeat(40), publicUrl: PUBLIC_URL } });
  });
  afterAll(() => h.close());

  it('has no dev outbox; with no provider the message fails for good and its code is wiped', async () => {
    expect((await h.app.request('/dev/outbox')).status).toBe(404);
    expect((await h.app.request('/dev')).status).toBe(404);
    const res = await h.request('/v1/verification-codes', {
      body: { phone: { region: 'CN', number: '13900001111' }, purpose: 'register', channel: 'sms' },
    });
    expect(res.status).toBe(202);
    const worker = new OutboxWorker({
      db: h.db,
      now: () => h.clock.now(),
      resolveSender: createSenderResolver({ db: h.db, env: {}, dev: false, factories: {} }),
      keepBodies: false,
    });
    expect(await worker.runOnce()).toBe(1);
    const row = await h.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', last_error: 'no_provider_for_sms', body: '', payload: {} });
    const status = await h.request(`/v1/deliveries/${res.json.deliveryId}`);
    expect(status.json).toMatchObject({ status: 'failed', channel: 'sms', attempts: 1 });
  });

  it('answers unknown paths with the error shape, not a stack', async () => {
    const res = await h.app.request('/nowhere', { headers: { 'accept-language': 'en' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found', message: 'Not found.' } });
  });
});

describe(`production mode: absolute URLs come from PUBLIC_URL, not Host (${backend})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await makeHarness({ config: { dev: false, secret: 'p'.repeat(40), publicUrl: PUBLIC_URL } });
  });
  afterAll(() => h.close());

  it('the email link and the token issuer of a registration sent with a hostile Host', async () => {
    const res = await h.register({ accountName: 'host_user', number: '13900002222', email: 'host@example.com' }, EVIL);
    expect(res.status).toBe(201);
    expect(claims(res.json.accessToken.token).iss).toBe(`${PUBLIC_URL}/tenants/acme`);
    const [mail] = await readDevOutbox(h.db, { to: 'host@example.com', limit: 1 });
    expect(mail.link).toMatch(new RegExp(`^${PUBLIC_URL}/email/verify\\?token=`));
    expect(JSON.stringify(mail)).not.toContain('evil.example');

    const token = await h.request('/v1/session/token', {
      ...EVIL,
      body: {},
      origin: ORIGIN,
      cookie: cookieFrom(res.headers.get('set-cookie')),
    });
    expect(token.status).toBe(200);
    expect(claims(token.json.token).iss).toBe(`${PUBLIC_URL}/tenants/acme`);
  });

  it('the session cookie is __Host- and Secure whatever Host a proxy forwards (even a loopback name)', async () => {
    for (const url of ['http://127.0.0.1:8787', 'http://localhost', 'http://[::1]']) {
      const res = await h.request('/v1/sessions', {
        url,
        origin: ORIGIN,
        body: { identifier: 'host_user', password: 'Secret#2026' },
      });
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^__Host-jd_session_/);
      expect(cookie).toMatch(/; Secure/i);
      // and it is read back under that name
      expect(await h.sessionState({ url, origin: ORIGIN, cookie: cookieFrom(cookie) })).toBe('in');
    }
  });

  it("a Host and Origin that agree (a rebound DNS name) are not the BFF's own origin", async () => {
    const res = await h.request('/v1/config', { ...EVIL, origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('origin_not_allowed');
    const preflight = await h.request('/v1/sessions', {
      ...EVIL,
      method: 'OPTIONS',
      origin: 'http://evil.example',
      headers: { ...EVIL.headers, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    // the BFF's real origin still is
    expect((await h.request('/v1/config', { origin: PUBLIC_URL, url: PUBLIC_URL })).status).toBe(200);
  });

  it('the discovery document and the API description', async () => {
    const res = await h.request('/tenants/acme/.well-known/openid-configuration', { ...EVIL, pk: null });
    expect(res.json).toMatchObject({
      issuer: `${PUBLIC_URL}/tenants/acme`,
      jwks_uri: `${PUBLIC_URL}/tenants/acme/.well-known/jwks.json`,
    });
    const doc = await h.request('/openapi.json', { ...EVIL, pk: null });
    expect(doc.text).not.toContain('evil.example');
    expect(doc.json.servers[0].url).toContain(PUBLIC_URL);
  });

  it('an app configured by hand for production without PUBLIC_URL does not start', () => {
    const { publicUrl: _set, ...config } = h.deps.config;
    expect(() => createApp({ deps: { ...h.deps, config }, tenants: h.tenants })).toThrow(/PUBLIC_URL/);
  });
});

/** A fresh database for one `npm start` (prepareBff): a new Postgres database, or a new PGlite directory. */
async function freshStartEnv(): Promise<{ env: Record<string, string>; remove: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const scratch = await createScratchDatabase(url, 'jd_test_prod');
    return { env: { DATABASE_URL: scratch.url }, remove: scratch.drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'jd-prod-'));
  return {
    env: { PGLITE_DIR: join(dir, 'pglite') },
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe(`npm start in production (${backend})`, () => {
  let bff: Awaited<ReturnType<typeof prepareBff>>;
  let data: Awaited<ReturnType<typeof freshStartEnv>>;
  beforeAll(async () => {
    data = await freshStartEnv();
    const { DATABASE_URL: _pg, PGLITE_DIR: _dir, ...rest } = process.env;
    bff = await prepareBff({
      port: 8787,
      log: silentLogger,
      env: { ...rest, ...PRODUCTION, ...data.env, OUTBOX_WORKER: '0', SKIP_WIDGET_BUILD: '1' },
    });
  });
  afterAll(async () => {
    await bff?.stop();
    await data?.remove();
  });

  it('creates no demo tenant and serves no demo page, key or dev page', async () => {
    expect(await bff.db.selectFrom('tenants').select('slug').execute()).toEqual([]);
    for (const path of ['/', '/dev', '/dev/outbox', '/dev/', '/index.html']) {
      const res = await bff.app.request(`http://localhost${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toMatch(/pk_(test|live)_/);
    }
    // what production does serve: the bundle for portals, the default agreements' pages
    expect((await bff.app.request('http://localhost/widget/jd-account.js')).status).toBe(200);
    expect((await bff.app.request('http://localhost/legal/privacy')).status).toBe(200);
  });

  it('answers any Host (a proxy may use an internal name), with PUBLIC_URL in what it builds', async () => {
    const tenant = await createTenant(bff.db, { slug: 'acme-prod', origins: ['https://portal.acme.test'] });
    const res = await bff.app.request(`http://evil.example/tenants/${tenant.slug}/.well-known/openid-configuration`, {
      headers: { host: 'evil.example' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      issuer: `${PUBLIC_URL}/tenants/acme-prod`,
      jwks_uri: `${PUBLIC_URL}/tenants/acme-prod/.well-known/jwks.json`,
    });
  });
});

describe(`development: the Host must name this machine or a configured host (${backend})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await makeHarness({
      config: { allowedHosts: ['dev.acme.test', 'box.lan:8787'], publicUrl: 'https://tunnel.example.net' },
    });
  });
  afterAll(() => h.close());

  const at = (url: string, host?: string, locale = 'en') =>
    h.request('/v1/config', { url, locale, headers: host ? { host } : {} });

  it("refuses another name with 403 host_not_allowed, in the caller's language (DNS rebinding of /dev/outbox)", async () => {
    for (const [url, host] of [
      ['http://evil.example', 'evil.example'],
      ['http://localhost', 'evil.example'], // the Host header counts even when the URL says localhost
      ['http://evil.example:8787', undefined],
      ['http://localhost.evil.example', undefined],
      ['http://127.0.0.1.nip.io', undefined],
      ['http://box.lan:9999', undefined], // configured with a port: that port only
      ['http://192.168.1.20:8787', undefined],
    ] as const) {
      const res = await at(url, host);
      expect(res.status, `${url} ${host}`).toBe(403);
      expect(res.json.error).toMatchObject({
        code: 'host_not_allowed',
        message: expect.stringContaining('ALLOWED_HOSTS'),
      });
    }
    expect((await at('http://evil.example', undefined, 'zh-CN')).json.error.message).toContain('不允许');
    for (const path of ['/dev', '/dev/outbox', '/']) {
      expect((await h.request(path, { url: 'http://evil.example' })).status, path).toBe(403);
    }
  });

  it("accepts loopback names, PUBLIC_URL's host and ALLOWED_HOSTS", async () => {
    for (const url of [
      'http://localhost',
      'http://localhost:8787',
      'http://127.0.0.1:8787',
      'http://[::1]:8787',
      'http://app.localhost:5173',
      'https://tunnel.example.net',
      'http://dev.acme.test:3000',
      'http://box.lan:8787',
    ]) {
      const res = await at(url, new URL(url).host);
      expect(res.status, url).toBe(200);
    }
  });

  it('lets health probes through under any name', async () => {
    expect((await h.request('/healthz', { url: 'http://10.0.0.7:8787', pk: null })).status).toBe(200);
  });

  it('reads ALLOWED_HOSTS from the environment', () => {
    expect(loadConfig({ ALLOWED_HOSTS: ' Dev.Acme.test , box.lan:8787,' }).allowedHosts).toEqual([
      'dev.acme.test',
      'box.lan:8787',
    ]);
  });
});
