/**
 * Embedding, proven (docs/embedding.md): one BFF (`npm start` on PGlite, dev mode) serving two tenants —
 * `portal`, created with the tenant CLI and allowing the portal's and the static server's
 * origins, and the BFF's own `demo` — and, each on its own port (= its own origin):
 * - demo/portal/server.ts, a third-party portal with its own backend, which embeds the elements
 *   in token mode and verifies their tokens against the BFF's JWKS with jose;
 * - a plain static file server serving demo/static.
 * In Chromium: register and sign in on both; the portal's backend shows the verified account id.
 * A page from an origin the tenant did not allow is refused. The portal's verifier refuses an
 * expired token, another tenant's token and a token signed by a rotated-out key.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader } from 'jose';
import { AGREEMENTS, makeHarness } from '../bff/test/harness.ts';
import { KEY_CACHE_SECONDS, RETIRED_KEY_PUBLISHED_SECONDS, rotateSigningKey } from '../bff/src/services/tokens.ts';
import type { ErrorCode } from '../shared/src/errors.ts';
import { errorMessage } from '../shared/src/i18n/index.ts';
import { createTokenVerifier, TokenRefused } from '../demo/portal/verify.ts';
import {
  codeFor,
  freePort,
  launchBrowser,
  root,
  serveDirectory,
  startBff,
  startProcess,
  tempDataDir,
  tenantCli,
  type Bff,
} from './helpers.ts';

const PASSWORD = 'E2e#Pass2026';
const data = tempDataDir();
let bff: Bff;
let portal: Awaited<ReturnType<typeof startProcess>>;
let statics: Awaited<ReturnType<typeof serveDirectory>>;
let browser: Browser;
let portalKey: string;
let portalPort: number;
/** the portal as its users reach it */
let portalBase: string;

beforeAll(async () => {
  // the origins must be known before the tenant is created: the static server listens first
  statics = await serveDirectory(join(root, 'demo/static'));
  portalPort = await freePort();
  portalBase = `http://localhost:${portalPort}`;
  // the tenant CLI before the BFF starts: PGlite serves one process per directory
  const created = await tenantCli(
    data.pgliteDir,
    'create',
    'portal',
    '--name',
    'Example Portal',
    '--origin',
    portalBase,
    '--origin',
    `http://localhost:${statics.port}`,
  );
  portalKey = /publishable key: (pk_[A-Za-z0-9_-]+)/.exec(created)![1]!;
  const bffPort = await freePort();
  // the portal knows the BFF by URL and the tenant by key and slug, nothing else
  const { DATABASE_URL: _pg, JD_SECRET: _secret, ...env } = process.env;
  [bff, browser, portal] = await Promise.all([
    startBff(data.pgliteDir, { port: bffPort }),
    launchBrowser(),
    startProcess(
      'demo/portal/server.ts',
      {
        ...env,
        BFF_URL: `http://localhost:${bffPort}`,
        PUBLISHABLE_KEY: portalKey,
        TENANT_SLUG: 'portal',
        PORT: String(portalPort),
      },
      'portal listening on',
    ),
  ]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([portal?.stop(), bff?.stop(), statics?.close()]);
  data.remove();
});

/** A page that records uncaught errors and console errors (a CSP violation is one). */
async function watchedPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // "Failed to load resource": a favicon's 404, the session check's 401 before sign-in — answers, not faults
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  return { page, errors };
}

/** Registers through the <jd-register> on the page (English), the code read from the dev outbox. */
async function registerOnPage(page: Page, accountName: string, phone: string) {
  await page.getByRole('tab', { name: /Register/ }).click();
  const reg = page.locator('jd-register');
  // the three steps (docs/product.md#6-registration): phone and code, name and password, enable the service
  await reg.getByLabel('Mobile phone', { exact: true }).fill(phone);
  await reg.getByRole('button', { name: 'Send code' }).click();
  await reg.getByLabel('Verification code', { exact: true }).fill(await codeFor(bff.base, `+86${phone}`));
  for (const box of await reg.getByRole('checkbox').all()) await box.check();
  await reg.getByRole('button', { name: 'Next', exact: true }).click();
  await reg.getByLabel('Account name', { exact: true }).fill(accountName);
  await reg.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await reg.getByRole('button', { name: 'Next', exact: true }).click();
  await reg.getByRole('button', { name: 'Register', exact: true }).click();
}

async function signInOnPage(page: Page, identifier: string) {
  const login = page.locator('jd-login');
  await login.getByLabel('Account name, phone or email').fill(identifier);
  await login.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await login.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The session token the widget keeps in token mode (sessionStorage of the page's origin). */
function storedSession(page: Page, pk: string): Promise<string | null> {
  return page.evaluate((key) => sessionStorage.getItem(`jd-account:token:${key}`), pk);
}

/** GET /v1/session at the BFF with a token-mode session: the account as the BFF has it. */
async function bffAccount(pk: string, sessionToken: string): Promise<{ id: string; accountName: string }> {
  const res = await fetch(`${bff.base}/v1/session`, {
    headers: { 'x-jd-publishable-key': pk, authorization: `Bearer ${sessionToken}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { account: { id: string; accountName: string } }).account;
}

/** Registers through the BFF's API, as a server would (no Origin): the answer carries the backend token. */
async function registerByApi(pk: string, accountName: string, number: string) {
  const headers = { 'x-jd-publishable-key': pk, 'content-type': 'application/json', 'x-jd-session-mode': 'token' };
  const sent = await fetch(`${bff.base}/v1/verification-codes`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ phone: { region: 'CN', number }, purpose: 'register', channel: 'sms' }),
  });
  expect(sent.status).toBe(202);
  const code = await codeFor(bff.base, `+86${number}`);
  const res = await fetch(`${bff.base}/v1/accounts`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      accountName,
      password: PASSWORD,
      phone: { region: 'CN', number },
      code,
      agreements: AGREEMENTS,
    }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { account: { id: string }; accessToken: { token: string; expiresIn: number } };
}

/** What a refused origin makes the widget say: the BFF's 403 is readable by the page (its error only). */
const REFUSED = ['origin_not_allowed'];

/** Records the codes of the page's jd-error events (from before its scripts run). */
async function recordWidgetErrors(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { jdErrors: string[] };
    w.jdErrors = [];
    document.addEventListener('jd-error', (e) => w.jdErrors.push((e as CustomEvent<{ code: string }>).detail.code));
  });
  return () => page.evaluate(() => (window as unknown as { jdErrors: string[] }).jdErrors);
}

interface RequestLine {
  msg: string;
  method?: string;
  path?: string;
  status?: number;
  tenant?: string;
}

/** The BFF's request log lines (JSON, one per request) printed since `from` that match; waits a little for them to arrive. */
async function requestLines(from: number, match: (l: RequestLine) => boolean): Promise<RequestLine[]> {
  let found: RequestLine[] = [];
  for (let i = 0; i < 30 && !found.length; i++) {
    if (i) await new Promise((r) => setTimeout(r, 100));
    found = bff
      .output()
      .slice(from)
      .split('\n')
      .filter((l) => l.startsWith('{') && l.endsWith('}'))
      .map((l) => JSON.parse(l) as RequestLine)
      .filter((l) => l.msg === 'request' && match(l));
  }
  return found;
}

const askPortal = (token?: string) =>
  fetch(`${portalBase}/api/me`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('the third-party portal (demo/portal: its own origin and backend, token mode)', () => {
  it('registers, signs out and in again; its backend shows the verified account id each time', async () => {
    const { page, errors } = await watchedPage();
    await page.goto(`${portalBase}/`);
    await registerOnPage(page, 'portal_user_e2e', '13912350001');

    const backend = page.locator('#backend[data-state="verified"]');
    await backend.waitFor({ timeout: 20_000 });
    const sub = (await page.locator('#claim-sub').textContent())!;
    expect(await page.locator('#claim-amr').textContent()).toBe('pwd');
    // the id the portal's backend verified is the BFF's own account id
    const session = (await storedSession(page, portalKey))!;
    expect(session).toBeTruthy();
    const account = await bffAccount(portalKey, session);
    expect(account).toMatchObject({ id: sub, accountName: 'portal_user_e2e' });
    // token mode: no cookie of the BFF's in this browser
    expect((await page.context().cookies(bff.base)).filter((c) => c.name.startsWith('jd_session'))).toEqual([]);

    // sign out: the page forgets the backend's answer, and the element has no token to give
    const login = page.locator('jd-login');
    await login.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#backend[data-state="signed-out"]').waitFor({ state: 'attached' });
    expect(await storedSession(page, portalKey)).toBeNull();
    const tokenCode = (tag: 'jd-login' | 'jd-register') =>
      page.evaluate(
        (t) =>
          document
            .querySelector(t)!
            .getToken()
            .then(
              () => 'resolved',
              (e: { code: string }) => e.code,
            ),
        tag,
      );
    expect(await tokenCode('jd-login')).toBe('not_signed_in');
    // <jd-register> kept the token its registration answer carried: the shared session's end voids it too
    expect(await tokenCode('jd-register')).toBe('not_signed_in');

    // sign in by account name: the backend verifies the new token, same account
    await signInOnPage(page, 'portal_user_e2e');
    await backend.waitFor({ timeout: 20_000 });
    expect(await page.locator('#claim-sub').textContent()).toBe(sub);

    // a reload finds the session; the element fetches a fresh token (POST /v1/session/token) for the backend
    const fetched = page.waitForResponse(
      (r) => r.url() === `${bff.base}/v1/session/token` && r.request().method() === 'POST',
    );
    await page.reload();
    expect((await fetched).status()).toBe(200);
    await backend.waitFor({ timeout: 20_000 });
    expect(await page.locator('#claim-sub').textContent()).toBe(sub);

    // the token getToken() answers is what the portal's backend accepts
    const token = await page.evaluate(() => document.querySelector('jd-login')!.getToken());
    const me = await askPortal(token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub, sub_user: null, amr: ['pwd'] });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('its backend refuses no token, a tampered token and a token of another tenant on the same BFF', async () => {
    const ours = await registerByApi(portalKey, 'portal_api_e2e', '13912350002');
    const good = await askPortal(ours.accessToken.token);
    expect(good.status).toBe(200);
    expect(((await good.json()) as { sub: string }).sub).toBe(ours.account.id);

    const none = await askPortal();
    expect(none.status).toBe(401);

    const [head, payload, signature] = ours.accessToken.token.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    forged.sub = '00000000-0000-4000-8000-000000000000';
    const tampered = await askPortal(
      `${head}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`,
    );
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toMatchObject({ error: { reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' } });

    // the demo tenant's token: valid, from the same BFF, but signed by the demo tenant's key
    const theirs = await registerByApi(bff.demoKey, 'demo_api_e2e', '13912350003');
    expect(decodeJwt(theirs.accessToken.token)).toMatchObject({ aud: 'demo', iss: `${bff.base}/tenants/demo` });
    const foreign = await askPortal(theirs.accessToken.token);
    expect(foreign.status).toBe(401);
    expect(await foreign.json()).toMatchObject({ error: { reason: 'ERR_JWKS_NO_MATCHING_KEY' } });

    // and were the portal pointed at the demo tenant's keys by mistake, the issuer/audience check still refuses it
    const misconfigured = createTokenVerifier({
      bffUrl: bff.base,
      tenantSlug: 'portal',
      keys: createRemoteJWKSet(new URL(`${bff.base}/tenants/demo/.well-known/jwks.json`)),
    });
    await expect(misconfigured(theirs.accessToken.token)).rejects.toMatchObject({
      reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
  }, 60_000);

  it('its verifier refuses an expired token', async () => {
    const { accessToken } = await registerByApi(portalKey, 'portal_exp_e2e', '13912350004');
    const { exp } = decodeJwt(accessToken.token);
    const at = (seconds: number) =>
      createTokenVerifier({ bffUrl: bff.base, tenantSlug: 'portal', now: () => new Date(seconds * 1000) });
    // within the 30 s clock tolerance it still verifies; past it, no longer
    await expect(at(exp! + 20)(accessToken.token)).resolves.toMatchObject({ amr: ['pwd'] });
    const refused = await at(exp! + 31)(accessToken.token).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TokenRefused);
    expect(refused).toMatchObject({ reason: 'ERR_JWT_EXPIRED' });
  }, 60_000);

  it('a page from an origin no tenant allows is refused: the widget shows the error', async () => {
    // the portal itself, reached by another host name: http://127.0.0.1:<port> is not an allowed origin
    const origin = `http://127.0.0.1:${portalPort}`;
    const { page } = await watchedPage();
    const codes = await recordWidgetErrors(page);
    const logFrom = bff.output().length;
    await page.goto(`${origin}/`);
    const alert = page.locator('jd-login').getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    const [code] = await codes();
    expect(REFUSED).toContain(code);
    expect((await alert.textContent())!.trim()).toBe(errorMessage('en', code as ErrorCode));
    // the BFF refused the config request (its log); the preflight lets such an origin send GETs only
    const refused = await requestLines(logFrom, (l) => l.method === 'GET' && l.path === '/v1/config');
    expect(refused.map((l) => l.status)).toContain(403);
    expect(refused.map((l) => l.status)).not.toContain(200);
    const asked = await fetch(`${bff.base}/v1/config`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-jd-publishable-key',
      },
    });
    expect(asked.headers.get('access-control-allow-origin')).toBeNull();
    expect(await storedSession(page, portalKey)).toBeNull();
    await page.close();
  }, 60_000);
});

describe('the static demo page (demo/static) from a plain static file server', () => {
  it('registers and signs in from another origin, in token mode', async () => {
    const { page, errors } = await watchedPage();
    await page.goto(`http://localhost:${statics.port}/?pk=${portalKey}&api=${encodeURIComponent(bff.base)}`);
    await page.getByRole('button', { name: 'English' }).click();
    await registerOnPage(page, 'static_user_e2e', '13912350005');
    await page.locator('#signed-in:not([hidden])').waitFor({ timeout: 20_000 });
    expect(await page.locator('#account').textContent()).toContain('static_user_e2e');
    const session = (await storedSession(page, portalKey))!;
    const account = await bffAccount(portalKey, session);
    expect(account.accountName).toBe('static_user_e2e');

    // the console's account menu signs out (jd-login.signOut()); the sign-in tab shows again
    await page.locator('#account-button').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.locator('#signed-in[hidden]').waitFor({ state: 'attached' });
    expect(await storedSession(page, portalKey)).toBeNull();
    await signInOnPage(page, 'static_user_e2e');
    await page.locator('#signed-in:not([hidden])').waitFor({ timeout: 20_000 });
    await page.locator('#account', { hasText: 'static_user_e2e' }).waitFor();

    // the static page's session feeds a backend too: its token verifies as the same account
    const token = await page.evaluate(() => document.querySelector('jd-login')!.getToken());
    const verify = createTokenVerifier({ bffUrl: bff.base, tenantSlug: 'portal' });
    expect((await verify(token)).sub).toBe(account.id);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('with a tenant that does not allow its origin: the widget shows the error, the BFF answered 403', async () => {
    // the demo tenant allows only the BFF's own origin, not the static server's (which the portal tenant allows)
    const { page } = await watchedPage();
    const codes = await recordWidgetErrors(page);
    const blocked: string[] = [];
    page.on('requestfailed', (r) => {
      if (r.method() === 'GET' && r.url() === `${bff.base}/v1/config`) blocked.push(r.failure()?.errorText ?? '');
    });
    const logFrom = bff.output().length;
    await page.goto(`http://localhost:${statics.port}/?pk=${bff.demoKey}&api=${encodeURIComponent(bff.base)}`);
    const alert = page.locator('jd-login').getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    const [code] = await codes();
    expect(REFUSED).toContain(code);
    expect((await alert.textContent())!.trim()).toBe(errorMessage('zh-CN', code as ErrorCode)); // the demo page's locale
    // the BFF refused the browser's request for the demo tenant's config from this origin (its request log)
    const refused = await requestLines(
      logFrom,
      (l) => l.method === 'GET' && l.path === '/v1/config' && l.tenant === 'demo',
    );
    expect(refused.map((l) => l.status)).toContain(403);
    expect(refused.map((l) => l.status)).not.toContain(200);
    expect(blocked).toEqual([]); // answered, not blocked: the page read the refusal
    // a state-changing request from this origin is refused the same way, before any handler
    const post = await fetch(`${bff.base}/v1/sessions`, {
      method: 'POST',
      headers: {
        origin: `http://localhost:${statics.port}`,
        'x-jd-publishable-key': bff.demoKey,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ identifier: 'someone', password: 'x' }),
    });
    expect(post.status).toBe(403);
    expect(await post.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
    expect(await storedSession(page, bff.demoKey)).toBeNull();
    await page.close();
  }, 60_000);
});

describe('the portal verifier and key rotation (the BFF app in process, its clock moved by hand)', () => {
  it('refuses a token signed by a key rotated out of the JWKS, and accepts the new key', async () => {
    const h = await makeHarness();
    const server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const bffUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // the BFF's clock at the real now: the tokens must be unexpired for the verifier's (real) clock
      h.clock.advance((Date.now() - h.clock.now().getTime()) / 1000);
      const registered = await h.register(
        { accountName: 'rotation_e2e', number: '13912350006' },
        { url: bffUrl, headers: { 'x-jd-session-mode': 'token' } },
      );
      expect(registered.status).toBe(201);
      const oldToken = registered.json.accessToken.token as string;
      const oldKid = decodeProtectedHeader(oldToken).kid;
      const verifier = () => createTokenVerifier({ bffUrl, tenantSlug: 'acme' }); // a fresh one: a portal backend that just started
      await expect(verifier()(oldToken)).resolves.toMatchObject({ sub: registered.json.account.id });

      // rotate twice: the old key is retired, but still published for its tokens' lifetime
      await rotateSigningKey(h.deps, h.tenant.id);
      await rotateSigningKey(h.deps, h.tenant.id);
      h.clock.advance(KEY_CACHE_SECONDS + 1);
      await expect(verifier()(oldToken)).resolves.toMatchObject({ sub: registered.json.account.id });

      // past the retired window the BFF no longer publishes it, and the portal refuses its tokens
      h.clock.advance(RETIRED_KEY_PUBLISHED_SECONDS + KEY_CACHE_SECONDS);
      const jwks = (await (await fetch(`${bffUrl}/tenants/acme/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      };
      expect(jwks.keys.map((k) => k.kid)).not.toContain(oldKid);
      const refused = await verifier()(oldToken).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(TokenRefused);
      expect(refused).toMatchObject({ reason: 'ERR_JWKS_NO_MATCHING_KEY' });

      // a sign-in now gets a token of the current key, which verifies
      const signedIn = await h.request('/v1/sessions', {
        url: bffUrl,
        headers: { 'x-jd-session-mode': 'token' },
        body: { identifier: 'rotation_e2e', password: 'Secret#2026' },
      });
      expect(signedIn.status).toBe(200);
      const newToken = signedIn.json.accessToken.token as string;
      expect(decodeProtectedHeader(newToken).kid).not.toBe(oldKid);
      expect(jwks.keys.map((k) => k.kid)).toContain(decodeProtectedHeader(newToken).kid);
      await expect(verifier()(newToken)).resolves.toMatchObject({ sub: registered.json.account.id });
    } finally {
      server.close();
      await h.close();
    }
  }, 60_000);
});
