/**
 * Sub-users (issue 5, seed 004): a primary account creates, lists, disables and deletes members
 * who sign in with the primary account's name (or id) + their own name + password.
 * Not yet here: sub-users' own MFA (binding, "MFA required", disassociation by the primary).
 */
import type { SubUserView } from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { foldAccountName } from '../../../shared/src/rules/account-name.ts';
import * as accounts from '../db/accounts.ts';
import { recordEvent } from '../db/audit.ts';
import { uniqueViolation } from '../db/create.ts';
import * as subs from '../db/sub-users.ts';
import type { SubUsersTable } from '../db/schema.ts';
import type { Selectable } from 'kysely';
import type { RequestContext, ServiceDeps } from './deps.ts';
import type { SessionAuth } from './sessions.ts';
import type { Tenant } from './tenants.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function view(row: Selectable<SubUsersTable>): SubUserView {
  return { id: row.id, name: row.name, disabled: row.disabled_at !== null, createdAt: new Date(row.created_at).toISOString() };
}

/** Only a primary account's own full session may manage its sub-users. */
export function requirePrimary(auth: SessionAuth): void {
  if (auth.subUserId) throw new AppError('sub_user_forbidden');
}

const event = (deps: ServiceDeps, tenant: Tenant, auth: SessionAuth, ctx: RequestContext, type: 'sub_user_created' | 'sub_user_disabled' | 'sub_user_enabled' | 'sub_user_deleted', sub: { id: string; name: string }) =>
  recordEvent(deps.db, { tenantId: tenant.id, accountId: auth.accountId, type, outcome: 'success', ip: ctx.ip, userAgent: ctx.userAgent, detail: { subUserId: sub.id, name: sub.name }, at: deps.clock.now() });

export async function listSubUsers(deps: ServiceDeps, tenant: Tenant, auth: SessionAuth): Promise<SubUserView[]> {
  requirePrimary(auth);
  return (await subs.listSubUsers(deps.db, tenant.id, auth.accountId)).map(view);
}

export async function createSubUser(deps: ServiceDeps, tenant: Tenant, auth: SessionAuth, input: { name: string; password: string }, ctx: RequestContext): Promise<SubUserView> {
  requirePrimary(auth);
  const hash = await deps.hasher.hash(input.password);
  try {
    const row = await subs.insertSubUser(deps.db, {
      tenantId: tenant.id,
      primaryAccountId: auth.accountId,
      name: input.name,
      folded: foldAccountName(input.name),
      passwordHash: hash,
      mfaRequired: false,
      now: deps.clock.now(),
    });
    await event(deps, tenant, auth, ctx, 'sub_user_created', row);
    return view(row);
  } catch (err) {
    if (uniqueViolation(err) === 'sub_users_name_uq') throw new AppError('sub_user_name_taken', undefined, [{ path: 'name', code: 'sub_user_name_taken' }]);
    throw err;
  }
}

async function ownSubUser(deps: ServiceDeps, tenant: Tenant, auth: SessionAuth, id: string) {
  requirePrimary(auth);
  const row = await subs.findSubUser(deps.db, tenant.id, auth.accountId, id);
  if (!row) throw new AppError('sub_user_not_found');
  return row;
}

export async function setSubUserDisabled(deps: ServiceDeps, tenant: Tenant, auth: SessionAuth, id: string, disabled: boolean, ctx: RequestContext): Promise<SubUserView> {
  const row = await ownSubUser(deps, tenant, auth, id);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await subs.setDisabled(trx, tenant.id, id, disabled ? now : null, now);
    if (disabled) await subs.deleteSubUserSessions(trx, tenant.id, id);
  });
  if (disabled) deps.sessionCache.forgetAccount(tenant.id, auth.accountId);
  await event(deps, tenant, auth, ctx, disabled ? 'sub_user_disabled' : 'sub_user_enabled', row);
  return view({ ...row, disabled_at: disabled ? now : null });
}

export async function deleteSubUser(deps: ServiceDeps, tenant: Tenant, auth: SessionAuth, id: string, ctx: RequestContext): Promise<void> {
  const row = await ownSubUser(deps, tenant, auth, id);
  await subs.deleteSubUser(deps.db, tenant.id, id); // its sessions go with it (on delete cascade)
  deps.sessionCache.forgetAccount(tenant.id, auth.accountId);
  await event(deps, tenant, auth, ctx, 'sub_user_deleted', row);
}

/**
 * Sub-user sign-in: the primary account by name or id, then the sub-user by name, then the
 * password — one argon2 verification whichever step fails, and the same answer for all of them.
 * A disabled sub-user is told so only after the right password.
 */
export async function authenticateSubUser(deps: ServiceDeps, tenant: Tenant, input: { primary: string; subUser: string; password: string }): Promise<{ accountId: string; subUserId: string }> {
  const primary = input.primary.trim();
  const account = UUID.test(primary)
    ? await accounts.findAccount(deps.db, tenant.id, primary)
    : await accounts.findAccountByFoldedName(deps.db, tenant.id, foldAccountName(primary));
  const sub = account ? await subs.findSubUserByName(deps.db, tenant.id, account.id, foldAccountName(input.subUser.trim())) : undefined;
  if (!account || !sub) {
    await deps.hasher.verifyDummy(input.password);
    throw new AppError('invalid_credentials');
  }
  if (!(await deps.hasher.verify(sub.password_hash, input.password))) throw new AppError('invalid_credentials');
  if (sub.disabled_at) throw new AppError('sub_user_disabled');
  return { accountId: account.id, subUserId: sub.id };
}
