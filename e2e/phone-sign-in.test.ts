/**
 * Sign-in with a phone code (验证码登录) in <jd-login> end to end
 * (docs/product.md#22-sign-in-with-a-phone-code): the real BFF as `npm start` runs it (PGlite, dev
 * outbox) and the demo page in Chromium, in zh-CN at 390×844 and en at 1280×800: "Sign in with a
 * verification code", the region and phone, "Send code" (its note right after it), a wrong code
 * (said at the code field), the code from the dev outbox, "Sign in" — then signed in. Each feedback
 * is inside the step and in the viewport; nothing overflows sideways; screenshots land in
 * e2e/results/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bffApi, launchBrowser, root, startBff, tempDataDir, type Bff } from './helpers.ts';

const PASSWORD = 'E2e#Pass2026';

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
    link: '验证码登录',
    title: '验证码登录',
    region: '地区',
    regionCN: '中国大陆 +86',
    phone: '手机号码',
    send: '获取验证码',
    sent: '如果该手机号可以登录，验证码已发送。',
    code: '验证码',
    wrongCode: '验证码不正确。',
    password: '密码登录',
  },
  en: {
    lang: 'English',
    signIn: 'Sign in',
    link: 'Sign in with a verification code',
    title: 'Sign in with a verification code',
    region: 'Region',
    regionCN: 'Mainland China +86',
    phone: 'Mobile phone',
    send: 'Send code',
    sent: 'If this phone can sign in, a code was sent to it.',
    code: 'Verification code',
    wrongCode: 'The verification code is incorrect.',
    password: 'Sign in with a password',
  },
} as const;

async function noHorizontalOverflow(page: Page): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(inner);
}

/** `feedback` is visible, in the viewport, and inside <jd-login>'s current step. */
async function inViewAndInStep(page: Page, login: Locator, feedback: Locator): Promise<void> {
  await feedback.waitFor({ timeout: 20_000 });
  await feedback.scrollIntoViewIfNeeded();
  const box = (await feedback.boundingBox())!;
  const section = (await login.locator('section.step').boundingBox())!;
  const vp = page.viewportSize()!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(vp.height);
  expect(box.x + box.width).toBeLessThanOrEqual(vp.width);
  expect(box.y).toBeGreaterThanOrEqual(section.y);
  expect(box.y + box.height).toBeLessThanOrEqual(section.y + section.height + 0.5);
}

let n = 0;

describe('sign-in with a phone code in Chromium', () => {
  const runs = [
    { locale: 'zh-CN', width: 390, height: 844 },
    { locale: 'en', width: 1280, height: 800 },
  ] as const;
  for (const { locale, width, height } of runs) {
    it(`${locale} at ${width}×${height}: phone, code, signed in`, async () => {
      const t = TEXT[locale];
      const i = n++;
      const phone = `1391249${String(1000 + i).padStart(4, '0')}`;
      const name = `phone_code_${i}`;
      await bffApi(bff).register({ phone, name, password: PASSWORD });

      const context = await browser.newContext({ viewport: { width, height } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const shot = (step: string) =>
        page.screenshot({ path: join(results, `phone-code-${locale}-${width}-${step}.png`) });
      const login = page.locator('jd-login');
      try {
        await page.goto(`${bff.base}/`);
        await login.locator('section.step').waitFor();
        await page.getByRole('button', { name: t.lang, exact: true }).click();
        await login.getByRole('heading', { name: t.signIn, exact: true }).waitFor();

        await noHorizontalOverflow(page);
        await shot('0-sign-in');
        // 1. the link, under the sign-in button, opens the step, its heading focused
        await login.getByRole('button', { name: t.link, exact: true }).click();
        await login.getByRole('heading', { name: t.title, exact: true }).waitFor({ timeout: 20_000 });
        await expect
          .poll(() => page.evaluate(() => document.querySelector('jd-login')!.shadowRoot!.activeElement?.id))
          .toBe('jd-phone-code-title');
        await login.getByRole('button', { name: t.password, exact: true }).waitFor();
        const region = login.getByLabel(t.region, { exact: true });
        expect(await region.locator('option').allTextContents()).toEqual([t.regionCN]);
        await region.selectOption('CN');
        await login.getByLabel(t.phone, { exact: true }).fill(phone);
        await noHorizontalOverflow(page);
        await shot('1-step');
        await login.getByRole('button', { name: t.send, exact: true }).click();
        const sent = login.locator('.status[data-action="sendCode"]');
        await inViewAndInStep(page, login, sent);
        expect(await sent.textContent()).toBe(t.sent);
        await noHorizontalOverflow(page);
        await shot('2-sent');

        // 2. a wrong code is said at the code field; then the right one signs in
        const codeBox = login.getByRole('textbox', { name: t.code, exact: true });
        await codeBox.fill('000000');
        await login.getByRole('button', { name: t.signIn, exact: true }).click();
        const codeError = login.locator('.field-error[data-field="phoneCode"]');
        await inViewAndInStep(page, login, codeError);
        expect(await codeError.textContent()).toContain(t.wrongCode);
        await noHorizontalOverflow(page);
        const text = await login.locator('section.step').innerText();
        if (locale === 'en') expect(text).not.toMatch(/\p{Script=Han}/u);
        else expect(text).toMatch(/\p{Script=Han}/u);
        await shot('3-wrong-code');
        const { code } = await outbox(`+86${phone}`, 'phone_sign_in');
        await codeBox.fill(code!);
        await login.getByRole('button', { name: t.signIn, exact: true }).click();

        // 3. signed in (the demo's account menu shows who)
        await page.locator('#signed-in:not([hidden])').waitFor({ timeout: 20_000 });
        await page.locator('#account', { hasText: name }).waitFor();
        await shot('4-signed-in');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
