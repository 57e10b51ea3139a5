import type { Transaction } from 'kysely';
import { AppError } from '../../../shared/src/errors.ts';
import type { Database } from '../db/schema.ts';
import type { RegisterBody, SessionMode, SignedIn } from '../../../shared/src/api.ts';
import { accountNameSkeleton, foldAccountName } from '../../../shared/src/rules/account-name.ts';
import * as accounts from '../db/accounts.ts';
import { lockKey } from '../db/locks.ts';
import { recordEvent } from '../db/audit.ts';
import * as codes from '../db/codes.ts';
import { uniqueViolation } from '../db/create.ts';
import { bindContact } from './contacts.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import { sendEmailVerification } from './email-verification.ts';
import { createSession, toAccountSummary, type IssuedSession, type SignInMethodOf } from './sessions.ts';
import type { Tenant } from './tenants.ts';
import { testCodeFor } from './test-mode.ts';
import { checkCode } from './verification.ts';

/** A name's fold and look-alike skeleton (shared/src/rules/account-name.ts). */
export function nameKeys(accountName: string) {
  return { folded: foldAccountName(accountName), skeleton: accountNameSkeleton(accountName) };
}

/** Free unless a name with the same fold or the same look-alike skeleton exists in the tenant. */
export async function isAccountNameAvailable(deps: ServiceDeps, tenant: Tenant, accountName: string): Promise<boolean> {
  return !(await accounts.accountNameExists(deps.db, tenant.id, nameKeys(accountName)));
}

export const nameTaken = () =>
  new AppError('account_name_taken', undefined, [{ path: 'accountName', code: 'account_name_taken' }]);

/**
 * What every new account proves before its transaction, registration's and an upstream
 * activation's: the tenant's agreements accepted, and the phone's `register` code (a wrong try
 * counts). Answers the code's id, used in the transaction that creates the account.
 */
export async function checkNewAccount(
  deps: ServiceDeps,
  tenant: Tenant,
  body: { agreements: { key: string; version: string }[]; phone: string; code: string },
): Promise<string> {
  checkAgreements(tenant, body.agreements);
  return checkCode(deps, tenant, {
    target: { kind: 'phone', value: body.phone },
    purpose: 'register',
    code: body.code,
  });
}

/** Every agreement of the tenant must be accepted, at the version the user was shown. */
function checkAgreements(tenant: Tenant, accepted: { key: string; version: string }[]): void {
  const missing = tenant.config.agreements.filter(
    (a) => !accepted.some((x) => x.key === a.key && x.version === a.version),
  );
  if (missing.length > 0) {
    throw new AppError('agreements_required', { missing: missing.map((m) => m.key).join(',') }, [
      { path: 'agreements', code: 'agreements_required' },
    ]);
  }
}

/**
 * Registration (docs/product.md#6-registration): account name + password, a phone verified by code,
 * agreements, optional referral code and security email. Creates the account and signs it in.
 * The code is checked (wrong tries count) before the transaction; the account, its contacts,
 * consents, the email link and the session commit together with the code's consumption.
 */
export async function register(
  deps: ServiceDeps,
  tenant: Tenant,
  body: RegisterBody,
  ctx: RequestContext & { mode: SessionMode; baseUrl: string },
): Promise<{ signedIn: SignedIn; issued: IssuedSession }> {
  const codeId = await checkNewAccount(deps, tenant, body);
  const passwordHash = await deps.hasher.hash(body.password);
  const email = body.email ? body.email : null;
  const now = deps.clock.now();

  let result: { signedIn: SignedIn; issued: IssuedSession };
  try {
    result = await deps.db.transaction().execute(async (trx) => {
      if (!(await codes.consumeCode(trx, tenant.id, codeId, now))) {
        throw new AppError('code_expired', undefined, [{ path: 'code', code: 'code_expired' }]);
      }
      // Look-alikes are not a unique index (existing data may hold such pairs, migration 0012), so
      // registrations of one skeleton are serialised: the second waits here for the first to
      // commit, then sees its row. Two look-alikes registered at once cannot both win.
      const name = nameKeys(body.accountName);
      await lockKey(trx, `account-name:${tenant.id}:${name.skeleton}`);
      if (await accounts.accountNameExists(trx, tenant.id, name)) throw nameTaken();
      return openAccount(
        trx,
        deps,
        tenant,
        {
          accountName: body.accountName,
          ...name,
          passwordHash,
          phone: body.phone,
          email,
          referralCode: body.referralCode ? body.referralCode : null,
        },
        ctx,
      );
    });
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint === 'accounts_tenant_name_uq') throw nameTaken();
    throw err;
  }
  if (email) deps.onEnqueued();
  return result;
}

/**
 * A new account with its verified security phone, its security email (a link sent to verify
 * it), the tenant's current agreements accepted, a session and the `registered` event —
 * registration's, and the activation's after an upstream sign-in (services/federation.ts: no
 * name or password yet; `method` says how the session was signed in, `link` is done before the
 * session exists). The caller owns the transaction and wakes the outbox after it commits.
 */
export async function openAccount(
  trx: Transaction<Database>,
  deps: ServiceDeps,
  tenant: Tenant,
  input: {
    accountName: string | null;
    folded: string | null;
    skeleton: string | null;
    passwordHash: string | null;
    phone: string;
    email: string | null;
    referralCode: string | null;
    link?: (accountId: string) => Promise<void>;
  },
  ctx: RequestContext & { mode: SessionMode; baseUrl: string; method?: SignInMethodOf },
): Promise<{ signedIn: SignedIn; issued: IssuedSession }> {
  const now = deps.clock.now();
  const email = input.email;
  const account = await accounts.insertAccount(trx, {
    tenantId: tenant.id,
    accountName: input.accountName,
    folded: input.folded,
    skeleton: input.skeleton,
    passwordHash: input.passwordHash,
    referralCode: input.referralCode,
    // the user's language, for messages sent later outside their requests (docs/product.md#19-languages)
    locale: ctx.preferredLocale ?? null,
    now,
  });
  await input.link?.(account.id);
  await bindContact(trx, {
    tenantId: tenant.id,
    accountId: account.id,
    kind: 'phone',
    role: 'security',
    value: input.phone,
    verifiedAt: now,
    now,
  });
  if (email) {
    // a test email (tenant test mode) counts as verified and is sent nothing
    const isTest = testCodeFor(tenant, deps.config, 'email', email) !== undefined;
    await bindContact(trx, {
      tenantId: tenant.id,
      accountId: account.id,
      kind: 'email',
      role: 'security',
      value: email,
      verifiedAt: isTest ? now : null,
      now,
    });
    if (!isTest)
      await sendEmailVerification(trx, deps, tenant, {
        accountId: account.id,
        email,
        baseUrl: ctx.baseUrl,
        locale: ctx.locale,
      });
  }
  // the tenant's current versions, each once — never a key or version the body adds beside
  // them: a consent to "privacy@2.0" stored today would pass for acceptance of that version
  // when the tenant publishes it (docs/product.md#16-agreements)
  await accounts.insertConsents(
    trx,
    tenant.config.agreements.map((a) => ({
      tenantId: tenant.id,
      accountId: account.id,
      key: a.key,
      version: a.version,
      locale: ctx.locale,
      at: now,
    })),
  );
  const issued = await createSession(
    trx,
    deps,
    { tenantId: tenant.id, accountId: account.id, mode: ctx.mode, method: ctx.method },
    ctx,
  );
  await recordEvent(trx, {
    tenantId: tenant.id,
    accountId: account.id,
    type: 'registered',
    outcome: 'success',
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    ...(ctx.method?.idp ? { detail: { method: ctx.method.method, provider: ctx.method.idp } } : {}),
    at: now,
  });
  const summary = await accounts.findAccountSummary(trx, tenant.id, account.id);
  return { signedIn: { account: toAccountSummary(summary!), session: issued.summary }, issued };
}
