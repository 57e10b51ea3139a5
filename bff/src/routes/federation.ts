import { z } from 'zod';
import {
  AccountCredentialsResponseSchema,
  accountCredentialsBody,
  federationActivateBody,
  FederationLinksResponseSchema,
  FederationLinkStartSchema,
  federationLinkBody,
  federationResumeBody,
  FederationResumeResponseSchema,
  federationStartQuery,
  SignedInSchema,
} from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import type { Locale } from '../../../shared/src/i18n/index.ts';
import { tServer as t } from '../../../shared/src/i18n/server.ts';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { preferredLocale, publicOrigin, requestContext, type AppContext } from '../http/context.ts';
import { htmlPage } from '../http/security-headers.ts';
import {
  readSessionToken,
  requestedMode,
  setFederationBinding,
  setSessionCookie,
  takeFederationBinding,
} from '../http/session.ts';
import { apiRoutes, tenantJsonBody } from '../http/validate.ts';
import { defineRoute, jsonAnswer, jsonBody, withMiddleware } from '../openapi/define.ts';
import type { ServiceDeps } from '../services/deps.ts';
import {
  activate,
  finishCallback,
  launchLink,
  listLinks,
  resumeFlow,
  setAccountCredentials,
  startLink,
  startSignIn,
  unlink,
} from '../services/federation.ts';
import type { IssuedSession } from '../services/sessions.ts';
import type { TenantDirectory } from '../services/tenants.ts';
import { withAccessToken } from './tokens.ts';

/** Any id reads as a provider's: one the tenant does not have is `federation_provider_unknown` (the service's answer, after the body's checks). */
const providerParams = z.object({ provider: z.string().max(64) });

const redirect = { 302: { description: 'To the upstream provider, or back to the page' } };

/**
 * The two routes a browser navigates to (docs/product.md#25-sign-in-with-an-upstream-account):
 * outside /v1's publishable-key and origin middleware, because the upstream's redirect back
 * carries no key — the flow's `state` names the tenant. Mounted at the app's root.
 */
const browserRoutes = {
  start: defineRoute({
    method: 'get',
    path: '/v1/federation/{provider}/start',
    tag: 'Sessions',
    summary:
      'Sign in with an upstream provider: the page navigates here (`key`, `return_to` on an allowed origin, `mode`), or a link flow made by POST …/link (`launch`)',
    auth: 'none',
    request: {
      params: providerParams,
      query: federationStartQuery
        .partial({ key: true, return_to: true })
        .extend({ launch: z.string().max(128).optional() }),
    },
    responses: redirect,
  }),
  callback: defineRoute({
    method: 'get',
    path: '/v1/federation/{provider}/callback',
    tag: 'Sessions',
    summary: "The upstream's redirect back: checked, then back to the page with a one-time handle in the URL fragment",
    auth: 'none',
    request: { params: providerParams },
    responses: { ...redirect, 400: { description: 'No flow to return to (unknown, used or expired): a page says so' } },
  }),
};

/** Mounted at /v1 (publishable key, allowed origins). */
const routes = {
  resume: defineRoute({
    method: 'post',
    path: '/federation/resume',
    tag: 'Sessions',
    summary: "The page's one-time handle: signed in (or the MFA step), the activation step, or a link made",
    auth: 'publishable',
    opensSession: true,
    request: { body: jsonBody(federationResumeBody) },
    responses: { 200: jsonAnswer(FederationResumeResponseSchema, 'What the upstream round trip found') },
  }),
  activate: defineRoute({
    method: 'post',
    path: '/federation/activate',
    tag: 'Registration',
    summary:
      "The first upstream sign-in's activation: a verified phone (code with purpose `register`), agreements, optional email and referral code; creates the account, links it and signs in",
    auth: 'publishable',
    opensSession: true,
    request: { body: tenantJsonBody(federationActivateBody) },
    responses: { 201: jsonAnswer(SignedInSchema, 'Created, linked and signed in') },
  }),
  links: defineRoute({
    method: 'get',
    path: '/federation/links',
    tag: 'Security settings',
    summary: "The account's linked upstream accounts and the tenant's other providers",
    auth: 'session',
    responses: { 200: jsonAnswer(FederationLinksResponseSchema, 'Links') },
  }),
  link: defineRoute({
    method: 'post',
    path: '/federation/{provider}/link',
    tag: 'Security settings',
    summary: 'Link an upstream account (after a step-up): where to send the browser',
    auth: 'session',
    request: { params: providerParams, body: jsonBody(federationLinkBody) },
    responses: { 200: jsonAnswer(FederationLinkStartSchema, 'Navigate the page to startUrl') },
  }),
  unlink: defineRoute({
    method: 'delete',
    path: '/federation/links/{provider}',
    tag: 'Security settings',
    summary: 'Unlink an upstream account (after a step-up); never the last way to sign in',
    auth: 'session',
    request: { params: providerParams },
    responses: { 204: { description: 'Unlinked' } },
  }),
  credentials: defineRoute({
    method: 'post',
    path: '/account/credentials',
    tag: 'Security settings',
    summary: 'An account created upstream sets its account name and password (after a step-up), once',
    auth: 'session',
    request: { body: tenantJsonBody(accountCredentialsBody) },
    responses: { 200: jsonAnswer(AccountCredentialsResponseSchema, 'Set: the account signs in directly too') },
  }),
};

const BINDING_SECONDS = 10 * 60;

const ERROR_PAGE_STYLE =
  'body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px;font:16px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f5f7;color:#1f2328}main{max-width:28rem;background:#fff;border-radius:12px;padding:32px;box-shadow:0 1px 3px rgba(0,0,0,.08)}h1{margin:0 0 8px;font-size:1.25rem}p{margin:0}';

/** A callback with nothing to return to: the page can only say so and send the user back. */
function expiredPage(c: AppContext, locale: Locale) {
  const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const title = escape(t(locale, 'page.federation_expired.title'));
  const body = escape(t(locale, 'page.federation_expired.body'));
  c.header('cache-control', 'no-store');
  c.header('referrer-policy', 'no-referrer');
  return htmlPage(
    c,
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><style>${ERROR_PAGE_STYLE}</style></head><body><main><h1>${title}</h1><p>${body}</p></main></body></html>`,
    { styles: [ERROR_PAGE_STYLE] },
    400,
  );
}

function noStoreRedirect(c: AppContext, location: string) {
  c.header('cache-control', 'no-store');
  c.header('referrer-policy', 'no-referrer');
  return c.redirect(location, 302);
}

export function federationBrowserRoutes(deps: ServiceDeps, tenants: TenantDirectory) {
  const app = apiRoutes();
  app.openapi(browserRoutes.start, async (c) => {
    const { provider } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = { ...requestContext(c, deps), baseUrl: publicOrigin(c, deps) };
    let started: { location: string; binding: string; flowKey: string };
    if (query.launch) started = await launchLink(deps, provider, query.launch, ctx);
    else {
      const tenant = query.key ? await tenants.byPublishableKey(query.key) : undefined;
      if (!tenant) throw new AppError('tenant_unknown');
      if (!query.return_to) throw new AppError('federation_return_not_allowed');
      started = await startSignIn(
        deps,
        tenant,
        provider,
        { returnTo: query.return_to, mode: query.mode, locale: query.locale },
        ctx,
      );
    }
    setFederationBinding(c, started.flowKey, started.binding, BINDING_SECONDS);
    return noStoreRedirect(c, started.location);
  });
  app.openapi(browserRoutes.callback, async (c) => {
    const { provider } = c.req.valid('param');
    const query = new URL(c.req.url).searchParams;
    const ctx = { ...requestContext(c, deps), baseUrl: publicOrigin(c, deps) };
    try {
      const { location } = await finishCallback(
        deps,
        provider,
        query,
        (flowKey) => takeFederationBinding(c, flowKey),
        ctx,
      );
      return noStoreRedirect(c, location);
    } catch (err) {
      if (err instanceof AppError && err.code === 'federation_expired')
        return expiredPage(c, preferredLocale(c) ?? 'zh-CN');
      throw err;
    }
  });
  return app;
}

function deliverSession(c: AppContext, issued: IssuedSession) {
  if (issued.summary.mode === 'cookie') setSessionCookie(c, issued.token, issued.summary.expiresAt);
}

export function federationRoutes(deps: ServiceDeps) {
  const app = apiRoutes();
  app.openapi(routes.resume, async (c) => {
    const ctx = { ...requestContext(c, deps), mode: requestedMode(c), previousToken: readSessionToken(c) };
    const { answer, issued } = await resumeFlow(deps, c.get('tenant'), c.req.valid('json').handle, ctx);
    if (!issued || !('session' in answer)) return c.json(answer, 200);
    deliverSession(c, issued);
    return c.json(await withAccessToken(deps, c, answer, issued), 200);
  });
  app.openapi(withMiddleware(app, deps, routes.activate), async (c) => {
    const ctx = { ...requestContext(c, deps), mode: requestedMode(c), baseUrl: publicOrigin(c, deps) };
    const { signedIn, issued } = await activate(deps, c.get('tenant'), c.req.valid('json'), ctx);
    deliverSession(c, issued);
    return c.json(await withAccessToken(deps, c, signedIn, issued), 201);
  });
  app.openapi(withMiddleware(app, deps, routes.links, [requireSession(deps)]), async (c) =>
    c.json(await listLinks(deps, c.get('tenant'), sessionAuth(c)), 200),
  );
  app.openapi(withMiddleware(app, deps, routes.link, [requireSession(deps)]), async (c) => {
    const ctx = { ...requestContext(c, deps), baseUrl: publicOrigin(c, deps) };
    const { provider } = c.req.valid('param');
    return c.json(await startLink(deps, c.get('tenant'), sessionAuth(c), provider, c.req.valid('json'), ctx), 200);
  });
  app.openapi(withMiddleware(app, deps, routes.unlink, [requireSession(deps)]), async (c) => {
    await unlink(deps, c.get('tenant'), sessionAuth(c), c.req.valid('param').provider, requestContext(c, deps));
    return c.body(null, 204);
  });
  app.openapi(withMiddleware(app, deps, routes.credentials, [requireSession(deps)]), async (c) =>
    c.json(
      await setAccountCredentials(deps, c.get('tenant'), sessionAuth(c), c.req.valid('json'), requestContext(c, deps)),
      200,
    ),
  );
  return app;
}
