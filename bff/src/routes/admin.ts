import type { Context } from 'hono';
import { bodyLimitByLength } from '../http/body-limit.ts';
import {
  adminAccountLookupQuery,
  AdminAccountLookupResponseSchema,
  AdminAccountViewSchema,
  adminApplicationsQuery,
  adminAuditEventsQuery,
  AdminAuditEventsPageSchema,
  AdminClosedAccountsSchema,
  adminConfigPatchBody,
  adminFileParams,
  adminIdParams,
  adminRealNameBody,
  adminRejectBody,
  MfaApplicationListSchema,
  MfaApplicationReviewSchema,
  NoticeTargetsSchema,
  SignOutEverywhereResponseSchema,
  TenantConfigViewSchema,
  AbuseReportSchema,
  adminAbuseQuery,
} from '../../../shared/src/admin-api.ts';
import { requireAdminKey, type AdminEnv } from '../http/admin-auth.ts';
import { apiRoutes } from '../http/validate.ts';
import { defineRoute, jsonAnswer, jsonBody } from '../openapi/define.ts';
import { listClosingAccounts } from '../services/account-closing.ts';
import * as accounts from '../services/admin-accounts.ts';
import * as applications from '../services/admin-mfa-applications.ts';
import { abuseReport } from '../services/abuse.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { configureTenant, operatorConfigView, type TenantDirectory } from '../services/tenants.ts';
import { recordEvent } from '../db/audit.ts';
import { postgresFileStore } from '../storage/files.ts';

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'application/pdf': 'pdf' };

const account = jsonAnswer(AdminAccountViewSchema, 'The account as it is now');
const application = jsonAnswer(MfaApplicationReviewSchema, 'The application as it is now');
const config = jsonAnswer(TenantConfigViewSchema, "The tenant's configuration (provider secrets redacted)");
const binary = { schema: { type: 'string' as const, format: 'binary' } };

/** Mounted at /admin/v1. */
const routes = {
  abuse: defineRoute({
    method: 'get',
    path: '/abuse',
    tag: 'Admin',
    summary: "Codes sent, challenged and refused per day, by reason, and today's message budget",
    auth: 'admin',
    request: { query: adminAbuseQuery },
    responses: { 200: jsonAnswer(AbuseReportSchema, 'Per day, newest first') },
  }),
  config: defineRoute({
    method: 'get',
    path: '/config',
    tag: 'Admin',
    summary: "The tenant's configuration (provider secrets redacted)",
    auth: 'admin',
    responses: { 200: config },
  }),
  configure: defineRoute({
    method: 'patch',
    path: '/config',
    tag: 'Admin',
    summary: "Change the tenant's configuration (top-level keys merged; takes effect without a restart)",
    auth: 'admin',
    request: { body: jsonBody(adminConfigPatchBody) },
    responses: { 200: config },
  }),
  lookup: defineRoute({
    method: 'get',
    path: '/accounts',
    tag: 'Admin',
    summary: 'Look up an account by id, name, phone or email',
    auth: 'admin',
    request: { query: adminAccountLookupQuery },
    responses: { 200: jsonAnswer(AdminAccountLookupResponseSchema, 'The accounts found (none or one)') },
  }),
  account: defineRoute({
    method: 'get',
    path: '/accounts/{id}',
    tag: 'Admin',
    summary: 'An account',
    auth: 'admin',
    request: { params: adminIdParams },
    responses: { 200: account },
  }),
  noticeTargets: defineRoute({
    method: 'get',
    path: '/accounts/{id}/notice-targets',
    tag: 'Admin',
    summary: "Where to send the account's notices (verified contact phone/email)",
    auth: 'admin',
    request: { params: adminIdParams },
    responses: { 200: jsonAnswer(NoticeTargetsSchema, 'The phone and email to use, if any') },
  }),
  setRealName: defineRoute({
    method: 'put',
    path: '/accounts/{id}/real-name',
    tag: 'Admin',
    summary: 'Set the real-name status (ID number stored as a keyed hash)',
    auth: 'admin',
    request: { params: adminIdParams, body: jsonBody(adminRealNameBody) },
    responses: { 200: account },
  }),
  clearRealName: defineRoute({
    method: 'delete',
    path: '/accounts/{id}/real-name',
    tag: 'Admin',
    summary: 'Clear the real-name status',
    auth: 'admin',
    request: { params: adminIdParams },
    responses: { 200: account },
  }),
  disable: defineRoute({
    method: 'post',
    path: '/accounts/{id}/disable',
    tag: 'Admin',
    summary: 'Disable the account (its sessions end)',
    auth: 'admin',
    request: { params: adminIdParams },
    responses: { 200: account },
  }),
  enable: defineRoute({
    method: 'post',
    path: '/accounts/{id}/enable',
    tag: 'Admin',
    summary: 'Enable the account',
    auth: 'admin',
    request: { params: adminIdParams },
    responses: { 200: account },
  }),
  signOutEverywhere: defineRoute({
    method: 'post',
    path: '/accounts/{id}/sign-out-everywhere',
    tag: 'Admin',
    summary: 'End every session of the account',
    auth: 'admin',
    request: { params: adminIdParams },
    responses: { 200: jsonAnswer(SignOutEverywhereResponseSchema, 'How many sessions ended') },
  }),
  auditEvents: defineRoute({
    method: 'get',
    path: '/accounts/{id}/audit-events',
    tag: 'Admin',
    summary: 'Audit events, newest first, paged',
    auth: 'admin',
    request: { params: adminIdParams, query: adminAuditEventsQuery },
    responses: { 200: jsonAnswer(AdminAuditEventsPageSchema, 'A page of events') },
  }),
  closedAccounts: defineRoute({
    method: 'get',
    path: '/closed-accounts',
    tag: 'Admin',
    summary: 'Accounts being closed or closed (erased), newest request first (docs/product.md#24-closing-an-account)',
    auth: 'admin',
    responses: { 200: jsonAnswer(AdminClosedAccountsSchema, 'The accounts') },
  }),
  applications: defineRoute({
    method: 'get',
    path: '/mfa-applications',
    tag: 'Admin',
    summary: 'Applications to disassociate a lost MFA device',
    auth: 'admin',
    request: { query: adminApplicationsQuery },
    responses: { 200: jsonAnswer(MfaApplicationListSchema, 'The applications, newest first') },
  }),
  application: defineRoute({
    method: 'get',
    path: '/mfa-applications/{id}',
    tag: 'Admin',
    summary: 'One application, with mismatch flags against the real-name record',
    auth: 'admin',
    request: { params: adminIdParams },
    responses: { 200: application },
  }),
  applicationFile: defineRoute({
    method: 'get',
    path: '/mfa-applications/{id}/files/{fileId}',
    tag: 'Admin',
    summary: 'An uploaded image of an application',
    auth: 'admin',
    request: { params: adminFileParams },
    responses: {
      200: {
        description: 'The file, as an attachment',
        content: { 'image/jpeg': binary, 'image/png': binary, 'application/pdf': binary },
      },
    },
  }),
  approve: defineRoute({
    method: 'post',
    path: '/mfa-applications/{id}/approve',
    tag: 'Admin',
    summary: 'Approve: MFA removed, sessions ended, user notified',
    auth: 'admin',
    request: { params: adminIdParams },
    responses: { 200: application },
  }),
  reject: defineRoute({
    method: 'post',
    path: '/mfa-applications/{id}/reject',
    tag: 'Admin',
    summary: 'Reject with a reason',
    auth: 'admin',
    request: { params: adminIdParams, body: jsonBody(adminRejectBody) },
    responses: { 200: application },
  }),
};

/**
 * The admin API for the tenant's servers (mounted at /admin/v1, outside the widgets' /v1 group:
 * no CORS, no cookies, no publishable key). The secret key decides the tenant; see docs/api.md#admin-api.
 */
export function adminRoutes(deps: ServiceDeps, tenants: TenantDirectory) {
  const files = postgresFileStore(deps.db);
  const limitBody = bodyLimitByLength(16 * 1024);
  const actor = (c: { get(key: 'adminKeyId'): string }) => ({ keyId: c.get('adminKeyId') });
  const app = apiRoutes<AdminEnv>();
  app.use('*', requireAdminKey(deps, tenants));
  app.use('*', (c: Context<AdminEnv, string>, next) =>
    c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH' ? limitBody(c, next) : next(),
  );

  // the tenant's configuration: read back without provider credentials (only whether they are
  // set); a patch of top-level keys, `delivery` per channel (bff/src/delivery/accounts.ts)
  app.openapi(routes.abuse, async (c) => {
    c.header('cache-control', 'no-store');
    return c.json(await abuseReport(deps, c.get('tenant'), c.req.valid('query').days), 200);
  });
  app.openapi(routes.config, (c) => c.json(operatorConfigView(c.get('tenant').config), 200));
  app.openapi(routes.configure, async (c) => {
    const patch = c.req.valid('json');
    const tenant = c.get('tenant');
    const updated = await configureTenant(deps.db, tenant, patch, { secret: deps.config.secret });
    tenants.invalidate(); // this process at once; others within their tenant cache time
    await recordEvent(deps.db, {
      tenantId: tenant.id,
      accountId: null,
      type: 'tenant_configured',
      outcome: 'success',
      ip: null,
      userAgent: null,
      detail: { actor: 'admin_key', adminKeyId: c.get('adminKeyId'), keys: Object.keys(patch).join(',') },
      at: deps.clock.now(),
    });
    return c.json(operatorConfigView(updated.config), 200);
  });

  // accounts
  app.openapi(routes.lookup, async (c) =>
    c.json({ accounts: await accounts.lookupAccounts(deps, c.get('tenant'), c.req.valid('query')) }, 200),
  );
  app.openapi(routes.account, async (c) =>
    c.json(await accounts.getAccount(deps, c.get('tenant'), c.req.valid('param').id), 200),
  );
  app.openapi(routes.noticeTargets, async (c) =>
    c.json(await accounts.noticeTargets(deps, c.get('tenant'), c.req.valid('param').id), 200),
  );
  app.openapi(routes.setRealName, async (c) =>
    c.json(
      await accounts.setRealNameByAdmin(deps, c.get('tenant'), c.req.valid('param').id, c.req.valid('json'), actor(c)),
      200,
    ),
  );
  app.openapi(routes.clearRealName, async (c) =>
    c.json(await accounts.setRealNameByAdmin(deps, c.get('tenant'), c.req.valid('param').id, null, actor(c)), 200),
  );
  app.openapi(routes.disable, async (c) =>
    c.json(await accounts.setAccountDisabled(deps, c.get('tenant'), c.req.valid('param').id, true, actor(c)), 200),
  );
  app.openapi(routes.enable, async (c) =>
    c.json(await accounts.setAccountDisabled(deps, c.get('tenant'), c.req.valid('param').id, false, actor(c)), 200),
  );
  app.openapi(routes.signOutEverywhere, async (c) =>
    c.json(await accounts.signOutEverywhere(deps, c.get('tenant'), c.req.valid('param').id, actor(c)), 200),
  );
  app.openapi(routes.auditEvents, async (c) =>
    c.json(await accounts.auditEvents(deps, c.get('tenant'), c.req.valid('param').id, c.req.valid('query')), 200),
  );

  app.openapi(routes.closedAccounts, async (c) => c.json(await listClosingAccounts(deps, c.get('tenant')), 200));

  // the MFA-application review
  app.openapi(routes.applications, async (c) =>
    c.json(
      { applications: await applications.listForReview(deps, files, c.get('tenant'), c.req.valid('query').status) },
      200,
    ),
  );
  app.openapi(routes.application, async (c) =>
    c.json(await applications.getForReview(deps, files, c.get('tenant'), c.req.valid('param').id), 200),
  );
  app.openapi(routes.applicationFile, async (c) => {
    const { id, fileId } = c.req.valid('param');
    const file = await applications.applicationFile(deps, c.get('tenant'), id, fileId, actor(c));
    // an uploaded document is data, never a page: download it, and no sniffing into HTML
    c.header('content-type', file.contentType);
    c.header('content-disposition', `attachment; filename="${file.kind}.${EXTENSIONS[file.contentType] ?? 'bin'}"`);
    c.header('x-content-type-options', 'nosniff');
    c.header('content-security-policy', "default-src 'none'; sandbox");
    return c.body(file.bytes);
  });
  app.openapi(routes.approve, async (c) =>
    c.json(
      await applications.decide(deps, files, c.get('tenant'), c.req.valid('param').id, { approve: true }, actor(c)),
      200,
    ),
  );
  app.openapi(routes.reject, async (c) =>
    c.json(
      await applications.decide(
        deps,
        files,
        c.get('tenant'),
        c.req.valid('param').id,
        { approve: false, reason: c.req.valid('json').reason },
        actor(c),
      ),
      200,
    ),
  );
  return app;
}
