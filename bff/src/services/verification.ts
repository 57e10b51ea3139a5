import { AppError, type ErrorCode } from '../../../shared/src/errors.ts';
import {
  CODE_LENGTH,
  CODE_MAX_ATTEMPTS,
  CODE_RESEND_SECONDS,
  CODE_TTL_SECONDS,
  type CodeDeliveryChannel,
  type CodePurpose,
} from '../../../shared/src/rules/code.ts';
import { maskEmail } from '../../../shared/src/rules/email.ts';
import { maskPhone } from '../../../shared/src/rules/phone-regions.ts';
import { randomDigits, timingSafeEqualHex } from '../crypto.ts';
import * as codes from '../db/codes.ts';
import { lockKey } from '../db/locks.ts';
import { enqueueMessage } from '../delivery/outbox.ts';
import { renderMessage } from '../delivery/templates.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import type { Tenant } from './tenants.ts';
import { testCodeFor } from './test-mode.ts';
import { clientOf, reserveAttempts, type Limit } from './limits.ts';
import {
  AbuseDecision,
  recordDecision,
  recordSent,
  screenAnonymousRequest,
  screenCode,
  type TicketOutcome,
} from './abuse.ts';
import type { CaptchaAnswer } from '../../../shared/src/captcha.ts';

const DAY_MS = 24 * 3600 * 1000;

/** Where a code goes: a phone (E.164) or an email; bound to an account for step-up and contact changes. */
export interface CodeTarget {
  kind: 'phone' | 'email';
  value: string;
  accountId?: string | null;
}

export interface IssuedCode {
  deliveryId: string | null;
  channel: CodeDeliveryChannel;
  sentTo: string;
  expiresIn: number;
  resendAfter: number;
}

function codeHashInput(tenantId: string, target: CodeTarget, purpose: string, code: string): string {
  // Tenant, target, account and purpose are in the hash: a code issued for one cannot pass for another.
  return [tenantId, target.value, target.accountId ?? '', purpose, code].join('\u0000');
}

/**
 * Issues a 6-digit code: 60 s cooldown per target and purpose (lifted when the last delivery
 * failed for good), daily caps per target and per client IP, previous open codes voided, the
 * message queued in the same transaction.
 */
export async function issueCode(
  deps: ServiceDeps,
  tenant: Tenant,
  input: {
    target: CodeTarget;
    purpose: CodePurpose;
    channel: CodeDeliveryChannel;
    /** what the request's captcha answer proved (services/abuse.ts checkTicket); none by default */
    ticket?: TicketOutcome;
    /** asked behind a signed-in session: never challenged (services/abuse.ts screenCode) */
    signedIn?: boolean;
  },
  ctx: RequestContext,
): Promise<IssuedCode> {
  const { target } = input;
  const channel: CodeDeliveryChannel =
    target.kind === 'email' ? 'email' : input.channel === 'email' ? 'sms' : input.channel;
  const now = deps.clock.now();
  const testCode = testCodeFor(tenant, deps.config, target.kind, target.value);
  const code = testCode ?? randomDigits(CODE_LENGTH);
  const codeHash = deps.hmac(codeHashInput(tenant.id, target, input.purpose, code));
  const accountId = target.accountId ?? null;
  // the daily cap per client counts an IPv6 client by its /64, as every per-client limit does (services/limits.ts)
  const client = ctx.ip ? clientOf(ctx.ip) : null;
  let passed: string | undefined;
  const deliveryId = await deps.db
    .transaction()
    .execute(async (trx) => {
      await lockKey(trx, `code:${tenant.id}:${target.value}`);
      if (client) await lockKey(trx, `code-ip:${tenant.id}:${client}`);
      const last = await codes.latestCode(trx, tenant.id, target.value, input.purpose, accountId);
      if (last) {
        const waitMs = new Date(last.created_at).getTime() + CODE_RESEND_SECONDS * 1000 - now.getTime();
        // a code whose delivery failed for good may be resent at once (by SMS again, or by voice)
        if (waitMs > 0 && !(await codes.deliveryFailed(trx, tenant.id, last.delivery_id))) {
          throw new AppError('code_cooldown', { seconds: Math.ceil(waitMs / 1000) });
        }
      }
      const since = new Date(now.getTime() - DAY_MS);
      // test identities cost nothing to "send", so a tenant's CI is not held to the daily caps
      if (
        !testCode &&
        (await codes.countCodesSince(trx, tenant.id, { target: target.value }, since)) >=
          deps.config.codes.dailyPerTarget
      ) {
        throw new AppError('code_daily_limit');
      }
      if (
        !testCode &&
        client &&
        (await codes.countCodesSince(trx, tenant.id, { ip: client }, since)) >= deps.config.codes.dailyPerIp
      ) {
        throw new AppError('code_daily_limit');
      }
      await codes.voidOpenCodes(trx, tenant.id, target.value, input.purpose, accountId, now);
      const codeId = await codes.insertCode(trx, {
        tenant_id: tenant.id,
        account_id: accountId,
        purpose: input.purpose,
        target: target.value,
        channel,
        code_hash: codeHash,
        client_ip: client,
        created_at: now,
        expires_at: new Date(now.getTime() + CODE_TTL_SECONDS * 1000),
      });
      if (testCode) return null; // a test identity: deliver nothing
      // unlock, reset and sign-in codes read as the identity verification codes they are (fewer templates to approve)
      const rendered = renderMessage({
        purpose: input.purpose === 'register' || input.purpose === 'contact_change' ? input.purpose : 'verify_identity',
        channel,
        locale: ctx.locale,
        tenantName: tenant.config.displayName[ctx.locale],
        code,
      });
      const id = await enqueueMessage(
        trx,
        { tenantId: tenant.id, channel, to: target.value, purpose: input.purpose, locale: ctx.locale, ...rendered },
        now,
      );
      await codes.linkDelivery(trx, tenant.id, codeId, id);
      // Risk signals, the captcha and the daily budget (services/abuse.ts), counted under the locks
      // above. Last, so the tenant-wide rows it counts (the region's, the day's budget) stay locked
      // only for the commit: every code of a tenant queues on them (docs/operating.md "Replicas and
      // a pooler"). A refusal rolls back the code and its message with the counts.
      ({ passed } = await screenCode(trx, deps, tenant, {
        target,
        channel,
        ip: ctx.ip,
        ticket: input.ticket ?? 'none',
        signedIn: input.signedIn === true,
      }));
      return id;
    })
    .catch(async (err: unknown) => {
      if (err instanceof AbuseDecision) await recordDecision(deps, tenant, err);
      throw err;
    });
  if (deliveryId) {
    deps.onEnqueued();
    await recordSent(deps, tenant, channel, passed);
  }
  return {
    deliveryId,
    channel,
    sentTo: target.kind === 'phone' ? maskPhone(target.value) : maskEmail(target.value),
    expiresIn: CODE_TTL_SECONDS,
    resendAfter: CODE_RESEND_SECONDS,
  };
}

/**
 * Checks a code for a target and purpose. A wrong code counts a try, committed even though the
 * caller fails; after CODE_MAX_ATTEMPTS wrong tries the code is void. Returns the code's id,
 * which the caller consumes inside its own transaction (codes.consumeCode) — single use.
 */
export async function checkCode(
  deps: ServiceDeps,
  tenant: Tenant,
  input: { target: CodeTarget; purpose: CodePurpose; code: string },
): Promise<string> {
  const now = deps.clock.now();
  const expected = deps.hmac(codeHashInput(tenant.id, input.target, input.purpose, input.code));
  const outcome = await deps.db
    .transaction()
    .execute(async (trx): Promise<{ id: string } | { error: ErrorCode; remaining?: number }> => {
      const row = await codes.latestCode(
        trx,
        tenant.id,
        input.target.value,
        input.purpose,
        input.target.accountId ?? null,
      );
      if (!row || row.consumed_at) return { error: 'code_not_sent' };
      if (row.voided_at)
        return { error: row.attempts >= CODE_MAX_ATTEMPTS ? 'code_too_many_attempts' : 'code_not_sent' };
      if (new Date(row.expires_at).getTime() <= now.getTime()) return { error: 'code_expired' };
      if (!timingSafeEqualHex(row.code_hash, expected)) {
        const attempts = row.attempts + 1;
        const exhausted = attempts >= CODE_MAX_ATTEMPTS;
        await codes.recordWrongAttempt(trx, tenant.id, row.id, exhausted ? now : null);
        return exhausted
          ? { error: 'code_too_many_attempts' }
          : { error: 'code_invalid', remaining: CODE_MAX_ATTEMPTS - attempts };
      }
      return { id: row.id };
    });
  if ('error' in outcome) {
    const params = outcome.remaining !== undefined ? { remaining: outcome.remaining } : undefined;
    throw new AppError(outcome.error, params, [{ path: 'code', code: outcome.error }]);
  }
  return outcome.id;
}

/**
 * A code anyone may ask for by naming an identifier (unlock, forgot password, phone-code sign-in):
 * the limits are reserved per client and per identifier whether or not it names an account, the
 * answer is the same for all, and the look-up and the code come after it — the sending is the slow
 * part, and an identifier that names an account must not answer later than one that does not.
 * `issue` finds the target and issues the code (nothing, for an unknown identifier).
 */
export async function answerThenIssue(
  deps: ServiceDeps,
  tenant: Tenant,
  limits: Limit[],
  what: string,
  screen: { ip: string | null; phone?: string; captcha?: CaptchaAnswer | undefined },
  issue: (ticket: TicketOutcome) => Promise<void>,
): Promise<{ sent: true; expiresIn: number; resendAfter: number }> {
  // a challenge must reach the user before the answer: the look and the captcha come first (services/abuse.ts)
  const ticket = await screenAnonymousRequest(deps, tenant, screen);
  await reserveAttempts(deps, limits);
  void issue(ticket).catch((err: unknown) =>
    deps.log.warn(`${what} code not issued`, { tenant: tenant.slug, error: err instanceof Error ? err.name : 'error' }),
  );
  return { sent: true, expiresIn: CODE_TTL_SECONDS, resendAfter: CODE_RESEND_SECONDS };
}
