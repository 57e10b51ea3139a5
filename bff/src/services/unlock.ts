/**
 * Unlocking an account locked by failed sign-ins (docs/product.md#17-attempt-limits-and-lockout: the
 * owner lifts a lock by proving the security phone or email; docs/security.md#attempt-limits). The
 * answers never tell whether the identifier names an account, or a locked one: sending always
 * answers the same, and any refused code is `code_invalid`.
 */
import type { UnlockCodeRequest, UnlockCodeResponse, UnlockRequest, UnlockResponse } from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { foldAccountName } from '../../../shared/src/rules/account-name.ts';
import * as accounts from '../db/accounts.ts';
import { recordEvent } from '../db/audit.ts';
import * as codes from '../db/codes.ts';
import { listSubUsers } from '../db/sub-users.ts';
import type { TicketOutcome } from './abuse.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import { clientKey, reserveAttempts, unlockSubjects } from './limits.ts';
import { classifyIdentifier, identifierSubject } from './sign-in.ts';
import type { Tenant } from './tenants.ts';
import { answerThenIssue, checkCode, issueCode } from './verification.ts';

type Identifier = ReturnType<typeof classifyIdentifier>;

const identifierKey = (tenantId: string, id: Identifier) => `unlock:${tenantId}:${identifierSubject(id)}`;

/** The sign-in candidate an identifier names (its name, or a phone/email whose binding can sign in). */
export async function accountOfIdentifier(deps: ServiceDeps, tenant: Tenant, id: Identifier) {
  const rows = await accounts.signInCandidates(
    deps.db,
    tenant.id,
    id.kind === 'name' ? { folded: id.folded } : { kind: id.kind, value: id.value },
  );
  return rows.find((r) => r.can_sign_in && (id.kind !== 'email' || r.bound_verified_at !== null));
}

const accountFor = async (deps: ServiceDeps, tenant: Tenant, id: Identifier) =>
  (await accountOfIdentifier(deps, tenant, id))?.account_id;

/** The account's verified security phone (SMS, voice) or email for a code of `channel`. */
export async function securityContactFor(
  deps: ServiceDeps,
  tenantId: string,
  accountId: string,
  channel: 'sms' | 'voice' | 'email',
) {
  const kind = channel === 'email' ? 'email' : 'phone';
  return (await accounts.listContacts(deps.db, tenantId, accountId)).find(
    (r) => r.kind === kind && r.role === 'security' && r.verified_at !== null,
  );
}

/** POST /v1/sessions/unlock/code: a code to the account's verified security phone (SMS, voice) or email. */
export function sendUnlockCode(
  deps: ServiceDeps,
  tenant: Tenant,
  input: UnlockCodeRequest,
  ctx: RequestContext,
): Promise<UnlockCodeResponse> {
  const id = classifyIdentifier(input.identifier, tenant);
  const key = identifierKey(tenant.id, id);
  // per identifier whether it exists or not, so the limits answer alike for both
  return answerThenIssue(
    deps,
    tenant,
    [
      { rule: 'unlockPerClient', key: `unlock-${clientKey(ctx.ip)}` },
      { rule: 'unlockPerIdentifierMinute', key: `${key}:minute` },
      { rule: 'unlockPerIdentifierDay', key: `${key}:day` },
    ],
    'unlock',
    { ip: ctx.ip, captcha: input.captcha },
    (ticket) => issueUnlockCode(deps, tenant, id, input.channel, ctx, ticket),
  );
}

async function issueUnlockCode(
  deps: ServiceDeps,
  tenant: Tenant,
  id: Identifier,
  channel: UnlockCodeRequest['channel'],
  ctx: RequestContext,
  ticket: TicketOutcome,
): Promise<void> {
  const accountId = await accountFor(deps, tenant, id);
  const contact = accountId ? await securityContactFor(deps, tenant.id, accountId, channel) : undefined;
  if (!accountId || !contact) return;
  try {
    await issueCode(
      deps,
      tenant,
      {
        target: { kind: contact.kind, value: contact.value, accountId },
        purpose: 'unlock',
        channel: channel === 'voice' ? 'voice' : 'sms',
        ticket,
      },
      ctx,
    );
  } catch (err) {
    // the real target's own cooldown or daily cap: nothing more to do, and nothing to tell
    if (!(err instanceof AppError)) throw err;
  }
}

/** POST /v1/sessions/unlock: the code lifts the lock and forgets the failures of the account and its sub-users. */
export async function unlockWithCode(
  deps: ServiceDeps,
  tenant: Tenant,
  input: UnlockRequest,
  ctx: RequestContext,
): Promise<UnlockResponse> {
  const invalid = () => new AppError('code_invalid', undefined, [{ path: 'code', code: 'code_invalid' }]);
  const reservation = await reserveAttempts(deps, [{ rule: 'perClient', key: clientKey(ctx.ip) }]);
  const id = classifyIdentifier(input.identifier, tenant);
  const accountId = await accountFor(deps, tenant, id);
  const sent = accountId ? await codes.latestAccountCodeTarget(deps.db, tenant.id, accountId, 'unlock') : undefined;
  if (!accountId || !sent) throw invalid();
  const target = { kind: sent.channel === 'email' ? 'email' : 'phone', value: sent.target, accountId } as const;
  let codeId: string;
  try {
    codeId = await checkCode(deps, tenant, { target, purpose: 'unlock', code: input.code });
  } catch (err) {
    if (err instanceof AppError) throw invalid(); // expired, used, too many tries: all read alike
    throw err;
  }
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    if (!(await codes.consumeCode(trx, tenant.id, codeId, now))) throw invalid();
    await recordEvent(trx, {
      tenantId: tenant.id,
      accountId,
      type: 'account_unlocked',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      detail: { method: target.kind },
      at: now,
    });
  });
  await liftAccountLocks(deps, tenant, accountId);
  await reservation.succeeded();
  return { unlocked: true };
}

/**
 * The owner proved a security contact (unlock, password reset): the failures of every identifier
 * the account signs in with, of its MFA step, and of its sub-users' sign-ins and MFA steps are forgotten.
 */
export async function liftAccountLocks(deps: ServiceDeps, tenant: Tenant, accountId: string): Promise<void> {
  const [account, contacts, subUsers] = await Promise.all([
    accounts.findAccount(deps.db, tenant.id, accountId),
    accounts.listContacts(deps.db, tenant.id, accountId),
    listSubUsers(deps.db, tenant.id, accountId),
  ]);
  const subjects = [
    `a:${accountId}`,
    ...(account?.account_name
      ? [identifierSubject({ kind: 'name', folded: foldAccountName(account.account_name) })]
      : []),
    ...contacts.filter((r) => r.role === 'security').map((r) => identifierSubject({ kind: r.kind, value: r.value })),
    ...subUsers.map((s) => `s:${s.id}`),
  ];
  const subUserPrefixes = [
    `i:sub:${accountId}/`,
    ...(account?.account_name ? [`i:sub:${foldAccountName(account.account_name)}/`] : []),
  ];
  await unlockSubjects(deps, tenant.id, subjects, subUserPrefixes);
}
