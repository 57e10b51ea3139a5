/**
 * <jd-security-settings>'s remaining dialogs end to end (docs/product.md#8-security-and-contact-phones-and-emails,
 * #10-changing-identity-verification-methods, #11-virtual-mfa, #13-sub-users): the real BFF as
 * `npm start` runs it (PGlite, dev outbox), the demo page in Chromium at 390×844 and 1280×800, in
 * zh-CN and en. One account per language and size, registered from inside the page (codes from the
 * dev outbox), then driven as a user would: a new security phone (step-up by a code to the current
 * one, then the new number and its code), virtual MFA (QR and key, the app's first code, the
 * recovery codes: copy, download, "I have saved them", Done), and a sub-user (create, disable,
 * delete). After each action its status is in the viewport and inside the dialog step or the row
 * that caused it; nothing overflows sideways; a screenshot of each step lands in e2e/results/
 * (git-ignored).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'otplib';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  controlsInsideDialog,
  codeFor,
  launchBrowser,
  root,
  startBff,
  tempDataDir,
  registerInPage,
  type Bff,
} from './helpers.ts';

const PASSWORD = 'E2e#Pass2026';
const SUB_PASSWORD = 'Sub#Pass2026';

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
    securityPhone: '安全手机',
    codeSent: '验证码已发送至',
    saved: '修改已保存。',
    mfaBound: '已绑定',
    copied: '已复制。',
    enabled: '已启用',
    disabled: '已禁用',
    noSubs: '暂无子用户。',
  },
  en: {
    lang: 'English',
    securityPhone: 'Security phone',
    codeSent: 'A code was sent to',
    saved: 'Your change has been saved.',
    mfaBound: 'Bound',
    copied: 'Copied.',
    enabled: 'Enabled',
    disabled: 'Disabled',
    noSubs: 'No sub-users yet.',
  },
} as const;

type Box = { x: number; y: number; width: number; height: number };

function register(page: Page, phone: string, name: string): Promise<void> {
  return registerInPage(page, bff.base, { phone, name, password: PASSWORD });
}

/** `inner` lies within `outer` (half a pixel of rounding either way). */
function within(inner: Box, outer: Box): void {
  expect(inner.x).toBeGreaterThanOrEqual(outer.x - 0.5);
  expect(inner.y).toBeGreaterThanOrEqual(outer.y - 0.5);
  expect(inner.x + inner.width).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
  expect(inner.y + inner.height).toBeLessThanOrEqual(outer.y + outer.height + 0.5);
}

/** The page scrolls only vertically; an open dialog neither (its content is not wider than it). */
async function noHorizontalOverflow(page: Page, dialog?: Locator): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
  if (dialog) {
    const d = await dialog.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(d.scroll).toBeLessThanOrEqual(d.client);
    const box = (await dialog.boundingBox())!;
    within(box, { x: 0, y: 0, ...page.viewportSize()! });
  }
}

/** `what` is visible, inside the open dialog's box (no scrolling needed) and inside the viewport. */
async function inDialog(page: Page, dialog: Locator, what: Locator): Promise<Box> {
  await what.waitFor({ timeout: 20_000 });
  const box = (await what.boundingBox())!;
  within(box, (await dialog.boundingBox())!);
  within(box, { x: 0, y: 0, ...page.viewportSize()! });
  return box;
}

/** `what` is visible in the viewport, below the page's sticky top bar, and inside `container` (a row, a section). */
async function inRow(page: Page, container: Locator, what: Locator, timeout = 20_000): Promise<void> {
  await what.waitFor({ timeout });
  // the focus move that brings a closed dialog's result into view runs a render after the close:
  // on a busy machine the first look can come before it, so look again for a moment before judging
  for (let tries = 0; ; tries++) {
    try {
      const box = (await what.boundingBox())!;
      within(box, (await container.boundingBox())!);
      const bar = (await page.locator('header.topbar').boundingBox())!;
      const vp = page.viewportSize()!;
      within(box, { x: 0, y: bar.y + bar.height, width: vp.width, height: vp.height - (bar.y + bar.height) });
      return;
    } catch (err) {
      if (tries >= 20) throw err;
      await page.waitForTimeout(100);
    }
  }
}

let n = 0;

describe('<jd-security-settings> security phone, virtual MFA and sub-users in Chromium', () => {
  for (const [width, height] of [
    [390, 844],
    [1280, 800],
  ] as const) {
    for (const locale of ['zh-CN', 'en'] as const) {
      describe(`${locale} at ${width}×${height}`, () => {
        const t = TEXT[locale];
        const i = n++;
        const tag = `${locale === 'en' ? 'en' : 'zh'}_${width}`;
        const phone = `1391239${String(1000 + i).padStart(4, '0')}`;
        const newPhone = `1381240${String(2000 + i).padStart(4, '0')}`;
        const subName = `ops_${tag}`;
        let context: BrowserContext;
        let page: Page;
        let el: Locator;
        let dialog: Locator;
        const errors: string[] = [];
        const shot = (step: string) =>
          page.screenshot({ path: join(results, `security-dialogs-${locale}-${width}-${step}.png`), fullPage: false });
        /** what the page showed when a step failed, for the person reading the failure */
        const onFailure = async <T>(step: string, run: () => Promise<T>): Promise<T> => {
          try {
            return await run();
          } catch (e) {
            await shot(`${step}-failed`).catch(() => undefined);
            throw e;
          }
        };

        beforeAll(async () => {
          context = await browser.newContext({ viewport: { width, height } });
          await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: bff.base });
          page = await context.newPage();
          page.on('pageerror', (e) => errors.push(e.message));
          await page.goto(`${bff.base}/`);
          await register(page, phone, `dlg_${tag}`);
          await page.reload();
          el = page.locator('jd-security-settings');
          dialog = el.locator('dialog[open]');
          await el.locator('[part~="rows"]').waitFor({ timeout: 20_000 });
          // the page's own language switch, as a user would (it sets every element's locale)
          await page.getByRole('button', { name: t.lang, exact: true }).click();
          await el.locator('#jd-row-security-phone').getByText(t.securityPhone, { exact: true }).waitFor();
        }, 60_000);

        afterAll(async () => {
          await context?.close();
        });

        it(
          'changes the security phone: step-up by a code to the current phone, then the new phone and its code',
          () =>
            onFailure('phone', async () => {
              const row = el.locator('[data-row="security-phone"]');
              expect(await row.locator('[part~="value"]').innerText()).toBe(`139****${phone.slice(-4)}`);
              await row.locator('[data-action="change"]').click();
              // step-up: a code to the current security phone
              await dialog.locator('form[data-step="method"] input[name="method"][value="phone"]').waitFor();
              expect(await dialog.locator('input[name="method"][value="phone"]').isChecked()).toBe(true);
              await noHorizontalOverflow(page, dialog);
              await controlsInsideDialog(dialog);
              await shot('1-phone-step-up');
              await dialog.locator('button[part~="submit"]').click();
              await dialog.locator('form[data-step="step_up"]').waitFor({ timeout: 20_000 });
              // "code sent": inside the dialog, after the code field, above the dialog's buttons
              const sent = dialog.locator('.status');
              const s = await inDialog(page, dialog, sent);
              expect(await sent.innerText()).toContain(t.codeSent);
              expect(await sent.innerText()).toContain(phone.slice(-4));
              expect(s.y).toBeGreaterThan((await dialog.locator('#jd-code').boundingBox())!.y);
              expect(s.y + s.height).toBeLessThanOrEqual((await dialog.locator('.actions').boundingBox())!.y + 0.5);
              await noHorizontalOverflow(page, dialog);
              await controlsInsideDialog(dialog);
              await shot('1-phone-step-up-code');
              await dialog.locator('#jd-code').fill(await codeFor(bff.base, `+86${phone}`));
              await dialog.locator('button[part~="submit"]').click();
              // the new number (the tenant's first region, China) and its code
              const number = dialog.locator('#jd-phone');
              await inDialog(page, dialog, number);
              await inDialog(page, dialog, dialog.locator('#jd-region'));
              await noHorizontalOverflow(page, dialog);
              await controlsInsideDialog(dialog);
              await shot('1-phone-new');
              await number.fill(newPhone);
              await dialog.locator('button[part~="submit"]').click();
              await dialog.locator('form[data-step="code"]').waitFor({ timeout: 20_000 });
              const sentNew = dialog.locator('.status');
              await inDialog(page, dialog, sentNew);
              expect(await sentNew.innerText()).toContain(t.codeSent);
              expect(await sentNew.innerText()).toContain(newPhone.slice(-4));
              await noHorizontalOverflow(page, dialog);
              await controlsInsideDialog(dialog);
              await shot('1-phone-new-code');
              await dialog.locator('#jd-code').fill(await codeFor(bff.base, `+86${newPhone}`));
              await dialog.locator('button[part~="submit"]').click();
              // saved: the dialog closes, the row shows the new number and says so itself
              await dialog.waitFor({ state: 'detached', timeout: 20_000 });
              const status = row.locator('[part~="status"][part~="success"]');
              await inRow(page, row, status);
              expect(await status.innerText()).toBe(t.saved);
              expect(await row.locator('[part~="value"]').innerText()).toBe(`138****${newPhone.slice(-4)}`);
              await noHorizontalOverflow(page);
              await shot('1-phone-saved');
            }),
          60_000,
        );

        it(
          'binds virtual MFA: QR and key, the app code, then the recovery codes (copy, download, done)',
          () =>
            onFailure('mfa', async () => {
              const row = el.locator('[data-row="mfa"]');
              await row.locator('[data-action="bind"]').click();
              // the step-up of the phone change is still active (10 minutes): straight to the QR code;
              // on its own (the phone test failed before it), step up by the security phone first
              const form = dialog.locator('form[data-step="qr"], form[data-step="method"]');
              await form.waitFor({ timeout: 20_000 });
              if ((await form.getAttribute('data-step')) === 'method') {
                await dialog.locator('button[part~="submit"]').click();
                await dialog.locator('form[data-step="step_up"]').waitFor({ timeout: 20_000 });
                const to = (await el.locator('[data-row="security-phone"] [part~="value"]').innerText()).endsWith(
                  newPhone.slice(-4),
                )
                  ? newPhone
                  : phone;
                await dialog.locator('#jd-code').fill(await codeFor(bff.base, `+86${to}`));
                await dialog.locator('button[part~="submit"]').click();
              }
              const qr = dialog.locator('img[part~="qr"]');
              await inDialog(page, dialog, qr);
              expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
              const key = dialog.locator('[part~="secret"] code');
              await inDialog(page, dialog, key);
              const secret = (await key.innerText()).replace(/\s+/g, '');
              expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
              const code = dialog.locator('#jd-code');
              await inDialog(page, dialog, code);
              await noHorizontalOverflow(page, dialog);
              await controlsInsideDialog(dialog);
              await shot('2-mfa-qr');
              await code.fill(await generate({ secret }));
              await dialog.locator('button[part~="submit"]').click();

              // the recovery codes, shown once: two columns, Copy and Download, then Done once saved
              const list = dialog.locator('ol[part~="recovery-codes"]');
              await list.waitFor({ timeout: 20_000 });
              const items = list.locator('li');
              const count = await items.count();
              expect(count).toBeGreaterThanOrEqual(8);
              const boxes = await Promise.all((await items.all()).map(async (li) => (await li.boundingBox())!));
              const columns = [...new Set(boxes.map((b) => Math.round(b.x)))];
              expect(columns).toHaveLength(2);
              expect(boxes.filter((b) => Math.round(b.x) === columns[0])).toHaveLength(Math.ceil(count / 2));
              for (const b of boxes) within(b, (await list.boundingBox())!);
              // each code fits its cell: nothing is cut off or runs into the other column
              for (const li of await items.all())
                expect(await li.evaluate((e) => e.scrollWidth <= e.clientWidth + 1)).toBe(true);
              const codes = (await list.locator('code').allInnerTexts()).map((c) => c.trim());
              expect(new Set(codes).size).toBe(count);
              const copy = dialog.locator('button[data-copy]');
              const download = dialog.locator('button[data-download]');
              const done = dialog.locator('button[part~="submit"]');
              await inDialog(page, dialog, copy);
              await inDialog(page, dialog, download);
              await inDialog(page, dialog, done);
              expect(await done.isDisabled()).toBe(true); // not before "I have saved them"
              expect(await dialog.locator('[data-close]').count()).toBe(0); // no Cancel: shown once
              await noHorizontalOverflow(page, dialog);
              await controlsInsideDialog(dialog);
              await shot('2-mfa-codes');
              // Copy: the codes on the clipboard; "copied" right after the buttons, inside the dialog
              await copy.click();
              const copied = dialog.locator('.status');
              const c = await inDialog(page, dialog, copied);
              expect(await copied.innerText()).toBe(t.copied);
              const buttons = (await copy.boundingBox())!;
              expect(c.y).toBeGreaterThanOrEqual(buttons.y + buttons.height - 0.5);
              expect(c.y + c.height).toBeLessThanOrEqual((await done.boundingBox())!.y + 0.5);
              expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codes.join('\n'));
              await noHorizontalOverflow(page, dialog);
              await shot('2-mfa-copied');
              // Download: a .txt of the same codes
              const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
              expect(file.suggestedFilename()).toBe('recovery-codes.txt');
              expect(readFileSync(await file.path(), 'utf8')).toBe(`${codes.join('\n')}\n`);
              // "I have saved them", then Done (still in the dialog and in view)
              await dialog.locator('input[name="ack"]').check();
              expect(await done.isEnabled()).toBe(true);
              await inDialog(page, dialog, done);
              await noHorizontalOverflow(page, dialog);
              await shot('2-mfa-saved-them');
              await done.click();
              await dialog.waitFor({ state: 'detached', timeout: 20_000 });
              const status = row.locator('[part~="status"][part~="success"]');
              await inRow(page, row, status);
              expect(await status.innerText()).toBe(t.saved);
              expect(await row.locator('[part~="value"]').innerText()).toBe(t.mfaBound);
              await inRow(page, row, row.locator('[data-action="unbind"]'));
              await noHorizontalOverflow(page);
              await shot('2-mfa-bound');
            }),
          60_000,
        );

        it(
          'creates a sub-user (it appears in the list), disables it, then deletes it',
          () =>
            onFailure('sub', async () => {
              const section = el.locator('[part~="sub-users"]');
              expect(await section.getByText(t.noSubs, { exact: true }).count()).toBe(1);
              await section.locator('[data-action="create"]').click();
              await dialog.locator('form[data-step="sub_create"]').waitFor();
              await inDialog(page, dialog, dialog.locator('#jd-name'));
              await dialog.locator('#jd-name').fill(subName);
              await dialog.locator('#jd-newPassword').fill(SUB_PASSWORD);
              await inDialog(page, dialog, dialog.locator('[part~="checklist"]'));
              await inDialog(page, dialog, dialog.locator('button[part~="submit"]'));
              await noHorizontalOverflow(page, dialog);
              await controlsInsideDialog(dialog);
              await shot('3-sub-create');
              await dialog.locator('button[part~="submit"]').click();
              await dialog.waitFor({ state: 'detached', timeout: 20_000 });
              // in the list, enabled, MFA not bound; "saved" after the Create button, in the section
              const sub = section.locator(`li[data-sub="${subName}"]`);
              await inRow(page, section, sub);
              expect(await sub.locator('.name').innerText()).toBe(subName);
              expect(await sub.locator('[part~="badge"]').allInnerTexts()).toContain(t.enabled);
              const created = section.locator(':scope > [part~="status"][part~="success"]');
              await inRow(page, section, created);
              expect(await created.innerText()).toBe(t.saved);
              expect(await section.getByText(t.noSubs, { exact: true }).count()).toBe(0);
              // its "Created <date>" reads as a line or two of its own under the name, not a column a few characters wide
              const nameBox = (await sub.locator('.name').boundingBox())!;
              const valueBox = (await sub.locator('[part~="value"]').boundingBox())!;
              expect(valueBox.height, 'the sub-user\'s "Created …" is squeezed').toBeLessThanOrEqual(
                2 * nameBox.height + 1,
              );
              expect(valueBox.y, 'the sub-user\'s "Created …" is under its name').toBeGreaterThanOrEqual(
                nameBox.y + nameBox.height - 0.5,
              );
              await noHorizontalOverflow(page);
              await shot('3-sub-created');

              // disable: a row action, its status in the sub-user's own row
              await sub.locator('[data-action="disable"]').click();
              const disabled = sub.locator('[part~="status"][part~="success"]');
              await inRow(page, sub, disabled);
              expect(await disabled.innerText()).toBe(t.saved);
              expect(await sub.locator('[part~="badge"]').allInnerTexts()).toContain(t.disabled);
              await inRow(page, sub, sub.locator('[data-action="enable"]'));
              await noHorizontalOverflow(page);
              await shot('3-sub-disabled');

              // delete: a confirmation dialog naming it, then gone from the list
              await sub.locator('[data-action="delete"]').click();
              await dialog.locator('form[data-step="sub_delete"]').waitFor();
              const question = dialog.locator('form > p');
              await inDialog(page, dialog, question);
              expect(await question.innerText()).toContain(subName);
              await inDialog(page, dialog, dialog.locator('button[part~="submit"]'));
              await inDialog(page, dialog, dialog.locator('[data-close]'));
              await noHorizontalOverflow(page, dialog);
              await controlsInsideDialog(dialog);
              await shot('3-sub-delete');
              await dialog.locator('button[part~="submit"]').click();
              await dialog.waitFor({ state: 'detached', timeout: 20_000 });
              await sub.waitFor({ state: 'detached', timeout: 20_000 });
              await section.getByText(t.noSubs, { exact: true }).waitFor();
              await noHorizontalOverflow(page);
              await shot('3-sub-deleted');
              // "saved" somewhere the user sees it: in the sub-users section, in view; focus stays in the
              // section (its "Create" button), not back at the element's heading
              const deleted = section.locator('[part~="status"][part~="success"]');
              await inRow(page, section, deleted, 2_000);
              expect(await deleted.innerText()).toBe(t.saved);
              expect(
                await page.evaluate(
                  () => document.querySelector('jd-security-settings')!.shadowRoot!.activeElement?.outerHTML ?? '',
                ),
              ).toMatch(/^<button[^>]*data-action="create"/);
              expect(errors).toEqual([]);
            }),
          60_000,
        );
      });
    }
  }
});
