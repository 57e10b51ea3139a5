/**
 * The account center (docs/product.md#8-security-and-contact-phones-and-emails,
 * #9-step-up-verification, #10-changing-identity-verification-methods): the overview, step-up,
 * binding and changing phones/emails, the password.
 */
import type { Transaction } from 'kysely';
import type {
  AuditEventType,
  ChangePasswordResponse,
  ContactView,
  SecurityOverview,
  StepUpMethod,
  StepUpResponse,
} from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import type { CodeChannel } from '../../../shared/src/rules/code.ts';
import { CODE_RESEND_SECONDS } from '../../../shared/src/rules/code.ts';
import { maskEmail } from '../../../shared/src/rules/email.ts';
import { passwordProblems } from '../../../shared/src/rules/password.ts';
import { maskPhone } from '../../../shared/src/rules/phone-regions.ts';
import * as accounts from '../db/accounts.ts';
import { recentEvents, recordEvent } from '../db/audit.ts';
import * as codes from '../db/codes.ts';
import * as ev from '../db/email-verifications.ts';
import type { ContactKind, ContactRole, ContactRow, Database } from '../db/schema.ts';
import * as sessions from '../db/sessions.ts';
import { removeContact, replaceContact } from './contacts.ts';
import { notifyContact } from './notices.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import { sendEmailVerification } from './email-verification.ts';
import type { SessionAuth } from './sessions.ts';
import { requireStepUp, STEP_UP_SECONDS, stepUpActive } from './step-up.ts';
import type { Tenant } from './tenants.ts';
import { hasMfa, mfaStatus, verifyAccountTotp } from './mfa.ts';
import { checkCode, issueCode, type IssuedCode } from './verification.ts';
import { sessionSecretLimits, withAttempts } from './limits.ts';

type Trx = Transaction<Database>;
type Ctx = RequestContext & { baseUrl: string };

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

function view(row: ContactRow): ContactView {
  const verified = row.verified_at !== null;
  return {
    kind: row.kind,
    value: row.kind === 'phone' ? maskPhone(row.value) : maskEmail(row.value),
    verified,
    canVerifyIdentity: verified && row.role === 'security',
    // the flag was decided at binding; an email serves sign-in only once it is verified too
    canSignIn: row.can_sign_in && verified,
    boundAt: iso(row.created_at),
  };
}

const find = (rows: ContactRow[], kind: ContactKind, role: ContactRole) =>
  rows.find((r) => r.kind === kind && r.role === role);

/**
 * Identity is verified through a verified security contact or the bound MFA device
 * (docs/product.md#9-step-up-verification).
 */
function methodsFrom(rows: ContactRow[], mfaBound: boolean): StepUpMethod[] {
  const methods: StepUpMethod[] = [];
  if (find(rows, 'phone', 'security')?.verified_at) methods.push('phone');
  if (find(rows, 'email', 'security')?.verified_at) methods.push('email');
  if (mfaBound) methods.push('totp');
  return methods;
}

function audit(
  conn: Trx | ServiceDeps['db'],
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  ctx: RequestContext,
  type: AuditEventType,
  outcome: 'success' | 'failure',
  detail?: Record<string, string | number>,
) {
  return recordEvent(conn, {
    tenantId: tenant.id,
    accountId: auth.accountId,
    type,
    outcome,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    ...(detail ? { detail } : {}),
    at: deps.clock.now(),
  });
}

export async function securityOverview(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
): Promise<SecurityOverview> {
  const [account, rows, events, mfa] = await Promise.all([
    accounts.findAccount(deps.db, tenant.id, auth.accountId),
    accounts.listContacts(deps.db, tenant.id, auth.accountId),
    recentEvents(deps.db, tenant.id, auth.accountId),
    mfaStatus(deps, tenant.id, auth.accountId),
  ]);
  if (!account) throw new AppError('not_signed_in');
  const pick = (kind: ContactKind, role: ContactRole) => {
    const row = find(rows, kind, role);
    return row ? view(row) : null;
  };
  const active = stepUpActive(deps, auth);
  const rebind = rebindGrant(deps, account);
  return {
    account: { id: account.id, accountName: account.account_name, createdAt: iso(account.created_at) },
    securityPhone: pick('phone', 'security'),
    securityEmail: pick('email', 'security'),
    contactPhone: pick('phone', 'contact'),
    contactEmail: pick('email', 'contact'),
    mfa,
    stepUp: { active, expiresAt: active ? auth.stepUpUntil!.toISOString() : null },
    stepUpMethods: methodsFrom(rows, mfa.bound),
    supportChannels: tenant.config.supportChannels,
    securityPhoneRebindUntil: rebind ? iso(rebind) : null,
    events,
  };
}

/** The end of an approved lost-security-phone application's grant, while it runs (docs/product.md#23-lost-security-phone). */
function rebindGrant(
  deps: ServiceDeps,
  account: { security_phone_rebind_until: Date | string | null },
): Date | undefined {
  const until = account.security_phone_rebind_until ? new Date(account.security_phone_rebind_until) : undefined;
  return until && until.getTime() > deps.clock.now().getTime() ? until : undefined;
}

/** The primary account's running grant to bind a new security phone without a step-up. */
async function securityPhoneRebind(deps: ServiceDeps, tenant: Tenant, auth: SessionAuth): Promise<Date | undefined> {
  if (auth.subUserId) return undefined;
  const account = await accounts.findAccount(deps.db, tenant.id, auth.accountId);
  return account ? rebindGrant(deps, account) : undefined;
}

/** The verified security contact a code-based step-up method uses, or step_up_method_unavailable. */
async function stepUpTarget(deps: ServiceDeps, tenant: Tenant, auth: SessionAuth, method: 'phone' | 'email') {
  const rows = await accounts.listContacts(deps.db, tenant.id, auth.accountId);
  if (!methodsFrom(rows, false).includes(method)) throw new AppError('step_up_method_unavailable', { method });
  const row = find(rows, method, 'security')!;
  return { kind: method, value: row.value, accountId: auth.accountId } as const;
}

async function grantStepUp(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  ctx: RequestContext,
  method: StepUpMethod,
  codeId?: string,
): Promise<StepUpResponse> {
  const now = deps.clock.now();
  const until = new Date(now.getTime() + STEP_UP_SECONDS * 1000);
  await deps.db.transaction().execute(async (trx) => {
    if (codeId && !(await codes.consumeCode(trx, tenant.id, codeId, now)))
      throw new AppError('code_expired', undefined, [{ path: 'code', code: 'code_expired' }]);
    // the grant is bound to this session only
    await sessions.setStepUp(trx, tenant.id, auth.idHash, until);
    await audit(trx, deps, tenant, auth, ctx, 'step_up_passed', 'success', { method });
  });
  return { stepUp: { active: true, expiresAt: until.toISOString() } };
}

export async function startStepUp(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  input: { method: StepUpMethod; channel: CodeChannel },
  ctx: RequestContext,
): Promise<IssuedCode & { method: StepUpMethod }> {
  if (input.method === 'totp') {
    // nothing to send: the code is on the user's device
    if (!(await hasMfa(deps, tenant.id, auth.accountId)))
      throw new AppError('step_up_method_unavailable', { method: 'totp' });
    return { method: 'totp', deliveryId: null, channel: 'sms', sentTo: '', expiresIn: 30, resendAfter: 0 };
  }
  const target = await stepUpTarget(deps, tenant, auth, input.method);
  const issued = await issueCode(
    deps,
    tenant,
    { target, purpose: 'verify_identity', channel: input.channel, signedIn: true },
    ctx,
  );
  await audit(deps.db, deps, tenant, auth, ctx, 'code_sent', 'success', {
    purpose: 'verify_identity',
    method: input.method,
  });
  return { ...issued, method: input.method };
}

export async function verifyStepUp(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  input: { method: StepUpMethod; code: string },
  ctx: RequestContext,
): Promise<StepUpResponse> {
  if (input.method === 'totp') {
    if (!(await hasMfa(deps, tenant.id, auth.accountId)))
      throw new AppError('step_up_method_unavailable', { method: 'totp' });
    try {
      // capped like every secret behind a session; its failures never lock the sign-in
      await withAttempts(deps, sessionSecretLimits(tenant.id, auth.accountId, auth.subUserId, ctx.ip), () =>
        verifyAccountTotp(deps, tenant, auth.accountId, input.code, ctx, 'step_up'),
      );
    } catch (err) {
      await audit(deps.db, deps, tenant, auth, ctx, 'step_up_failed', 'failure', {
        method: 'totp',
        reason: err instanceof AppError ? err.code : 'error',
      });
      throw err;
    }
    return grantStepUp(deps, tenant, auth, ctx, 'totp');
  }
  const target = await stepUpTarget(deps, tenant, auth, input.method);
  let codeId: string;
  try {
    codeId = await checkCode(deps, tenant, { target, purpose: 'verify_identity', code: input.code });
  } catch (err) {
    await audit(deps.db, deps, tenant, auth, ctx, 'step_up_failed', 'failure', {
      method: input.method,
      reason: err instanceof AppError ? err.code : 'error',
    });
    throw err;
  }
  return grantStepUp(deps, tenant, auth, ctx, input.method, codeId);
}

/**
 * docs/product.md#10-changing-identity-verification-methods: adding or changing ANY
 * identity-verification method (security phone, security email, MFA device) needs a fresh step-up
 * of this session by a method the account already has, whenever it has one (a primary account
 * always has its security phone). Otherwise a method added without step-up (a first security
 * email, verified from the adder's own inbox) would itself pass the next step-up. Checked when the change starts AND when it commits: a code
 * issued under a grant is not confirmed once the grant has ended. A contact phone/email only
 * receives notices and proves nothing, so it needs only the code to the new value.
 */
async function requireStepUpForMethod(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  rows: ContactRow[],
  role: ContactRole,
  kind: ContactKind,
): Promise<void> {
  if (role !== 'security') return;
  // docs/product.md#23-lost-security-phone: an approved application stands in for the step-up, for the security phone only
  if (kind === 'phone' && (await securityPhoneRebind(deps, tenant, auth))) return;
  const existing = methodsFrom(rows, false).length > 0 || (await hasMfa(deps, tenant.id, auth.accountId));
  if (existing) requireStepUp(deps, auth);
}

/**
 * docs/product.md#10-changing-identity-verification-methods: every existing verified method hears
 * of an added or changed one
 * (`rows` are the contacts as they were before the change: the old phone/email is told too).
 */
async function notifyExistingMethods(
  trx: Trx,
  tenant: Tenant,
  rows: ContactRow[],
  what: string,
  ctx: RequestContext,
  now: Date,
): Promise<void> {
  for (const row of rows) {
    if (row.role === 'security' && row.verified_at)
      await notifyContact(trx, tenant, row, { purpose: 'security_notice', kind: what }, ctx.locale, now);
  }
}

export async function startContactChange(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  input: { kind: ContactKind; role: ContactRole; value: string; channel: CodeChannel },
  ctx: RequestContext,
): Promise<IssuedCode> {
  const rows = await accounts.listContacts(deps.db, tenant.id, auth.accountId);
  await requireStepUpForMethod(deps, tenant, auth, rows, input.role, input.kind);
  if (find(rows, input.kind, input.role)?.value === input.value)
    throw new AppError('contact_unchanged', undefined, [{ path: input.kind, code: 'contact_unchanged' }]);
  const issued = await issueCode(
    deps,
    tenant,
    {
      target: { kind: input.kind, value: input.value, accountId: auth.accountId },
      purpose: 'contact_change',
      channel: input.channel,
      signedIn: true,
    },
    ctx,
  );
  await audit(deps.db, deps, tenant, auth, ctx, 'code_sent', 'success', {
    purpose: 'contact_change',
    kind: input.kind,
    role: input.role,
  });
  return issued;
}

export async function confirmContactChange(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  input: { kind: ContactKind; role: ContactRole; value: string; code: string },
  ctx: RequestContext,
): Promise<SecurityOverview> {
  const before = await accounts.listContacts(deps.db, tenant.id, auth.accountId);
  // the grant again at commit: the code may have been issued under a grant that has since ended
  await requireStepUpForMethod(deps, tenant, auth, before, input.role, input.kind);
  // bound by an approved application's grant rather than a step-up: the grant is used up with it
  const byGrant =
    input.role === 'security' && input.kind === 'phone' && !stepUpActive(deps, auth)
      ? await securityPhoneRebind(deps, tenant, auth)
      : undefined;
  const codeId = await checkCode(deps, tenant, {
    target: { kind: input.kind, value: input.value, accountId: auth.accountId },
    purpose: 'contact_change',
    code: input.code,
  });
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await accounts.lockAccount(trx, tenant.id, auth.accountId); // one change of this account at a time
    if (!(await codes.consumeCode(trx, tenant.id, codeId, now)))
      throw new AppError('code_expired', undefined, [{ path: 'code', code: 'code_expired' }]);
    const rows = await accounts.listContacts(trx, tenant.id, auth.accountId);
    const old = find(rows, input.kind, input.role);
    if (old?.value === input.value) throw new AppError('contact_unchanged');
    await replaceContact(trx, {
      tenantId: tenant.id,
      accountId: auth.accountId,
      kind: input.kind,
      role: input.role,
      value: input.value,
      verifiedAt: now,
      now,
    });
    // the old contact and every other existing method are told
    // (docs/product.md#10-changing-identity-verification-methods)
    if (input.role === 'security')
      await notifyExistingMethods(trx, tenant, rows, `${input.role}_${input.kind}`, ctx, now);
    await audit(trx, deps, tenant, auth, ctx, old ? 'contact_changed' : 'contact_added', 'success', {
      kind: input.kind,
      role: input.role,
    });
    if (byGrant) {
      await trx
        .updateTable('accounts')
        .set({ security_phone_rebind_until: null })
        .where('tenant_id', '=', tenant.id)
        .where('id', '=', auth.accountId)
        .execute();
      await audit(trx, deps, tenant, auth, ctx, 'security_phone_rebound', 'success');
    }
  });
  deps.onEnqueued();
  return securityOverview(deps, tenant, auth);
}

/** "Same as security": the contact phone/email follows the security one again. */
export async function resetContact(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  kind: ContactKind,
  ctx: RequestContext,
): Promise<SecurityOverview> {
  await deps.db.transaction().execute(async (trx) => {
    await accounts.lockAccount(trx, tenant.id, auth.accountId);
    if (await removeContact(trx, { tenantId: tenant.id, accountId: auth.accountId, kind, role: 'contact' })) {
      await audit(trx, deps, tenant, auth, ctx, 'contact_reset', 'success', { kind, role: 'contact' });
    }
  });
  return securityOverview(deps, tenant, auth);
}

/** Adds or replaces the security email by a 2-hour link; step-up first (requireStepUpForMethod). */
export async function setSecurityEmail(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  email: string,
  ctx: Ctx,
): Promise<{ deliveryId: string; sentTo: string }> {
  const now = deps.clock.now();
  // a first security email too: verified from its own inbox, it would pass the next step-up
  await requireStepUpForMethod(
    deps,
    tenant,
    auth,
    await accounts.listContacts(deps.db, tenant.id, auth.accountId),
    'security',
    'email',
  );
  const deliveryId = await deps.db.transaction().execute(async (trx) => {
    await accounts.lockAccount(trx, tenant.id, auth.accountId);
    const rows = await accounts.listContacts(trx, tenant.id, auth.accountId);
    const old = find(rows, 'email', 'security');
    if (old?.value === email)
      throw new AppError('contact_unchanged', undefined, [{ path: 'email', code: 'contact_unchanged' }]);
    await replaceContact(trx, {
      tenantId: tenant.id,
      accountId: auth.accountId,
      kind: 'email',
      role: 'security',
      value: email,
      verifiedAt: null,
      now,
    });
    await notifyExistingMethods(trx, tenant, rows, 'security_email', ctx, now);
    await audit(trx, deps, tenant, auth, ctx, old ? 'contact_changed' : 'contact_added', 'success', {
      kind: 'email',
      role: 'security',
    });
    return sendEmailVerification(trx, deps, tenant, {
      accountId: auth.accountId,
      email,
      baseUrl: ctx.baseUrl,
      locale: ctx.locale,
    });
  });
  deps.onEnqueued();
  return { deliveryId, sentTo: maskEmail(email) };
}

/** "Verify": sends the link again to the unverified security email (60 s apart). */
export async function resendEmailVerification(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  ctx: Ctx,
): Promise<{ deliveryId: string; sentTo: string }> {
  const now = deps.clock.now();
  const result = await deps.db.transaction().execute(async (trx) => {
    await accounts.lockAccount(trx, tenant.id, auth.accountId);
    const row = find(await accounts.listContacts(trx, tenant.id, auth.accountId), 'email', 'security');
    if (!row) throw new AppError('no_email_to_verify');
    if (row.verified_at) throw new AppError('email_already_verified');
    const last = await ev.latestEmailVerification(trx, tenant.id, auth.accountId);
    const waitMs = last ? new Date(last.created_at).getTime() + CODE_RESEND_SECONDS * 1000 - now.getTime() : 0;
    if (waitMs > 0) throw new AppError('code_cooldown', { seconds: Math.ceil(waitMs / 1000) });
    const deliveryId = await sendEmailVerification(trx, deps, tenant, {
      accountId: auth.accountId,
      email: row.value,
      baseUrl: ctx.baseUrl,
      locale: ctx.locale,
    });
    return { deliveryId, sentTo: maskEmail(row.value) };
  });
  deps.onEnqueued();
  return result;
}

/** Current password + step-up; the new one against the tenant policy; every other session ends. */
export async function changePassword(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  input: { currentPassword: string; newPassword: string },
  ctx: RequestContext,
): Promise<ChangePasswordResponse> {
  requireStepUp(deps, auth);
  const account = await accounts.findAccount(deps.db, tenant.id, auth.accountId);
  if (!account) throw new AppError('not_signed_in');
  // the new password's rules first: a refusal of it must not spend one of the capped attempts
  const problems = passwordProblems(input.newPassword, tenant.config.passwordPolicy, account.account_name ?? undefined);
  if (problems.length)
    throw new AppError(
      'invalid_input',
      undefined,
      problems.map((code) => ({ path: 'newPassword', code })),
    );
  await withAttempts(deps, sessionSecretLimits(tenant.id, auth.accountId, auth.subUserId, ctx.ip), async () => {
    if (await deps.hasher.verify(account.password_hash, input.currentPassword)) return;
    await audit(deps.db, deps, tenant, auth, ctx, 'password_changed', 'failure', { reason: 'password_incorrect' });
    throw new AppError('password_incorrect', undefined, [{ path: 'currentPassword', code: 'password_incorrect' }]);
  });
  const hash = await deps.hasher.hash(input.newPassword);
  const now = deps.clock.now();
  const signedOut = await deps.db.transaction().execute(async (trx) => {
    // the current password was checked before the lock (argon2 is slow): if another change won
    // meanwhile, the password given is no longer the current one, and this change loses
    const locked = await accounts.lockAccount(trx, tenant.id, auth.accountId);
    if (locked.password_hash !== account.password_hash)
      throw new AppError('password_incorrect', undefined, [{ path: 'currentPassword', code: 'password_incorrect' }]);
    await accounts.updatePasswordHash(trx, tenant.id, auth.accountId, hash, now);
    const n = await sessions.deleteOtherSessions(trx, tenant.id, auth.accountId, auth.idHash);
    deps.sessionCache.forgetAccount(tenant.id, auth.accountId);
    const phone = find(await accounts.listContacts(trx, tenant.id, auth.accountId), 'phone', 'security');
    if (phone)
      await notifyContact(trx, tenant, phone, { purpose: 'security_notice', kind: 'password' }, ctx.locale, now);
    await audit(trx, deps, tenant, auth, ctx, 'password_changed', 'success', { signedOutSessions: n });
    return n;
  });
  deps.onEnqueued();
  return { signedOutSessions: signedOut };
}
