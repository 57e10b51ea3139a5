import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { backend, makeHarness, ORIGIN, type Harness } from './harness.ts';

let h: Harness;
let i = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

/** Registers with a security email (in `locale`, or with no language named) and returns its link. */
async function registerWithEmail(locale?: 'en' | 'zh-CN') {
  const email = `mail${i}@example.com`;
  const res = await h.register(
    { accountName: `mail_user_${i}`, number: `1366666${String(i++).padStart(4, '0')}`, email },
    locale ? { locale } : {},
  );
  expect(res.status).toBe(201);
  const [mail] = await readDevOutbox(h.db, { to: email, limit: 1 });
  const link = new URL(mail.link!);
  return {
    email,
    path: `${link.pathname}${link.search}`,
    token: link.searchParams.get('token')!,
    accountId: res.json.account.id as string,
  };
}
const verified = async (accountId: string) =>
  (
    await h.db
      .selectFrom('account_contacts')
      .select('verified_at')
      .where('account_id', '=', accountId)
      .where('kind', '=', 'email')
      .executeTakeFirstOrThrow()
  ).verified_at !== null;

/** Opens the page as a browser would (its own Accept-Language, which the stored locale outranks). */
async function open(path: string, acceptLanguage = 'en') {
  const res = await h.app.request(path, { headers: { 'accept-language': acceptLanguage } });
  const page = await res.text();
  return {
    status: res.status,
    page,
    csp: res.headers.get('content-security-policy') ?? '',
    lang: /<html lang="([^"]+)"/.exec(page)?.[1],
  };
}

/** The text of the page's <h1>, its back link's href, and whether it says to close the page instead. */
const heading = (page: string) => /<h1>([^<]*)<\/h1>/.exec(page)?.[1];
const backLink = (page: string) => /<a class="back" href="([^"]*)">/.exec(page)?.[1];

describe(`email verification link (${backend})`, () => {
  it('verifies the email once, within 2 hours, and says so in the language of its email, with a way back', async () => {
    const { path, accountId } = await registerWithEmail('en');
    expect(await verified(accountId)).toBe(false);
    h.clock.advance(2 * 3600 - 5);
    const res = await open(path, 'zh-CN'); // the browser's language does not outrank the email's
    expect(res.status).toBe(200);
    expect(res.lang).toBe('en');
    expect(heading(res.page)).toBe('Email verified');
    expect(res.page).toContain('Your email has been verified and can now be used for identity verification.');
    expect(backLink(res.page)).toBe(ORIGIN);
    expect(res.page).toContain('>Back to Acme Cloud</a>');
    expect(await verified(accountId)).toBe(true);
  });

  it('refuses an expired link, in Chinese for a link written in Chinese, with a way back', async () => {
    const { path, accountId } = await registerWithEmail('zh-CN');
    h.clock.advance(2 * 3600 + 1);
    const res = await open(path, 'en');
    expect(res.status).toBe(400);
    expect(res.lang).toBe('zh-CN');
    expect(heading(res.page)).toBe('该链接已过期');
    expect(res.page).toContain('验证链接的有效期为 2 小时');
    expect(backLink(res.page)).toBe(ORIGIN);
    expect(res.page).toContain('返回Acme Cloud');
    expect(await verified(accountId)).toBe(false);
  });

  it('refuses a reused link, and still leads back to the tenant', async () => {
    const { path } = await registerWithEmail('en');
    expect((await open(path)).status).toBe(200);
    const again = await open(path, 'zh-CN');
    expect(again.status).toBe(400);
    expect(again.lang).toBe('en');
    expect(heading(again.page)).toBe('This link has already been used');
    expect(again.page).toContain('Each link works once');
    expect(backLink(again.page)).toBe(ORIGIN);
  });

  it('refuses a tampered or unknown link in the browser’s language, with no tenant to lead back to', async () => {
    const { token, accountId } = await registerWithEmail('zh-CN');
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const t of [tampered, '', 'short', 'x'.repeat(1000), '%3Cscript%3E', '%ff%fe']) {
      const res = await open(`/email/verify?token=${t}`, 'en');
      expect(res.status).toBe(400);
      expect(res.lang).toBe('en');
      expect(heading(res.page)).toBe('This link is not valid');
      expect(backLink(res.page)).toBeUndefined();
      expect(res.page).toContain('You can close this page.');
      expect(res.page).not.toContain('Acme');
    }
    const zh = await open(`/email/verify?token=${tampered}`, 'zh-CN,zh;q=0.9');
    expect([zh.lang, heading(zh.page)]).toEqual(['zh-CN', '该链接无效']);
    const none = await open(`/email/verify?token=${tampered}`, 'fr');
    expect(none.lang).toBe('zh-CN');
    expect(await verified(accountId)).toBe(false);
  });

  it("an old link of a replaced address is invalid, in the tenant's page with a way back", async () => {
    const { path, accountId, email } = await registerWithEmail('en');
    await h.db
      .updateTable('account_contacts')
      .set({ value: `new.${email}` })
      .where('account_id', '=', accountId)
      .where('kind', '=', 'email')
      .execute();
    const res = await open(path, 'zh-CN');
    expect([res.status, res.lang, heading(res.page)]).toEqual([400, 'en', 'This link is not valid']);
    expect(backLink(res.page)).toBe(ORIGIN);
  });

  it("links sent before their language was stored use the account's last locale, else the tenant's default", async () => {
    const a = await registerWithEmail('en');
    await h.db.updateTable('email_verifications').set({ locale: null }).where('account_id', '=', a.accountId).execute();
    expect((await open(a.path, 'zh-CN')).lang).toBe('en'); // the account's (recorded at registration)
    const b = await registerWithEmail();
    await h.db.updateTable('email_verifications').set({ locale: null }).where('account_id', '=', b.accountId).execute();
    await h.db.updateTable('accounts').set({ locale: null }).where('id', '=', b.accountId).execute();
    expect((await open(b.path, 'en')).lang).toBe('zh-CN'); // the tenant's default
  });

  it("leads back to the tenant's homeUrl, in its colour and with its https logo, all allowed by the page's policy", async () => {
    await h.setTenantConfig({
      homeUrl: 'https://www.acme.test/console',
      branding: { primaryColor: '#FFD400', logoUrl: 'https://cdn.acme.test/logo.svg' },
    });
    try {
      const { path } = await registerWithEmail('en');
      const res = await open(path);
      expect(backLink(res.page)).toBe('https://www.acme.test/console');
      expect(res.page).toContain('<img src="https://cdn.acme.test/logo.svg" alt="" />');
      // a pale brand colour gets dark button text
      expect(res.page).toContain(':root{--accent:#ffd400;--on-accent:#111}');
      const directives = new Map(res.csp.split(';').map((d) => [d.trim().split(' ')[0], d.trim().split(' ').slice(1)]));
      expect(directives.get('img-src')).toEqual(['https://cdn.acme.test']);
      expect(directives.get('default-src')).toEqual(["'none'"]);
      expect(res.csp).not.toContain('unsafe-inline');
      const styles = [...res.page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
        (m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`,
      );
      expect(styles).toHaveLength(2);
      expect(directives.get('style-src')?.sort()).toEqual(styles.sort());
      expect(res.page).not.toMatch(/\sstyle\s*=|<script/i);
    } finally {
      await h.setTenantConfig({ homeUrl: undefined, branding: undefined });
    }
  });

  it('says to close the page when the tenant has nowhere to lead back to', async () => {
    await h.setTenantConfig({ allowedOrigins: [] });
    try {
      const { path } = await registerWithEmail('en');
      const res = await open(path);
      expect(res.status).toBe(200);
      expect(backLink(res.page)).toBeUndefined();
      expect(res.page).toContain('You can close this page and return to Acme Cloud.');
    } finally {
      await h.setTenantConfig({ allowedOrigins: [ORIGIN] });
    }
  });

  it('escapes a hostile display name, and never puts a stored colour or logo that is not its exact shape into the page', async () => {
    const evil = '</title><script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
    await h.setTenantConfig({
      displayName: { 'zh-CN': evil, en: evil },
      // stored directly (the config validation would refuse both): the page checks again
      branding: { primaryColor: 'red;}body{background:url(//evil.test)', logoUrl: 'javascript:alert(3)' },
      homeUrl: 'javascript:alert(4)',
    });
    try {
      const { path } = await registerWithEmail('en');
      const res = await open(path);
      expect(res.status).toBe(200);
      expect(res.page).not.toContain('<script>');
      expect(res.page).not.toContain('<img src=x');
      expect(res.page).not.toContain('javascript:');
      expect(res.page).not.toContain('evil.test');
      expect(res.page).toContain('&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(res.page).toContain('&quot;&#39;&amp;');
      expect(backLink(res.page)).toBe(ORIGIN);
      expect(res.csp).not.toContain('img-src');
    } finally {
      await h.setTenantConfig({
        displayName: { 'zh-CN': 'Acme Cloud', en: 'Acme Cloud' },
        branding: undefined,
        homeUrl: undefined,
      });
    }
  });

  it('stores the link token hashed, with the language of its email', async () => {
    const { token, accountId } = await registerWithEmail('en');
    const rows = await h.db.selectFrom('email_verifications').select(['token_hash', 'locale', 'account_id']).execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.find((r) => r.account_id === accountId)?.locale).toBe('en');
  });
});
