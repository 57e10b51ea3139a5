/**
 * Closing an account (注销) end to end (docs/product.md#24-closing-an-account): the real BFF as
 * `npm start` runs it (PGlite, dev outbox) and the demo page in Chromium, in zh-CN at 390×844 and
 * en at 1280×800. In <jd-security-settings>: "Download my data" (step-up by a code to the security
 * phone, then account-export.json), "Close account" (what happens, "I understand", refused without
 * it), and the page is signed out. Then <jd-login>: the right password answers "being closed" with
 * "Cancel closing" right after it, which cancels and signs in. Feedback is inside the dialog or the
 * step and in the viewport; nothing overflows sideways; screenshots land in e2e/results/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeFor,
  controlsInsideDialog,
  launchBrowser,
  registerInPage,
  root,
  startBff,
  tempDataDir,
  type Bff,
} from './helpers.ts';

const PASSWORD = 'E2e#Pass2026';

let bff: Bff;
let browser: Browser;
const data = tempDataDir();
const results = join(root, 'e2e/results');

beforeAll(async () => {
  mkdirSync(results, { recursive: true });
  [bff, browser] = await Promise.all([startBff(data.pgliteDir), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bff?.stop();
  data.remove();
});

const TEXT = {
  'zh-CN': {
    lang: '中文',
    closingTitle: '注销账号',
    exported: '数据已下载。',
    ackRequired: '请勾选“我已了解”后再注销账号。',
    understand: '我已了解',
    identifier: '账号名、手机号或邮箱',
    password: '密码',
    submit: '登录',
    closing: '该账号正在注销中',
    cancel: '撤销注销',
  },
  en: {
    lang: 'English',
    closingTitle: 'Close account',
    exported: 'Your data was downloaded.',
    ackRequired: 'Tick "I understand" to close the account.',
    understand: 'I understand',
    identifier: 'Account name, phone or email',
    password: 'Password',
    submit: 'Sign in',
    closing: 'This account is being closed',
    cancel: 'Cancel closing',
  },
} as const;

type Box = { x: number; y: number; width: number; height: number };

function within(inner: Box, outer: Box): void {
  expect(inner.x).toBeGreaterThanOrEqual(outer.x - 0.5);
  expect(inner.y).toBeGreaterThanOrEqual(outer.y - 0.5);
  expect(inner.x + inner.width).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
  expect(inner.y + inner.height).toBeLessThanOrEqual(outer.y + outer.height + 0.5);
}

async function noHorizontalOverflow(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

/** `what` is visible inside `container` and inside the viewport. */
async function inside(page: Page, container: Locator, what: Locator): Promise<void> {
  await what.waitFor({ timeout: 20_000 });
  await what.scrollIntoViewIfNeeded();
  const box = (await what.boundingBox())!;
  within(box, (await container.boundingBox())!);
  within(box, { x: 0, y: 0, ...page.viewportSize()! });
}

const runs = [
  { locale: 'zh-CN', width: 390, height: 844 },
  { locale: 'en', width: 1280, height: 800 },
] as const;

describe('closing an account in Chromium', () => {
  let n = 0;
  for (const { locale, width, height } of runs) {
    it(`${locale} at ${width}×${height}: export, close, then cancel by signing in`, async () => {
      const t = TEXT[locale];
      const i = n++;
      const phone = `1391241${String(1000 + i).padStart(4, '0')}`;
      const name = `closing_${locale === 'en' ? 'en' : 'zh'}_${width}`;
      const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const shot = (step: string) =>
        page.screenshot({ path: join(results, `closing-${locale}-${width}-${step}.png`), fullPage: false });
      try {
        await page.goto(`${bff.base}/`);
        await registerInPage(page, bff.base, { phone, name, password: PASSWORD });
        await page.reload();
        const el = page.locator('jd-security-settings');
        const dialog = el.locator('dialog[open]');
        await el.locator('[part~="rows"]').waitFor({ timeout: 20_000 });
        await page.getByRole('button', { name: t.lang, exact: true }).click();
        const section = el.locator('[part~="closing"]');
        await section.getByRole('heading', { name: t.closingTitle, exact: true }).waitFor();
        await section.scrollIntoViewIfNeeded();
        await noHorizontalOverflow(page);
        await shot('0-section');

        // 1. "Download my data": a step-up by the security phone's code, then the file
        await section.locator('[data-action="export"]').click();
        await dialog.locator('form[data-step="method"]').waitFor({ timeout: 20_000 });
        await dialog.locator('button[part~="submit"]').click();
        await dialog.locator('form[data-step="step_up"]').waitFor({ timeout: 20_000 });
        await dialog.locator('#jd-code').fill(await codeFor(bff.base, `+86${phone}`));
        await dialog.locator('button[part~="submit"]').click();
        await dialog.locator('form[data-step="export_data"]').waitFor({ timeout: 20_000 });
        await controlsInsideDialog(dialog);
        await shot('1-export');
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          dialog.locator('button[part~="submit"]').click(),
        ]);
        expect(download.suggestedFilename()).toBe('account-export.json');
        const file = join(results, `closing-${locale}-${width}-export.json`);
        await download.saveAs(file);
        const exported = JSON.parse(readFileSync(file, 'utf8')) as { format: string; account: { accountName: string } };
        expect(exported.format).toBe('jd-account-export/1');
        expect(exported.account.accountName).toBe(name);
        expect(readFileSync(file, 'utf8')).not.toMatch(/argon2|password_hash|secret/i);
        const exportedStatus = section.locator('[part~="status"]');
        await inside(page, section, exportedStatus);
        expect(await exportedStatus.innerText()).toBe(t.exported);

        // 2. "Close account": what happens, and "I understand" is required
        await section.locator('[data-action="close-account"]').click();
        await dialog.locator('form[data-step="close_account"]').waitFor({ timeout: 20_000 });
        await controlsInsideDialog(dialog);
        await noHorizontalOverflow(page);
        await shot('2-close');
        await dialog.locator('button[part~="submit"]').click();
        const refusal = dialog.locator('.status');
        await inside(page, dialog, refusal);
        expect(await refusal.innerText()).toBe(t.ackRequired);
        await dialog.getByLabel(t.understand, { exact: true }).check();
        await dialog.locator('button[part~="submit"]').click();
        // the page is signed out: the sign-in form again
        await page.locator('#signed-in[hidden]').waitFor({ state: 'attached', timeout: 20_000 });
        const login = page.locator('jd-login');
        await login.getByLabel(t.identifier, { exact: true }).waitFor({ timeout: 20_000 });
        await shot('3-closed');

        // 3. signing in during the cooling-off: "being closed", and "Cancel closing" right after it
        await login.getByLabel(t.identifier, { exact: true }).fill(name);
        await login.getByLabel(t.password, { exact: true }).fill(PASSWORD);
        await login.getByRole('button', { name: t.submit, exact: true }).click();
        const status = login.locator('.status[data-action="signIn"]');
        await inside(page, login.locator('section.step'), status);
        expect(await status.innerText()).toContain(t.closing);
        const cancel = login.getByRole('button', { name: t.cancel, exact: true });
        await inside(page, login.locator('section.step'), cancel);
        const s = (await status.boundingBox())!;
        const c = (await cancel.boundingBox())!;
        expect(c.y).toBeGreaterThanOrEqual(s.y + s.height - 0.5);
        expect(c.y - (s.y + s.height)).toBeLessThan(40);
        await noHorizontalOverflow(page);
        await shot('4-cancel-offered');
        await cancel.click();
        await page.locator('#signed-in:not([hidden])').waitFor({ timeout: 20_000 });
        await page.locator('#account', { hasText: name }).waitFor();
        await shot('5-signed-in-again');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
