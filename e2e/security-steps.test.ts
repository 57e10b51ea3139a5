/**
 * <jd-security-settings>'s dialogs end to end (docs/product.md#10-changing-identity-verification-methods):
 * the real BFF as `npm start` runs it, the demo page in Chromium at 390×844 and 1280×800, zh-CN
 * and en. A user registered through the API (codes from the dev outbox) opens the dialogs it can
 * reach: no horizontal overflow, every control of a dialog inside it and in the viewport, the
 * status next to the action that caused it; screenshots land in e2e/results/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  controlsInsideDialog,
  launchBrowser,
  registerInPage,
  root,
  startBff,
  tempDataDir,
  type Bff,
} from './helpers.ts';

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

function register(page: Page, phone: string, name: string): Promise<void> {
  return registerInPage(page, bff.base, { phone, name, password: 'E2e#Pass2026' });
}

/** Nothing wider than the viewport; every control of the open dialog inside it and in view. */
async function fits(page: Page, dialog: Locator): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
    page.viewportSize()!.width,
  );
  const d = (await dialog.boundingBox())!;
  const vp = page.viewportSize()!;
  expect(d.x).toBeGreaterThanOrEqual(0);
  expect(d.x + d.width).toBeLessThanOrEqual(vp.width);
  await controlsInsideDialog(dialog);
}

let n = 0;

describe('<jd-security-settings> dialogs in Chromium', () => {
  for (const [width, height] of [
    [390, 844],
    [1280, 800],
  ] as const) {
    for (const locale of ['zh-CN', 'en'] as const) {
      it(`${locale} at ${width}×${height}: add email (step-up, can't use any), change password`, async () => {
        const i = n++;
        const phone = `1391236${String(1000 + i).padStart(4, '0')}`;
        const context = await browser.newContext({ viewport: { width, height } });
        const page = await context.newPage();
        const shot = (name: string) =>
          page.screenshot({ path: join(results, `security-${locale}-${width}-${name}.png`), fullPage: false });
        try {
          await page.goto(`${bff.base}/`);
          await register(page, phone, `sec_${locale === 'en' ? 'en' : 'zh'}_${i}`);
          await page.reload();
          const el = page.locator('jd-security-settings');
          await el.locator('[part~="rows"]').waitFor({ timeout: 20_000 });
          // the page's own language switch, as a user would (it sets every element's locale)
          await page.getByRole('button', { name: locale === 'en' ? 'English' : '中文' }).click();
          await el
            .locator('#jd-row-security-phone')
            .getByText(locale === 'en' ? 'Security phone' : '安全手机', { exact: true })
            .waitFor();
          await el.scrollIntoViewIfNeeded();
          // no email yet: the callout's "Add email" opens the email dialog, behind a step-up
          await el.locator('[data-callout="add-email"] [data-action="add-email"]').click();
          const dialog = el.locator('dialog[open]');
          await dialog.locator('input[name="method"]').first().waitFor();
          await fits(page, dialog);
          await shot('1-step-up');
          // "get code": its status inside the dialog, in view
          await dialog.locator('button[type="submit"]').click();
          const status = dialog.locator('.status');
          await status.waitFor({ timeout: 20_000 });
          const s = (await status.boundingBox())!;
          const d = (await dialog.boundingBox())!;
          expect(s.y).toBeGreaterThanOrEqual(d.y);
          expect(s.y + s.height).toBeLessThanOrEqual(Math.min(d.y + d.height, height) + 0.5);
          // next to the code field and its resend button, above the dialog's own buttons
          const actions = (await dialog.locator('.actions').boundingBox())!;
          const code = (await dialog.locator('#jd-code').boundingBox())!;
          expect(s.y).toBeGreaterThan(code.y);
          expect(s.y + s.height).toBeLessThanOrEqual(actions.y + 0.5);
          await fits(page, dialog);
          await shot('2-code');
          await dialog.locator('[data-close]').click();
          await dialog.waitFor({ state: 'detached' });
          // the password: step-up, then "I can't use any of these" → support
          await el.locator('[data-row="password"] [data-action="change"]').click();
          await dialog.locator('[data-action="cannot-use"]').click();
          await dialog.locator('[part~="support"]').waitFor();
          await fits(page, dialog);
          await shot('3-support');
        } finally {
          await context.close();
        }
      }, 90_000);
    }
  }
});
