import { html, raw } from 'hono/html';
import { z } from 'zod';
import type { Locale } from '../../../shared/src/i18n/index.ts';
import { tServer as t } from '../../../shared/src/i18n/server.ts';
import { isBrandColor, isHttpsUrl } from '../../../shared/src/rules/branding.ts';
import { clientIp, preferredLocale, userAgentOf } from '../http/context.ts';
import { htmlPage } from '../http/security-headers.ts';
import { apiRoutes } from '../http/validate.ts';
import { defineRoute } from '../openapi/define.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { verifyEmailLink, type EmailLinkOutcome } from '../services/email-verification.ts';
import type { Tenant, TenantDirectory } from '../services/tenants.ts';

/**
 * The page's stylesheet: self-contained (no fonts, images or URLs), allowed by its hash in the
 * page's policy (http/security-headers.ts), so the page needs neither 'unsafe-inline' nor a
 * style attribute. The tenant's colour comes in a second, tiny block (tenantStyle).
 */
const STYLE = [
  '*{box-sizing:border-box}',
  'html{color-scheme:light dark}',
  'body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px;background:#f4f5f7;color:#1f2328;font:16px/1.6 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif}',
  'main{width:100%;max-width:28rem;background:#fff;border-top:4px solid var(--accent);border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(0,0,0,.06);padding:32px}',
  '.brand{display:flex;align-items:center;gap:10px;margin:0 0 28px;color:#57606a;font-weight:600;overflow-wrap:anywhere}',
  '.brand img{width:32px;height:32px;object-fit:contain;border-radius:6px}',
  '.mark{display:inline-flex;align-items:center;justify-content:center;width:40px;height:40px;margin:0 0 12px;border-radius:50%;font-weight:700;font-size:20px}',
  '.verified .mark{background:#dafbe1;color:#1a7f37}',
  '.failed .mark{background:#fff8c5;color:#9a6700}',
  'h1{margin:0 0 8px;font-size:1.375rem;line-height:1.3}',
  'p{margin:0 0 24px}',
  '.back{display:inline-block;padding:10px 20px;border-radius:8px;background:var(--accent);color:var(--on-accent);text-decoration:none;font-weight:600}',
  '.back:focus-visible{outline:3px solid var(--accent);outline-offset:2px}',
  '.hint{margin:0;color:#57606a}',
  '@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}main{background:#161b22;box-shadow:none}.brand,.hint{color:#9198a1}.verified .mark{background:#12361f;color:#3fb950}.failed .mark{background:#3b2e0b;color:#d29922}}',
].join('');

/** The product's own blue (the widgets' default --jd-color-primary) where a tenant set no colour. */
const DEFAULT_ACCENT = '#1a56db';

/** Relative luminance of #rrggbb (WCAG 2). */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/**
 * The tenant's colour as the accent, and whichever of white or near-black reads better on it (a
 * pale brand colour would leave white button text unreadable). Checked again here, not only when
 * the config was set: only `#rrggbb` ever reaches the stylesheet.
 */
function tenantStyle(tenant: Tenant | undefined): string {
  const color = tenant?.config.branding?.primaryColor;
  const accent = isBrandColor(color) ? color.toLowerCase() : DEFAULT_ACCENT;
  const l = luminance(accent);
  // contrast with white: 1.05 / (l + 0.05); with #111 (luminance ≈ 0.0056): (l + 0.05) / 0.0556
  const onAccent = 1.05 / (l + 0.05) >= (l + 0.05) / 0.0556 ? '#fff' : '#111';
  return `:root{--accent:${accent};--on-accent:${onAccent}}`;
}

/**
 * Where "back" leads: the tenant's home page (homeUrl), else the first origin its widgets are
 * embedded on (its portal). Undefined: the page says to close it instead (without script there
 * is no going back in history).
 */
function backUrl(tenant: Tenant): string | undefined {
  if (isHttpsUrl(tenant.config.homeUrl)) return tenant.config.homeUrl;
  const portal = tenant.config.allowedOrigins[0];
  return portal && /^https?:\/\//.test(portal) ? portal : undefined;
}

/** A logo shown only from https, and its origin for the page's img-src. */
function logoOf(tenant: Tenant | undefined): { src: string; origin: string } | undefined {
  const src = tenant?.config.branding?.logoUrl;
  if (!isHttpsUrl(src)) return undefined;
  const { origin } = new URL(src);
  return /^https:\/\/[A-Za-z0-9.\-[\]:]+$/.test(origin) ? { src, origin } : undefined;
}

const LINK_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

const page = (description: string) => ({
  description,
  content: { 'text/html': { schema: { type: 'string' as const } } },
});

/** Mounted at /. */
const routes = {
  verify: defineRoute({
    method: 'get',
    path: '/email/verify',
    tag: 'Email link',
    summary:
      "The verification link of a security email: verifies it, and says so on a page in the tenant's branding and the email's language",
    auth: 'none',
    // any value reaches the page, which answers an invalid link itself (a page, never a JSON error)
    request: {
      query: z.object({
        token: z
          .preprocess((value) => (typeof value === 'string' ? value : ''), z.string())
          .meta({ type: 'string', description: 'the token the link carries' }),
      }),
    },
    responses: {
      200: page('Verified'),
      400: page('An invalid, expired or already used link'),
    },
  }),
};

/** What the page shows for one outcome: every value escaped by `html` (hono/html). */
function renderPage(
  outcome: EmailLinkOutcome['result'],
  locale: Locale,
  tenant: Tenant | undefined,
  styles: readonly string[],
) {
  const heading = t(locale, `email_verify.heading.${outcome}`);
  const sentence = t(locale, outcome === 'verified' ? 'email_verify.ok' : `email_verify.${outcome}`);
  const name = tenant?.config.displayName[locale];
  const logo = logoOf(tenant);
  const back = tenant && backUrl(tenant);
  const title = name ? `${heading} · ${name}` : heading;
  return html`<!doctype html>
    <html lang="${locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        ${styles.map((s) => html`<style>${raw(s)}</style>`)}
      </head>
      <body>
        <main class="${outcome === 'verified' ? 'verified' : 'failed'}">
          ${
            name
              ? html`<div class="brand">${logo ? html`<img src="${logo.src}" alt="" />` : ''}<span>${name}</span></div>`
              : ''
          }
          <div class="mark" aria-hidden="true">${outcome === 'verified' ? '✓' : '!'}</div>
          <h1>${heading}</h1>
          <p role="status">${sentence}</p>
          ${
            back && name
              ? html`<a class="back" href="${back}">${t(locale, 'email_verify.back', { tenant: name })}</a>`
              : html`<p class="hint">
                ${name ? t(locale, 'email_verify.close_to', { tenant: name }) : t(locale, 'email_verify.close')}
              </p>`
          }
        </main>
      </body>
    </html>`;
}

/** The landing page of the email verification link: says what happened and leads back to the portal. */
export function emailRoutes(deps: ServiceDeps, tenants: TenantDirectory) {
  const app = apiRoutes();
  app.openapi(routes.verify, async (c) => {
    const { token } = c.req.valid('query');
    // a link token is base64url (randomToken); any other shape is an invalid link, looked up nowhere
    const outcome: EmailLinkOutcome = LINK_TOKEN.test(token)
      ? await verifyEmailLink(deps, token, { ip: clientIp(c, deps.config), userAgent: userAgentOf(c) })
      : { result: 'invalid' };
    const tenant = outcome.link ? await tenants.byId(outcome.link.tenantId) : undefined;
    // the language of the email that carried the link (else the account's, else the tenant's);
    // a link nobody issued has only the browser's to go by
    const locale: Locale = outcome.link?.locale ?? tenant?.config.defaultLocale ?? preferredLocale(c) ?? 'zh-CN';
    const styles = [STYLE, tenantStyle(tenant)];
    const logo = logoOf(tenant);
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    return htmlPage(
      c,
      renderPage(outcome.result, locale, tenant, styles),
      {
        styles,
        ...(logo ? { imageOrigins: [logo.origin] } : {}),
        // the tenant's page once the link is known: its portals may frame it; an unknown link's page, nobody
        frameAncestors: tenant?.config.allowedOrigins ?? 'none',
      },
      outcome.result === 'verified' ? 200 : 400,
    );
  });
  return app;
}
