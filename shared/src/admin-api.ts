/**
 * The admin API: request and answer schemas for the tenant's own servers, authenticated by a
 * secret key (`Authorization: Bearer sk_…`). Mounted at /admin/v1. The answer schemas document
 * the success answers in /openapi.json and type the BFF's handlers.
 */
import { z } from 'zod';
import {
  AuditDetailSchema,
  AUDIT_EVENT_TYPES,
  cleanString,
  CONTACT_KINDS,
  CONTACT_ROLES,
  TenantConfigResponseSchema,
  text,
} from './api.ts';
import { isIdNumber } from './rules/id-number.ts';
import { tenantConfigPatch } from './tenant-config.ts';
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
    idNumber: text(32).refine(isIdNumber, { params: { appCode: 'invalid_input' } }),
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

const { $schema: _dialect, ...patchShape } = z.toJSONSchema(tenantConfigPatch, { io: 'input', unrepresentable: 'any' });

/**
 * PATCH /admin/v1/config: a JSON object. Its keys and values are checked by the service with
 * tenantConfigPatch (shared/src/tenant-config.ts), the validation it shares with the tenant CLI
 * (unknown keys first, then each key's rule); documented with that schema's shape.
 */
export const adminConfigPatchBody = z
  .record(z.string(), z.unknown(), { error: 'invalid_input' })
  .meta({ ...patchShape, description: 'Top-level keys are merged into the configuration' });

/** A path's account or application id: any string (an unknown one is answered 404 by the service). */
export const adminIdParams = z.object({ id: z.string() });

/** GET /admin/v1/mfa-applications/{id}/files/{fileId} */
export const adminFileParams = z.object({ id: z.string(), fileId: z.string() });

// ---- answers -----------------------------------------------------------------

/** A bound phone/email, unmasked: the tenant's backend owns this data. */
export const AdminContactViewSchema = z.object({
  kind: z.enum(CONTACT_KINDS),
  role: z.enum(CONTACT_ROLES),
  value: z.string().describe('E.164 or the normalised email'),
  verified: z.boolean(),
  canSignIn: z.boolean(),
  boundAt: z.string(),
});
export type AdminContactView = z.infer<typeof AdminContactViewSchema>;

export const AdminAccountViewSchema = z
  .object({
    id: z.string(),
    accountName: z.string().nullable(),
    createdAt: z.string(),
    disabledAt: z.string().nullable().describe('set when the account was disabled through the admin API'),
    mfaBound: z.boolean(),
    status: z
      .enum(['active', 'closing', 'closed'])
      .describe('closing: the user asked to close it (docs/product.md#24-closing-an-account); closed: erased'),
    realName: z
      .object({
        type: z.enum(['personal', 'enterprise']),
        name: z.string(),
        enterpriseName: z.string().nullable(),
        verifiedAt: z.string(),
      })
      .nullable()
      .describe('the ID number is never returned (only a keyed hash is stored)'),
    contacts: z.array(AdminContactViewSchema),
  })
  .meta({ id: 'AdminAccount' });
export type AdminAccountView = z.infer<typeof AdminAccountViewSchema>;

/** GET /admin/v1/closed-accounts: accounts being closed or closed (erased), newest request first. */
export const AdminClosedAccountsSchema = z.object({
  accounts: z.array(
    z.object({
      id: z.string(),
      status: z.enum(['closing', 'closed']),
      closingRequestedAt: z.string().nullable(),
      closesAt: z.string().nullable(),
      closedAt: z.string().nullable(),
    }),
  ),
});
export type AdminClosedAccounts = z.infer<typeof AdminClosedAccountsSchema>;

/** GET /admin/v1/accounts?… */
export const AdminAccountLookupResponseSchema = z.object({ accounts: z.array(AdminAccountViewSchema) });
export type AdminAccountLookupResponse = z.infer<typeof AdminAccountLookupResponseSchema>;

const noticeTarget = z.object({ value: z.string(), source: z.enum(['contact', 'security']) }).nullable();

/**
 * GET /admin/v1/accounts/{id}/notice-targets: the contact phone/email, else the security one it
 * defaults to — verified ones only, else null.
 */
export const NoticeTargetsSchema = z.object({ phone: noticeTarget, email: noticeTarget });
export type NoticeTargets = z.infer<typeof NoticeTargetsSchema>;

export const AdminAuditEventViewSchema = z.object({
  id: z.string(),
  type: z.enum(AUDIT_EVENT_TYPES),
  outcome: z.enum(['success', 'failure']),
  at: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  detail: AuditDetailSchema,
});
export type AdminAuditEventView = z.infer<typeof AdminAuditEventViewSchema>;

export const AdminAuditEventsPageSchema = z.object({
  events: z.array(AdminAuditEventViewSchema),
  nextBefore: z.string().nullable().describe('pass as `before` for the next (older) page; null when there is none'),
});
export type AdminAuditEventsPage = z.infer<typeof AdminAuditEventsPageSchema>;

/** POST /admin/v1/accounts/{id}/sign-out-everywhere */
export const SignOutEverywhereResponseSchema = z.object({ signedOutSessions: z.number() });
export type SignOutEverywhereResponse = z.infer<typeof SignOutEverywhereResponseSchema>;

/** An application to disassociate a lost MFA device, as the tenant's support reviews it. */
export const MfaApplicationReviewSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    accountName: z.string().nullable(),
    type: z.enum(['personal', 'enterprise']),
    purpose: z
      .enum(['mfa', 'security_phone'])
      .describe('mfa: disassociate a lost MFA device; security_phone: bind a new security phone by its own code'),
    applicantName: z.string(),
    phone: z.string(),
    idNumberLast4: z.string(),
    enterpriseName: z.string().nullable(),
    status: z.string().describe(MFA_APPLICATION_STATUSES.join(' | ')),
    reason: z.string().nullable(),
    createdAt: z.string(),
    files: z.array(z.object({ id: z.string(), kind: z.string(), contentType: z.string(), size: z.number() })),
    mismatches: z
      .array(z.string())
      .describe('what does not match the real-name record (name, ID number, enterprise); empty = all match'),
  })
  .meta({ id: 'MfaApplication' });

/** GET /admin/v1/mfa-applications?status= */
export const MfaApplicationListSchema = z.object({ applications: z.array(MfaApplicationReviewSchema) });

/**
 * GET and PATCH /admin/v1/config: the tenant's configuration as stored, except that each delivery
 * channel shows its provider and settings and only whether own credentials are set.
 */
export const TenantConfigViewSchema = TenantConfigResponseSchema.omit({ slug: true })
  .extend({
    allowedOrigins: z.array(z.string()),
    delivery: z.record(z.string(), z.unknown()).optional(),
    federation: z
      .object({ providers: z.array(z.record(z.string(), z.unknown())) })
      .optional()
      .describe('upstream providers with their settings; secrets only as `clientSecretSet` / `appSecretSet`'),
    captcha: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('the captcha provider and when it is asked; secrets only as `…Set: true`'),
    abuse: z
      .object({
        thresholds: z
          .record(z.string(), z.object({ challenge: z.number(), refuse: z.number() }))
          .optional()
          .describe('risk thresholds per signal, per hour; absent signals use the defaults'),
        dailyBudget: z.number().optional().describe('messages (SMS and voice) per day, UTC+8'),
        voiceRegions: z.array(z.string()).optional(),
      })
      .optional(),
    emailFrom: z.string().optional(),
    testMode: z
      .object({
        enabled: z.boolean(),
        phones: z.array(z.string()),
        emails: z.array(z.string()),
        code: z.string(),
        allowInProduction: z.boolean().optional(),
      })
      .optional(),
  })
  .meta({ id: 'TenantConfig' });

/** A secret key as `admin-keys list` shows it: never the secret, never its hash. */
export interface AdminKeyView {
  keyId: string;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** GET /admin/v1/abuse: how many days back (today included). */
export const adminAbuseQuery = z.object({
  days: z.coerce.number({ error: 'invalid_input' }).int({ error: 'invalid_input' }).min(1).max(90).default(7),
});

const outcomeCounts = z.record(z.string(), z.number());

/** The operator's view of abuse protection (docs/security.md#abuse-protection-for-paid-messages). */
export const AbuseReportSchema = z
  .object({
    today: z
      .object({ day: z.string(), budget: z.number(), spent: z.number() })
      .describe('messages (SMS and voice) sent today (UTC+8) against the daily budget'),
    days: z.array(
      z.object({
        day: z.string().describe('yyyy-mm-dd, UTC+8'),
        sent: outcomeCounts.describe('codes queued, by channel'),
        challenged: outcomeCounts.describe('requests asked for a captcha, by the signal that raised it (or `always`)'),
        passed: outcomeCounts.describe('codes queued after a solved captcha, by the signal that asked for it'),
        refused: outcomeCounts.describe(
          'requests refused, by reason: a signal past its threshold, budget, captcha_invalid, captcha_unavailable, voice_region',
        ),
      }),
    ),
  })
  .meta({ id: 'AbuseReport' });
