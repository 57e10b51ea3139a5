/**
 * The MFA-application review through the admin API (docs/product.md#14-lost-mfa-device-applications: tenant support
 * reviews applications to disassociate a lost device). It reuses the review service the CLI
 * uses (mfa-recovery.ts) and adds what an HTTP caller needs: tenant-scoped 404s, the stored
 * files, and an audit event naming the acting key.
 */
import type { MfaApplicationStatus } from '../../../shared/src/admin-api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import * as admin from '../db/admin-accounts.ts';
import { sniffContentType, type FileStore } from '../storage/files.ts';
import { adminEvent, UUID, type AdminActor } from './admin-accounts.ts';
import type { ServiceDeps } from './deps.ts';
import { listApplications, reviewApplication, type ApplicationReviewView } from './mfa-recovery.ts';
import type { Tenant } from './tenants.ts';

export function listForReview(
  deps: Pick<ServiceDeps, 'db'>,
  files: FileStore,
  tenant: Tenant,
  status?: MfaApplicationStatus,
): Promise<ApplicationReviewView[]> {
  return listApplications(deps.db, files, tenant.id, status);
}

async function requireApplication(deps: Pick<ServiceDeps, 'db'>, tenant: Tenant, id: string) {
  const app = UUID.test(id) ? await admin.findApplication(deps.db, tenant.id, id.toLowerCase()) : undefined;
  if (!app) throw new AppError('application_not_found');
  return app;
}

/** One application with its files and mismatch flags; 404 for an id of another tenant. */
export async function getForReview(
  deps: Pick<ServiceDeps, 'db'>,
  files: FileStore,
  tenant: Tenant,
  id: string,
): Promise<ApplicationReviewView> {
  const app = await requireApplication(deps, tenant, id);
  // listApplications computes the mismatch flags; narrowed by status to keep the scan small
  const view = (await listApplications(deps.db, files, tenant.id, app.status)).find((a) => a.id === app.id);
  if (!view) throw new AppError('application_not_found'); // decided in between: ask again
  return view;
}

/** A stored image/PDF of an application, with its type sniffed from the bytes; viewing it is audited (ID documents). */
export async function applicationFile(
  deps: ServiceDeps,
  tenant: Tenant,
  id: string,
  fileId: string,
  actor: AdminActor,
) {
  const app = await requireApplication(deps, tenant, id);
  const file = UUID.test(fileId)
    ? await admin.findApplicationFile(deps.db, tenant.id, app.id, fileId.toLowerCase())
    : undefined;
  if (!file) throw new AppError('not_found');
  const bytes = new Uint8Array(file.bytes);
  await adminEvent(deps.db, tenant, app.account_id, actor, 'mfa_application_file_viewed', deps.clock.now(), {
    application: app.id,
    file: file.id,
    kind: file.kind,
  });
  return { bytes, kind: file.kind, contentType: sniffContentType(bytes) ?? 'application/octet-stream' };
}

/**
 * Approve (the MFA device is removed, every session ends, the user is told) or reject with a
 * reason; only a pending application can be decided (`application_not_pending` otherwise).
 */
export async function decide(
  deps: ServiceDeps,
  files: FileStore,
  tenant: Tenant,
  id: string,
  decision: { approve: true } | { approve: false; reason: string },
  actor: AdminActor,
): Promise<ApplicationReviewView> {
  const app = await requireApplication(deps, tenant, id);
  if (app.status !== 'pending') throw new AppError('application_not_pending', { status: app.status });
  try {
    await reviewApplication(
      deps,
      tenant,
      app.id,
      decision.approve ? { approve: true } : { approve: false, reason: decision.reason.trim() },
    );
  } catch (err) {
    // decided by someone else between the check above and the review's own locked check
    if (err instanceof AppError && err.code === 'invalid_input')
      throw new AppError('application_not_pending', err.params);
    throw err;
  }
  // the review's transaction has committed; its sessions are gone from the database, so from this process's cache too
  if (decision.approve) deps.sessionCache.forgetAccount(tenant.id, app.account_id);
  await adminEvent(
    deps.db,
    tenant,
    app.account_id,
    actor,
    decision.approve ? 'mfa_application_approved' : 'mfa_application_rejected',
    deps.clock.now(),
    { application: app.id },
  );
  return getForReview(deps, files, tenant, app.id);
}
