/**
 * Agreements with versions (docs/product.md#16-agreements): registration records the versions accepted; when a tenant
 * publishes a new version, sign-in answers with what the account has not accepted yet, and the
 * widget asks for it (POST /v1/consents) before going on.
 */
import type { ConsentsResponse } from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import type { Agreement } from '../../../shared/src/tenant.ts';
import * as accounts from '../db/accounts.ts';
import { recordEvent } from '../db/audit.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import type { SessionAuth } from './sessions.ts';
import type { Tenant } from './tenants.ts';

/** The tenant's current agreements missing from the account's consents ("key@version"). */
export function agreementsToAccept(tenant: Tenant, consented: readonly string[]): Agreement[] {
  const have = new Set(consented);
  return tenant.config.agreements.filter((a) => !have.has(`${a.key}@${a.version}`));
}

/** A primary account accepts current versions; a stale or unknown version is refused and nothing is recorded. */
export async function acceptAgreements(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  items: { key: string; version: string }[],
  ctx: RequestContext,
): Promise<ConsentsResponse> {
  if (auth.subUserId) throw new AppError('sub_user_forbidden');
  const current = new Set(tenant.config.agreements.map((a) => `${a.key}@${a.version}`));
  if (!items.every((i) => current.has(`${i.key}@${i.version}`)))
    throw new AppError('agreements_required', undefined, [{ path: 'agreements', code: 'agreements_required' }]);
  const now = deps.clock.now();
  const consented = await deps.db.transaction().execute(async (trx) => {
    // read and recorded under the account lock: concurrent acceptances (a double click, two tabs)
    // record each version once, and once in the audit log
    await accounts.lockAccount(trx, tenant.id, auth.accountId);
    const before = await accounts.consentedAgreements(trx, tenant.id, auth.accountId);
    const fresh = [
      ...new Map(
        items.filter((i) => !before.includes(`${i.key}@${i.version}`)).map((i) => [`${i.key}@${i.version}`, i]),
      ).values(),
    ];
    if (!fresh.length) return before;
    await accounts.insertConsents(
      trx,
      fresh.map((i) => ({
        tenantId: tenant.id,
        accountId: auth.accountId,
        key: i.key,
        version: i.version,
        locale: ctx.locale,
        at: now,
      })),
    );
    await recordEvent(trx, {
      tenantId: tenant.id,
      accountId: auth.accountId,
      type: 'agreements_accepted',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      detail: { agreements: fresh.map((i) => `${i.key}@${i.version}`).join(',') },
      at: now,
    });
    return [...before, ...fresh.map((i) => `${i.key}@${i.version}`)];
  });
  // the memoised session checks of this process named the agreements as missing: not any more
  deps.sessionCache.forgetAccount(tenant.id, auth.accountId);
  return { agreementsToAccept: agreementsToAccept(tenant, consented) };
}
