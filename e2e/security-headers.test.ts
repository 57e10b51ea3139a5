/**
 * The pages `npm start` serves, under their Content-Security-Policy, in Debian's Chromium: the
 * demo page's inline scripts, the widget bundle and its calls to the BFF all run, the hashed
 * styles apply, nothing is reported as a violation; another site cannot frame the demo page; and
 * a development server refuses a Host that is not this machine (docs/security.md#production-what-the-operator-must-set).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, serveDirectory, startBff, tempDataDir, type Bff } from './helpers.ts';

let bff: Bff;
let browser: Browser;
const data = tempDataDir();

beforeAll(async () => {
  bff = await startBff(data.pgliteDir);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bff?.stop();
  data.remove();
});

/** A page that records every CSP violation: the console line Chromium prints and the DOM event. */
async function watchedPage(): Promise<{ page: Page; violations: string[] }> {
  const page = await browser.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push(`pageerror: ${e.message}`));
  await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportViolation: (t: string) => void }).reportViolation(
        `${e.violatedDirective} ${e.blockedURI}`,
      ),
    );
  });
  return { page, violations };
}

/** GET with an explicit Host header (fetch cannot set it), as a rebinding page's browser would send. */
function statusWithHost(port: number, path: string, host: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}

describe('pages under their Content-Security-Policy in Chromium', () => {
  it('the demo page renders and runs the elements with no CSP violation', async () => {
    const { page, violations } = await watchedPage();
    const res = await page.goto(`${bff.base}/`);
    expect(res!.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
    // the inline module script ran (it set the key on the elements) and the bundle upgraded them;
    // the element has its config before the language switch
    await page.locator('jd-register section.step').waitFor({ state: 'attached', timeout: 20_000 });
    await page.getByRole('button', { name: 'English' }).click();
    const login = page.locator('jd-login');
    await login.getByLabel('Account name, phone or email').waitFor({ timeout: 20_000 });
    await page.getByRole('tab', { name: /Register/ }).click();
    const reg = page.locator('jd-register');
    await reg.getByLabel('Mobile phone', { exact: true }).fill('13912349999');
    // the widget talked to the BFF (connect-src 'self'): registration's first step sends the code
    const sent = page.waitForResponse(
      (r) => r.url() === `${bff.base}/v1/verification-codes` && r.request().method() === 'POST',
    );
    await reg.getByRole('button', { name: 'Send code' }).click();
    expect((await sent).status()).toBe(202);
    await reg.locator('.status[data-action="send"]').waitFor({ timeout: 20_000 });
    // the page's own <style> applied (hashed): the brand mark in the top bar is the demo's red
    expect(await page.locator('header .brand-mark').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(225, 37, 27)',
    );
    await page.waitForTimeout(500);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('the dev outbox, API reference, legal and email pages keep their styles and report nothing', async () => {
    for (const [path, selector, property, value] of [
      ['/dev', 'body', 'margin', '32px'],
      ['/docs/api', 'body', 'max-width', '960px'],
      ['/legal/privacy', 'b', 'font-weight', '700'],
      ['/email/verify?token=nope', 'main', 'max-width', '448px'],
    ] as const) {
      const { page, violations } = await watchedPage();
      await page.goto(`${bff.base}${path}`);
      expect(
        await page
          .locator(selector)
          .first()
          .evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property),
        path,
      ).toBe(value);
      expect(violations, path).toEqual([]);
      await page.close();
    }
  });

  it('another site cannot frame the demo page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jd-frame-'));
    writeFileSync(
      join(dir, 'index.html'),
      `<!doctype html><iframe src="${bff.base}/" width="600" height="400"></iframe>`,
    );
    const site = await serveDirectory(dir);
    try {
      const { page, violations } = await watchedPage();
      await page.goto(`http://127.0.0.1:${site.port}/`);
      await page.waitForTimeout(1000);
      const framed = page.frames().find((f) => f !== page.mainFrame());
      // blocked: the frame holds Chromium's error page, not the demo
      expect(
        await framed!
          .locator('jd-login')
          .count()
          .catch(() => 0),
      ).toBe(0);
      expect(violations.join('\n')).toMatch(/frame-ancestors/);
      await page.close();
    } finally {
      await site.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('development Host check on the running server', () => {
  it('refuses a foreign Host (DNS rebinding) and serves loopback names', async () => {
    expect(await statusWithHost(bff.port, '/dev/outbox', 'evil.example')).toBe(403);
    expect(await statusWithHost(bff.port, '/', `evil.example:${bff.port}`)).toBe(403);
    expect(await statusWithHost(bff.port, '/dev/outbox', `localhost:${bff.port}`)).toBe(200);
    expect(await statusWithHost(bff.port, '/dev/outbox', `127.0.0.1:${bff.port}`)).toBe(200);
    expect(await statusWithHost(bff.port, '/healthz', '10.0.0.7')).toBe(200);
  });
});
