import {
  AccountClosingResponseSchema,
  AccountExportSchema,
  closingCancelBody,
  ClosingCancelledSchema,
} from '../../../shared/src/api.ts';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { requestContext } from '../http/context.ts';
import { clearSessionCookie } from '../http/session.ts';
import { apiRoutes } from '../http/validate.ts';
import { defineRoute, jsonAnswer, jsonBody, withMiddleware } from '../openapi/define.ts';
import { cancelClosing, exportAccount, requestClosing } from '../services/account-closing.ts';
import type { ServiceDeps } from '../services/deps.ts';

/** Mounted at /v1/account (docs/product.md#24-closing-an-account). */
const routes = {
  export: defineRoute({
    method: 'get',
    path: '/export',
    tag: 'Security settings',
    summary:
      "Download the account's data as JSON (primary account, after a step-up): no password hash, secret, code or token",
    auth: 'session',
    responses: { 200: jsonAnswer(AccountExportSchema, 'The data, as an attachment (account-export.json)') },
  }),
  close: defineRoute({
    method: 'post',
    path: '/closing',
    tag: 'Security settings',
    summary:
      "Close the account (primary account, after a step-up): every session ends now, the data is erased after the tenant's cooling-off days",
    auth: 'session',
    responses: { 200: jsonAnswer(AccountClosingResponseSchema, 'Closing; signed out everywhere') },
  }),
  cancel: defineRoute({
    method: 'post',
    path: '/closing/cancel',
    tag: 'Sessions',
    summary: 'Cancel the closing with the sign-in identifier and password (then sign in as usual)',
    auth: 'publishable',
    request: { body: jsonBody(closingCancelBody) },
    responses: { 200: jsonAnswer(ClosingCancelledSchema, 'Not closing (any more)') },
  }),
};

export function accountRoutes(deps: ServiceDeps) {
  const app = apiRoutes();
  app.openapi(withMiddleware(app, deps, routes.export, [requireSession(deps)]), async (c) => {
    const data = await exportAccount(deps, c.get('tenant'), sessionAuth(c));
    c.header('content-disposition', 'attachment; filename="account-export.json"');
    c.header('cache-control', 'no-store');
    return c.json(data, 200);
  });
  app.openapi(withMiddleware(app, deps, routes.close, [requireSession(deps)]), async (c) => {
    const answer = await requestClosing(deps, c.get('tenant'), sessionAuth(c), requestContext(c, deps));
    clearSessionCookie(c);
    return c.json(answer, 200);
  });
  app.openapi(routes.cancel, async (c) =>
    c.json(await cancelClosing(deps, c.get('tenant'), c.req.valid('json'), requestContext(c, deps)), 200),
  );
  return app;
}
