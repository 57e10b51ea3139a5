import { html, raw } from 'hono/html';
import { z } from 'zod';
import { tServer as t } from '../../../shared/src/i18n/server.ts';
import { clientIp, requestLocale, userAgentOf } from '../http/context.ts';
import { htmlPage } from '../http/security-headers.ts';
import { apiRoutes } from '../http/validate.ts';
import { defineRoute } from '../openapi/define.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { verifyEmailLink, type EmailLinkOutcome } from '../services/email-verification.ts';
import type { TenantDirectory } from '../services/tenants.ts';

/** The page's one style block: its hash goes into the page's policy (no inline style attributes). */
const STYLE = 'body { font: 16px system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem }';

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
    summary: 'The verification link of a security email: verifies it, and says so on a page',
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

/** The landing page of the email verification link: says what happened and returns to the portal. */
export function emailRoutes(deps: ServiceDeps, tenants: TenantDirectory) {
  const app = apiRoutes();
  app.openapi(routes.verify, async (c) => {
    const { token } = c.req.valid('query');
    // a link token is base64url (randomToken); any other shape is an invalid link, looked up nowhere
    const outcome: EmailLinkOutcome = LINK_TOKEN.test(token)
      ? await verifyEmailLink(deps, token, { ip: clientIp(c, deps.config), userAgent: userAgentOf(c) })
      : { ok: false, reason: 'invalid' };
    const tenant = outcome.ok ? await tenants.byId(outcome.tenantId) : undefined;
    const locale = requestLocale(c, tenant);
    const message = t(locale, outcome.ok ? 'email_verify.ok' : `email_verify.${outcome.reason}`);
    const portal = tenant?.config.allowedOrigins[0];
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    return htmlPage(
      c,
      html`<!doctype html>
        <html lang="${locale}">
          <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width" /><title>${t(locale, 'email_verify.title')}</title><style>${raw(STYLE)}</style></head>
          <body>
            <h1>${t(locale, 'email_verify.title')}</h1>
            <p role="status">${message}</p>
            ${portal ? html`<p><a href="${portal}">${t(locale, 'email_verify.back', { tenant: tenant.config.displayName[locale] })}</a></p>` : ''}
          </body>
        </html>`,
      // the tenant's page once the link is known: its portals may frame it; an unknown link's page, nobody
      { styles: [STYLE], frameAncestors: tenant?.config.allowedOrigins ?? 'none' },
      outcome.ok ? 200 : 400,
    );
  });
  return app;
}
