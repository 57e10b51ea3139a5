import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../../../shared/src/errors.ts';
import { authenticateAdminKey } from '../services/admin-keys.ts';
import type { ServiceDeps } from '../services/deps.ts';
import type { TenantDirectory } from '../services/tenants.ts';
import type { AppEnv } from './context.ts';

/** The admin API's context: the tenant (as on /v1) plus the secret key that acts. */
export interface AdminEnv {
  Variables: AppEnv['Variables'] & { adminKeyId: string };
}

/**
 * Server-to-server authentication by the tenant's secret key, `Authorization: Bearer sk_…`.
 * The key alone decides the tenant: no publishable key, no Origin, no cookie is consulted,
 * and no CORS headers are ever sent, so a browser page cannot call the admin API.
 */
export function requireAdminKey(deps: ServiceDeps, tenants: TenantDirectory): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    c.header('cache-control', 'no-store');
    const auth = c.req.header('authorization') ?? '';
    // visible ASCII only: a key with odd bytes is no key (401), and never reaches the lookup
    const m = /^Bearer\s+([\x21-\x7e]{1,200})\s*$/i.exec(auth);
    const key = m ? await authenticateAdminKey(deps.db, deps.clock, m[1]) : undefined;
    const tenant = key && (await tenants.byId(key.tenantId));
    if (!key || !tenant) {
      c.header('www-authenticate', 'Bearer realm="jd-account admin"');
      throw new AppError('admin_key_invalid');
    }
    c.set('tenant', tenant);
    c.set('adminKeyId', key.keyId);
    await next();
  };
}

export const adminKeyId = (c: Context<AdminEnv>) => c.get('adminKeyId');
