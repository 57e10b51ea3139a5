/**
 * docs/security.md#production-what-the-operator-must-set: every HTML page the BFF serves carries a Content-Security-Policy that
 * allows its own inline scripts and styles by hash only, and says who may frame it (a tenant's
 * page: the tenant's allowed origins; anything else: nobody, or the BFF itself). Every other
 * answer allows nothing. The routes are read from the app itself, so a new page cannot be missed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { backend, makeHarness, ORIGIN, type Harness } from './harness.ts';

let h: Harness;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  h = await makeHarness();
  // the app as `npm start` builds it in development: with the demo page (the repository's file) and a bundle
  const demo = readFileSync(resolve(import.meta.dirname, '../../demo/static/index.html'), 'utf8').replaceAll(
    '%PUBLISHABLE_KEY%',
    h.tenant.publishableKey,
  );
  app = createApp({
    deps: h.deps,
    tenants: h.tenants,
    assets: { demoHtml: async () => demo, widgetJs: async () => 'export {};' },
  });
});
afterAll(() => h.close());

/** Sample values for the path parameters of the app's routes. */
function samplePath(path: string): string {
  return path
    .replace(/:doc\{[^}]*\}/g, 'privacy')
    .replace(/:slug/g, 'acme')
    .replace(/:[A-Za-z]+(\{[^}]*\})?/g, '00000000-0000-4000-8000-000000000000')
    .replace(/\*$/, '');
}

const get = (path: string, headers: Record<string, string> = {}) =>
  app.request(`http://localhost${path}`, {
    headers: { 'x-jd-publishable-key': h.tenant.publishableKey, origin: ORIGIN, ...headers },
  });

/** The texts of a page's inline scripts and styles, and the `'sha256-…'` a browser computes for each. */
function inlineHashes(page: string): string[] {
  const blocks = [...page.matchAll(/<(script|style)(\s[^>]*)?>([\s\S]*?)<\/\1>/gi)].filter(
    (m) => !/\ssrc\s*=/i.test(m[2] ?? ''),
  );
  return blocks.map((m) => `'sha256-${createHash('sha256').update(m[3]).digest('base64')}'`);
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
}

/** What every HTML page must satisfy: its policy, and markup that the policy lets run as written. */
async function expectPagePolicy(res: Response, label: string) {
  const page = await res.text();
  const csp = res.headers.get('content-security-policy');
  expect(csp, label).toBeTruthy();
  const d = directives(csp!);
  expect(d.get('default-src'), label).toEqual(["'none'"]);
  expect(d.get('frame-ancestors')?.length, label).toBeGreaterThan(0);
  expect(d.get('base-uri'), label).toEqual(["'none'"]);
  expect(csp, label).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  // every inline block is allowed by its hash, and nothing else inline is
  const allowed = [...(d.get('script-src') ?? []), ...(d.get('style-src') ?? [])];
  for (const hash of inlineHashes(page)) expect(allowed, `${label}: ${hash}`).toContain(hash);
  expect(page, label).not.toMatch(/\sstyle\s*=\s*["']/i); // style attributes would need 'unsafe-inline'
  expect(page, label).not.toMatch(/\son[a-z]+\s*=\s*["']/i); // inline event handlers likewise
  expect(res.headers.get('x-content-type-options'), label).toBe('nosniff');
  return d;
}

describe(`security headers (${backend})`, () => {
  it('every GET route: an HTML answer has its page policy with frame-ancestors, anything else allows nothing', async () => {
    const paths = [...new Set(app.routes.filter((r) => r.method === 'GET').map((r) => r.path))];
    const htmlRoutes: string[] = [];
    for (const route of paths) {
      const res = await get(samplePath(route));
      expect(res.headers.get('x-content-type-options'), route).toBe('nosniff');
      if (res.headers.get('content-type')?.startsWith('text/html')) {
        htmlRoutes.push(route);
        await expectPagePolicy(res, route);
      } else {
        expect(res.headers.get('content-security-policy'), route).toBe("default-src 'none'; frame-ancestors 'none'");
        await res.arrayBuffer();
      }
    }
    // the walk found the pages it is meant to check (the demo page, the email landing page, the API reference, legal, dev)
    expect(htmlRoutes.sort()).toEqual(
      expect.arrayContaining(['/', '/dev', '/docs/api', '/email/verify', '/legal/:doc{[a-z-]+}']),
    );
  });

  it('the demo page runs its own inline scripts and the bundle from the BFF only, and is framed by the BFF only', async () => {
    const res = await get('/');
    const d = await expectPagePolicy(res, '/');
    expect(d.get('script-src')).toContain("'self'");
    expect(d.get('script-src')!.filter((s) => s.startsWith("'sha256-"))).toHaveLength(2);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('frame-ancestors')).toEqual(["'self'"]);
  });

  it('pages of no tenant cannot be framed at all', async () => {
    for (const path of ['/docs/api', '/legal/privacy', '/dev', '/email/verify?token=nope']) {
      const res = await get(path);
      expect(directives(res.headers.get('content-security-policy')!).get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    }
  });

  it("the email landing page of a tenant's link may be framed by the tenant's allowed origins only", async () => {
    const res = await h.register({ accountName: 'csp_user', number: '13900003333', email: 'csp@example.com' });
    expect(res.status).toBe(201);
    const [mail] = await readDevOutbox(h.db, { to: 'csp@example.com', limit: 1 });
    const link = new URL(mail.link!);
    const page = await get(`${link.pathname}${link.search}`);
    expect(page.status).toBe(200);
    const d = await expectPagePolicy(page, 'email page');
    expect(d.get('frame-ancestors')).toEqual([ORIGIN]);
    // X-Frame-Options cannot name another origin: it would forbid what frame-ancestors allows
    expect(page.headers.get('x-frame-options')).toBeNull();
  });

  it('the legal page does not echo markup from its path', async () => {
    for (const path of [
      '/legal/%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      '/legal/<img src=x onerror=alert(1)>',
      '/legal/privacy%22onload=%22x',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toMatch(/<script|<img|onload/i);
    }
    const ok = await get('/legal/privacy');
    expect(await ok.text()).toContain('<b>privacy</b>');
  });

  it('JSON answers allow nothing either, errors included', async () => {
    for (const path of ['/v1/config', '/openapi.json', '/nowhere', '/tenants/acme/.well-known/jwks.json']) {
      const res = await get(path);
      expect(res.headers.get('content-security-policy'), path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });
});
