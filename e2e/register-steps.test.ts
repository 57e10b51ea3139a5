/**
 * <jd-register>'s three steps end to end (docs/product.md#6-registration): the real BFF as `npm
 * start` runs it (PGlite, dev outbox), the demo page in Chromium at a phone's 390×844 and a
 * laptop's 1280×800, in zh-CN and en. Every step; no horizontal overflow; after "get code" and
 * after a wrong code the feedback is in the viewport and inside the step's own section; a
 * screenshot of each step lands in e2e/results/ (git-ignored) for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeFor, launchBrowser, root, startBff, tempDataDir, type Bff } from './helpers.ts';

let bff: Bff;
let browser: Browser;
const data = tempDataDir();
const results = join(root, 'e2e/results');

beforeAll(async () => {
  mkdirSync(results, { recursive: true });
  bff = await startBff(data.pgliteDir);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bff?.stop();
  data.remove();
});

const TEXT = {
  'zh-CN': {
    tab: /注册/,
    phone: '手机号码',
    send: '获取验证码',
    code: '验证码',
    next: '下一步',
    name: '账号名',
    password: '密码',
    submit: '注册',
    wrong: '验证码不正确',
  },
  en: {
    tab: /Register/,
    phone: 'Mobile phone',
    send: 'Send code',
    code: 'Verification code',
    next: 'Next',
    name: 'Account name',
    password: 'Password',
    submit: 'Register',
    wrong: 'incorrect',
  },
} as const;

/** The page scrolls only vertically: nothing is wider than the viewport. */
async function noHorizontalOverflow(page: Page): Promise<void> {
  const { scroll, inner, host } = await page.evaluate(() => {
    const el = document.querySelector('jd-register')!;
    return {
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
      host: el.getBoundingClientRect().right,
    };
  });
  expect(scroll).toBeLessThanOrEqual(inner);
  expect(host).toBeLessThanOrEqual(inner);
}

/** `feedback` is visible in the viewport and inside the current step's section. */
async function inViewAndInStep(page: Page, reg: Locator, feedback: Locator): Promise<void> {
  await feedback.waitFor({ timeout: 20_000 });
  const box = (await feedback.boundingBox())!;
  const section = (await reg.locator('section.step').boundingBox())!;
  const vp = page.viewportSize()!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(vp.height);
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(vp.width);
  expect(box.y).toBeGreaterThanOrEqual(section.y);
  expect(box.y + box.height).toBeLessThanOrEqual(section.y + section.height + 0.5);
}

let n = 0;

describe('<jd-register> steps in Chromium', () => {
  for (const [width, height] of [
    [390, 844],
    [1280, 800],
  ] as const) {
    for (const locale of ['zh-CN', 'en'] as const) {
      it(`${locale} at ${width}×${height}: phone → account → enable service`, async () => {
        const t = TEXT[locale];
        const i = n++;
        const phone = `1391235${String(1000 + i).padStart(4, '0')}`;
        const shot = (name: string) =>
          page.screenshot({ path: join(results, `register-${locale}-${width}-${name}.png`), fullPage: true });
        const context = await browser.newContext({ viewport: { width, height } });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        try {
          await page.goto(`${bff.base}/`);
          // the element has its config (and the page its handlers) before the language switch
          await page.locator('jd-register section.step').waitFor({ state: 'attached' });
          if (locale === 'en') await page.getByRole('button', { name: 'English' }).click();
          await page.getByRole('tab', { name: t.tab }).click();
          const reg = page.locator('jd-register');
          const step = () => reg.locator('section.step').getAttribute('data-step');

          // 1. phone: get the code; "sent" shows by the button
          await reg.getByLabel(t.phone, { exact: true }).fill(phone);
          await noHorizontalOverflow(page);
          await shot('1-phone');
          await reg.getByRole('button', { name: t.send }).click();
          await inViewAndInStep(page, reg, reg.locator('.status[data-action="send"]'));
          const code = await codeFor(bff.base, `+86${phone}`);
          // a wrong code: the error under the code field, still in view
          await reg.getByLabel(t.code, { exact: true }).fill(code === '000000' ? '111111' : '000000');
          await reg.getByRole('checkbox').check();
          await reg.getByRole('button', { name: t.next, exact: true }).click();
          const wrong = reg.locator('#jd-code-error');
          await inViewAndInStep(page, reg, wrong);
          expect(await wrong.textContent()).toContain(t.wrong);
          await noHorizontalOverflow(page);
          await shot('1-phone-wrong-code');
          // the right code: step 2, the error gone
          await reg.getByLabel(t.code, { exact: true }).fill(code);
          expect(await wrong.count()).toBe(0);
          await reg.getByRole('button', { name: t.next, exact: true }).click();
          await reg.locator('section.step[data-step="account"]').waitFor();

          // 2. name and password
          await reg.getByLabel(t.name, { exact: true }).fill(`steps_${locale === 'en' ? 'en' : 'zh'}_${i}`);
          await reg.getByLabel(t.password, { exact: true }).fill('E2e#Pass2026');
          await noHorizontalOverflow(page);
          await shot('2-account');
          await reg.getByRole('button', { name: t.next, exact: true }).click();
          await reg.locator('section.step[data-step="service"]').waitFor();

          // 3. enable the service
          expect(await reg.locator('#jd-contact-phone').textContent()).toContain(phone);
          await noHorizontalOverflow(page);
          await shot('3-service');
          await reg.getByRole('button', { name: t.submit, exact: true }).click();
          await reg.locator('section.step[data-step="done"]').waitFor({ state: 'attached', timeout: 20_000 }); // the demo then shows its signed-in view
          expect(await step()).toBe('done');
          // the page's other elements learnt of the session at once
          await page.locator('#signed-in:not([hidden])').waitFor({ timeout: 15_000 });
          await shot('4-done');
          expect(errors).toEqual([]);
        } finally {
          await context.close();
        }
      }, 90_000);
    }
  }
});
