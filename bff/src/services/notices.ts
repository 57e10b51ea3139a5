/**
 * Notices to an account's contacts (security changes, MFA changes), queued in the caller's
 * transaction so they commit with the change they report.
 */
import type { Transaction } from 'kysely';
import type { Locale } from '../../../shared/src/i18n/index.ts';
import * as accounts from '../db/accounts.ts';
import type { ContactRow, Database } from '../db/schema.ts';
import { enqueueMessage } from '../delivery/outbox.ts';
import { renderMessage } from '../delivery/templates.ts';
import type { Tenant } from './tenants.ts';

export interface Notice {
  purpose:
    | 'security_notice'
    | 'mfa_change'
    | 'mfa_application_rejected'
    | 'security_phone_approved'
    | 'security_phone_rejected';
  /** what changed: security_phone, password, … for security notices; bound/unbound for MFA */
  kind: string;
}

/** One contact; an unverified email receives no messages (docs/product.md#5-email). */
export async function notifyContact(
  trx: Transaction<Database>,
  tenant: Tenant,
  contact: ContactRow,
  notice: Notice,
  locale: Locale,
  now: Date,
): Promise<void> {
  if (!contact.verified_at) return;
  const channel = contact.kind === 'phone' ? 'sms' : 'email';
  const rendered = renderMessage({
    purpose: notice.purpose,
    channel,
    locale,
    tenantName: tenant.config.displayName[locale],
    notice: { kind: notice.kind, at: now },
  });
  await enqueueMessage(
    trx,
    { tenantId: tenant.id, channel, to: contact.value, purpose: notice.purpose, locale, ...rendered },
    now,
  );
}

/** Every verified security contact of the account. */
export async function notifySecurityContacts(
  trx: Transaction<Database>,
  tenant: Tenant,
  accountId: string,
  notice: Notice,
  locale: Locale,
  now: Date,
): Promise<void> {
  for (const row of await accounts.listContacts(trx, tenant.id, accountId)) {
    if (row.role === 'security') await notifyContact(trx, tenant, row, notice, locale, now);
  }
}
