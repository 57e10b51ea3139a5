import type { Transaction } from 'kysely';
import type { Locale } from '../../../shared/src/i18n/index.ts';
import { randomToken, sha256Hex } from '../crypto.ts';
import * as accounts from '../db/accounts.ts';
import { recordEvent } from '../db/audit.ts';
import * as ev from '../db/email-verifications.ts';
import type { Database } from '../db/schema.ts';
import { enqueueMessage } from '../delivery/outbox.ts';
import { renderMessage } from '../delivery/templates.ts';
import { decideVerifiedContact, lockContactValue } from './contacts.ts';
import type { ServiceDeps } from './deps.ts';
import type { Tenant } from './tenants.ts';

/** The verification link is valid for 2 hours (docs/product.md#5-email). */
export const EMAIL_LINK_TTL_SECONDS = 2 * 3600;

/** Creates a single-use link (stored hashed) and queues the email, in the caller's transaction. */
export async function sendEmailVerification(
  trx: Transaction<Database>,
  deps: ServiceDeps,
  tenant: Tenant,
  input: { accountId: string; email: string; baseUrl: string; locale: Locale },
): Promise<string> {
  const now = deps.clock.now();
  const token = randomToken();
  await ev.insertEmailVerification(trx, {
    tenantId: tenant.id,
    accountId: input.accountId,
    email: input.email,
    tokenHash: sha256Hex(token),
    locale: input.locale,
    now,
    expiresAt: new Date(now.getTime() + EMAIL_LINK_TTL_SECONDS * 1000),
  });
  const link = `${input.baseUrl}/email/verify?token=${encodeURIComponent(token)}`;
  const rendered = renderMessage({
    purpose: 'email_verification',
    channel: 'email',
    locale: input.locale,
    tenantName: tenant.config.displayName[input.locale],
    link,
  });
  return enqueueMessage(
    trx,
    {
      tenantId: tenant.id,
      channel: 'email',
      to: input.email,
      purpose: 'email_verification',
      locale: input.locale,
      ...rendered,
      link,
    },
    now,
  );
}

/**
 * What opening a link did. A link the BFF issued names its tenant and the locale its email was
 * written in (else the account's last locale, for links sent before that was stored), so every
 * outcome's page — "already used" too — can speak the user's language and lead back to the tenant.
 */
export type EmailLinkOutcome = {
  result: 'verified' | 'invalid' | 'expired' | 'used';
  link?: { tenantId: string; accountId: string; locale: Locale | null };
};

/** Opens a link: valid once, within 2 hours, for the address it was sent to. */
export async function verifyEmailLink(
  deps: ServiceDeps,
  token: string,
  ctx: { ip: string | null; userAgent: string | null },
): Promise<EmailLinkOutcome> {
  if (token.length < 16 || token.length > 128) return { result: 'invalid' };
  const now = deps.clock.now();
  const tokenHash = sha256Hex(token);
  const outcome = await deps.db.transaction().execute(async (trx): Promise<EmailLinkOutcome> => {
    const row = await ev.findEmailVerification(trx, tokenHash);
    if (!row) return { result: 'invalid' };
    const link = { tenantId: row.tenant_id, accountId: row.account_id, locale: row.locale };
    if (row.used_at) return { result: 'used', link };
    if (new Date(row.expires_at) <= now) return { result: 'expired', link };
    // The locks in the order every change of the account's contacts takes them (account, value,
    // then the binding's row), or a link opened while the address is being replaced deadlocks
    // with the replacement: the binding's row, written twice here, makes Postgres check its
    // account key (FOR KEY SHARE), which the replacement holds FOR UPDATE.
    await accounts.lockAccount(trx, row.tenant_id, row.account_id);
    await lockContactValue(trx, row.tenant_id, 'email', row.email);
    await ev.markEmailVerificationUsed(trx, row.tenant_id, row.id, now);
    const changed = await ev.markSecurityEmailVerified(trx, row.tenant_id, row.account_id, row.email, now);
    // The address was replaced since the link was sent: the old link verifies nothing.
    if (!changed) return { result: 'invalid', link };
    // only now does this binding count: decide whether it signs in (services/contacts.ts)
    await decideVerifiedContact(trx, {
      tenantId: row.tenant_id,
      accountId: row.account_id,
      kind: 'email',
      role: 'security',
      value: row.email,
    });
    await recordEvent(trx, {
      tenantId: row.tenant_id,
      accountId: row.account_id,
      type: 'contact_verified',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      detail: { kind: 'email', role: 'security' },
      at: now,
    });
    return { result: 'verified', link };
  });
  const { link } = outcome;
  // a link sent before its locale was stored (migration 0015): the account's last locale, if any
  if (link && !link.locale) link.locale = await accounts.accountLocale(deps.db, link.tenantId, link.accountId);
  return outcome;
}
