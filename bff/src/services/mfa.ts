/**
 * Virtual MFA (docs/product.md#11-virtual-mfa, #12-recovery-codes): TOTP per RFC 6238 (SHA-1, 30 s,
 * 6 digits) through otplib; ±1 step accepted; a step already accepted is a replay; a code that
 * only matches a ±10 minute window is a clock-drift error telling the user to set the phone's
 * time automatically; 10 single-use recovery codes, stored hashed.
 */
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { Transaction } from 'kysely';
import type {
  MfaSetupResponse,
  RecoveryCodesResponse,
  SecurityOverview,
  SubUserMfaStatus,
} from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { deriveKey, randomBytes, seal, unseal } from '../crypto.ts';
import * as accounts from '../db/accounts.ts';
import { recordEvent } from '../db/audit.ts';
import * as mfa from '../db/mfa.ts';
import type { Database } from '../db/schema.ts';
import { findSubUser, findSubUserById } from '../db/sub-users.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import { notifySecurityContacts } from './notices.ts';
import { sessionSecretLimits, withAttempts } from './limits.ts';
import type { SessionAuth } from './sessions.ts';
import { requireStepUp } from './step-up.ts';
import type { Tenant } from './tenants.ts';

const STEP_SECONDS = 30;
const DRIFT_WINDOW_SECONDS = 600;
const SETUP_SECONDS = 600;
/** A setup started this recently is answered again rather than replaced (concurrent starts). */
const SETUP_REUSE_SECONDS = 60;
const RECOVERY_CODES = 10;

/** The key sealing TOTP secrets at rest (one SHA-256: cheaper to derive than to cache). */
const sealingKey = (deps: Pick<ServiceDeps, 'config'>) => deriveKey(deps.config.secret, 'mfa-secret');

const primaryOwner = (tenantId: string, accountId: string): mfa.MfaOwner => ({ tenantId, accountId, subUserId: null });

export async function mfaStatus(
  deps: ServiceDeps,
  tenantId: string,
  accountId: string,
): Promise<SecurityOverview['mfa']> {
  const device = await mfa.findDevice(deps.db, primaryOwner(tenantId, accountId));
  if (!device?.confirmed_at) return { bound: false, boundAt: null, recoveryCodesLeft: 0 };
  return {
    bound: true,
    boundAt: new Date(device.confirmed_at).toISOString(),
    recoveryCodesLeft: await mfa.recoveryCodesLeft(deps.db, tenantId, accountId),
  };
}

export async function hasDevice(deps: ServiceDeps, owner: mfa.MfaOwner): Promise<boolean> {
  return Boolean((await mfa.findDevice(deps.db, owner))?.confirmed_at);
}

export const hasMfa = (deps: ServiceDeps, tenantId: string, accountId: string) =>
  hasDevice(deps, primaryOwner(tenantId, accountId));

type TotpCheck =
  | { ok: true; step: number }
  | { ok: false; code: 'mfa_code_invalid' | 'mfa_code_reused' | 'mfa_clock_drift'; driftSeconds?: number };

/** The TOTP rule, on a decrypted secret: accepted, replayed, drifting or wrong. */
export async function checkTotp(secret: string, token: string, now: Date, lastStep: number | null): Promise<TotpCheck> {
  if (!/^\d{6}$/.test(token)) return { ok: false, code: 'mfa_code_invalid' }; // otplib throws on other lengths
  const epoch = Math.floor(now.getTime() / 1000);
  const near = await verify({ secret, token, epoch, epochTolerance: STEP_SECONDS });
  if (near.valid && 'timeStep' in near) {
    if (lastStep !== null && near.timeStep <= lastStep) return { ok: false, code: 'mfa_code_reused' };
    return { ok: true, step: near.timeStep };
  }
  const wide = await verify({ secret, token, epoch, epochTolerance: DRIFT_WINDOW_SECONDS });
  if (wide.valid && 'delta' in wide)
    return { ok: false, code: 'mfa_clock_drift', driftSeconds: wide.delta * STEP_SECONDS };
  return { ok: false, code: 'mfa_code_invalid' };
}

/** The AppError for a refused code; the drift, when measured, is a parameter of the message. */
type Refused = Extract<TotpCheck, { ok: false }>;
function totpError(result: Refused): AppError {
  const params = result.driftSeconds !== undefined ? { seconds: Math.abs(result.driftSeconds) } : undefined;
  return new AppError(result.code, params, [{ path: 'code', code: result.code, ...(params ? { params } : {}) }]);
}

const withSubUser = (owner: mfa.MfaOwner, detail: Record<string, string | number>) =>
  owner.subUserId ? { ...detail, subUser: owner.subUserId } : detail;

/**
 * Verifies a TOTP code of the owner's bound device and records its step (replay guard).
 * Throws the matching AppError; the drift, when measured, goes to the audit log.
 */
export async function verifyTotp(
  deps: ServiceDeps,
  tenant: Tenant,
  owner: mfa.MfaOwner,
  token: string,
  ctx: RequestContext,
  purpose: string,
): Promise<void> {
  const device = await mfa.findDevice(deps.db, owner);
  if (!device?.confirmed_at) throw new AppError('mfa_not_bound');
  const secret = unseal(sealingKey(deps), device.secret_enc);
  const lastStep = device.last_step === null ? null : Number(device.last_step);
  const result = await checkTotp(secret, token, deps.clock.now(), lastStep);
  const accepted = result.ok && (await mfa.acceptStep(deps.db, owner, result.step));
  const at = deps.clock.now();
  const base = { tenantId: tenant.id, accountId: owner.accountId, ip: ctx.ip, userAgent: ctx.userAgent, at };
  if (!accepted) {
    const refused: Refused = result.ok ? { ok: false, code: 'mfa_code_reused' } : result;
    const detail: Record<string, string | number> = { purpose, reason: refused.code };
    if (refused.driftSeconds !== undefined) detail.driftSeconds = refused.driftSeconds;
    await recordEvent(deps.db, { ...base, type: 'mfa_failed', outcome: 'failure', detail: withSubUser(owner, detail) });
    throw totpError(refused);
  }
  await recordEvent(deps.db, {
    ...base,
    type: 'mfa_passed',
    outcome: 'success',
    detail: withSubUser(owner, { purpose }),
  });
}

export const verifyAccountTotp = (
  deps: ServiceDeps,
  tenant: Tenant,
  accountId: string,
  token: string,
  ctx: RequestContext,
  purpose: string,
) => verifyTotp(deps, tenant, primaryOwner(tenant.id, accountId), token, ctx, purpose);

function normalizeRecoveryCode(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9]/g, '');
}
const recoveryHash = (deps: ServiceDeps, tenantId: string, accountId: string, code: string) =>
  deps.hmac(`recovery\u0000${tenantId}\u0000${accountId}\u0000${normalizeRecoveryCode(code)}`);

function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i
  return Array.from({ length: RECOVERY_CODES }, () => {
    const bytes = randomBytes(10);
    const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

export async function useRecoveryCode(
  deps: ServiceDeps,
  tenant: Tenant,
  accountId: string,
  code: string,
  ctx: RequestContext,
): Promise<void> {
  const ok =
    normalizeRecoveryCode(code).length === 10 &&
    (await mfa.useRecoveryCode(
      deps.db,
      tenant.id,
      accountId,
      recoveryHash(deps, tenant.id, accountId, code),
      deps.clock.now(),
    ));
  const base = { tenantId: tenant.id, accountId, ip: ctx.ip, userAgent: ctx.userAgent, at: deps.clock.now() };
  if (!ok) {
    await recordEvent(deps.db, {
      ...base,
      type: 'mfa_failed',
      outcome: 'failure',
      detail: { reason: 'recovery_code_invalid' },
    });
    throw new AppError('recovery_code_invalid', undefined, [{ path: 'recoveryCode', code: 'recovery_code_invalid' }]);
  }
  await recordEvent(deps.db, { ...base, type: 'recovery_code_used', outcome: 'success' });
}

/** A new pending device for the owner: its secret as a QR code and as text, valid for ten minutes. */
async function beginSetup(
  deps: ServiceDeps,
  tenant: Tenant,
  owner: mfa.MfaOwner,
  label: string,
  locale: 'zh-CN' | 'en',
): Promise<MfaSetupResponse> {
  const now = deps.clock.now();
  // One locked transaction: concurrent starts (a double click, a retried request) see each other's
  // pending device instead of racing to insert one each (a duplicate-key 500); one started within
  // the last minute is the same setup, so they all answer the same secret.
  const { secret, expiresAt } = await deps.db.transaction().execute(async (trx) => {
    await accounts.lockAccount(trx, tenant.id, owner.accountId);
    const device = await mfa.findDevice(trx, owner);
    if (device?.confirmed_at) throw new AppError('mfa_already_bound');
    const expires = device?.setup_expires_at ? new Date(device.setup_expires_at) : undefined;
    if (
      device &&
      expires &&
      new Date(device.created_at).getTime() > now.getTime() - SETUP_REUSE_SECONDS * 1000 &&
      expires > now
    ) {
      return { secret: unseal(sealingKey(deps), device.secret_enc), expiresAt: expires };
    }
    const fresh = generateSecret();
    const until = new Date(now.getTime() + SETUP_SECONDS * 1000);
    await mfa.replacePendingDevice(trx, owner, { secretEnc: seal(sealingKey(deps), fresh), now, expiresAt: until });
    return { secret: fresh, expiresAt: until };
  });
  const otpauthUri = generateURI({ issuer: tenant.config.displayName[locale], label, secret });
  const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return { secret, otpauthUri, qrSvg, expiresAt: expiresAt.toISOString() };
}

/** A current code confirms the owner's pending device; `more` runs in the same transaction. */
async function confirmSetup(
  deps: ServiceDeps,
  tenant: Tenant,
  owner: mfa.MfaOwner,
  code: string,
  ctx: RequestContext,
  more?: (trx: Transaction<Database>, now: Date) => Promise<void>,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    // Read and decided under the account lock: of concurrent confirmations (a double click, a
    // retry) one binds and the others find the device bound; and a setup started again meanwhile
    // is not bound by a code checked against the secret it replaced.
    await accounts.lockAccount(trx, tenant.id, owner.accountId);
    const device = await mfa.findDevice(trx, owner);
    if (!device) throw new AppError('mfa_not_bound');
    if (device.confirmed_at) throw new AppError('mfa_already_bound');
    if (!device.setup_expires_at || new Date(device.setup_expires_at) <= now) throw new AppError('mfa_setup_expired');
    const result = await checkTotp(unseal(sealingKey(deps), device.secret_enc), code, now, null);
    if (!result.ok) throw totpError(result);
    if (!(await mfa.confirmDevice(trx, owner, device.id, now))) throw new AppError('mfa_already_bound');
    await mfa.acceptStep(trx, owner, result.step);
    await recordEvent(trx, {
      tenantId: tenant.id,
      accountId: owner.accountId,
      type: 'mfa_bound',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      at: now,
      ...(owner.subUserId ? { detail: { subUser: owner.subUserId } } : {}),
    });
    await more?.(trx, now);
  });
}

/** Step 1 of binding (step-up required): a new secret, shown as a QR code and as text. */
export async function startMfaSetup(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  locale: 'zh-CN' | 'en',
): Promise<MfaSetupResponse> {
  requireStepUp(deps, auth);
  const account = await accounts.findAccount(deps.db, tenant.id, auth.accountId);
  return beginSetup(
    deps,
    tenant,
    primaryOwner(tenant.id, auth.accountId),
    account!.account_name ?? account!.id.slice(0, 8),
    locale,
  );
}

/** Step 2 of binding: a current code confirms the device; 10 recovery codes are shown once. */
export async function confirmMfaSetup(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  code: string,
  ctx: RequestContext,
): Promise<RecoveryCodesResponse> {
  // the grant again at commit (docs/product.md#9-step-up-verification): a device set up under a grant that has
  // since ended (setup lasts 10 minutes, so does the grant) is not bound
  requireStepUp(deps, auth);
  const codes = newRecoveryCodes();
  // a code checked for a session: capped like every other (services/limits.ts)
  await withAttempts(deps, sessionSecretLimits(tenant.id, auth.accountId, auth.subUserId, ctx.ip), () =>
    confirmSetup(deps, tenant, primaryOwner(tenant.id, auth.accountId), code, ctx, async (trx, now) => {
      await mfa.replaceRecoveryCodes(
        trx,
        tenant.id,
        auth.accountId,
        codes.map((c) => recoveryHash(deps, tenant.id, auth.accountId, c)),
        now,
      );
      await notifySecurityContacts(
        trx,
        tenant,
        auth.accountId,
        { purpose: 'mfa_change', kind: 'bound' },
        ctx.locale,
        now,
      );
    }),
  );
  deps.onEnqueued();
  return { recoveryCodes: codes };
}

// ---- sub-users' own devices (docs/product.md#13-sub-users) ---------------------------------

const subUserOwner = (tenantId: string, accountId: string, subUserId: string): mfa.MfaOwner => ({
  tenantId,
  accountId,
  subUserId,
});

/** The otpauth label of a sub-user's device: sub-user@primary, as cloud consoles show it. */
async function subUserLabel(
  deps: ServiceDeps,
  tenantId: string,
  accountId: string,
  subUserId: string,
): Promise<string> {
  const [account, sub] = await Promise.all([
    accounts.findAccount(deps.db, tenantId, accountId),
    findSubUserById(deps.db, tenantId, subUserId),
  ]);
  return `${sub?.name ?? ''}@${account?.account_name ?? ''}`;
}

export async function startSubUserSetup(
  deps: ServiceDeps,
  tenant: Tenant,
  accountId: string,
  subUserId: string,
  locale: 'zh-CN' | 'en',
): Promise<MfaSetupResponse> {
  const label = await subUserLabel(deps, tenant.id, accountId, subUserId);
  return beginSetup(deps, tenant, subUserOwner(tenant.id, accountId, subUserId), label, locale);
}

/** A sub-user's device is confirmed; no recovery codes (a lost device is disassociated by the primary account). */
export async function confirmSubUserSetup(
  deps: ServiceDeps,
  tenant: Tenant,
  accountId: string,
  subUserId: string,
  code: string,
  ctx: RequestContext,
): Promise<void> {
  await confirmSetup(deps, tenant, subUserOwner(tenant.id, accountId, subUserId), code, ctx);
}

export async function subUserMfaStatus(
  deps: ServiceDeps,
  tenant: Tenant,
  accountId: string,
  subUserId: string,
): Promise<SubUserMfaStatus> {
  const [device, sub] = await Promise.all([
    mfa.findDevice(deps.db, subUserOwner(tenant.id, accountId, subUserId)),
    findSubUser(deps.db, tenant.id, accountId, subUserId),
  ]);
  return {
    bound: Boolean(device?.confirmed_at),
    boundAt: device?.confirmed_at ? new Date(device.confirmed_at).toISOString() : null,
    required: sub?.mfa_required ?? false,
  };
}

export const verifySubUserTotp = (
  deps: ServiceDeps,
  tenant: Tenant,
  accountId: string,
  subUserId: string,
  token: string,
  ctx: RequestContext,
  purpose: string,
) => verifyTotp(deps, tenant, subUserOwner(tenant.id, accountId, subUserId), token, ctx, purpose);

/**
 * The primary account removes a sub-user's device; the sub-user is told at the next sign-in and
 * binds again if MFA is required. False when no bound device was there (removed meanwhile).
 */
export async function removeSubUserDevice(
  trx: Transaction<Database>,
  tenantId: string,
  accountId: string,
  subUserId: string,
): Promise<boolean> {
  return mfa.deleteDevice(trx, subUserOwner(tenantId, accountId, subUserId));
}

export async function regenerateRecoveryCodes(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  ctx: RequestContext,
): Promise<RecoveryCodesResponse> {
  requireStepUp(deps, auth);
  const codes = newRecoveryCodes();
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    // under the account lock: concurrent regenerations replace one another in turn, so one set of
    // ten is valid afterwards (unlocked, each delete missed the others' uncommitted inserts)
    await accounts.lockAccount(trx, tenant.id, auth.accountId);
    if (!(await mfa.findDevice(trx, primaryOwner(tenant.id, auth.accountId)))?.confirmed_at)
      throw new AppError('mfa_not_bound');
    await mfa.replaceRecoveryCodes(
      trx,
      tenant.id,
      auth.accountId,
      codes.map((c) => recoveryHash(deps, tenant.id, auth.accountId, c)),
      now,
    );
    await recordEvent(trx, {
      tenantId: tenant.id,
      accountId: auth.accountId,
      type: 'recovery_codes_regenerated',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      at: now,
    });
  });
  return { recoveryCodes: codes };
}

/** Unbind (step-up required); the security contacts are told. */
export async function unbindMfa(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  ctx: RequestContext,
): Promise<void> {
  requireStepUp(deps, auth);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await accounts.lockAccount(trx, tenant.id, auth.accountId);
    // decided by the removal itself: of concurrent unbinds one removes the device (and one notice
    // goes out), the others find none
    if (!(await mfa.deleteDevice(trx, primaryOwner(tenant.id, auth.accountId)))) throw new AppError('mfa_not_bound');
    await recordEvent(trx, {
      tenantId: tenant.id,
      accountId: auth.accountId,
      type: 'mfa_unbound',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      at: now,
    });
    await notifySecurityContacts(
      trx,
      tenant,
      auth.accountId,
      { purpose: 'mfa_change', kind: 'unbound' },
      ctx.locale,
      now,
    );
  });
  deps.onEnqueued();
}
