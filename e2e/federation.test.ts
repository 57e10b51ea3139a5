/**
 * "Log in with Demo JD" in <jd-login> end to end (docs/product.md#25-sign-in-with-an-upstream-account):
 * the real BFF as `npm start` runs it (PGlite, dev outbox, the local "Demo JD" OpenID provider as
 * the demo tenant's `demo-jd`) and the demo page in Chromium at 390×844, in zh-CN and en: the Demo
 * JD button, a demo user on the upstream's page, back to the page with `#jd_federation=…`, the
 * activation step (phone prefilled when the upstream gave a phone in the tenant's regions; Send
 * code, the code from the dev outbox, the agreements, Continue) — signed in, the handle gone from
 * the URL, nothing wider than the viewport. Signed out, the same upstream user again: signed in
 * straight away, no activation. Screenshots land in e2e/results/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bffApi, launchBrowser, root, startBff, tempDataDir, type Bff } from './helpers.ts';

let bff: Bff;
let browser: Browser;
let outbox: ReturnType<typeof bffApi>['outbox'];
const data = tempDataDir();
const results = join(root, 'e2e/results');

beforeAll(async () => {
  mkdirSync(results, { recursive: true });
  [bff, browser] = await Promise.all([startBff(data.pgliteDir), launchBrowser()]);
  ({ outbox } = bffApi(bff));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bff?.stop();
  data.remove();
});

const TEXT = {
  'zh-CN': {
    lang: '中文',
    signIn: '登录',
    demoJd: '使用演示京东登录',
    upstreamHeading: '选择一个演示用户',
    title: '完善账号信息',
    phone: '手机号码',
    send: '获取验证码',
    code: '验证码',
    activate: '完成',
  },
  en: {
    lang: 'English',
    signIn: 'Sign in',
    demoJd: 'Log in with Demo JD',
    upstreamHeading: 'Choose a demo user',
    title: 'Complete your account',
    phone: 'Mobile phone',
    send: 'Send code',
    code: 'Verification code',
    activate: 'Continue',
  },
} as const;

/**
 * A different upstream user per language. zhangsan's phone is Chinese (+86, prefilled); alice's is
 * Hong Kong's (+852), outside the demo tenant's regions (CN only): no prefill, a CN phone is typed.
 */
const RUNS = [
  { locale: 'zh-CN', user: 'zhangsan', name: '张三', prefilled: '13800138000', phone: '13800138000' },
  { locale: 'en', user: 'alice', name: 'Alice Chen', prefilled: '', phone: '13700137001' },
] as const;

async function noHorizontalOverflow(page: Page, login: Locator): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(inner);
  // every visible control of the element's current step lies within the viewport
  const vp = page.viewportSize()!;
  for (const control of await login.locator('button, input, select, a, label').all()) {
    if (!(await control.isVisible())) continue;
    const b = (await control.boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(-0.5);
    expect(b.x + b.width).toBeLessThanOrEqual(vp.width + 0.5);
  }
}

interface JdEvent {
  type: string;
  account: { id: string; accountName: string | null } | undefined;
}

/** The page's `jd-login` / `jd-session` events since it loaded (recorded by an init script). */
const events = (page: Page) => page.evaluate(() => (window as unknown as { jdEvents?: JdEvent[] }).jdEvents ?? []);

/** The Demo JD button, then `user` on the upstream's page (in the page's language), back at the demo page. */
async function throughDemoJd(page: Page, login: Locator, t: (typeof TEXT)[keyof typeof TEXT], user: string) {
  await login.getByRole('button', { name: t.demoJd, exact: true }).click();
  await page.getByRole('heading', { name: t.upstreamHeading, exact: true }).waitFor({ timeout: 20_000 });
  expect(new URL(page.url()).origin).not.toBe(new URL(bff.base).origin);
  await page.locator(`button.user[value="${user}"]`).click();
  await page.waitForURL((u) => u.origin === new URL(bff.base).origin, { timeout: 20_000 });
}

describe('"Log in with Demo JD" in Chromium', () => {
  for (const { locale, user, name, prefilled, phone } of RUNS) {
    it(`${locale} at 390×844: ${user} on Demo JD, activation, signed in; again: signed in at once`, async () => {
      const t = TEXT[locale];
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale });
      await context.addInitScript(() => {
        const w = window as unknown as { jdEvents?: JdEvent[] };
        w.jdEvents = [];
        for (const type of ['jd-login', 'jd-session'])
          document.addEventListener(type, (e) =>
            w.jdEvents!.push({ type, account: (e as CustomEvent<{ account?: JdEvent['account'] }>).detail?.account }),
          );
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const shot = (step: string) => page.screenshot({ path: join(results, `federation-${locale}-390-${step}.png`) });
      const login = page.locator('jd-login');
      const signedIn = page.locator('#signed-in:not([hidden])');
      try {
        await page.goto(`${bff.base}/`);
        await login.locator('section.step').waitFor();
        await page.getByRole('button', { name: t.lang, exact: true }).click();
        await login.getByRole('heading', { name: t.signIn, exact: true }).waitFor();
        await noHorizontalOverflow(page, login);
        await shot('0-sign-in');

        // 1. Demo JD, a demo user, back with the handle: the activation step
        await throughDemoJd(page, login, t, user);
        const activation = login.locator('[part~="activation"]').first();
        await login.getByRole('heading', { name: t.title, exact: true }).waitFor({ timeout: 20_000 });
        await activation.waitFor();
        expect(page.url()).not.toContain('jd_federation');
        expect(await login.locator('section.step').innerText()).toContain(name);

        // 2. the phone (prefilled from the upstream when it is in the tenant's regions), the code, the agreements
        const phoneBox = login.getByLabel(t.phone, { exact: true });
        expect((await phoneBox.inputValue()).replace(/\D/g, '')).toBe(prefilled);
        if (!prefilled) await phoneBox.fill(phone);
        await noHorizontalOverflow(page, login);
        await shot('1-activation');
        if (locale === 'en') {
          await page.setViewportSize({ width: 1280, height: 800 });
          await page.screenshot({ path: join(results, `federation-${locale}-1280-1-activation.png`) });
          await page.setViewportSize({ width: 390, height: 844 });
        }
        await login.getByRole('button', { name: t.send, exact: true }).click();
        const { code } = await outbox(`+86${phone}`, 'register');
        await login.getByRole('textbox', { name: t.code, exact: true }).fill(code!);
        await login.locator('input[name="agreements"]').check();
        const text = await login.locator('section.step').innerText();
        if (locale === 'en') expect(text.replace(name, '')).not.toMatch(/\p{Script=Han}/u);
        else expect(text).toMatch(/\p{Script=Han}/u);
        await noHorizontalOverflow(page, login);
        await shot('2-activation-filled');
        await login.getByRole('button', { name: t.activate, exact: true }).click();

        // 3. signed in: the jd-login event, the demo's console, no handle in the URL, nothing overflowing
        await signedIn.waitFor({ timeout: 20_000 });
        const [first] = (await events(page)).filter((e) => e.type === 'jd-login');
        expect(first?.account?.id).toMatch(/\S/);
        // an account made through an upstream has no account name (null): the demo's menu and
        // "Welcome, …" show no name for it (known, see the report); the element's event is the proof
        expect(first?.account?.accountName).toBeNull();
        expect(page.url()).not.toContain('jd_federation');
        await noHorizontalOverflow(page, login);
        await shot('3-signed-in');

        // 4. signed out; the same upstream user again: signed in at once, no activation step
        await page.locator('#account-button').click();
        await page.locator('#menu-signout').click();
        await page.locator('#signed-out:not([hidden])').waitFor({ timeout: 20_000 });
        await login.getByRole('heading', { name: t.signIn, exact: true }).waitFor();
        await throughDemoJd(page, login, t, user);
        await signedIn.waitFor({ timeout: 20_000 });
        expect(await activation.count()).toBe(0);
        const [again] = (await events(page)).filter((e) => e.type === 'jd-login');
        expect(again?.account?.id).toBe(first.account!.id);
        expect(page.url()).not.toContain('jd_federation');
        await noHorizontalOverflow(page, login);
        await shot('4-signed-in-again');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
