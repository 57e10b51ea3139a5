/**
 * The captcha in <jd-register> end to end (docs/security.md#abuse-protection-for-paid-messages):
 * `npm start` with the demo tenant switched to "challenge when risk is raised" (Cloudflare Turnstile,
 * its verification API and browser script both the local fake of bff/test/fakes/captcha.ts), in
 * Chromium. The client asks for codes until its risk is raised; the next "Send code" shows the
 * check next to the button, inside the element; solved, the code is sent and registration completes.
 * The demo page's Content-Security-Policy allows exactly that provider, and Chromium enforces it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCaptcha, type FakeCaptcha } from '../bff/test/fakes/captcha.ts';
import { codeFor, freePort, launchBrowser, root, startBff, tempDataDir, tenantCli, type Bff } from './helpers.ts';

let bff: Bff;
let browser: Browser;
let fake: FakeCaptcha;
let adminKey = '';
const data = tempDataDir();
const results = join(root, 'e2e/results');

beforeAll(async () => {
  mkdirSync(results, { recursive: true });
  fake = await startFakeCaptcha();
  const port = await freePort();
  // the demo tenant as `npm start` would create it on this port, then its captcha: one config change
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
  const { siteKey, secretKey } = fake.credentials.turnstile;
  await tenantCli(
    data.pgliteDir,
    'configure',
    'demo',
    '--json',
    JSON.stringify({
      captcha: { provider: 'turnstile', siteKey, secretKey, when: 'risk' },
      abuse: { thresholds: { client: { challenge: 2, refuse: 100 } } },
    }),
  );
  const key = await tenantCli(data.pgliteDir, 'admin-keys', 'create', 'demo', '--label', 'e2e');
  adminKey = /(sk_[A-Za-z0-9_-]+)/.exec(key)![1]!;
  [bff, browser] = await Promise.all([
    startBff(data.pgliteDir, {
      port,
      env: {
        CAPTCHA_TURNSTILE_VERIFY_URL: fake.turnstileVerifyUrl,
        CAPTCHA_TURNSTILE_SCRIPT_URL: fake.scriptUrls.turnstile,
        CAPTCHA_TENCENT_ENDPOINT: fake.tencentEndpoint,
        CAPTCHA_TENCENT_SCRIPT_URL: fake.scriptUrls.tencent,
        CAPTCHA_ALIYUN_ENDPOINT: fake.aliyunEndpoint,
        CAPTCHA_ALIYUN_SCRIPT_URL: fake.scriptUrls.aliyun,
        // a provider switched through the admin API shows at once
        TENANT_CACHE_SECONDS: '0',
        DEMO_UPSTREAM: 'off',
      },
    }),
    launchBrowser(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bff?.stop();
  await fake?.close();
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
    title: '安全验证',
    cancelled: '请先完成安全验证，再获取验证码。',
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
    title: 'Security check',
    cancelled: 'Complete the security check to receive a code.',
  },
} as const;

/** Two codes asked from the page itself (the browser's own address): the next one raises the client's risk. */
async function raiseRisk(page: Page): Promise<void> {
  const statuses = await page.evaluate(async () => {
    const key = document.querySelector('jd-register')!.getAttribute('publishable-key')!;
    const out: number[] = [];
    for (const number of ['13900002001', '13900002002']) {
      const r = await fetch('/v1/verification-codes', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-jd-publishable-key': key },
        body: JSON.stringify({ phone: { region: 'CN', number }, purpose: 'register', channel: 'sms' }),
      });
      out.push(r.status);
    }
    return out;
  });
  // the first ones pass, or are already challenged when an earlier test raised this client's risk
  for (const s of statuses) expect([202, 403, 429]).toContain(s);
}

let n = 0;

describe('<jd-register> with a captcha when risk is raised, in Chromium', () => {
  it("the demo page allows exactly the tenant's captcha provider", async () => {
    const res = await fetch(`${bff.base}/`);
    const csp = res.headers.get('content-security-policy')!;
    const fakeOrigin = new URL(fake.scriptUrls.turnstile).origin;
    expect(csp).toMatch(new RegExp(`script-src 'self' [^;]*${fakeOrigin}`));
    expect(csp).toContain(`frame-src ${fakeOrigin}`);
    expect(csp).toMatch(new RegExp(`connect-src 'self' ${fakeOrigin}`));
    for (const other of ['challenges.cloudflare.com', 'captcha.qcloud.com', 'alicdn.com', 'aliyuncs.com'])
      expect(csp).not.toContain(other);
  });

  for (const [locale, width, height] of [
    ['zh-CN', 390, 844],
    ['en', 1280, 800],
  ] as const) {
    it(`${locale} at ${width}×${height}: the check appears by Send code, then registration completes`, async () => {
      const t = TEXT[locale];
      const i = n++;
      const phone = `1391236${String(1000 + i).padStart(4, '0')}`;
      const shot = (name: string) =>
        page.screenshot({ path: join(results, `captcha-${locale}-${width}-${name}.png`), fullPage: true });
      const context = await browser.newContext({ viewport: { width, height }, locale });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
      });
      try {
        await page.goto(`${bff.base}/`);
        await page.locator('jd-register section.step').waitFor({ state: 'attached' });
        if (locale === 'en') await page.getByRole('button', { name: 'English' }).click();
        await page.getByRole('tab', { name: t.tab }).click();
        const reg = page.locator('jd-register');
        await raiseRisk(page);
        // nothing of the provider is loaded before it is needed
        expect(await page.evaluate(() => 'turnstile' in window)).toBe(false);

        await reg.getByLabel(t.phone, { exact: true }).fill(phone);
        await reg.getByRole('button', { name: t.send }).click();
        const panel = reg.locator('[part~="captcha"]');
        await panel.waitFor({ timeout: 20_000 });
        expect(await panel.getAttribute('role')).toBe('dialog');
        expect(await panel.textContent()).toContain(t.title);
        // next to the action: just below the Send code button, inside the step, in the viewport
        const solve = reg.locator('#fake-captcha-solve');
        await solve.waitFor({ timeout: 20_000 });
        const button = (await reg.getByRole('button', { name: t.send }).boundingBox())!;
        const box = (await panel.boundingBox())!;
        expect(box.y).toBeGreaterThanOrEqual(button.y);
        expect(box.y - (button.y + button.height)).toBeLessThan(120);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
        expect(box.y + box.height).toBeLessThanOrEqual(height);
        await shot('1-challenge');

        // cancelled: a clear message by the button, and nothing sent
        await panel.getByRole('button').filter({ hasNotText: 'fake-captcha' }).last().click();
        await panel.waitFor({ state: 'detached' });
        await expect
          .poll(async () => (await reg.locator('.status[data-action="send"]').textContent()) ?? '')
          .toContain(t.cancelled);
        await shot('2-cancelled');

        // again, solved: the code is sent
        await reg.getByRole('button', { name: t.send }).click();
        await reg.locator('#fake-captcha-solve').click();
        await panel.waitFor({ state: 'detached', timeout: 20_000 });
        const code = await codeFor(bff.base, `+86${phone}`);
        await shot('3-sent');

        await reg.getByLabel(t.code, { exact: true }).fill(code);
        await reg.getByRole('checkbox').check();
        await reg.getByRole('button', { name: t.next, exact: true }).click();
        await reg.locator('section.step[data-step="account"]').waitFor();
        await reg.getByLabel(t.name, { exact: true }).fill(`captcha_${locale === 'en' ? 'en' : 'zh'}_${i}`);
        await reg.getByLabel(t.password, { exact: true }).fill('E2e#Pass2026');
        await reg.getByRole('button', { name: t.next, exact: true }).click();
        // stuck here twice in CI: Next moved under the click when the name's availability arrived (fixed;
        // widget/test/jd-register.test.ts). Should it recur, say what the element showed
        await reg
          .locator('section.step[data-step="service"]')
          .waitFor()
          .catch(async (e: Error) => {
            await shot('stuck-before-service');
            const shown = await reg.evaluate((el) => el.shadowRoot?.textContent?.replace(/\s+/g, ' ').slice(0, 800));
            throw new Error(
              `${e.message}\nthe element showed: ${shown}\nthe BFF's last lines: ${bff.output().slice(-2000)}`,
            );
          });
        await reg.getByRole('button', { name: t.submit, exact: true }).click();
        await reg.locator('section.step[data-step="done"]').waitFor({ state: 'attached', timeout: 20_000 });
        await page.locator('#signed-in:not([hidden])').waitFor({ timeout: 15_000 });
        expect(errors).toEqual([]);
        expect(fake.calls('turnstile').length).toBeGreaterThanOrEqual(1);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});

describe("Tencent's and Aliyun's pop-ups, switched on through the admin API", () => {
  for (const provider of ['tencent', 'aliyun'] as const) {
    it(`${provider}: asked before every code, solved in its pop-up, the code is sent`, async () => {
      const c = fake.credentials[provider];
      const res = await fetch(`${bff.base}/admin/v1/config`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
        body: JSON.stringify({ captcha: { provider, ...c, when: 'always' } }),
      });
      expect(res.status).toBe(200);
      // the demo page's policy follows the provider: this one's origin, not the one before
      const csp = (await fetch(`${bff.base}/`)).headers.get('content-security-policy')!;
      expect(csp).toContain(new URL(fake.scriptUrls[provider]).origin);
      expect(csp).not.toContain(new URL(fake.scriptUrls.turnstile).origin);

      const t = TEXT['zh-CN'];
      const phone = `1391237${String(1000 + n++).padStart(4, '0')}`;
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
      });
      try {
        await page.goto(`${bff.base}/`);
        await page.locator('jd-register section.step').waitFor({ state: 'attached' });
        await page.getByRole('tab', { name: t.tab }).click();
        const reg = page.locator('jd-register');
        await reg.getByLabel(t.phone, { exact: true }).fill(phone);
        await reg.getByRole('button', { name: t.send }).click();
        // the provider's own pop-up (on the page, outside the element), then the code
        const solve = page.locator('body > [data-fake-captcha] #fake-captcha-solve');
        await solve.waitFor({ timeout: 20_000 });
        await page.screenshot({ path: join(results, `captcha-${provider}-zh-CN-390-popup.png`) });
        await solve.click();
        const code = await codeFor(bff.base, `+86${phone}`);
        expect(code).toMatch(/^\d{6}$/);
        await reg.locator('.status[data-action="send"]').waitFor({ timeout: 20_000 });
        expect(await page.locator('[data-fake-captcha]').count()).toBe(0);
        expect(errors).toEqual([]);
        expect(fake.calls(provider).length).toBeGreaterThanOrEqual(1);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
