/**
 * Sub-users (docs/product.md#13-sub-users): a primary account creates, lists, disables and deletes members
 * who sign in with the primary account's name (or id) + their own name + password.
 * Their own MFA: the primary account can make it required (bound at the next sign-in) and can
 * disassociate a sub-user's device (the sub-user is told at the next sign-in and binds again).
 */
import type { MfaSetupResponse, SubUserMfaStatus, SubUserView } from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { accountNameSkeleton, foldAccountName } from '../../../shared/src/rules/account-name.ts';
import { lockKey } from '../db/locks.ts';
import * as accounts from '../db/accounts.ts';
import { recordEvent } from '../db/audit.ts';
import { reserveAttempts, sessionSecretLimits, signInLimits, unlockSubjects, withAttempts } from './limits.ts';
import { requireStepUp } from './step-up.ts';
import { passwordProblems } from '../../../shared/src/rules/password.ts';
import { uniqueViolation } from '../db/create.ts';
import * as subs from '../db/sub-users.ts';
import type { Database, SubUsersTable } from '../db/schema.ts';
import type { Selectable, Transaction } from 'kysely';
import type { Db } from '../db/create.ts';
import { subUsersWithDevice } from '../db/mfa.ts';
import { confirmSubUserSetup, removeSubUserDevice, startSubUserSetup, subUserMfaStatus } from './mfa.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import type { SessionAuth } from './sessions.ts';
import type { Tenant } from './tenants.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function view(row: Selectable<SubUsersTable>, mfaBound: boolean): SubUserView {
  return {
    id: row.id,
    name: row.name,
    disabled: row.disabled_at !== null,
    mfaRequired: row.mfa_required,
    mfaBound,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

async function viewOne(deps: ServiceDeps, row: Selectable<SubUsersTable>): Promise<SubUserView> {
  return view(row, (await subUsersWithDevice(deps.db, row.tenant_id, row.primary_account_id)).has(row.id));
}

/** Only a primary account's own full session may manage its sub-users. */
export function requirePrimary(auth: SessionAuth): void {
  if (auth.subUserId) throw new AppError('sub_user_forbidden');
}

const event = (
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  ctx: RequestContext,
  type:
    | 'sub_user_created'
    | 'sub_user_disabled'
    | 'sub_user_enabled'
    | 'sub_user_deleted'
    | 'sub_user_mfa_required'
    | 'sub_user_mfa_not_required'
    | 'sub_user_mfa_disassociated'
    | 'sub_user_password_set',
  sub: { id: string; name: string },
  conn: Db | Transaction<Database> = deps.db,
) =>
  recordEvent(conn, {
    tenantId: tenant.id,
    accountId: auth.accountId,
    type,
    outcome: 'success',
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    detail: { subUserId: sub.id, name: sub.name },
    at: deps.clock.now(),
  });

export async function listSubUsers(deps: ServiceDeps, tenant: Tenant, auth: SessionAuth): Promise<SubUserView[]> {
  requirePrimary(auth);
  const [rows, withDevice] = await Promise.all([
    subs.listSubUsers(deps.db, tenant.id, auth.accountId),
    subUsersWithDevice(deps.db, tenant.id, auth.accountId),
  ]);
  return rows.map((r) => view(r, withDevice.has(r.id)));
}

export async function createSubUser(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  input: { name: string; password: string; mfaRequired?: boolean | undefined },
  ctx: RequestContext,
): Promise<SubUserView> {
  requirePrimary(auth);
  const hash = await deps.hasher.hash(input.password);
  const taken = () => new AppError('sub_user_name_taken', undefined, [{ path: 'name', code: 'sub_user_name_taken' }]);
  try {
    const row = await deps.db.transaction().execute(async (trx) => {
      // Look-alike names (shared/src/rules/account-name.ts accountNameSkeleton) are taken within a
      // primary account too; its few sub-users are compared here, serialised per primary account.
      await lockKey(trx, `sub-user-names:${tenant.id}:${auth.accountId}`);
      const skeleton = accountNameSkeleton(input.name);
      if (
        (await subs.listSubUsers(trx, tenant.id, auth.accountId)).some((s) => accountNameSkeleton(s.name) === skeleton)
      )
        throw taken();
      return subs.insertSubUser(trx, {
        tenantId: tenant.id,
        primaryAccountId: auth.accountId,
        name: input.name,
        folded: foldAccountName(input.name),
        passwordHash: hash,
        mfaRequired: input.mfaRequired ?? false,
        now: deps.clock.now(),
      });
    });
    await event(deps, tenant, auth, ctx, 'sub_user_created', row);
    return view(row, false);
  } catch (err) {
    if (uniqueViolation(err) === 'sub_users_name_uq') throw taken();
    throw err;
  }
}

async function ownSubUser(deps: ServiceDeps, tenant: Tenant, auth: SessionAuth, id: string) {
  requirePrimary(auth);
  const row = await subs.findSubUser(deps.db, tenant.id, auth.accountId, id);
  if (!row) throw new AppError('sub_user_not_found');
  return row;
}

/**
 * Changes a sub-user under its row lock: concurrent requests (a double click, two tabs, a
 * deletion) run one after another, each sees the state the previous one left, and only an actual
 * change is made and audited — ten disables disable once and answer the same.
 */
async function changeSubUser(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  id: string,
  change: (trx: Transaction<Database>, row: Selectable<SubUsersTable>) => Promise<Selectable<SubUsersTable>>,
): Promise<SubUserView> {
  requirePrimary(auth);
  const row = await deps.db.transaction().execute(async (trx) => {
    const current = await subs.lockSubUser(trx, tenant.id, auth.accountId, id);
    if (!current) throw new AppError('sub_user_not_found');
    return change(trx, current);
  });
  return viewOne(deps, row);
}

export async function setSubUserDisabled(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  id: string,
  disabled: boolean,
  ctx: RequestContext,
): Promise<SubUserView> {
  const now = deps.clock.now();
  const view = await changeSubUser(deps, tenant, auth, id, async (trx, row) => {
    if (disabled) await subs.deleteSubUserSessions(trx, tenant.id, id);
    if ((row.disabled_at !== null) === disabled) return row;
    await subs.setDisabled(trx, tenant.id, id, disabled ? now : null, now);
    await event(deps, tenant, auth, ctx, disabled ? 'sub_user_disabled' : 'sub_user_enabled', row, trx);
    return { ...row, disabled_at: disabled ? now : null };
  });
  if (disabled) deps.sessionCache.forgetAccount(tenant.id, auth.accountId);
  return view;
}

/** "MFA required": a sub-user without a device binds one at the next sign-in before getting in. */
export async function setSubUserMfaRequired(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  id: string,
  required: boolean,
  ctx: RequestContext,
): Promise<SubUserView> {
  const now = deps.clock.now();
  return changeSubUser(deps, tenant, auth, id, async (trx, row) => {
    if (row.mfa_required === required) return row;
    await subs.setMfaRequired(trx, tenant.id, id, required, now);
    await event(deps, tenant, auth, ctx, required ? 'sub_user_mfa_required' : 'sub_user_mfa_not_required', row, trx);
    return { ...row, mfa_required: required };
  });
}

/**
 * Seed 004: the primary account disassociates a sub-user's MFA device (lost or replaced). The
 * sub-user is told at the next sign-in and, where MFA is required, binds a new device there.
 */
export async function disassociateSubUserMfa(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  id: string,
  ctx: RequestContext,
): Promise<SubUserView> {
  const now = deps.clock.now();
  return changeSubUser(deps, tenant, auth, id, async (trx, row) => {
    // decided by the removal itself: of concurrent disassociations one removes the device
    if (!(await removeSubUserDevice(trx, tenant.id, auth.accountId, id))) throw new AppError('mfa_not_bound');
    await subs.markMfaReset(trx, tenant.id, id, now);
    await event(deps, tenant, auth, ctx, 'sub_user_mfa_disassociated', row, trx);
    return { ...row, mfa_reset_at: now };
  });
}

/**
 * The primary account sets a sub-user's password (a sub-user that forgot its own asks its owner:
 * docs/product.md#21-forgot-password), after a step-up: the sub-user's sessions end and its
 * sign-in lock and throttles are lifted.
 */
export async function setSubUserPassword(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  id: string,
  password: string,
  ctx: RequestContext,
): Promise<SubUserView> {
  // its own sub-user first (another's id is not found, whatever the grant), then the step-up
  const sub = await ownSubUser(deps, tenant, auth, id);
  requireStepUp(deps, auth);
  // the one rule that needs the name (the others were checked with the body)
  if (passwordProblems(password, tenant.config.passwordPolicy, sub.name).includes('password_equals_account_name'))
    throw new AppError('invalid_input', undefined, [{ path: 'password', code: 'password_equals_account_name' }]);
  const hash = await deps.hasher.hash(password);
  const now = deps.clock.now();
  const view = await changeSubUser(deps, tenant, auth, id, async (trx, row) => {
    await subs.setPasswordHash(trx, tenant.id, id, hash, now);
    await subs.deleteSubUserSessions(trx, tenant.id, id);
    await event(deps, tenant, auth, ctx, 'sub_user_password_set', row, trx);
    return row;
  });
  deps.sessionCache.forgetAccount(tenant.id, auth.accountId);
  const primary = await accounts.findAccount(deps.db, tenant.id, auth.accountId);
  await unlockSubjects(deps, tenant.id, [
    `s:${id}`,
    `i:sub:${auth.accountId}/${sub.name_folded}`,
    ...(primary?.account_name ? [`i:sub:${foldAccountName(primary.account_name)}/${sub.name_folded}`] : []),
  ]);
  return view;
}

export async function deleteSubUser(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  id: string,
  ctx: RequestContext,
): Promise<void> {
  const row = await ownSubUser(deps, tenant, auth, id);
  // its sessions go with it (on delete cascade); of concurrent deletions one deletes, the others find none
  if (!(await subs.deleteSubUser(deps.db, tenant.id, id))) throw new AppError('sub_user_not_found');
  deps.sessionCache.forgetAccount(tenant.id, auth.accountId);
  await event(deps, tenant, auth, ctx, 'sub_user_deleted', row);
}

/**
 * Sub-user sign-in: the primary account by name or id, then the sub-user by name, then the
 * password — one argon2 verification whichever step fails, and the same answer for all of them.
 * A disabled sub-user is told so only after the right password. Wrong passwords count toward the
 * sub-user's own limits (never the primary account's).
 */
export async function authenticateSubUser(
  deps: ServiceDeps,
  tenant: Tenant,
  input: { primary: string; subUser: string; password: string },
  ctx: RequestContext,
): Promise<{
  accountId: string;
  subUserId: string;
  subUserName: string;
  mfaRequired: boolean;
  mfaResetAt: Date | null;
}> {
  const primary = input.primary.trim();
  const account = UUID.test(primary)
    ? await accounts.findAccount(deps.db, tenant.id, primary)
    : await accounts.findAccountByFoldedName(deps.db, tenant.id, foldAccountName(primary));
  const subName = foldAccountName(input.subUser.trim());
  const sub = account ? await subs.findSubUserByName(deps.db, tenant.id, account.id, subName) : undefined;
  // limits as for any sign-in, per identifier (services/limits.ts): an unknown pair of names is limited like a known one
  const subject = `i:sub:${UUID.test(primary) ? primary.toLowerCase() : foldAccountName(primary)}/${subName}`;
  const reservation = await reserveAttempts(deps, signInLimits(tenant.id, subject, ctx.ip));
  if (!account || !sub) {
    await deps.hasher.verifyDummy(input.password);
    throw new AppError('invalid_credentials');
  }
  if (!(await deps.hasher.verify(sub.password_hash, input.password))) {
    await recordEvent(deps.db, {
      tenantId: tenant.id,
      accountId: account.id,
      type: 'sign_in_failed',
      outcome: 'failure',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      detail: { reason: 'invalid_credentials', subUser: sub.id },
      at: deps.clock.now(),
    });
    throw new AppError('invalid_credentials');
  }
  await reservation.succeeded();
  if (sub.disabled_at) throw new AppError('sub_user_disabled');
  return {
    accountId: account.id,
    subUserId: sub.id,
    subUserName: sub.name,
    mfaRequired: sub.mfa_required,
    mfaResetAt: sub.mfa_reset_at ? new Date(sub.mfa_reset_at) : null,
  };
}

// ---- a signed-in sub-user's own MFA ----------------------------------------------------

function requireSubUser(auth: SessionAuth): string {
  if (!auth.subUserId) throw new AppError('sub_user_only');
  return auth.subUserId;
}

export async function ownMfaStatus(deps: ServiceDeps, tenant: Tenant, auth: SessionAuth): Promise<SubUserMfaStatus> {
  return subUserMfaStatus(deps, tenant, auth.accountId, requireSubUser(auth));
}

/**
 * A signed-in sub-user binds a device. Sub-users have no contacts for a step-up, so the password
 * is asked again instead, capped like every secret behind a session.
 */
export async function startOwnMfaSetup(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  password: string,
  ctx: RequestContext,
): Promise<MfaSetupResponse> {
  const subUserId = requireSubUser(auth);
  const sub = await subs.findSubUser(deps.db, tenant.id, auth.accountId, subUserId);
  if (!sub) throw new AppError('not_signed_in');
  // a secret checked behind a session: capped, but its failures never lock the sign-in
  await withAttempts(deps, sessionSecretLimits(tenant.id, auth.accountId, subUserId, ctx.ip), async () => {
    if (await deps.hasher.verify(sub.password_hash, password)) return;
    await recordEvent(deps.db, {
      tenantId: tenant.id,
      accountId: auth.accountId,
      type: 'sign_in_failed',
      outcome: 'failure',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      detail: { reason: 'password_incorrect', purpose: 'mfa_setup', subUser: subUserId },
      at: deps.clock.now(),
    });
    throw new AppError('password_incorrect', undefined, [{ path: 'password', code: 'password_incorrect' }]);
  });
  return startSubUserSetup(deps, tenant, auth.accountId, subUserId, ctx.locale);
}

export async function confirmOwnMfaSetup(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  code: string,
  ctx: RequestContext,
): Promise<SubUserMfaStatus> {
  const subUserId = requireSubUser(auth);
  await withAttempts(deps, sessionSecretLimits(tenant.id, auth.accountId, subUserId, ctx.ip), () =>
    confirmSubUserSetup(deps, tenant, auth.accountId, subUserId, code, ctx),
  );
  return subUserMfaStatus(deps, tenant, auth.accountId, subUserId);
}
