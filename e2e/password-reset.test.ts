/**
 * Forgot password in <jd-login> end to end (docs/product.md#21-forgot-password): the real BFF as
 * `npm start` runs it (PGlite, dev outbox) and the demo page in Chromium, in zh-CN and en, at
 * 390×844 and 1280×800. By the security phone (SMS) and by the verified security email: "Forgot
 * password?", the identifier, "Send code" (its note right after it), the code from the dev outbox,
 * "Next", the new password with its live checklist, "Reset password" — then signed in with the new
 * password. Each feedback is inside the step and in the viewport; nothing overflows sideways;
 * screenshots land in e2e/results/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bffApi, launchBrowser, root, startBff, tempDataDir, type Bff } from './helpers.ts';

const PASSWORD = 'E2e#Pass2026';
const NEW_PASSWORD = 'Fresh#Start2026';

let bff: Bff;
let browser: Browser;
let api: ReturnType<typeof bffApi>['api'];
let outbox: ReturnType<typeof bffApi>['outbox'];
const data = tempDataDir();
const results = join(root, 'e2e/results');

beforeAll(async () => {
  mkdirSync(results, { recursive: true });
  [bff, browser] = await Promise.all([startBff(data.pgliteDir), launchBrowser()]);
  ({ api, outbox } = bffApi(bff));
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
    forgot: '忘记密码？',
    title: '重置密码',
    identifier: '账号名、手机号或邮箱',
    email: '邮箱',
    send: '获取验证码',
    sent: '如果该账号存在且绑定了该联系方式，验证码已发送。',
    code: '验证码',
    next: '下一步',
    passwordTitle: '设置新密码',
    newPassword: '新密码',
    submit: '重置密码',
    wrongCode: '验证码错误',
  },
  en: {
    lang: 'English',
    signIn: 'Sign in',
    forgot: 'Forgot password?',
    title: 'Reset your password',
    identifier: 'Account name, phone or email',
    email: 'Email',
    send: 'Send code',
    sent: 'If this account exists and has that contact, a code was sent to it.',
    code: 'Verification code',
    next: 'Next',
    passwordTitle: 'Set a new password',
    newPassword: 'New password',
    submit: 'Reset password',
    wrongCode: 'code',
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

describe('forgot password in Chromium', () => {
  const runs = [
    { by: 'phone', locale: 'zh-CN', width: 390, height: 844 },
    { by: 'phone', locale: 'en', width: 1280, height: 800 },
    { by: 'email', locale: 'en', width: 390, height: 844 },
    { by: 'email', locale: 'zh-CN', width: 1280, height: 800 },
  ] as const;
  for (const { by, locale, width, height } of runs) {
    it(`by ${by}, ${locale} at ${width}×${height}: code, new password, signed in`, async () => {
      const t = TEXT[locale];
      const i = n++;
      const phone = `1391239${String(1000 + i).padStart(4, '0')}`;
      const name = `reset_${by}_${i}`;
      const email = by === 'email' ? `reset${i}@example.com` : undefined;
      await bffApi(bff).register({ phone, name, password: PASSWORD, email });

      const context = await browser.newContext({ viewport: { width, height } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const shot = (step: string) =>
        page.screenshot({ path: join(results, `reset-${by}-${locale}-${width}-${step}.png`) });
      const login = page.locator('jd-login');
      try {
        await page.goto(`${bff.base}/`);
        await login.locator('section.step').waitFor();
        await page.getByRole('button', { name: t.lang, exact: true }).click();
        await login.getByRole('heading', { name: t.signIn, exact: true }).waitFor();

        await shot('0-sign-in');
        // 1. "Forgot password?" opens the reset step, its heading focused
        await login.getByRole('button', { name: t.forgot, exact: true }).click();
        await login.getByRole('heading', { name: t.title, exact: true }).waitFor({ timeout: 20_000 });
        await expect
          .poll(() => page.evaluate(() => document.querySelector('jd-login')!.shadowRoot!.activeElement?.id))
          .toBe('jd-reset-title');
        // the email identifies the account by email; the phone run uses the account name
        await login.getByLabel(t.identifier, { exact: true }).fill(email ?? name);
        if (by === 'email') await login.getByRole('radio', { name: t.email, exact: true }).check();
        await login.getByRole('button', { name: t.send, exact: true }).click();
        const sent = login.locator('.status[data-action="sendCode"]');
        await inViewAndInStep(page, login, sent);
        expect(await sent.textContent()).toBe(t.sent);
        await noHorizontalOverflow(page);
        await shot('1-sent');

        // 2. a wrong code is said at the code field; then the right one
        const codeBox = login.getByRole('textbox', { name: t.code, exact: true });
        await codeBox.fill('000000');
        await login.getByRole('button', { name: t.next, exact: true }).click();
        const codeError = login.locator('.field-error[data-field="resetCode"]');
        await inViewAndInStep(page, login, codeError);
        const { code } = await outbox(email ?? `+86${phone}`, 'password_reset');
        await codeBox.fill(code!);
        await login.getByRole('button', { name: t.next, exact: true }).click();

        // 3. the new password with its live checklist
        await login.getByRole('heading', { name: t.passwordTitle, exact: true }).waitFor({ timeout: 20_000 });
        const password = login.getByLabel(t.newPassword, { exact: true });
        await password.fill('short');
        const unmet = login.locator('li[data-rule]:not([data-met])');
        expect(await unmet.count()).toBeGreaterThan(0);
        await password.fill(NEW_PASSWORD);
        expect(await login.locator('li[data-rule]:not([data-met])').count()).toBe(0);
        await noHorizontalOverflow(page);
        const text = await login.locator('section.step').innerText();
        if (locale === 'en') expect(text).not.toMatch(/\p{Script=Han}/u);
        else expect(text).toMatch(/\p{Script=Han}/u);
        await shot('2-new-password');
        await login.getByRole('button', { name: t.submit, exact: true }).click();

        // 4. signed in (the demo's account menu shows who)
        await page.locator('#signed-in:not([hidden])').waitFor({ timeout: 20_000 });
        await page.locator('#account', { hasText: name }).waitFor();
        await shot('3-signed-in');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
      // the new password signs in; the old one does not
      const old = await api('/v1/sessions', { identifier: name, password: PASSWORD });
      expect(old.json.error.code).toBe('invalid_credentials');
      const fresh = await api('/v1/sessions', { identifier: name, password: NEW_PASSWORD });
      expect(fresh.status).toBe(200);
    }, 120_000);
  }
});
