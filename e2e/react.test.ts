/**
 * The React wrappers (widget/src/react.ts, `jd-account/react`) in real Chromium: a tiny React 19
 * app (e2e/fixtures/react-app.ts) bundled with esbuild, served from loopback by a stub BFF that
 * answers the few requests <jd-login> makes. Props must reach the element as properties (and
 * reflected attributes), its events must reach the React handlers, and the standalone bundle
 * must stay free of React.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../shared/src/api.ts';
import { HEADER_PUBLISHABLE_KEY } from '../shared/src/headers.ts';
import { defaultTenantConfig, type TenantPublicConfig } from '../shared/src/tenant.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RIGHT_PASSWORD = 'Right-pass-1';

const { displayName, defaultLocale, passwordPolicy, phoneRegions, agreements, supportChannels } =
  defaultTenantConfig('Acme');
const CONFIG: TenantPublicConfig = {
  slug: 'acme',
  displayName,
  defaultLocale,
  passwordPolicy,
  phoneRegions,
  agreements,
  supportChannels,
};
const SIGNED_IN: SignedIn = {
  account: {
    id: 'acc_react',
    accountName: 'react_user',
    phone: '138****8000',
    email: null,
    emailVerified: false,
    createdAt: '2025-01-01T00:00:00.000Z',
  },
  session: { mode: 'cookie', idleExpiresAt: '2099-01-01T02:00:00.000Z', expiresAt: '2099-01-31T00:00:00.000Z' },
};

let server: Server;
let browser: Browser;
let page: Page;
let base: string;
/** "METHOD /path publishable-key" of every API request the stub answered */
const apiCalls: string[] = [];

const readBody = async (req: IncomingMessage) => {
  let s = '';
  for await (const chunk of req) s += chunk;
  return s ? (JSON.parse(s) as Record<string, unknown>) : {};
};
const error = (code: string) => ({ error: { code, message: code } });

beforeAll(async () => {
  const bundle = await build({
    absWorkingDir: ROOT,
    entryPoints: ['e2e/fixtures/react-app.ts'],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    // React's CommonJS entry picks its build by NODE_ENV
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const app = bundle.outputFiles[0].text;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (url.pathname === '/')
      return send(
        200,
        '<!doctype html><meta charset="utf-8"><title>react</title><div id="root"></div><script type="module" src="/app.js"></script>',
        'text/html',
      );
    if (url.pathname === '/app.js') return send(200, app, 'text/javascript');
    apiCalls.push(`${req.method} ${url.pathname} ${req.headers[HEADER_PUBLISHABLE_KEY]?.toString() ?? '-'}`);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /v1/config') return send(200, CONFIG);
    if (route === 'GET /v1/session') return send(401, error('not_signed_in'));
    if (route === 'POST /v1/sessions') {
      // a listener's returned promise is dropped by node:http, so the body is read with its failure answered
      readBody(req).then(
        (body) => (body.password === RIGHT_PASSWORD ? send(200, SIGNED_IN) : send(401, error('invalid_credentials'))),
        () => send(400, error('invalid_input')),
      );
      return;
    }
    return send(404, error('not_found'));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${base}/`);
  await page
    .getByRole('heading', { name: 'Sign in' })
    .waitFor({ timeout: 15_000 })
    .catch((e: unknown) => {
      throw new Error(`the React app did not render <jd-login>: ${pageErrors.join('; ') || String(e)}`);
    });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => server?.close(ok));
});

type Probe = {
  events: { handler: string; type: string; detail: Record<string, string | undefined> }[];
  setLocale: (l: string) => void;
  refIsElement: () => boolean;
};
const probe = () => page.evaluate(() => (window as unknown as { probe: Probe }).probe.events);

describe('React wrappers (jd-account/react) in Chromium', () => {
  it('renders <jd-login> inside the React tree, with the props set as element properties', async () => {
    const el = page.locator('#root > main > jd-login');
    await expect(el.count()).resolves.toBe(1);
    const props = await page.evaluate(() => {
      const login = document.querySelector('jd-login')!;
      return { publishableKey: login.publishableKey, registerUrl: login.registerUrl, locale: login.locale };
    });
    expect(props).toEqual({ publishableKey: 'pk_test_react', registerUrl: '/register', locale: 'en' });
    // reflected to attributes by the element, as for a tenant writing the HTML
    expect(await el.getAttribute('publishable-key')).toBe('pk_test_react');
    expect(await el.getAttribute('register-url')).toBe('/register');
    // and used: the element's requests carry the key it was given through React
    expect(apiCalls).toContain('GET /v1/config pk_test_react');
    expect(await page.evaluate(() => (window as unknown as { probe: Probe }).probe.refIsElement())).toBe(true);
  });

  it('follows a prop change from React state (locale) and re-renders in the new language', async () => {
    await page.evaluate(() => (window as unknown as { probe: Probe }).probe.setLocale('zh-CN'));
    await page.getByRole('heading', { name: '登录' }).waitFor();
    expect(await page.locator('jd-login').getAttribute('locale')).toBe('zh-CN');
    await page.evaluate(() => (window as unknown as { probe: Probe }).probe.setLocale('en'));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('calls onJdError with the error detail when the sign-in fails', async () => {
    await page.getByLabel('Account name, phone or email').fill('react_user');
    await page.getByLabel('Password', { exact: true }).fill('wrong-pass-1');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(probe).toContainEqual({
      handler: 'onJdError',
      type: 'jd-error',
      detail: expect.objectContaining({ code: 'invalid_credentials' }),
    });
    expect((await probe()).filter((e) => e.handler === 'onJdLogin')).toEqual([]);
  });

  it('calls onJdLogin with the signed-in account when the sign-in succeeds', async () => {
    await page.getByLabel('Password', { exact: true }).fill(RIGHT_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect
      .poll(probe)
      .toContainEqual({ handler: 'onJdLogin', type: 'jd-login', detail: { accountName: 'react_user' } });
    await page.getByText('Signed in as react_user').waitFor();
    expect(
      await page.evaluate(() => (window as unknown as { probe: { documentLogins: string[] } }).probe.documentLogins),
    ).toEqual(['react_user']);
  });

  it('keeps React out of the standalone bundle (widget/src/index.ts)', async () => {
    const r = await build({
      absWorkingDir: ROOT,
      entryPoints: ['widget/src/index.ts'],
      bundle: true,
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.some((i) => i.includes('widget/src/elements/jd-login.ts'))).toBe(true);
    expect(
      inputs.filter((i) => /node_modules\/(react|react-dom|@lit\/react|scheduler)\/|widget\/src\/react\.ts$/.test(i)),
    ).toEqual([]);
  });
});
