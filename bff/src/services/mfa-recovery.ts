/**
 * A primary account that lost its MFA device (docs/product.md#14-lost-mfa-device-applications): only a
 * real-name verified account may apply to disassociate MFA — after the password step, with the
 * applicant's details and photos — and tenant support reviews the application.
 */
import type { MfaRecoveryEligibility } from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { normalizeIdNumber } from '../../../shared/src/rules/id-number.ts';
import { recordEvent } from '../db/audit.ts';
import type { Db } from '../db/create.ts';
import * as accounts from '../db/accounts.ts';
import * as mfaDb from '../db/mfa.ts';
import { insertApplication, pendingApplication, type ApplicationPurpose } from '../db/mfa-applications.ts';

/** How long an approved security-phone application lets a new phone be bound by its own code. */
export const SECURITY_PHONE_REBIND_SECONDS = 7 * 24 * 3600;
import { MAX_UPLOAD_BYTES, sniffContentType, type FileStore } from '../storage/files.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import { notifySecurityContacts } from './notices.ts';
import type { SessionAuth } from './sessions.ts';
import type { Tenant } from './tenants.ts';

export const idNumberHash = (deps: Pick<ServiceDeps, 'hmac'>, tenantId: string, idNumber: string) =>
  deps.hmac(`id-number\u0000${tenantId}\u0000${normalizeIdNumber(idNumber)}`);

/** The tenant's back office (CLI now, admin API later) records the real-name verification. */
export async function setRealName(
  deps: Pick<ServiceDeps, 'db' | 'hmac' | 'clock'>,
  tenantId: string,
  accountId: string,
  input: { type: 'personal' | 'enterprise'; name: string; idNumber: string; enterprise?: string } | null,
): Promise<void> {
  await deps.db
    .updateTable('accounts')
    .set(
      input
        ? {
            real_name_type: input.type,
            real_name: input.name.trim(),
            real_name_id_hash: idNumberHash(deps, tenantId, input.idNumber),
            real_name_enterprise: input.enterprise?.trim() ?? null,
            real_name_verified_at: deps.clock.now(),
          }
        : {
            real_name_type: null,
            real_name: null,
            real_name_id_hash: null,
            real_name_enterprise: null,
            real_name_verified_at: null,
          },
    )
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .execute();
}

async function realNameOf(db: Db, tenantId: string, accountId: string) {
  return db
    .selectFrom('accounts')
    .select(['real_name_type', 'real_name', 'real_name_id_hash', 'real_name_enterprise', 'real_name_verified_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .executeTakeFirst();
}

/**
 * For the "lost your device?" path of a session that passed the password step, or (`security_phone`)
 * the "I can't use this phone" path of a signed-in account with no other way to verify its identity.
 */
export async function eligibility(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  purpose: ApplicationPurpose = 'mfa',
): Promise<MfaRecoveryEligibility> {
  const rn = await realNameOf(deps.db, tenant.id, auth.accountId);
  return {
    realNameVerified: Boolean(rn?.real_name_verified_at),
    type: rn?.real_name_type ?? null,
    pendingApplication: Boolean(await pendingApplication(deps.db, tenant.id, auth.accountId, purpose)),
  };
}

function decodeFile(field: string, base64: string, allowPdf: boolean): { bytes: Uint8Array; contentType: string } {
  const clean = base64.replace(/^data:[^,]*,/, '');
  if (!/^[A-Za-z0-9+/=\s]*$/.test(clean))
    throw new AppError('file_type_invalid', undefined, [{ path: field, code: 'file_type_invalid' }]);
  const bytes = new Uint8Array(Buffer.from(clean, 'base64'));
  const mb = MAX_UPLOAD_BYTES / 1024 / 1024;
  if (bytes.length > MAX_UPLOAD_BYTES)
    throw new AppError('file_too_large', { mb }, [{ path: field, code: 'file_too_large', params: { mb } }]);
  const type = sniffContentType(bytes);
  if (!type || (type === 'application/pdf' && !allowPdf))
    throw new AppError('file_type_invalid', undefined, [{ path: field, code: 'file_type_invalid' }]);
  return { bytes, contentType: type };
}

export async function submitApplication(
  deps: ServiceDeps,
  files: FileStore,
  tenant: Tenant,
  auth: SessionAuth,
  input: {
    type: 'personal' | 'enterprise';
    name: string;
    phone: string;
    idNumber: string;
    enterpriseName?: string | undefined;
    idPhoto: { data: string };
    businessLicence?: { data: string } | undefined;
  },
  ctx: RequestContext,
  purpose: ApplicationPurpose = 'mfa',
): Promise<{ id: string; status: 'pending' }> {
  if (auth.subUserId) throw new AppError('sub_user_forbidden'); // a sub-user's MFA is reset by its primary
  const rn = await realNameOf(deps.db, tenant.id, auth.accountId);
  if (!rn?.real_name_verified_at) throw new AppError('real_name_required');
  // answered before the uploads are decoded; decided again under the lock below
  if (await pendingApplication(deps.db, tenant.id, auth.accountId, purpose)) throw new AppError('application_pending');
  const photo = decodeFile('idPhoto', input.idPhoto.data, false);
  const licence =
    input.type === 'enterprise' && input.businessLicence
      ? decodeFile('businessLicence', input.businessLicence.data, true)
      : undefined;
  const now = deps.clock.now();
  const idNumber = normalizeIdNumber(input.idNumber);
  const row = await deps.db.transaction().execute(async (trx) => {
    // one pending application per account, decided under the account lock: of concurrent
    // submissions (a double click, two tabs) one is filed and the others hear application_pending
    await accounts.lockAccount(trx, tenant.id, auth.accountId);
    if (await pendingApplication(trx, tenant.id, auth.accountId, purpose)) throw new AppError('application_pending');
    return insertApplication(trx, {
      purpose,
      tenantId: tenant.id,
      accountId: auth.accountId,
      type: input.type,
      applicantName: input.name.trim(),
      phone: input.phone,
      idNumberHash: idNumberHash(deps, tenant.id, idNumber),
      idNumberLast4: idNumber.slice(-4),
      enterpriseName: input.type === 'enterprise' ? (input.enterpriseName?.trim() ?? null) : null,
      now,
    });
  });
  await files.put({
    tenantId: tenant.id,
    ownerId: row.id,
    kind: 'id_photo',
    contentType: photo.contentType,
    bytes: photo.bytes,
    at: now,
  });
  if (licence)
    await files.put({
      tenantId: tenant.id,
      ownerId: row.id,
      kind: 'business_licence',
      contentType: licence.contentType,
      bytes: licence.bytes,
      at: now,
    });
  await recordEvent(deps.db, {
    tenantId: tenant.id,
    accountId: auth.accountId,
    ...(purpose === 'mfa'
      ? { type: 'mfa_failed', outcome: 'failure', detail: { reason: 'device_lost_application', application: row.id } }
      : { type: 'security_phone_application_submitted', outcome: 'success', detail: { application: row.id } }),
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    at: now,
  });
  return { id: row.id, status: 'pending' };
}

export interface ApplicationReviewView {
  id: string;
  accountId: string;
  accountName: string | null;
  type: 'personal' | 'enterprise';
  /** what is applied for: disassociating a lost MFA device, or binding a new security phone */
  purpose: 'mfa' | 'security_phone';
  applicantName: string;
  phone: string;
  idNumberLast4: string;
  enterpriseName: string | null;
  status: string;
  reason: string | null;
  createdAt: string;
  files: { id: string; kind: string; contentType: string; size: number }[];
  /** what does not match the real-name record (name, ID number, enterprise); empty = all match */
  mismatches: string[];
}

export async function listApplications(
  db: Db,
  files: FileStore,
  tenantId: string,
  status?: string,
): Promise<ApplicationReviewView[]> {
  let q = db
    .selectFrom('mfa_applications as m')
    .innerJoin('accounts as a', (j) => j.onRef('a.id', '=', 'm.account_id').onRef('a.tenant_id', '=', 'm.tenant_id'))
    .selectAll('m')
    .select(['a.account_name', 'a.real_name', 'a.real_name_id_hash', 'a.real_name_enterprise'])
    .where('m.tenant_id', '=', tenantId)
    .orderBy('m.created_at');
  if (status) q = q.where('m.status', '=', status as 'pending');
  const rows = await q.execute();
  return Promise.all(
    rows.map(async (r) => {
      const mismatches: string[] = [];
      if ((r.real_name ?? '') !== r.applicant_name) mismatches.push('name');
      if (r.real_name_id_hash !== r.id_number_hash) mismatches.push('id_number');
      if (r.type === 'enterprise' && (r.real_name_enterprise ?? '') !== (r.enterprise_name ?? ''))
        mismatches.push('enterprise_name');
      return {
        id: r.id,
        accountId: r.account_id,
        accountName: r.account_name,
        type: r.type,
        purpose: r.purpose,
        applicantName: r.applicant_name,
        phone: r.phone,
        idNumberLast4: r.id_number_last4,
        enterpriseName: r.enterprise_name,
        status: r.status,
        reason: r.reason,
        createdAt: new Date(r.created_at).toISOString(),
        files: await files.list(tenantId, r.id),
        mismatches,
      };
    }),
  );
}

/**
 * Review: approval removes the MFA device, signs the account out everywhere and tells its
 * security contacts; rejection records the reason and tells them it was turned down. Only pending
 * applications can be decided. The decision comes from tenant support (admin API, CLI), not from a
 * request of the user: the notice is written in the account's last locale, else the tenant's
 * default (docs/product.md#19-languages).
 */
export async function reviewApplication(
  deps: Pick<ServiceDeps, 'db' | 'clock' | 'onEnqueued'>,
  tenant: Tenant,
  id: string,
  decision: { approve: true } | { approve: false; reason: string },
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const app = await trx
      .selectFrom('mfa_applications')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!app) throw new AppError('not_found');
    if (app.status !== 'pending') throw new AppError('invalid_input', { status: app.status });
    await trx
      .updateTable('mfa_applications')
      .set({
        status: decision.approve ? 'approved' : 'rejected',
        reason: decision.approve ? null : decision.reason,
        reviewed_at: now,
      })
      .where('tenant_id', '=', tenant.id)
      .where('id', '=', id)
      .execute();
    const locale = (await accounts.accountLocale(trx, tenant.id, app.account_id)) ?? tenant.config.defaultLocale;
    if (app.purpose === 'security_phone') {
      // docs/product.md#23-lost-security-phone: approved, a new security phone may be bound by its own code for a while
      if (decision.approve)
        await trx
          .updateTable('accounts')
          .set({ security_phone_rebind_until: new Date(now.getTime() + SECURITY_PHONE_REBIND_SECONDS * 1000) })
          .where('tenant_id', '=', tenant.id)
          .where('id', '=', app.account_id)
          .execute();
      await notifySecurityContacts(
        trx,
        tenant,
        app.account_id,
        { purpose: decision.approve ? 'security_phone_approved' : 'security_phone_rejected', kind: 'decided' },
        locale,
        now,
      );
      return;
    }
    if (!decision.approve) {
      await notifySecurityContacts(
        trx,
        tenant,
        app.account_id,
        { purpose: 'mfa_application_rejected', kind: 'rejected' },
        locale,
        now,
      );
      return;
    }
    await mfaDb.deleteDevice(trx, { tenantId: tenant.id, accountId: app.account_id, subUserId: null });
    await trx
      .deleteFrom('sessions')
      .where('tenant_id', '=', tenant.id)
      .where('account_id', '=', app.account_id)
      .execute();
    await recordEvent(trx, {
      tenantId: tenant.id,
      accountId: app.account_id,
      type: 'mfa_unbound',
      outcome: 'success',
      ip: null,
      userAgent: null,
      detail: { via: 'application', application: id },
      at: now,
    });
    await notifySecurityContacts(trx, tenant, app.account_id, { purpose: 'mfa_change', kind: 'unbound' }, locale, now);
  });
  deps.onEnqueued();
}
