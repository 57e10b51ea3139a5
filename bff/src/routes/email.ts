import { Hono } from 'hono';
import { html } from 'hono/html';
import { tServer as t } from '../../../shared/src/i18n/server.ts';
import { clientIp, requestLocale, type AppEnv } from '../http/context.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { verifyEmailLink } from '../services/email-verification.ts';
import type { TenantDirectory } from '../services/tenants.ts';

/** The landing page of the email verification link: says what happened and returns to the portal. */
export function emailRoutes(deps: ServiceDeps, tenants: TenantDirectory) {
  return new Hono<AppEnv>().get('/email/verify', async (c) => {
    const outcome = await verifyEmailLink(deps, c.req.query('token') ?? '', { ip: clientIp(c, deps.config), userAgent: c.req.header('user-agent') ?? null });
    const tenant = outcome.ok ? await tenants.byId(outcome.tenantId) : undefined;
    const locale = requestLocale(c, tenant);
    const message = t(locale, outcome.ok ? 'email_verify.ok' : `email_verify.${outcome.reason}`);
    const portal = tenant?.config.allowedOrigins[0];
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    return c.html(
      html`<!doctype html>
        <html lang="${locale}">
          <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width" /><title>${t(locale, 'email_verify.title')}</title></head>
          <body style="font: 16px system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
            <h1>${t(locale, 'email_verify.title')}</h1>
            <p role="status">${message}</p>
            ${portal ? html`<p><a href="${portal}">${t(locale, 'email_verify.back', { tenant: tenant!.config.displayName[locale] })}</a></p>` : ''}
          </body>
        </html>`,
      outcome.ok ? 200 : 400,
    );
  });
}
