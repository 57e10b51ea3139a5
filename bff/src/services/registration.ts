import { AppError } from '../../../shared/src/errors.ts';
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
import { createSession, toAccountSummary, type IssuedSession } from './sessions.ts';
import type { Tenant } from './tenants.ts';
import { testCodeFor } from './test-mode.ts';
import { checkCode } from './verification.ts';

/** A name's fold and look-alike skeleton (shared/src/rules/account-name.ts). */
function nameKeys(accountName: string) {
  return { folded: foldAccountName(accountName), skeleton: accountNameSkeleton(accountName) };
}

/** Free unless a name with the same fold or the same look-alike skeleton exists in the tenant. */
export async function isAccountNameAvailable(deps: ServiceDeps, tenant: Tenant, accountName: string): Promise<boolean> {
  return !(await accounts.accountNameExists(deps.db, tenant.id, nameKeys(accountName)));
}

const nameTaken = () =>
  new AppError('account_name_taken', undefined, [{ path: 'accountName', code: 'account_name_taken' }]);

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
  checkAgreements(tenant, body.agreements);
  const codeId = await checkCode(deps, tenant, {
    target: { kind: 'phone', value: body.phone },
    purpose: 'register',
    code: body.code,
  });
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
      const account = await accounts.insertAccount(trx, {
        tenantId: tenant.id,
        accountName: body.accountName,
        folded: name.folded,
        skeleton: name.skeleton,
        passwordHash,
        referralCode: body.referralCode ? body.referralCode : null,
        // the user's language, for messages sent later outside their requests (docs/product.md#19-languages)
        locale: ctx.preferredLocale ?? null,
        now,
      });
      await bindContact(trx, {
        tenantId: tenant.id,
        accountId: account.id,
        kind: 'phone',
        role: 'security',
        value: body.phone,
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
        { tenantId: tenant.id, accountId: account.id, mode: ctx.mode },
        ctx,
      );
      await recordEvent(trx, {
        tenantId: tenant.id,
        accountId: account.id,
        type: 'registered',
        outcome: 'success',
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        at: now,
      });
      const summary = await accounts.findAccountSummary(trx, tenant.id, account.id);
      return { signedIn: { account: toAccountSummary(summary!), session: issued.summary }, issued };
    });
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint === 'accounts_tenant_name_uq') throw nameTaken();
    throw err;
  }
  if (email) deps.onEnqueued();
  return result;
}
