import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  adminAccountLookupQuery,
  adminApplicationsQuery,
  adminAuditEventsQuery,
  adminRealNameBody,
  adminRejectBody,
  type AdminAccountLookupQuery,
  type AdminAuditEventsQuery,
  type MfaApplicationStatus,
} from '../../../shared/src/admin-api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { requireAdminKey, type AdminEnv } from '../http/admin-auth.ts';
import { validate, validated } from '../http/validate.ts';
import * as accounts from '../services/admin-accounts.ts';
import * as applications from '../services/admin-mfa-applications.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { configureTenant, operatorConfigView, type TenantDirectory } from '../services/tenants.ts';
import { recordEvent } from '../db/audit.ts';
import { z } from 'zod';
import { postgresFileStore } from '../storage/files.ts';

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'application/pdf': 'pdf' };

/**
 * The admin API for the tenant's servers (mounted at /admin/v1, outside the widgets' /v1 group:
 * no CORS, no cookies, no publishable key). The secret key decides the tenant; see README "Admin API".
 */
export function adminRoutes(deps: ServiceDeps, tenants: TenantDirectory) {
  const files = postgresFileStore(deps.db);
  const limitBody = bodyLimit({
    maxSize: 16 * 1024,
    onError: () => {
      throw new AppError('payload_too_large');
    },
  });
  const actor = (c: { get(key: 'adminKeyId'): string }) => ({ keyId: c.get('adminKeyId') });
  return (
    new Hono<AdminEnv>()
      .use('*', requireAdminKey(deps, tenants))
      .use('*', (c, next) =>
        c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH' ? limitBody(c, next) : next(),
      )
      // the tenant's configuration: read back without provider credentials (only whether they are
      // set); a patch of top-level keys, `delivery` per channel (bff/src/delivery/accounts.ts)
      .get('/config', (c) => c.json(operatorConfigView(c.get('tenant').config)))
      .patch('/config', validate('json', z.record(z.string(), z.unknown(), { error: 'invalid_input' })), async (c) => {
        const patch = validated<Record<string, unknown>>(c, 'json');
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
        return c.json(operatorConfigView(updated.config));
      })
      // accounts
      .get('/accounts', validate('query', adminAccountLookupQuery), async (c) =>
        c.json({
          accounts: await accounts.lookupAccounts(
            deps,
            c.get('tenant'),
            validated<AdminAccountLookupQuery>(c, 'query'),
          ),
        }),
      )
      .get('/accounts/:id', async (c) => c.json(await accounts.getAccount(deps, c.get('tenant'), c.req.param('id'))))
      .get('/accounts/:id/notice-targets', async (c) =>
        c.json(await accounts.noticeTargets(deps, c.get('tenant'), c.req.param('id'))),
      )
      .put('/accounts/:id/real-name', validate('json', adminRealNameBody), async (c) => {
        const body = validated<{
          type: 'personal' | 'enterprise';
          name: string;
          idNumber: string;
          enterpriseName?: string;
        }>(c, 'json');
        return c.json(await accounts.setRealNameByAdmin(deps, c.get('tenant'), c.req.param('id'), body, actor(c)));
      })
      .delete('/accounts/:id/real-name', async (c) =>
        c.json(await accounts.setRealNameByAdmin(deps, c.get('tenant'), c.req.param('id'), null, actor(c))),
      )
      .post('/accounts/:id/disable', async (c) =>
        c.json(await accounts.setAccountDisabled(deps, c.get('tenant'), c.req.param('id'), true, actor(c))),
      )
      .post('/accounts/:id/enable', async (c) =>
        c.json(await accounts.setAccountDisabled(deps, c.get('tenant'), c.req.param('id'), false, actor(c))),
      )
      .post('/accounts/:id/sign-out-everywhere', async (c) =>
        c.json(await accounts.signOutEverywhere(deps, c.get('tenant'), c.req.param('id'), actor(c))),
      )
      .get('/accounts/:id/audit-events', validate('query', adminAuditEventsQuery), async (c) =>
        c.json(
          await accounts.auditEvents(
            deps,
            c.get('tenant'),
            c.req.param('id'),
            validated<AdminAuditEventsQuery>(c, 'query'),
          ),
        ),
      )
      // the MFA-application review
      .get('/mfa-applications', validate('query', adminApplicationsQuery), async (c) => {
        const { status } = validated<{ status?: MfaApplicationStatus }>(c, 'query');
        return c.json({ applications: await applications.listForReview(deps, files, c.get('tenant'), status) });
      })
      .get('/mfa-applications/:id', async (c) =>
        c.json(await applications.getForReview(deps, files, c.get('tenant'), c.req.param('id'))),
      )
      .get('/mfa-applications/:id/files/:fileId', async (c) => {
        const file = await applications.applicationFile(
          deps,
          c.get('tenant'),
          c.req.param('id'),
          c.req.param('fileId'),
          actor(c),
        );
        // an uploaded document is data, never a page: download it, and no sniffing into HTML
        c.header('content-type', file.contentType);
        c.header('content-disposition', `attachment; filename="${file.kind}.${EXTENSIONS[file.contentType] ?? 'bin'}"`);
        c.header('x-content-type-options', 'nosniff');
        c.header('content-security-policy', "default-src 'none'; sandbox");
        return c.body(file.bytes);
      })
      .post('/mfa-applications/:id/approve', async (c) =>
        c.json(await applications.decide(deps, files, c.get('tenant'), c.req.param('id'), { approve: true }, actor(c))),
      )
      .post('/mfa-applications/:id/reject', validate('json', adminRejectBody), async (c) => {
        const { reason } = validated<{ reason: string }>(c, 'json');
        return c.json(
          await applications.decide(
            deps,
            files,
            c.get('tenant'),
            c.req.param('id'),
            { approve: false, reason },
            actor(c),
          ),
        );
      })
  );
}
