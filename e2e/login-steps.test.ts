/**
 * <jd-login>'s steps end to end (docs/product.md#7-sign-in-identifiers, #11-virtual-mfa,
 * #13-sub-users, #16-agreements): the real BFF as `npm start` runs it (PGlite, dev outbox), the
 * demo page in Chromium at 390×844 and 1280×800, in zh-CN and en. Accounts are set up through the
 * API (registration, virtual MFA, a sub-user) so that the browser only does what the sign-in form
 * does: a wrong password, password + TOTP, a recovery code, a sub-user, and the consent asked
 * after the tenant publishes a new agreement version (through its admin API). After each action
 * its feedback is in the viewport (below the sticky top bar) and inside the step's own section;
 * nothing overflows sideways; a screenshot of each step lands in e2e/results/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'otplib';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, launchBrowser, root, startBff, tempDataDir, tenantCli, type Bff } from './helpers.ts';

const PASSWORD = 'E2e#Pass2026';
const SUB_PASSWORD = 'Sub#Pass2026';

let bff: Bff;
let browser: Browser;
/** the demo tenant's admin API key (sk_…), made with the tenant CLI before the BFF holds the database */
let adminKey: string;
const data = tempDataDir();
const results = join(root, 'e2e/results');

beforeAll(async () => {
  mkdirSync(results, { recursive: true });
  const port = await freePort();
  // the demo tenant as `npm start` would create it on this port, made first so that the CLI can
  // give it an admin key: PGlite serves one process per directory
  await tenantCli(
    data.pgliteDir,
    'create',
    'demo',
    '--name',
    'JD Account Demo',
    '--origin',
    `http://localhost:${port}`,
    '--origin',
    `http://127.0.0.1:${port}`,
  );
  const key = await tenantCli(data.pgliteDir, 'admin-keys', 'create', 'demo', '--label', 'e2e');
  adminKey = /(sk_[A-Za-z0-9_-]+)/.exec(key)![1]!;
  [bff, browser] = await Promise.all([startBff(data.pgliteDir, { port }), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bff?.stop();
  data.remove();
});

interface Answer {
  status: number;
  json: any;
}

/** A call to the BFF as a server would make it: token mode, no Origin, no cookie. */
async function api(path: string, o: { body?: unknown; token?: string; method?: string } = {}): Promise<Answer> {
  const res = await fetch(`${bff.base}${path}`, {
    method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
    headers: {
      'content-type': 'application/json',
      'x-jd-publishable-key': bff.demoKey,
      'x-jd-session-mode': 'token',
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
    },
    ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** The tenant's admin API (secret key). */
async function admin(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${bff.base}/admin/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

/** The newest code of `purpose` sent to `to`, from the dev outbox. */
async function outboxCode(to: string, purpose: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${bff.base}/dev/outbox?to=${encodeURIComponent(to)}`);
    const rows = (await res.json()) as { purpose: string; code: string | null }[];
    const hit = rows.find((r) => r.purpose === purpose && r.code);
    if (hit) return hit.code!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${purpose} code for ${to} in the dev outbox`);
}

/** Registers `name` with `phone` (every current agreement accepted); its session token. */
async function register(phone: string, name: string): Promise<string> {
  const sent = await api('/v1/verification-codes', {
    body: { phone: { region: 'CN', number: phone }, purpose: 'register', channel: 'sms' },
  });
  expect(sent.status, JSON.stringify(sent.json)).toBeLessThan(300);
  const config = await api('/v1/config');
  const r = await api('/v1/accounts', {
    body: {
      accountName: name,
      password: PASSWORD,
      phone: { region: 'CN', number: phone },
      code: await outboxCode(`+86${phone}`, 'register'),
      agreements: (config.json.agreements as { key: string; version: string }[]).map((a) => ({
        key: a.key,
        version: a.version,
      })),
    },
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json.session.token as string;
}

/** Binds virtual MFA (after a step-up by the phone) and creates a sub-user; the secret and recovery codes. */
async function withMfaAndSubUser(token: string, phone: string, subUser: string) {
  const started = await api('/v1/security/step-up/start', { token, body: { method: 'phone' } });
  expect(started.status, JSON.stringify(started.json)).toBeLessThan(300);
  const code = await outboxCode(`+86${phone}`, 'verify_identity');
  const verified = await api('/v1/security/step-up/verify', { token, body: { method: 'phone', code } });
  expect(verified.status, JSON.stringify(verified.json)).toBeLessThan(300);
  const setup = await api('/v1/security/mfa/setup', { token, body: {} });
  expect(setup.status, JSON.stringify(setup.json)).toBeLessThan(300);
  const secret = setup.json.secret as string;
  const confirmed = await api('/v1/security/mfa/confirm', { token, body: { code: await generate({ secret }) } });
  expect(confirmed.status, JSON.stringify(confirmed.json)).toBeLessThan(300);
  const sub = await api('/v1/sub-users', { token, body: { name: subUser, password: SUB_PASSWORD } });
  expect(sub.status, JSON.stringify(sub.json)).toBeLessThan(300);
  return { secret, recoveryCodes: confirmed.json.recoveryCodes as string[] };
}

const TEXT = {
  'zh-CN': {
    lang: '中文',
    title: '登录',
    identifier: '账号名、手机号或邮箱',
    password: '密码',
    submit: '登录',
    wrong: '账号或密码错误。',
    mfa: 'MFA 验证码',
    useRecovery: '使用恢复码',
    recovery: '恢复码',
    signOut: '退出登录',
    signedOut: '您已退出登录。',
    subToggle: '以子用户身份登录',
    primary: '主账号名或 ID',
    subName: '子用户名',
    consentTitle: '协议更新',
    accept: '同意并继续',
    privacy: '隐私政策',
  },
  en: {
    lang: 'English',
    title: 'Sign in',
    identifier: 'Account name, phone or email',
    password: 'Password',
    submit: 'Sign in',
    wrong: 'Account or password incorrect.',
    mfa: 'MFA code',
    useRecovery: 'Use a recovery code',
    recovery: 'Recovery code',
    signOut: 'Sign out',
    signedOut: 'You have signed out.',
    subToggle: 'Sign in as a sub-user',
    primary: 'Primary account name or ID',
    subName: 'Sub-user name',
    consentTitle: 'Updated agreements',
    accept: 'Accept and continue',
    privacy: 'Privacy Policy',
  },
} as const;

/** The page scrolls only vertically: nothing is wider than the viewport. */
async function noHorizontalOverflow(page: Page): Promise<void> {
  const { scroll, inner, host } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
    host: document.querySelector('jd-login')!.getBoundingClientRect().right,
  }));
  expect(scroll).toBeLessThanOrEqual(inner);
  expect(host).toBeLessThanOrEqual(inner);
}

/** `box` is in the viewport and, unless it is part of the page's sticky top bar, not under that bar. */
async function inView(
  page: Page,
  box: { x: number; y: number; width: number; height: number },
  inBar = false,
): Promise<void> {
  const bar = (await page.locator('header.topbar').boundingBox())!;
  const vp = page.viewportSize()!;
  expect(box.y).toBeGreaterThanOrEqual(inBar ? 0 : bar.y + bar.height - 0.5);
  expect(box.y + box.height).toBeLessThanOrEqual(vp.height);
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(vp.width);
}

/** `feedback` is visible in the viewport and inside <jd-login>'s current step section. */
async function inViewAndInStep(page: Page, login: Locator, feedback: Locator): Promise<void> {
  await feedback.waitFor({ timeout: 20_000 });
  const box = (await feedback.boundingBox())!;
  const section = (await login.locator('section.step').boundingBox())!;
  await inView(page, box);
  expect(box.y).toBeGreaterThanOrEqual(section.y);
  expect(box.y + box.height).toBeLessThanOrEqual(section.y + section.height + 0.5);
  expect(box.x).toBeGreaterThanOrEqual(section.x - 0.5);
  expect(box.x + box.width).toBeLessThanOrEqual(section.x + section.width + 0.5);
}

/** The step's words are the locale's: no Chinese left in English, Chinese in Chinese. */
async function translated(login: Locator, locale: 'zh-CN' | 'en'): Promise<void> {
  const text = await login.locator('section.step').innerText();
  if (locale === 'en') expect(text).not.toMatch(/\p{Script=Han}/u);
  else expect(text).toMatch(/\p{Script=Han}/u);
}

let n = 0;

describe('<jd-login> steps in Chromium', () => {
  for (const [width, height] of [
    [390, 844],
    [1280, 800],
  ] as const) {
    for (const locale of ['zh-CN', 'en'] as const) {
      it(`${locale} at ${width}×${height}: wrong password, TOTP, recovery code, sub-user, updated agreements`, async () => {
        const t = TEXT[locale];
        const i = n++;
        const tag = `${locale === 'en' ? 'en' : 'zh'}_${width}`;
        // set up through the API: a user with virtual MFA and a sub-user, and one without MFA
        const phone = `1391237${String(1000 + i).padStart(4, '0')}`;
        const plainPhone = `1391238${String(1000 + i).padStart(4, '0')}`;
        const name = `login_${tag}`;
        const plain = `consent_${tag}`;
        const subUser = 'auditor';
        const token = await register(phone, name);
        await register(plainPhone, plain);
        const { secret, recoveryCodes } = await withMfaAndSubUser(token, phone, subUser);

        const context = await browser.newContext({ viewport: { width, height } });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        const shot = (step: string) =>
          page.screenshot({ path: join(results, `login-${locale}-${width}-${step}.png`), fullPage: false });
        const login = page.locator('jd-login');
        const submit = () => login.getByRole('button', { name: t.submit, exact: true }).click();
        const signedIn = async (who: string) => {
          await page.locator('#signed-in:not([hidden])').waitFor({ timeout: 20_000 });
          const account = page.locator('#account', { hasText: who });
          await account.waitFor();
          await inView(page, (await account.boundingBox())!, true); // the account menu, in the top bar
          await noHorizontalOverflow(page);
        };
        const signOut = async () => {
          await page.locator('#account-button').click();
          await page.getByRole('menuitem', { name: t.signOut }).click();
          await page.locator('#signed-in[hidden]').waitFor({ state: 'attached' });
          expect(await page.getByRole('tablist').isVisible()).toBe(true); // Sign in / Register again
          // the sign-in form again, saying so inside its step
          const status = login.locator('.status[data-action="signIn"]');
          await inViewAndInStep(page, login, status);
          expect(await status.textContent()).toBe(t.signedOut);
        };
        const credentials = async (identifier: string, password: string) => {
          await login.getByLabel(t.identifier, { exact: true }).fill(identifier);
          await login.getByLabel(t.password, { exact: true }).fill(password);
          await submit();
        };
        try {
          await page.goto(`${bff.base}/`);
          // the element has its config (and the page its handlers) before the language switch
          await login.locator('section.step').waitFor();
          await page.getByRole('button', { name: t.lang, exact: true }).click();
          await login.getByRole('heading', { name: t.title, exact: true }).waitFor();

          // 1. a wrong password: the error right after the Sign-in button, focus back in the password
          await credentials(name, 'Wrong#Pass1');
          const status = login.locator('.status[data-action="signIn"]');
          await inViewAndInStep(page, login, status);
          expect(await status.textContent()).toBe(t.wrong);
          const button = (await login.getByRole('button', { name: t.submit, exact: true }).boundingBox())!;
          const s = (await status.boundingBox())!;
          expect(s.y).toBeGreaterThanOrEqual(button.y + button.height - 0.5);
          expect(s.y - (button.y + button.height)).toBeLessThan(40);
          await expect
            .poll(() => page.evaluate(() => document.querySelector('jd-login')!.shadowRoot!.activeElement?.id))
            .toBe('jd-password');
          await translated(login, locale);
          await noHorizontalOverflow(page);
          await shot('1-wrong-password');

          // 2. the right password, then the MFA step: its code submits itself on the 6th digit
          await login.getByLabel(t.password, { exact: true }).fill(PASSWORD);
          await submit();
          const code = login.getByRole('textbox', { name: t.mfa, exact: true });
          await code.waitFor({ timeout: 20_000 });
          await login.getByRole('heading', { name: t.mfa, exact: true }).waitFor();
          await inViewAndInStep(page, login, login.locator('.step-lead'));
          await inViewAndInStep(page, login, code);
          expect(await page.locator('#signed-in').isHidden()).toBe(true); // the password alone is no session
          await translated(login, locale);
          await noHorizontalOverflow(page);
          await shot('2-mfa');
          // binding spent the current step: the next one (±1 step is accepted)
          await code.pressSequentially(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
          await signedIn(name);
          await shot('2-signed-in');

          // 3. sign out; then a recovery code instead of the app's
          await signOut();
          await shot('3-signed-out');
          await credentials(name, PASSWORD);
          await login.getByRole('button', { name: t.useRecovery, exact: true }).click();
          const recovery = login.getByRole('textbox', { name: t.recovery, exact: true });
          await inViewAndInStep(page, login, recovery);
          await recovery.fill(recoveryCodes[0]);
          await translated(login, locale);
          await noHorizontalOverflow(page);
          await shot('3-recovery-code');
          await submit();
          await signedIn(name);
          await shot('3-signed-in');

          // 4. a sub-user: the primary account's name, the sub-user's name and password
          await signOut();
          await login.getByRole('button', { name: t.subToggle, exact: true }).click();
          const subField = login.getByLabel(t.subName, { exact: true });
          await inViewAndInStep(page, login, subField);
          await login.getByLabel(t.primary, { exact: true }).fill(name);
          await subField.fill(subUser);
          await login.getByLabel(t.password, { exact: true }).fill(SUB_PASSWORD);
          await translated(login, locale);
          await noHorizontalOverflow(page);
          await shot('4-sub-user');
          await submit();
          await signedIn(`${subUser}@${name}`);
          // the account menu shows the whole name, nothing cut off: no line clipped, all of its text in the viewport
          const account = page.locator('#account');
          expect(await account.textContent()).toBe(`${subUser}@${name}`);
          const clipped = await account.evaluate((el) =>
            [el, ...el.querySelectorAll('*')].filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.outerHTML),
          );
          expect(clipped).toEqual([]);
          const text = await account.evaluate((el) => {
            const range = document.createRange();
            range.selectNodeContents(el);
            return range.getBoundingClientRect().toJSON() as { x: number; y: number; width: number; height: number };
          });
          await inView(page, text, true);
          await shot('4-signed-in');
          await page.locator('#account-button').click();
          await inView(page, (await page.getByRole('menuitem', { name: t.signOut }).boundingBox())!, true);
          await shot('4-account-menu');
          await page.keyboard.press('Escape');
          await page.locator('#menu').waitFor({ state: 'hidden' });

          // 5. the tenant publishes a new privacy policy: the next sign-in asks for it first
          const config = await admin('GET', '/config');
          expect(config.status).toBe(200);
          const agreements = (config.json.agreements as { key: string; version: string }[]).map((a) =>
            a.key === 'privacy' ? { ...a, version: `${2 + i}.0` } : a,
          );
          const published = await admin('PATCH', '/config', { agreements });
          expect(published.status, JSON.stringify(published.json)).toBe(200);
          await signOut();
          await credentials(plain, PASSWORD);
          await login.getByRole('heading', { name: t.consentTitle, exact: true }).waitFor({ timeout: 20_000 });
          await inViewAndInStep(page, login, login.locator('#jd-agreements-intro'));
          const boxes = login.getByRole('checkbox');
          expect(await boxes.count()).toBe(1); // only the new version is asked for
          expect(await login.locator('label.consent').innerText()).toContain(t.privacy);
          expect(await page.locator('#signed-in').isHidden()).toBe(true); // not announced before consent
          expect(await page.getByRole('tablist').isHidden()).toBe(true); // still signing in: no Register tab
          await translated(login, locale);
          await noHorizontalOverflow(page);
          await shot('5-consent');
          // "Accept" without the box checked: said under the agreements, inside the step
          await login.getByRole('button', { name: t.accept, exact: true }).click();
          await inViewAndInStep(page, login, login.locator('#jd-agreements-error'));
          await noHorizontalOverflow(page);
          await shot('5-consent-unchecked');
          await boxes.check();
          await login.getByRole('button', { name: t.accept, exact: true }).click();
          await signedIn(plain);
          await shot('5-signed-in');
          expect(errors).toEqual([]);
        } catch (e) {
          // what the page showed when it failed, for the person reading the failure
          await shot('failed').catch(() => undefined);
          throw e;
        } finally {
          await context.close();
        }
      }, 90_000);
    }
  }
});
