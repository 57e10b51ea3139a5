/**
 * One session per page (README "Embedding", docs/embedding.md): the README's snippet, taken from
 * README.md as written (only the BFF's URL and the key filled in), in Chromium. A registration in
 * <jd-register> signs in <jd-login> and loads <jd-security-settings> with no page code; a sign-out
 * in one tab signs the other tab's elements out, and a sign-in there reaches this tab again. The
 * snippet sets no locale: the elements speak the demo tenant's default, zh-CN.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeFor, launchBrowser, root, startBff, tempDataDir, type Bff } from './helpers.ts';

let bff: Bff;
let browser: Browser;
const data = tempDataDir();
const PASSWORD = 'E2e#Pass2026';

beforeAll(async () => {
  [bff, browser] = await Promise.all([startBff(data.pgliteDir), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bff?.stop();
  data.remove();
});

/** The README's embedding snippet, pointed at this BFF with the demo tenant's key. */
function readmeSnippet(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Embedding'));
  const snippet = /```html\n([\s\S]*?)```/.exec(section)![1];
  expect(snippet).toContain('<jd-security-settings');
  return `<!doctype html><html><body>${snippet
    .replaceAll('https://auth.example.com', bff.base)
    .replaceAll('pk_live_…', bff.demoKey)}</body></html>`;
}

/**
 * A page of the BFF's own origin (which the demo tenant allows) whose HTML is the snippet; the
 * snippet's own /api/me call gets a stand-in answer.
 */
async function openSnippet(context: BrowserContext, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.route(`${bff.base}/readme-snippet.html`, (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: readmeSnippet() }),
  );
  await page.route(`${bff.base}/api/me`, (route) => route.fulfill({ json: { ok: true } }));
  await page.goto(`${bff.base}/readme-snippet.html`);
  return page;
}

const signedOutSettings = (page: Page) => page.locator('jd-security-settings').getByText('请先登录，再管理安全设置。');
const securityPhoneRow = (page: Page) => page.locator('jd-security-settings [data-row="security-phone"]');
const loginSays = (page: Page) => page.locator('jd-login #jd-signed-in');

describe('the README snippet: three elements, one session', () => {
  it('registering signs the page in; sign-out and sign-in in one tab reach the other; no console errors', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    try {
      const page = await openSnippet(context, errors);
      // signed out: a quiet load (no 401 in the console), the sign-in form and the prompt
      await page.locator('jd-login #jd-identifier').waitFor();
      await signedOutSettings(page).waitFor();

      // register in <jd-register>
      const phone = '13912399001';
      const reg = page.locator('jd-register');
      await reg.getByLabel('手机号码', { exact: true }).fill(phone);
      await reg.getByRole('button', { name: '获取验证码' }).click();
      await reg.getByLabel('验证码', { exact: true }).fill(await codeFor(bff.base, `+86${phone}`));
      await reg.getByRole('checkbox').check();
      await reg.getByRole('button', { name: '下一步', exact: true }).click();
      await reg.locator('section.step[data-step="account"]').waitFor();
      await reg.getByLabel('账号名', { exact: true }).fill('one_session_1');
      await reg.getByLabel('密码', { exact: true }).fill(PASSWORD);
      await reg.getByRole('button', { name: '下一步', exact: true }).click();
      await reg.locator('section.step[data-step="service"]').waitFor();
      await reg.getByRole('button', { name: '注册', exact: true }).click();

      // the other two elements follow, with no refresh() and no page code
      await loginSays(page).filter({ hasText: 'one_session_1' }).waitFor({ timeout: 15_000 });
      await securityPhoneRow(page).waitFor({ timeout: 15_000 });
      expect(await securityPhoneRow(page).textContent()).toContain('139****9001');

      // a second tab of the same portal is signed in too
      const other = await openSnippet(context, errors);
      await loginSays(other).filter({ hasText: 'one_session_1' }).waitFor({ timeout: 15_000 });
      await securityPhoneRow(other).waitFor();

      // sign out in the first tab: both tabs' elements are signed out
      await page.locator('jd-login').getByRole('button', { name: '退出登录' }).click();
      await signedOutSettings(page).waitFor({ timeout: 15_000 });
      await page.locator('jd-login #jd-identifier').waitFor();
      await signedOutSettings(other).waitFor({ timeout: 15_000 });
      await other.locator('jd-login #jd-identifier').waitFor();

      // sign in again in the second tab: the first tab follows
      const login = other.locator('jd-login');
      await login.getByLabel('账号名、手机号或邮箱').fill('one_session_1');
      await login.getByLabel('密码', { exact: true }).fill(PASSWORD);
      await login.getByRole('button', { name: '登录', exact: true }).click();
      await securityPhoneRow(other).waitFor({ timeout: 15_000 });
      await securityPhoneRow(page).waitFor({ timeout: 15_000 });
      await loginSays(page).filter({ hasText: 'one_session_1' }).waitFor();

      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
