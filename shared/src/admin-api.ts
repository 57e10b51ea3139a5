/**
 * The admin API (issue 6): request schemas and response types for the tenant's own servers,
 * authenticated by a secret key (`Authorization: Bearer sk_…`). Mounted at /admin/v1.
 */
import { z } from 'zod';
import { cleanString, ID_NUMBER_PATTERN, text, type AuditEventType } from './api.ts';
import type { ContactKindName, ContactRoleName } from './api.ts';
import type { TextRule } from './rules/text.ts';

const nonEmpty = (max: number, rule: TextRule = {}) =>
  text(max, rule).refine((v) => v.trim().length > 0, { params: { appCode: 'required' } });

/**
 * GET /admin/v1/accounts?id=|name=|phone=|email= — exactly one of them (checked by the service,
 * which answers `lookup_query_invalid`); each is normalised with the rules in shared/src/rules.
 */
export const adminAccountLookupQuery = z.object({
  id: text(64).optional(),
  name: text(64).optional(),
  /** E.164 (+8613800138000) or the national number of one of the tenant's regions */
  phone: text(32).optional(),
  email: text(320).optional(),
});
export type AdminAccountLookupQuery = z.infer<typeof adminAccountLookupQuery>;

/** PUT /admin/v1/accounts/:id/real-name */
export const adminRealNameBody = z
  .object({
    type: z.enum(['personal', 'enterprise'], { error: 'invalid_input' }),
    /** the verified name of the person (enterprise: its legal representative or contact) */
    name: nonEmpty(64),
    idNumber: text(32).refine((v) => ID_NUMBER_PATTERN.test(v.trim()), { params: { appCode: 'invalid_input' } }),
    enterpriseName: text(128).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'enterprise' && !v.enterpriseName?.trim()) {
      ctx.addIssue({ code: 'custom', message: 'required', path: ['enterpriseName'], params: { appCode: 'required' } });
    }
  });
export type AdminRealNameRequest = z.input<typeof adminRealNameBody>;

/** GET /admin/v1/accounts/:id/audit-events?limit=&before= (newest first; `before` = a previous page's `nextBefore`) */
export const adminAuditEventsQuery = z.object({
  limit: z.coerce
    .number({ error: 'invalid_input' })
    .int({ error: 'invalid_input' })
    .min(1, { error: 'invalid_input' })
    .max(200, { error: 'invalid_input' })
    .default(50),
  before: cleanString()
    .regex(/^[1-9][0-9]{0,17}$/, { error: 'invalid_input' })
    .optional(),
});
export type AdminAuditEventsQuery = z.infer<typeof adminAuditEventsQuery>;

export const MFA_APPLICATION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type MfaApplicationStatus = (typeof MFA_APPLICATION_STATUSES)[number];

/** GET /admin/v1/mfa-applications?status= */
export const adminApplicationsQuery = z.object({
  status: z.enum(MFA_APPLICATION_STATUSES, { error: 'invalid_input' }).optional(),
});

/** POST /admin/v1/mfa-applications/:id/reject (the reason may span lines; other control characters are refused) */
export const adminRejectBody = z.object({ reason: nonEmpty(500, { multiline: true }) });
export type AdminRejectRequest = z.input<typeof adminRejectBody>;

// ---- responses -------------------------------------------------------------

/** A bound phone/email, unmasked: the tenant's backend owns this data. */
export interface AdminContactView {
  kind: ContactKindName;
  role: ContactRoleName;
  /** E.164 or the normalised email */
  value: string;
  verified: boolean;
  canSignIn: boolean;
  boundAt: string;
}

export interface AdminAccountView {
  id: string;
  accountName: string;
  createdAt: string;
  /** set when the account was disabled through the admin API */
  disabledAt: string | null;
  mfaBound: boolean;
  /** the ID number is never returned (only a keyed hash is stored) */
  realName: { type: 'personal' | 'enterprise'; name: string; enterpriseName: string | null; verifiedAt: string } | null;
  contacts: AdminContactView[];
}

/** GET /admin/v1/accounts?… */
export interface AdminAccountLookupResponse {
  accounts: AdminAccountView[];
}

/**
 * GET /admin/v1/accounts/:id/notice-targets (PRODUCT.md "Contact vs security contacts"): the
 * contact phone/email, else the security one it defaults to — verified ones only, else null.
 */
export interface NoticeTargets {
  phone: { value: string; source: 'contact' | 'security' } | null;
  email: { value: string; source: 'contact' | 'security' } | null;
}

export interface AdminAuditEventView {
  id: string;
  type: AuditEventType;
  outcome: 'success' | 'failure';
  at: string;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, string | number>;
}

export interface AdminAuditEventsPage {
  events: AdminAuditEventView[];
  /** pass as `before` for the next (older) page; null when there is none */
  nextBefore: string | null;
}

/** POST /admin/v1/accounts/:id/sign-out-everywhere */
export interface SignOutEverywhereResponse {
  signedOutSessions: number;
}

/** A secret key as `admin-keys list` shows it: never the secret, never its hash. */
export interface AdminKeyView {
  keyId: string;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
