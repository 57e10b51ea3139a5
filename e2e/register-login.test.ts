/**
 * End to end, as a new user would: `npm start`'s server on its embedded default (PGlite, dev
 * outbox), the demo page in Debian's Chromium driven by playwright-core. Register in Chinese
 * (the code read from the dev outbox), sign out, sign in by account name and by phone in English.
 */
import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeFor, launchBrowser, startBff, tempDataDir, type Bff } from './helpers.ts';

let bff: Bff;
let browser: Browser;
let base: string;
const data = tempDataDir();

beforeAll(async () => {
  bff = await startBff(data.pgliteDir); // the embedded default, as `npm start` on a fresh clone
  base = bff.base;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bff?.stop();
  data.remove();
});

/** Registers on the demo page in English, reading the code from the dev outbox. */
async function registerInEnglish(page: Page, accountName: string, phone: string) {
  await page.goto(`${base}/`);
  // the element has its config (and the page its handlers) before the language switch
  await page.locator('jd-register section.step').waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('tab', { name: /Register/ }).click();
  const reg = page.locator('jd-register');
  // the three steps of docs/product.md#6-registration: phone and code, name and password, enable
  await reg.getByLabel('Mobile phone', { exact: true }).fill(phone);
  await reg.getByRole('button', { name: 'Send code' }).click();
  await reg.getByLabel('Verification code', { exact: true }).fill(await codeFor(base, `+86${phone}`));
  for (const box of await reg.getByRole('checkbox').all()) await box.check();
  await reg.getByRole('button', { name: 'Next', exact: true }).click();
  await reg.getByLabel('Account name', { exact: true }).fill(accountName);
  await reg.getByLabel('Password', { exact: true }).fill('E2e#Pass2026');
  await reg.getByRole('button', { name: 'Next', exact: true }).click();
  await reg.getByRole('button', { name: 'Register', exact: true }).click();
}

/**
 * The demo console's account menu (in English) signs the page's session out (it calls
 * jd-login.signOut()); the page then shows the sign-in tab again.
 */
async function signOutFromMenu(page: Page) {
  await page.locator('#account-button').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.locator('#signed-in[hidden]').waitFor({ state: 'attached' });
  // and it is not shown: the sign-in form is, the console and its menu are not
  await page.locator('jd-login').waitFor();
  expect(await page.locator('#signed-in').isHidden()).toBe(true);
  expect(await page.locator('#account-menu').isHidden()).toBe(true);
}

/** Signed in as `name`: the console shows, its account menu names the account. */
async function signedInAs(page: Page, name: string) {
  await page.locator('#signed-in:not([hidden])').waitFor({ timeout: 20_000 });
  await page.locator('#account', { hasText: name }).waitFor();
  expect(await page.locator('#account').textContent()).toContain(name);
}

describe('demo page in Chromium', () => {
  it('registers through the demo page, signs out, signs in by account name and by phone', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);

    // register, in Chinese (the tenant's default)
    await page.getByRole('tab', { name: /注册/ }).click();
    const reg = page.locator('jd-register');
    await reg.getByLabel('手机号码', { exact: true }).fill('13912345678');
    await reg.getByRole('button', { name: '获取验证码' }).click();
    await reg.getByRole('button', { name: /秒后重新获取/ }).waitFor({ timeout: 20_000 });
    const code = await codeFor(base, '+8613912345678');
    await reg.getByLabel('验证码', { exact: true }).fill(code);
    for (const box of await reg.getByRole('checkbox').all()) await box.check();
    await reg.getByRole('button', { name: '下一步', exact: true }).click();
    await reg.getByLabel('账号名', { exact: true }).fill('测试用户_e2e');
    await reg.getByLabel('密码', { exact: true }).fill('E2e#Pass2026');
    await reg.getByRole('button', { name: '下一步', exact: true }).click();
    await reg.getByRole('button', { name: '注册', exact: true }).click();
    await page.locator('#signed-in:not([hidden])').waitFor({ timeout: 15_000 });
    expect(await page.locator('#account').textContent()).toContain('测试用户_e2e');

    // the console shows the session; sign out from its account menu, in English
    await page.getByRole('button', { name: 'English' }).click();
    const login = page.locator('jd-login');
    await signOutFromMenu(page);

    // wrong password: the shared message, in English
    await login.getByLabel('Account name, phone or email').fill('测试用户_e2e');
    await login.getByLabel('Password', { exact: true }).fill('Wrong#Pass1');
    await login.getByRole('button', { name: 'Sign in', exact: true }).click();
    await login.getByText('Account or password incorrect.').first().waitFor({ timeout: 20_000 });

    // by account name
    await login.getByLabel('Password', { exact: true }).fill('E2e#Pass2026');
    await login.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signedInAs(page, '测试用户_e2e');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name.startsWith('jd_session_'))).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    await signOutFromMenu(page);

    // by phone
    await login.getByLabel('Account name, phone or email').fill('13912345678');
    await login.getByLabel('Password', { exact: true }).fill('E2e#Pass2026');
    await login.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signedInAs(page, '测试用户_e2e');

    // the session survives a reload (cookie mode, same site)
    await page.reload();
    await signedInAs(page, '测试用户_e2e');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('security settings: add an email after step-up by the phone and verify it by link, change the security phone with step-up by that email, sign in by the new phone', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await registerInEnglish(page, 'security_e2e', '13912340001');

    const settings = page.locator('jd-security-settings');
    const row = (name: string) => settings.locator(`[data-row="${name}"]`);
    const dialog = settings.locator('dialog');
    const submit = () => dialog.locator('button[type="submit"]').click();
    await row('security-phone').getByText('Verified').waitFor({ timeout: 20_000 });

    // add a security email: docs/product.md#10-changing-identity-verification-methods asks for a step-up first (a code to the
    // security phone); then the link arrives in the dev outbox; opening it verifies the email
    await row('security-email').locator('[data-action="add"]').click();
    await dialog.getByRole('radio', { name: /Code to the security phone/ }).waitFor();
    expect(await dialog.getByLabel('New email').count()).toBe(0);
    await submit(); // the default method: a code to the security phone
    await dialog.getByLabel('Verification code').fill(await codeFor(base, '+8613912340001'));
    await submit();
    await dialog.getByLabel('New email').fill('security.e2e@example.com');
    await submit();
    await dialog.getByText(/verification link was sent/).waitFor();
    const [mail] = (await (await page.request.get(`${base}/dev/outbox?to=security.e2e%40example.com`)).json()) as {
      link: string;
    }[];
    const linkPage = await browser.newPage();
    await linkPage.goto(mail.link, { waitUntil: 'domcontentloaded' });
    expect(await linkPage.locator('body').textContent()).toMatch(/verified|验证成功/);
    await linkPage.close();
    // the security phone heard of the new method
    const [added] = (await (await page.request.get(`${base}/dev/outbox?to=%2B8613912340001`)).json()) as {
      purpose: string;
    }[];
    expect(added.purpose).toBe('security_notice');

    // a new session has no step-up grant: sign out and in again by account name
    await page.reload();
    await page.getByRole('button', { name: 'English' }).click();
    const login = page.locator('jd-login');
    await signOutFromMenu(page);
    await login.getByLabel('Account name, phone or email').fill('security_e2e');
    await login.getByLabel('Password', { exact: true }).fill('E2e#Pass2026');
    await login.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signedInAs(page, 'security_e2e');
    await row('security-email').getByText('Can verify identity').waitFor({ timeout: 20_000 });

    // change the security phone: step-up through the email just verified, then a code to the new phone
    await row('security-phone').locator('[data-action="change"]').click();
    await dialog.getByRole('radio', { name: /Code to the security email/ }).check();
    await submit();
    await dialog.getByLabel('Verification code').fill(await codeFor(base, 'security.e2e@example.com'));
    await submit();
    await dialog.getByLabel('New mobile phone').fill('13912340002');
    await submit();
    await dialog.getByLabel('Verification code').fill(await codeFor(base, '+8613912340002'));
    await submit();
    await row('security-phone')
      .getByText(/\*{4}0002/)
      .waitFor({ timeout: 20_000 });

    // the old phone was told; the new one signs in
    const toOldPhone = (await (await page.request.get(`${base}/dev/outbox?to=%2B8613912340001`)).json()) as {
      purpose: string;
    }[];
    expect(toOldPhone[0].purpose).toBe('security_notice');
    expect(toOldPhone.filter((m) => m.purpose === 'security_notice')).toHaveLength(2); // the email added, the phone changed
    await signOutFromMenu(page);
    await login.getByLabel('Account name, phone or email').fill('13912340002');
    await login.getByLabel('Password', { exact: true }).fill('E2e#Pass2026');
    await login.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signedInAs(page, 'security_e2e');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('virtual MFA: bind by the key shown with the QR code, sign out, sign in with password + TOTP', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await registerInEnglish(page, 'mfa_e2e', '13912340003');

    const settings = page.locator('jd-security-settings');
    const dialog = settings.locator('dialog');
    const submit = () => dialog.locator('button[type="submit"]').click();
    await settings.locator('[data-row="mfa"] [data-action="bind"]').click({ timeout: 20_000 });
    await submit(); // step-up: a code to the security phone
    await dialog.getByLabel('Verification code').fill(await codeFor(base, '+8613912340003'));
    await submit();
    // the QR code is an image; the key is printed beside it, as a user would type it into an app
    await dialog.locator('img[src^="data:image/svg+xml"]').waitFor();
    const secret = (await dialog.locator('[part~="secret"] code').textContent())!.replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await dialog.getByLabel('MFA code').fill(await generate({ secret }));
    await submit();
    await dialog.getByLabel('I have saved them').check();
    await submit();
    await settings.locator('[data-row="mfa"]').getByText('Bound').waitFor();

    // sign out, then the password step asks for the MFA code
    const login = page.locator('jd-login');
    await signOutFromMenu(page);
    await login.getByLabel('Account name, phone or email').fill('mfa_e2e');
    await login.getByLabel('Password', { exact: true }).fill('E2e#Pass2026');
    await login.getByRole('button', { name: 'Sign in', exact: true }).click();
    const mfaCode = login.getByRole('textbox', { name: 'MFA code' });
    await mfaCode.waitFor({ timeout: 20_000 });
    expect(await page.locator('#signed-in').isHidden()).toBe(true); // the password alone is no session
    // the binding spent the current step: use the next one (±1 step is accepted)
    await mfaCode.fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    // its last digit submits the code (no click): the console shows the session
    await signedInAs(page, 'mfa_e2e');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('serves the standalone widget bundle to other sites', async () => {
    // the entry imports its chunks (and they the locale catalogues) as modules from the page of
    // another origin: every file of that graph must be served as a script, with CORS and CORP
    const get = async (file: string) => {
      const res = await fetch(`${base}/widget/${file}`, { headers: { origin: 'https://portal.example' } });
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toContain('javascript');
      expect(res.headers.get('access-control-allow-origin'), file).toBe('*');
      expect(res.headers.get('cross-origin-resource-policy'), file).toBe('cross-origin');
      return res.text();
    };
    const imports = (code: string) =>
      [...code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']\.\/([^"']+\.js)["']/g)].map((m) => m[1]);
    const entry = await get('jd-account.js');
    const chunks = imports(entry);
    expect(chunks.length).toBeGreaterThan(0);
    const seen = new Map<string, number>([['jd-account.js', entry.length]]);
    for (const queue = [...chunks]; queue.length;) {
      const file = queue.shift()!;
      if (seen.has(file)) continue;
      const code = await get(file);
      seen.set(file, code.length);
      queue.push(...imports(code));
    }
    // the elements themselves, and both languages' messages, are in that graph
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(10_000);
    expect([...seen.keys()].some((f) => /^en[-.]/.test(f))).toBe(true);
    expect([...seen.keys()].some((f) => /^zh-CN[-.]/.test(f))).toBe(true);
    // a name outside the build is not served
    expect((await fetch(`${base}/widget/nope.js`)).status).toBe(404);
  });
});
