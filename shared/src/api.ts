/**
 * The public API's request schemas and response types. Schemas that depend on the tenant's
 * rules (password policy, phone regions) are built per tenant by the factories below.
 */
import { z } from 'zod';
import type { ErrorCode, FieldIssue } from './errors.ts';
import { isErrorCode } from './errors.ts';
import { accountNameProblems, normalizeAccountName, ACCOUNT_NAME_MIN, ACCOUNT_NAME_MAX } from './rules/account-name.ts';
import { passwordProblems, type PasswordPolicy } from './rules/password.ts';
import { checkMobilePhone } from './rules/phone.ts';
import type { PhoneRegion } from './rules/phone-regions.ts';
import type { Agreement } from './tenant.ts';
import { emailProblem, normalizeEmail } from './rules/email.ts';
import { CODE_CHANNELS, CODE_PATTERN, CODE_PURPOSES, type CodeChannel } from './rules/code.ts';
import { hasInvalidTextChars, type TextRule } from './rules/text.ts';

export interface TenantRules {
  passwordPolicy: PasswordPolicy;
  phoneRegions: readonly PhoneRegion[];
  /**
   * The server's full common-password check (the 10,000+ list, bff/src/services/passwords.ts),
   * given by the BFF's validator only; the widget checks the small list in rules/common-passwords.ts.
   */
  isCommonPassword?: (password: string) => Promise<boolean>;
}

/** Parameters each rule's message needs, so BFF and widget fill `{min}` alike. */
export function paramsFor(code: ErrorCode, policy?: PasswordPolicy): Record<string, number> | undefined {
  switch (code) {
    case 'account_name_too_short':
      return { min: ACCOUNT_NAME_MIN };
    case 'account_name_too_long':
      return { max: ACCOUNT_NAME_MAX };
    case 'password_too_short':
      return policy && { min: policy.minLength };
    case 'password_too_long':
      return policy && { max: policy.maxLength };
    case 'password_too_few_classes':
      return policy && { n: policy.minClasses };
    default:
      return undefined;
  }
}

function fail(ctx: z.RefinementCtx, code: ErrorCode, path: (string | number)[] = [], policy?: PasswordPolicy) {
  ctx.addIssue({ code: 'custom', message: code, path, params: { appCode: code, appParams: paramsFor(code, policy) } });
}

/**
 * Every free-text field of the API: a string of at most `max` characters with no control
 * characters and no lone surrogates (shared/src/rules/text.ts), refused as `text_invalid_chars`
 * on that field before any other rule of the field runs (so a password or a name never reaches
 * its own checks, the database or a log with a NUL in it). `multiline` allows TAB/LF/CR.
 */
export const text = (max: number, rule: TextRule = {}) => cleanString(rule).max(max, { error: 'invalid_input' });

/** A string held to the text rule, for fields that answer their own code when too long (files). */
export const cleanString = (rule: TextRule = {}) =>
  z
    .string({ error: 'required' })
    .refine((v) => !hasInvalidTextChars(v, rule), { params: { appCode: 'text_invalid_chars' }, abort: true });

/** A new password against the tenant's policy; on the server, also against the full common-password list. */
const newPassword = (rules: TenantRules) => {
  const policy = rules.passwordPolicy;
  const local = text(128).superRefine((v, ctx) => {
    for (const p of passwordProblems(v, policy)) fail(ctx, p, [], policy);
  });
  const isCommon = rules.isCommonPassword;
  // async only when the server gives its check, so the widget's (and tests') synchronous parses still work
  if (!isCommon || !policy.blockCommon) return local;
  return local.superRefine(async (v, ctx) => {
    // (zod runs this even after the checks above failed; the small list's hit is already reported)
    if (!passwordProblems(v, policy).includes('password_too_common') && (await isCommon(v)))
      fail(ctx, 'password_too_common', [], policy);
  });
};

/** An ID number (resident ID, passport, unified social credit code): letters and digits only. */
export const ID_NUMBER_PATTERN = /^[0-9A-Za-z]{6,32}$/;

export const AccountNameSchema = text(64).transform((v, ctx) => {
  const problems = accountNameProblems(v);
  for (const p of problems) fail(ctx, p);
  return normalizeAccountName(v);
});

export const EmailSchema = text(320).transform((v, ctx) => {
  const p = emailProblem(v);
  if (p) fail(ctx, p);
  return normalizeEmail(v);
});

export const PhoneInputSchema = (regions: readonly PhoneRegion[]) =>
  z.object({ region: text(8), number: text(32) }).transform((v, ctx) => {
    const r = checkMobilePhone(v.region, v.number, regions);
    if (!r.ok) {
      fail(ctx, r.code, [r.code === 'phone_region_not_allowed' ? 'region' : 'number']);
      return z.NEVER;
    }
    return r.e164;
  });

export const CodeSchema = text(16).refine((v) => CODE_PATTERN.test(v), { params: { appCode: 'code_format' } });

export const sendCodeBody = (rules: TenantRules) =>
  z.object({
    phone: PhoneInputSchema(rules.phoneRegions),
    purpose: z.enum(CODE_PURPOSES, { error: 'invalid_input' }),
    channel: z.enum(CODE_CHANNELS, { error: 'invalid_input' }).default('sms'),
  });
export type SendCodeBody = z.infer<ReturnType<typeof sendCodeBody>>;
export type SendCodeRequest = z.input<ReturnType<typeof sendCodeBody>>;

export const registerBody = (rules: TenantRules) =>
  z
    .object({
      accountName: AccountNameSchema,
      password: newPassword(rules),
      phone: PhoneInputSchema(rules.phoneRegions),
      code: CodeSchema,
      /** keys of the agreements the user accepted, with the versions shown */
      agreements: z.array(z.object({ key: text(64), version: text(32) })).max(20),
      referralCode: cleanString()
        .trim()
        .max(32, { error: 'referral_code_invalid' })
        .regex(/^[A-Za-z0-9_-]*$/, { error: 'referral_code_invalid' })
        .optional(),
      email: z.union([z.literal(''), EmailSchema]).optional(),
    })
    .superRefine((v, ctx) => {
      // the one rule that needs two fields; the others are checked on the password alone above
      if (passwordProblems(v.password, rules.passwordPolicy, v.accountName).includes('password_equals_account_name')) {
        fail(ctx, 'password_equals_account_name', ['password']);
      }
    });
export type RegisterBody = z.infer<ReturnType<typeof registerBody>>;
export type RegisterRequest = z.input<ReturnType<typeof registerBody>>;

export const signInBody = z.object({
  /** account name, phone or email; for a sub-user: the primary account's name or id */
  identifier: text(320).refine((v) => v.trim().length > 0, { params: { appCode: 'required' } }),
  password: text(256).refine((v) => v.length > 0, { params: { appCode: 'required' } }),
  /** present when a sub-user signs in (seed 004: primary account + sub-user name + password) */
  subUser: text(64).optional(),
});
export type SignIn = z.infer<typeof signInBody>;

/** Unlocking an account locked by failed sign-ins: a code to its security phone or email (README "Security model"). */
export const unlockCodeBody = z.object({
  identifier: text(320).refine((v) => v.trim().length > 0, { params: { appCode: 'required' } }),
  channel: z.enum(['sms', 'voice', 'email'], { error: 'invalid_input' }),
});
export type UnlockCodeRequest = z.infer<typeof unlockCodeBody>;
/** The same answer whether or not the identifier names an account, or one that is locked. */
export interface UnlockCodeResponse {
  sent: true;
  expiresIn: number;
  resendAfter: number;
}
export const unlockBody = z.object({
  identifier: text(320).refine((v) => v.trim().length > 0, { params: { appCode: 'required' } }),
  code: CodeSchema,
});
export type UnlockRequest = z.infer<typeof unlockBody>;
export interface UnlockResponse {
  unlocked: true;
}

export const availabilityQuery = z.object({ name: AccountNameSchema });

/** A union (`'' | email`, `https URL | path`) none of whose branches took the value because of its characters. */
function unionRefusedText(issue: z.core.$ZodIssue): boolean {
  if (issue.code !== 'invalid_union') return false;
  return issue.errors.some((branch) =>
    branch.some((i) => (i as { params?: { appCode?: unknown } }).params?.appCode === 'text_invalid_chars'),
  );
}

/** Turns zod issues into the shared field-issue list (codes only; messages are added per locale). */
export function fieldIssuesFromZod(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.map((issue) => {
    const params = (issue as { params?: { appCode?: unknown; appParams?: Record<string, number> } }).params;
    let code: ErrorCode = 'invalid_input';
    if (unionRefusedText(issue)) code = 'text_invalid_chars';
    else if (params && isErrorCode(params.appCode)) code = params.appCode;
    else if (isErrorCode(issue.message)) code = issue.message;
    else if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) code = 'required';
    const out: FieldIssue = { path: issue.path.map(String).join('.'), code };
    if (params?.appParams) out.params = params.appParams;
    return out;
  });
}

// ---- responses -------------------------------------------------------------

export interface AccountSummary {
  id: string;
  accountName: string;
  /** masked security phone, e.g. 138****8000 */
  phone: string | null;
  /** masked security email, if any */
  email: string | null;
  emailVerified: boolean;
  createdAt: string;
  /** set when a sub-user of this (primary) account is signed in */
  subUser?: { id: string; name: string };
}

export type SessionMode = 'cookie' | 'token';

export interface SessionSummary {
  mode: SessionMode;
  /** signed in with the password, but the account's MFA code is still due (POST /v1/sessions/mfa) */
  mfaPending?: boolean;
  /** the bearer token, only in token mode and only in the answer that creates the session */
  token?: string;
  idleExpiresAt: string;
  expiresAt: string;
}

export interface SignedIn {
  account: AccountSummary;
  session: SessionSummary;
  /** true when the password was right and the MFA step comes next; the session can do nothing else */
  mfaRequired?: boolean;
  /** a sub-user whose primary account requires MFA, without a device: bind one now (POST /v1/sessions/mfa/setup) */
  mfaSetupRequired?: boolean;
  /** things to tell the user at this sign-in */
  notices?: SignInNotice[];
  /** the tenant's agreements (new versions) this account has not accepted yet: ask before going on (POST /v1/consents) */
  agreementsToAccept?: Agreement[];
  /** a token for the tenant's backend, on a full session only (not while the MFA step is due) */
  accessToken?: AccessToken;
}

/**
 * POST /v1/session/token: a short-lived ES256 JWT for the tenant's own backend, which verifies it
 * against GET /tenants/<slug>/.well-known/jwks.json. `expiresIn` (seconds) lets a client with a
 * wrong clock still refresh in time.
 */
export interface AccessToken {
  token: string;
  expiresAt: string;
  expiresIn: number;
}

/** POST /v1/consents: the signed-in account accepts the tenant's current agreements. */
export const consentsBody = z.object({
  agreements: z
    .array(z.object({ key: text(32), version: text(16) }), { error: 'invalid_input' })
    .min(1, { error: 'agreements_required' })
    .max(10),
});

export interface ConsentsResponse {
  /** what is still not accepted */
  agreementsToAccept: Agreement[];
}

/** mfa_reset_by_primary: the primary account disassociated this sub-user's MFA device since the last sign-in */
export type SignInNotice = 'mfa_reset_by_primary';

/** The MFA step of sign-in: a current TOTP code, or one of the recovery codes. */
export const mfaSignInBody = z
  .object({
    code: text(16).optional(),
    recoveryCode: text(32).optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.code && !v.recoveryCode) fail(ctx, 'required', ['code']);
    if (v.code && !CODE_PATTERN.test(v.code)) fail(ctx, 'code_format', ['code']);
  });
export type MfaSignInRequest = z.input<typeof mfaSignInBody>;

export const mfaConfirmBody = z.object({ code: CodeSchema });

/** POST /v1/security/mfa/setup: a new secret to bind (not bound until confirmed with a code). */
export interface MfaSetupResponse {
  /** base32, for typing into the app */
  secret: string;
  otpauthUri: string;
  /** the URI as a QR code, an SVG document (show it as an <img> data URL) */
  qrSvg: string;
  /** the setup is valid until then */
  expiresAt: string;
}

export interface RecoveryCodesResponse {
  /** shown once: 10 single-use codes */
  recoveryCodes: string[];
}

export interface SendCodeResponse {
  /** poll GET /v1/deliveries/:id for the delivery status; null when nothing is sent (test identities) */
  deliveryId: string | null;
  channel: CodeChannel;
  sentTo: string;
  expiresIn: number;
  resendAfter: number;
}

export const deliveryParams = z.object({ id: z.uuid({ error: 'not_found' }) });

export interface DeliveryStatusResponse {
  id: string;
  channel: 'sms' | 'voice' | 'email';
  status: 'queued' | 'sending' | 'sent' | 'failed';
  attempts: number;
  updatedAt: string;
}

export interface AvailabilityResponse {
  available: boolean;
}

export { HEADER_LOCALE, HEADER_PUBLISHABLE_KEY, HEADER_SESSION_MODE } from './headers.ts';

// ---- security settings (issue 4) ---------------------------------------------

export const STEP_UP_METHODS = ['phone', 'email', 'totp'] as const;
export type StepUpMethod = (typeof STEP_UP_METHODS)[number];
export const CONTACT_KINDS = ['phone', 'email'] as const;
export type ContactKindName = (typeof CONTACT_KINDS)[number];
export const CONTACT_ROLES = ['security', 'contact'] as const;
export type ContactRoleName = (typeof CONTACT_ROLES)[number];

/** A bound phone or email as the account center shows it. */
export interface ContactView {
  kind: ContactKindName;
  /** masked: 138****8000, a***@example.com */
  value: string;
  verified: boolean;
  /** verified security contacts only (PRODUCT.md) */
  canVerifyIdentity: boolean;
  /** decided at binding: no other account of the tenant had it */
  canSignIn: boolean;
  boundAt: string;
}

export type AuditEventType =
  // admin API actions (issue 6): detail.adminKeyId names the acting key
  | 'account_disabled'
  | 'account_enabled'
  | 'signed_out_everywhere'
  | 'real_name_set'
  | 'real_name_cleared'
  | 'mfa_application_approved'
  | 'mfa_application_rejected'
  | 'mfa_application_file_viewed'
  | 'registered'
  | 'sign_in'
  | 'sign_in_failed'
  | 'account_unlocked'
  | 'code_sent'
  | 'contact_added'
  | 'contact_changed'
  | 'contact_verified'
  | 'contact_reset'
  | 'password_changed'
  | 'step_up_passed'
  | 'step_up_failed'
  | 'mfa_bound'
  | 'mfa_unbound'
  | 'mfa_passed'
  | 'mfa_failed'
  | 'recovery_code_used'
  | 'recovery_codes_regenerated'
  | 'sub_user_created'
  | 'sub_user_disabled'
  | 'sub_user_enabled'
  | 'sub_user_deleted'
  | 'sub_user_mfa_required'
  | 'sub_user_mfa_not_required'
  | 'sub_user_mfa_disassociated'
  | 'agreements_accepted'
  | 'tenant_configured';

export interface AuditEventView {
  type: AuditEventType;
  outcome: 'success' | 'failure';
  at: string;
  ip: string | null;
  userAgent: string | null;
  /** e.g. { kind: 'phone', role: 'security' } */
  detail: Record<string, string | number>;
}

export interface SecurityOverview {
  account: { id: string; accountName: string; createdAt: string };
  securityPhone: ContactView | null;
  securityEmail: ContactView | null;
  /** null = same as the security phone */
  contactPhone: ContactView | null;
  /** null = same as the security email */
  contactEmail: ContactView | null;
  mfa: { bound: boolean; boundAt: string | null; recoveryCodesLeft: number };
  stepUp: { active: boolean; expiresAt: string | null };
  /** the identity-verification methods this account can use now; empty → show supportChannels */
  stepUpMethods: StepUpMethod[];
  supportChannels: { ticketUrl?: string; hotline?: string; email?: string };
  /** newest first, at most 10 */
  events: AuditEventView[];
}

export const stepUpStartBody = z.object({
  method: z.enum(STEP_UP_METHODS, { error: 'invalid_input' }),
  channel: z.enum(CODE_CHANNELS, { error: 'invalid_input' }).default('sms'),
});
export type StepUpStartRequest = z.input<typeof stepUpStartBody>;

export const stepUpVerifyBody = z.object({
  method: z.enum(STEP_UP_METHODS, { error: 'invalid_input' }),
  code: CodeSchema,
});
export type StepUpVerifyRequest = z.input<typeof stepUpVerifyBody>;

export interface StepUpResponse {
  stepUp: { active: true; expiresAt: string };
}

/** The new phone or email of a contact change: which one is required follows `kind`. */
const contactValue = (rules: TenantRules) =>
  z.object({
    kind: z.enum(CONTACT_KINDS, { error: 'invalid_input' }),
    role: z.enum(CONTACT_ROLES, { error: 'invalid_input' }),
    phone: PhoneInputSchema(rules.phoneRegions).optional(),
    email: EmailSchema.optional(),
  });

function requireValueOfKind(
  v: { kind: string; phone?: string | undefined; email?: string | undefined },
  ctx: z.RefinementCtx,
) {
  if (v.kind === 'phone' && !v.phone) fail(ctx, 'required', ['phone']);
  if (v.kind === 'email' && !v.email) fail(ctx, 'required', ['email']);
}

/** Start binding a new phone/email (security or contact role): a code goes to the new value. */
export const contactStartBody = (rules: TenantRules) =>
  contactValue(rules)
    .extend({ channel: z.enum(CODE_CHANNELS, { error: 'invalid_input' }).default('sms') })
    .superRefine(requireValueOfKind);
export type ContactStartRequest = z.input<ReturnType<typeof contactStartBody>>;

export const contactConfirmBody = (rules: TenantRules) =>
  contactValue(rules).extend({ code: CodeSchema }).superRefine(requireValueOfKind);
export type ContactConfirmRequest = z.input<ReturnType<typeof contactConfirmBody>>;

export const securityEmailBody = z.object({ email: EmailSchema });

export const changePasswordBody = (rules: TenantRules) =>
  z.object({
    currentPassword: text(256).refine((v) => v.length > 0, { params: { appCode: 'required' } }),
    newPassword: newPassword(rules),
  });
export type ChangePasswordRequest = z.input<ReturnType<typeof changePasswordBody>>;

export interface ChangePasswordResponse {
  /** other sessions of the account that were signed out */
  signedOutSessions: number;
}

// ---- sub-users (issue 5) -------------------------------------------------------

export interface SubUserView {
  id: string;
  name: string;
  disabled: boolean;
  /** the sub-user must bind a virtual MFA device (at the next sign-in, if it has none) */
  mfaRequired: boolean;
  /** the sub-user has a bound MFA device */
  mfaBound: boolean;
  createdAt: string;
}

/** PUT /v1/sub-users/:id/mfa-required */
export const subUserMfaRequiredBody = z.object({ required: z.boolean({ error: 'invalid_input' }) });

/** A sub-user's own MFA (GET /v1/sub-user/mfa). */
export interface SubUserMfaStatus {
  bound: boolean;
  boundAt: string | null;
  required: boolean;
}

/** POST /v1/sub-user/mfa/setup: a signed-in sub-user re-enters the password to bind a device (sub-users have no contacts for a step-up). */
export const subUserMfaSetupBody = z.object({
  password: text(256).refine((v) => v.length > 0, { params: { appCode: 'required' } }),
});

export const subUserCreateBody = (rules: TenantRules) =>
  z
    .object({
      name: AccountNameSchema,
      password: newPassword(rules),
      mfaRequired: z.boolean({ error: 'invalid_input' }).optional(),
    })
    .superRefine((v, ctx) => {
      if (passwordProblems(v.password, rules.passwordPolicy, v.name).includes('password_equals_account_name')) {
        fail(ctx, 'password_equals_account_name', ['password']);
      }
    });
export type SubUserCreateRequest = z.input<ReturnType<typeof subUserCreateBody>>;

export const subUserParams = z.object({ id: z.uuid({ error: 'sub_user_not_found' }) });

// ---- lost MFA device: the application to disassociate it (issue 5) ------------------

const fileInput = z.object({ data: cleanString().max(4_000_000, { error: 'file_too_large' }) });

export const mfaApplicationBody = (rules: TenantRules) =>
  z
    .object({
      type: z.enum(['personal', 'enterprise'], { error: 'invalid_input' }),
      name: text(64).refine((v) => v.trim().length > 0, { params: { appCode: 'required' } }),
      phone: PhoneInputSchema(rules.phoneRegions),
      idNumber: text(32).refine((v) => ID_NUMBER_PATTERN.test(v.trim()), { params: { appCode: 'invalid_input' } }),
      enterpriseName: text(128).optional(),
      /** base64 of a photo of the applicant holding the ID card */
      idPhoto: fileInput,
      /** base64 of the business licence (enterprise) */
      businessLicence: fileInput.optional(),
    })
    .superRefine((v, ctx) => {
      if (v.type === 'enterprise' && !v.enterpriseName?.trim()) fail(ctx, 'required', ['enterpriseName']);
      if (v.type === 'enterprise' && !v.businessLicence) fail(ctx, 'required', ['businessLicence']);
    });
export type MfaApplicationRequest = z.input<ReturnType<typeof mfaApplicationBody>>;

export interface MfaRecoveryEligibility {
  realNameVerified: boolean;
  type: 'personal' | 'enterprise' | null;
  pendingApplication: boolean;
}
