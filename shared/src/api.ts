/**
 * The public API's request and answer schemas. Schemas that depend on the tenant's rules
 * (password policy, phone regions) are built per tenant by the factories below. The answer
 * schemas (`…Schema`) document the BFF's success answers in /openapi.json and type its handlers;
 * the widget imports only the types inferred from them (`import type`), so zod stays out of the
 * browser bundle.
 */
import { z } from 'zod';
import type { ErrorCode, FieldIssue } from './errors.ts';
import { isErrorCode } from './errors.ts';
import { accountNameProblems, normalizeAccountName, ACCOUNT_NAME_MIN, ACCOUNT_NAME_MAX } from './rules/account-name.ts';
import { PASSWORD_PRESET_NAMES, passwordProblems, type PasswordPolicy } from './rules/password.ts';
import { checkMobilePhone } from './rules/phone.ts';
import { PHONE_REGIONS, type PhoneRegion } from './rules/phone-regions.ts';
import { LOCALES } from './i18n/index.ts';
import { emailProblem, normalizeEmail } from './rules/email.ts';
import { CODE_CHANNELS, CODE_PATTERN, CODE_PURPOSES } from './rules/code.ts';
import { hasInvalidTextChars, type TextRule } from './rules/text.ts';
import { isIdNumber } from './rules/id-number.ts';
import { FEDERATION_KINDS } from './federation.ts';
import { CAPTCHA_PROVIDERS, captchaAnswer } from './captcha.ts';

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
    /** a solved captcha, when the last answer was captcha_required (docs/security.md#abuse-protection-for-paid-messages) */
    captcha: captchaAnswer.optional(),
  });
export type SendCodeBody = z.infer<ReturnType<typeof sendCodeBody>>;
export type SendCodeRequest = z.input<ReturnType<typeof sendCodeBody>>;

/** What every new account gives besides its phone: registration's, and an upstream activation's. */
const newAccountFields = {
  /** keys of the agreements the user accepted, with the versions shown */
  agreements: z.array(z.object({ key: text(64), version: text(32) })).max(20),
  referralCode: cleanString()
    .trim()
    .max(32, { error: 'referral_code_invalid' })
    .regex(/^[A-Za-z0-9_-]*$/, { error: 'referral_code_invalid' })
    .optional(),
  email: z.union([z.literal(''), EmailSchema]).optional(),
};

export const registerBody = (rules: TenantRules) =>
  z
    .object({
      accountName: AccountNameSchema,
      password: newPassword(rules),
      phone: PhoneInputSchema(rules.phoneRegions),
      code: CodeSchema,
      ...newAccountFields,
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
  /** present when a sub-user signs in: the primary account (identifier), the sub-user's name and its password */
  subUser: text(64).optional(),
  /** a solved captcha, when the last answer was captcha_required (a client failing as many identifiers: spraying) */
  captcha: captchaAnswer.optional(),
});
export type SignIn = z.infer<typeof signInBody>;
export type SignInRequest = z.input<typeof signInBody>;

/** Unlocking an account locked by failed sign-ins: a code to its security phone or email (docs/security.md#attempt-limits). */
export const unlockCodeBody = z.object({
  identifier: text(320).refine((v) => v.trim().length > 0, { params: { appCode: 'required' } }),
  channel: z.enum(['sms', 'voice', 'email'], { error: 'invalid_input' }),
  captcha: captchaAnswer.optional(),
});
export type UnlockCodeRequest = z.infer<typeof unlockCodeBody>;
/** The same answer whether or not the identifier names an account, or one that is locked. */
export const UnlockCodeResponseSchema = z.object({
  sent: z.literal(true),
  expiresIn: z.number(),
  resendAfter: z.number(),
});
export type UnlockCodeResponse = z.infer<typeof UnlockCodeResponseSchema>;
export const unlockBody = z.object({
  identifier: text(320).refine((v) => v.trim().length > 0, { params: { appCode: 'required' } }),
  code: CodeSchema,
});
export type UnlockRequest = z.infer<typeof unlockBody>;
export const UnlockResponseSchema = z.object({ unlocked: z.literal(true) });
export type UnlockResponse = z.infer<typeof UnlockResponseSchema>;

/**
 * Forgot password (docs/product.md#21-forgot-password): a code to the account's verified security
 * phone (SMS, voice) or email. The answer is the same whether or not the identifier names an account.
 */
export const passwordResetCodeBody = unlockCodeBody;
export type PasswordResetCodeRequest = z.infer<typeof passwordResetCodeBody>;
export const PasswordResetCodeResponseSchema = UnlockCodeResponseSchema;
export type PasswordResetCodeResponse = UnlockCodeResponse;
/** Checks the code without using it up: what the last step will ask for besides the new password. */
export const passwordResetVerifyBody = unlockBody;
export type PasswordResetVerifyRequest = z.infer<typeof passwordResetVerifyBody>;
export const PasswordResetVerifyResponseSchema = z.object({
  mfaRequired: z.boolean().describe('the account has an MFA device: its code (or a recovery code) is asked too'),
});
export type PasswordResetVerifyResponse = z.infer<typeof PasswordResetVerifyResponseSchema>;
/** The new password under the tenant's policy, with the code and, when MFA is bound, its code or a recovery code. */
export const passwordResetBody = (rules: TenantRules) =>
  z.object({
    identifier: text(320).refine((v) => v.trim().length > 0, { params: { appCode: 'required' } }),
    code: CodeSchema,
    password: newPassword(rules),
    mfaCode: CodeSchema.optional(),
    recoveryCode: text(64).optional(),
  });
export type PasswordResetBody = z.infer<ReturnType<typeof passwordResetBody>>;
export type PasswordResetRequest = z.input<ReturnType<typeof passwordResetBody>>;

/**
 * Sign-in with a phone code (docs/product.md#22-sign-in-with-a-phone-code): a code to a phone that
 * can sign in, in a region the tenant allows for it. The same answer for any phone.
 */
export const phoneSignInCodeBody = (rules: TenantRules) =>
  z.object({
    phone: PhoneInputSchema(rules.phoneRegions),
    channel: z.enum(CODE_CHANNELS, { error: 'invalid_input' }).default('sms'),
    captcha: captchaAnswer.optional(),
  });
export type PhoneSignInCodeBody = z.infer<ReturnType<typeof phoneSignInCodeBody>>;
export type PhoneSignInCodeRequest = z.input<ReturnType<typeof phoneSignInCodeBody>>;
export const phoneSignInBody = (rules: TenantRules) =>
  z.object({ phone: PhoneInputSchema(rules.phoneRegions), code: CodeSchema });
export type PhoneSignInBody = z.infer<ReturnType<typeof phoneSignInBody>>;
export type PhoneSignInRequest = z.input<ReturnType<typeof phoneSignInBody>>;

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

// ---- answers ---------------------------------------------------------------

const localizedText = z.object({ 'zh-CN': z.string(), en: z.string() });

/** An agreement the user accepts; consent is stored with its version. */
export const AgreementSchema = z
  .object({ key: z.string(), version: z.string(), title: localizedText, url: localizedText })
  .meta({ id: 'Agreement' });

export const PasswordPolicySchema = z
  .object({
    minLength: z.int(),
    maxLength: z.int(),
    /** classes that must each appear */
    requiredClasses: z.array(z.enum(['letter', 'digit', 'symbol'])),
    /** at least this many distinct classes must appear */
    minClasses: z.int(),
    forbidAccountName: z.boolean(),
    blockCommon: z.boolean(),
    charset: z.enum(['ascii', 'unicode']).optional(),
    preset: z.enum(PASSWORD_PRESET_NAMES).optional(),
  })
  .meta({ id: 'PasswordPolicy' });

export const SupportChannelsSchema = z.object({
  ticketUrl: z.string().optional(),
  hotline: z.string().optional(),
  email: z.string().optional(),
});

export const FederationProviderPublicSchema = z
  .object({
    id: z.string(),
    kind: z.enum(FEDERATION_KINDS),
    displayName: z.object({ 'zh-CN': z.string(), en: z.string() }),
    iconUrl: z.string().optional(),
  })
  .meta({ id: 'FederationProvider' });

/** GET /v1/config: what a widget may read about its tenant (no origins, providers or secrets). */
export const TenantConfigResponseSchema = z
  .object({
    slug: z.string(),
    displayName: localizedText,
    defaultLocale: z.enum(LOCALES),
    passwordPolicy: PasswordPolicySchema,
    phoneRegions: z.array(z.enum(PHONE_REGIONS)),
    agreements: z.array(AgreementSchema),
    supportChannels: SupportChannelsSchema,
    phoneCodeSignIn: z
      .object({ regions: z.array(z.enum(PHONE_REGIONS)) })
      .optional()
      .describe('the regions whose phones may sign in with a code; none: the choice is not offered'),
    accountClosing: z
      .object({ coolingOffDays: z.number() })
      .optional()
      .describe('days between asking to close an account and its erasure'),
    federation: z
      .object({ providers: z.array(FederationProviderPublicSchema) })
      .optional()
      .describe('the upstream providers a user may sign in with ("Log in with …" buttons)'),
    captcha: z
      .object({
        provider: z.enum(CAPTCHA_PROVIDERS),
        scriptUrl: z.string(),
        siteKey: z.string(),
        prefix: z.string().optional(),
      })
      .optional()
      .describe(
        "the bot challenge a paid code may ask for (403 captcha_required): the provider's browser script and public key (Tencent: CaptchaAppId; Aliyun: SceneId, with its identity prefix; Turnstile: site key)",
      ),
    homeUrl: z
      .string()
      .optional()
      .describe("the portal's home page (https): where the BFF's own pages (the email link's) lead back to"),
    /** the widgets' look: defaults of their CSS custom properties */
    branding: z
      .object({
        logoUrl: z.string().optional(),
        primaryColor: z.string().optional(),
        cornerRadius: z.number().optional(),
      })
      .optional(),
  })
  .meta({ id: 'TenantPublicConfig' });
export type TenantConfigResponse = z.infer<typeof TenantConfigResponseSchema>;

export const AccountSummarySchema = z
  .object({
    id: z.string(),
    accountName: z
      .string()
      .nullable()
      .describe('null for an account created through an upstream provider that has not set a name yet'),
    hasPassword: z
      .boolean()
      .optional()
      .describe('false for an account created through an upstream provider, until it sets a name and password'),
    phone: z.string().nullable().describe('the security phone, masked: 138****8000'),
    email: z.string().nullable().describe('the security email, masked, if any'),
    emailVerified: z.boolean(),
    createdAt: z.string(),
    subUser: z
      .object({ id: z.string(), name: z.string() })
      .optional()
      .describe('set when a sub-user of this (primary) account is signed in'),
  })
  .meta({ id: 'AccountSummary' });
export type AccountSummary = z.infer<typeof AccountSummarySchema>;

export const SESSION_MODES = ['cookie', 'token'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

export const SessionSummarySchema = z
  .object({
    mode: z.enum(SESSION_MODES),
    mfaPending: z
      .boolean()
      .optional()
      .describe("signed in with the password, but the account's MFA code is still due (POST /v1/sessions/mfa)"),
    token: z
      .string()
      .optional()
      .describe('the bearer token: in token mode only, and only in the answer that creates the session'),
    idleExpiresAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'SessionSummary' });
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

/**
 * POST /v1/session/token: a short-lived ES256 JWT for the tenant's own backend, which verifies it
 * against GET /tenants/<slug>/.well-known/jwks.json. `expiresIn` (seconds) lets a client with a
 * wrong clock still refresh in time.
 */
export const AccessTokenSchema = z.object({ token: z.string(), expiresAt: z.string(), expiresIn: z.number() }).meta({
  id: 'AccessToken',
  description: "A token for the tenant's backend (ES256 JWT); in a sign-in answer, on a full session only",
});
export type AccessToken = z.infer<typeof AccessTokenSchema>;

/** mfa_reset_by_primary: the primary account disassociated this sub-user's MFA device since the last sign-in */
export const SIGN_IN_NOTICES = ['mfa_reset_by_primary'] as const;
export type SignInNotice = (typeof SIGN_IN_NOTICES)[number];

export const SignedInSchema = z
  .object({
    account: AccountSummarySchema,
    session: SessionSummarySchema,
    mfaRequired: z
      .boolean()
      .optional()
      .describe('the password was right and the MFA step comes next; the session can do nothing else'),
    mfaSetupRequired: z
      .boolean()
      .optional()
      .describe(
        'a sub-user whose primary account requires MFA, without a device: bind one now (POST /v1/sessions/mfa/setup)',
      ),
    notices: z.array(z.enum(SIGN_IN_NOTICES)).optional().describe('things to tell the user at this sign-in'),
    agreementsToAccept: z
      .array(AgreementSchema)
      .optional()
      .describe("the tenant's agreements (new versions) not accepted yet: ask before going on (POST /v1/consents)"),
    // a token for the tenant's backend, on a full session only (not while the MFA step is due)
    accessToken: AccessTokenSchema.optional(),
  })
  .meta({ id: 'SignedIn' });
export type SignedIn = z.infer<typeof SignedInSchema>;

/** The password was reset: signed in as well (the tenant's `passwordReset.signInAfter`, default on), or only reset. */
export const PasswordResetResponseSchema = z.union([
  SignedInSchema.extend({ reset: z.literal(true) }),
  z.object({ reset: z.literal(true) }),
]);
export type PasswordResetResponse = z.infer<typeof PasswordResetResponseSchema>;

/**
 * GET /v1/session: the current session, or that there is none — a 200 either way, so a signed-out
 * page load logs no failed request. `signedIn` tells the two apart. "None" covers no cookie or
 * token, an expired or ended session, a stale token, and a session of another tenant. A session
 * whose MFA step is still due is an error (401 mfa_required): the widget continues that step.
 */
export const SignedOutSchema = z
  .object({ signedIn: z.literal(false) })
  .meta({ id: 'SignedOut', description: 'No valid session for this tenant (none, expired, ended or unknown)' });
export const CurrentSessionSchema = SignedInSchema.extend({ signedIn: z.literal(true) }).meta({
  id: 'CurrentSession',
  description:
    'The signed-in account and its session; `agreementsToAccept` when the tenant published agreement versions it has not accepted (no token is issued until it does)',
});
export const SessionStateSchema = z.discriminatedUnion('signedIn', [CurrentSessionSchema, SignedOutSchema]);
export type SessionState = z.infer<typeof SessionStateSchema>;

/** POST /v1/consents: the signed-in account accepts the tenant's current agreements. */
export const consentsBody = z.object({
  agreements: z
    .array(z.object({ key: text(32), version: text(16) }), { error: 'invalid_input' })
    .min(1, { error: 'agreements_required' })
    .max(10),
});
export type ConsentsRequest = z.input<typeof consentsBody>;

export const ConsentsResponseSchema = z.object({
  agreementsToAccept: z
    .array(AgreementSchema)
    .describe('what is still not accepted; once empty, POST /v1/session/token issues tokens again'),
});
export type ConsentsResponse = z.infer<typeof ConsentsResponseSchema>;

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
export const MfaSetupResponseSchema = z
  .object({
    secret: z.string().describe('base32, for typing into the app'),
    otpauthUri: z.string(),
    qrSvg: z.string().describe('the URI as a QR code, an SVG document (show it as an <img> data URL)'),
    expiresAt: z.string().describe('the setup is valid until then'),
  })
  .meta({ id: 'MfaSetup' });
export type MfaSetupResponse = z.infer<typeof MfaSetupResponseSchema>;

export const RecoveryCodesResponseSchema = z.object({
  recoveryCodes: z.array(z.string()).describe('shown once: 10 single-use codes'),
});
export type RecoveryCodesResponse = z.infer<typeof RecoveryCodesResponseSchema>;

/** A code went out (or, for a test identity, did not need to). */
export const SendCodeResponseSchema = z
  .object({
    deliveryId: z
      .string()
      .nullable()
      .describe('poll GET /v1/deliveries/{id} for the delivery status; null when nothing is sent (test identities)'),
    channel: z.enum([...CODE_CHANNELS, 'email']),
    sentTo: z.string().describe('masked'),
    expiresIn: z.number(),
    resendAfter: z.number(),
  })
  .meta({ id: 'CodeSent' });
export type SendCodeResponse = z.infer<typeof SendCodeResponseSchema>;

export const deliveryParams = z.object({ id: z.uuid({ error: 'not_found' }) });

export const DeliveryStatusResponseSchema = z.object({
  id: z.string(),
  channel: z.enum(['sms', 'voice', 'email']),
  status: z.enum(['queued', 'sending', 'sent', 'failed']),
  attempts: z.number(),
  updatedAt: z.string(),
});
export type DeliveryStatusResponse = z.infer<typeof DeliveryStatusResponseSchema>;

export const AvailabilityResponseSchema = z.object({ available: z.boolean() });
export type AvailabilityResponse = z.infer<typeof AvailabilityResponseSchema>;

export { HEADER_LOCALE, HEADER_PUBLISHABLE_KEY, HEADER_SESSION_MODE } from './headers.ts';

// ---- security settings ---------------------------------------------------------

export const STEP_UP_METHODS = ['phone', 'email', 'totp'] as const;
export type StepUpMethod = (typeof STEP_UP_METHODS)[number];
export const CONTACT_KINDS = ['phone', 'email'] as const;
export type ContactKindName = (typeof CONTACT_KINDS)[number];
export const CONTACT_ROLES = ['security', 'contact'] as const;
export type ContactRoleName = (typeof CONTACT_ROLES)[number];

/** A bound phone or email as the account center shows it. */
export const ContactViewSchema = z
  .object({
    kind: z.enum(CONTACT_KINDS),
    value: z.string().describe('masked: 138****8000, a***@example.com'),
    verified: z.boolean(),
    canVerifyIdentity: z.boolean().describe('verified security contacts only'),
    canSignIn: z.boolean().describe('decided at binding: no other account of the tenant had it'),
    boundAt: z.string(),
  })
  .meta({ id: 'ContactView' });
export type ContactView = z.infer<typeof ContactViewSchema>;

export const AUDIT_EVENT_TYPES = [
  // admin API actions: detail.adminKeyId names the acting key
  'account_disabled',
  'account_enabled',
  'signed_out_everywhere',
  'real_name_set',
  'real_name_cleared',
  'mfa_application_approved',
  'mfa_application_rejected',
  'mfa_application_file_viewed',
  'registered',
  'sign_in',
  'sign_in_failed',
  'account_unlocked',
  'password_reset',
  'security_phone_application_submitted',
  'security_phone_rebound',
  'code_sent',
  'contact_added',
  'contact_changed',
  'contact_verified',
  'contact_reset',
  'password_changed',
  'step_up_passed',
  'step_up_failed',
  'mfa_bound',
  'mfa_unbound',
  'mfa_passed',
  'mfa_failed',
  'recovery_code_used',
  'recovery_codes_regenerated',
  'sub_user_created',
  'sub_user_disabled',
  'sub_user_enabled',
  'sub_user_deleted',
  'sub_user_mfa_required',
  'sub_user_mfa_not_required',
  'sub_user_mfa_disassociated',
  'sub_user_password_set',
  'agreements_accepted',
  'tenant_configured',
  // closing an account (docs/product.md#24-closing-an-account)
  'account_closing_requested',
  'account_closing_cancelled',
  'account_closed',
  // upstream accounts (docs/product.md#25-sign-in-with-an-upstream-account)
  'federation_linked',
  'federation_unlinked',
  'account_credentials_set',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** What an audit event's `detail` holds, e.g. { kind: 'phone', role: 'security' }. */
export const AuditDetailSchema = z.record(z.string(), z.union([z.string(), z.number()]));

export const AuditEventViewSchema = z
  .object({
    type: z.enum(AUDIT_EVENT_TYPES),
    outcome: z.enum(['success', 'failure']),
    at: z.string(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    detail: AuditDetailSchema,
  })
  .meta({ id: 'AuditEvent' });
export type AuditEventView = z.infer<typeof AuditEventViewSchema>;

export const SecurityOverviewSchema = z
  .object({
    account: z.object({ id: z.string(), accountName: z.string().nullable(), createdAt: z.string() }),
    securityPhone: ContactViewSchema.nullable(),
    securityEmail: ContactViewSchema.nullable(),
    // null: the same as the security phone / email
    contactPhone: ContactViewSchema.nullable(),
    contactEmail: ContactViewSchema.nullable(),
    mfa: z.object({ bound: z.boolean(), boundAt: z.string().nullable(), recoveryCodesLeft: z.number() }),
    stepUp: z.object({ active: z.boolean(), expiresAt: z.string().nullable() }),
    stepUpMethods: z
      .array(z.enum(STEP_UP_METHODS))
      .describe('the identity-verification methods this account can use now; empty: show supportChannels'),
    supportChannels: SupportChannelsSchema,
    securityPhoneRebindUntil: z
      .string()
      .nullable()
      .describe(
        'an approved lost-security-phone application: until then a new security phone is bound by its own code, without a step-up',
      ),
    events: z.array(AuditEventViewSchema).describe('newest first, at most 10'),
  })
  .meta({
    id: 'SecurityOverview',
    description: 'contactPhone and contactEmail are null where they are the same as the security phone and email',
  });
export type SecurityOverview = z.infer<typeof SecurityOverviewSchema>;

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

/** POST /v1/security/step-up/start: a code went to the current security phone/email (none for TOTP). */
export const StepUpStartedSchema = SendCodeResponseSchema.extend({ method: z.enum(STEP_UP_METHODS) });
export type StepUpStarted = z.infer<typeof StepUpStartedSchema>;

export const StepUpResponseSchema = z.object({
  stepUp: z.object({ active: z.literal(true), expiresAt: z.string() }),
});
export type StepUpResponse = z.infer<typeof StepUpResponseSchema>;

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

/** POST /v1/security/contacts/start: a code went to the new phone/email. */
export const ContactStartedSchema = SendCodeResponseSchema;
export type ContactStarted = z.infer<typeof ContactStartedSchema>;

/** DELETE /v1/security/contacts/{kind}: a contact phone/email goes back to following the security one. */
export const contactKindParams = z.object({ kind: z.enum(CONTACT_KINDS, { error: 'not_found' }) });

export const securityEmailBody = z.object({ email: EmailSchema });

/** POST /v1/security/email and /email/verification: a verification link was queued. */
export const EmailLinkSentSchema = z.object({ deliveryId: z.string(), sentTo: z.string().describe('masked') });
export type EmailLinkSent = z.infer<typeof EmailLinkSentSchema>;

export const changePasswordBody = (rules: TenantRules) =>
  z.object({
    currentPassword: text(256).refine((v) => v.length > 0, { params: { appCode: 'required' } }),
    newPassword: newPassword(rules),
  });
export type ChangePasswordRequest = z.input<ReturnType<typeof changePasswordBody>>;

export const ChangePasswordResponseSchema = z.object({
  signedOutSessions: z.number().describe('other sessions of the account that were signed out'),
});
export type ChangePasswordResponse = z.infer<typeof ChangePasswordResponseSchema>;

// ---- sub-users -------------------------------------------------------------------

export const SubUserViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    disabled: z.boolean(),
    mfaRequired: z
      .boolean()
      .describe('the sub-user must bind a virtual MFA device (at the next sign-in, if it has none)'),
    mfaBound: z.boolean().describe('the sub-user has a bound MFA device'),
    createdAt: z.string(),
  })
  .meta({ id: 'SubUser' });
export type SubUserView = z.infer<typeof SubUserViewSchema>;

export const SubUserListSchema = z.object({ subUsers: z.array(SubUserViewSchema) });
export type SubUserList = z.infer<typeof SubUserListSchema>;

/** PUT /v1/sub-users/:id/mfa-required */
export const subUserMfaRequiredBody = z.object({ required: z.boolean({ error: 'invalid_input' }) });

/** A sub-user's own MFA (GET /v1/sub-user/mfa). */
export const SubUserMfaStatusSchema = z.object({
  bound: z.boolean(),
  boundAt: z.string().nullable(),
  required: z.boolean(),
});
export type SubUserMfaStatus = z.infer<typeof SubUserMfaStatusSchema>;

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

/** A sub-user's password, set by its primary account (a sub-user that forgot its own: docs/product.md#13-sub-users). */
export const subUserPasswordBody = (rules: TenantRules) => z.object({ password: newPassword(rules) });
export type SubUserPasswordRequest = z.input<ReturnType<typeof subUserPasswordBody>>;

export const subUserParams = z.object({ id: z.uuid({ error: 'sub_user_not_found' }) });

// ---- lost MFA device: the application to disassociate it ---------------------------

const fileInput = z.object({ data: cleanString().max(4_000_000, { error: 'file_too_large' }) });

/** An application reviewed by the tenant's support: a lost MFA device, or a lost security phone. */
export const APPLICATION_PURPOSES = ['mfa', 'security_phone'] as const;

export const mfaApplicationBody = (rules: TenantRules) =>
  z
    .object({
      type: z.enum(['personal', 'enterprise'], { error: 'invalid_input' }),
      name: text(64).refine((v) => v.trim().length > 0, { params: { appCode: 'required' } }),
      phone: PhoneInputSchema(rules.phoneRegions),
      idNumber: text(32).refine(isIdNumber, { params: { appCode: 'invalid_input' } }),
      enterpriseName: text(128).optional(),
      /** base64 of a photo of the applicant holding the ID card */
      idPhoto: fileInput,
      /** base64 of the business licence (enterprise) */
      businessLicence: fileInput.optional(),
      /** what is applied for: disassociating a lost MFA device (default), or binding a new security phone (docs/product.md#23-lost-security-phone) */
      purpose: z.enum(APPLICATION_PURPOSES, { error: 'invalid_input' }).optional(),
    })
    .superRefine((v, ctx) => {
      if (v.type === 'enterprise' && !v.enterpriseName?.trim()) fail(ctx, 'required', ['enterpriseName']);
      if (v.type === 'enterprise' && !v.businessLicence) fail(ctx, 'required', ['businessLicence']);
    });
export type MfaApplicationRequest = z.input<ReturnType<typeof mfaApplicationBody>>;

/** GET /v1/mfa-recovery?purpose=: the eligibility for which application. */
export const applicationPurposeQuery = z.object({
  purpose: z.enum(APPLICATION_PURPOSES, { error: 'invalid_input' }).optional(),
});

export const MfaRecoveryEligibilitySchema = z.object({
  realNameVerified: z.boolean(),
  type: z.enum(['personal', 'enterprise']).nullable(),
  pendingApplication: z.boolean(),
});
export type MfaRecoveryEligibility = z.infer<typeof MfaRecoveryEligibilitySchema>;

/** POST /v1/mfa-recovery/applications: queued for the tenant's review. */
export const MfaApplicationSubmittedSchema = z.object({ id: z.string(), status: z.literal('pending') });
export type MfaApplicationSubmitted = z.infer<typeof MfaApplicationSubmittedSchema>;

// ---- tokens for tenants' backends (outside /v1: server to server) -----------------

/** GET /tenants/{slug}/.well-known/jwks.json: the keys that verify the access tokens. */
export const JwksSchema = z.object({
  keys: z.array(
    z.object({
      kty: z.string(),
      crv: z.string(),
      x: z.string(),
      y: z.string(),
      kid: z.string(),
      alg: z.string(),
      use: z.literal('sig'),
    }),
  ),
});

/** GET /tenants/{slug}/.well-known/openid-configuration: only what a verifier needs to find the keys. */
export const OpenIdConfigurationSchema = z.object({
  issuer: z.string(),
  jwks_uri: z.string(),
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
  claims_supported: z.array(z.string()),
});

// ---- closing an account (docs/product.md#24-closing-an-account) ------------------

/** GET /v1/account/export: what the account holds, as a download. No hash, secret, code or token. */
export const AccountExportSchema = z
  .object({
    format: z.literal('jd-account-export/1'),
    exportedAt: z.string(),
    account: z.object({
      id: z.string(),
      accountName: z.string().nullable(),
      createdAt: z.string(),
      locale: z.enum(LOCALES).nullable(),
      realName: z
        .object({ type: z.enum(['personal', 'enterprise']), verified: z.boolean() })
        .optional()
        .describe('the kind of real-name record and whether it is verified; never the name or ID number'),
    }),
    contacts: z.array(
      z.object({
        kind: z.enum(['phone', 'email']),
        role: z.enum(['security', 'contact']),
        value: z.string(),
        verified: z.boolean(),
        canSignIn: z.boolean(),
      }),
    ),
    subUsers: z.array(
      z.object({
        name: z.string(),
        createdAt: z.string(),
        disabled: z.boolean(),
        mfaRequired: z.boolean(),
        mfaBound: z.boolean(),
      }),
    ),
    consents: z.array(z.object({ key: z.string(), version: z.string(), acceptedAt: z.string() })),
    mfa: z.object({ bound: z.boolean(), recoveryCodesLeft: z.number() }),
    securityEvents: z
      .array(
        z.object({
          type: z.enum(AUDIT_EVENT_TYPES),
          outcome: z.enum(['success', 'failure']),
          at: z.string(),
          ip: z.string().nullable(),
          userAgent: z.string().nullable(),
        }),
      )
      .describe('newest first, at most 1000'),
  })
  .meta({ id: 'AccountExport' });
export type AccountExport = z.infer<typeof AccountExportSchema>;

/** POST /v1/account/closing: every session has ended; the account's data is erased at `closesAt`. */
export const AccountClosingResponseSchema = z.object({ closesAt: z.string() });
export type AccountClosingResponse = z.infer<typeof AccountClosingResponseSchema>;

/** POST /v1/account/closing/cancel: the account's sign-in identifier and password, as at sign-in. */
export const closingCancelBody = z.object({
  identifier: text(320).refine((v) => v.trim().length > 0, { params: { appCode: 'required' } }),
  password: text(256).refine((v) => v.length > 0, { params: { appCode: 'required' } }),
});
export type ClosingCancelRequest = z.infer<typeof closingCancelBody>;
export const ClosingCancelledSchema = z.object({ cancelled: z.literal(true) });
export type ClosingCancelled = z.infer<typeof ClosingCancelledSchema>;

// ---- sign-in with an upstream account (docs/product.md#25-sign-in-with-an-upstream-account) ----

/** GET /v1/federation/:provider/start: the page starting the flow (a top-level navigation, so the key is a parameter). */
export const federationStartQuery = z.object({
  key: text(128),
  return_to: text(2048),
  mode: z.enum(['cookie', 'token'], { error: 'invalid_input' }).default('cookie'),
  locale: z.enum(LOCALES, { error: 'invalid_input' }).optional(),
});

/** POST /v1/federation/resume: the one-time handle the callback put in the page's URL fragment. */
export const federationResumeBody = z.object({ handle: text(128).min(16, { error: 'federation_expired' }) });

export const FederationActivationSchema = z
  .object({
    provider: z.string(),
    providerName: z.object({ 'zh-CN': z.string(), en: z.string() }),
    ticket: z.string().describe('one-time: POST /v1/federation/activate with it; kept in memory, never in a URL'),
    expiresAt: z.string(),
    phone: z
      .object({ region: z.enum(PHONE_REGIONS), number: z.string() })
      .optional()
      .describe("the upstream's phone, when in a region the tenant allows: a prefill, verified by our code regardless"),
    email: z.string().optional().describe("the upstream's email, a prefill"),
    name: z.string().optional().describe("the upstream's display name, for the greeting"),
  })
  .meta({ id: 'FederationActivation' });
export type FederationActivation = z.infer<typeof FederationActivationSchema>;

/** The resumed flow: signed in (maybe with the MFA step due), the activation step, or a link made. */
export const FederationResumeResponseSchema = z.union([
  SignedInSchema,
  z.object({ activation: FederationActivationSchema }),
  z.object({ linked: z.object({ provider: z.string() }) }),
]);
export type FederationResumeResponse = z.infer<typeof FederationResumeResponseSchema>;

/** POST /v1/federation/activate: the first sign-in's activation step; creates the account and links it. */
export const federationActivateBody = (rules: TenantRules) =>
  z.object({
    ticket: text(128),
    phone: PhoneInputSchema(rules.phoneRegions),
    /** the phone's code, sent with purpose `register` (POST /v1/verification-codes) */
    code: CodeSchema,
    ...newAccountFields,
  });
export type FederationActivateBody = z.infer<ReturnType<typeof federationActivateBody>>;
export type FederationActivateRequest = z.input<ReturnType<typeof federationActivateBody>>;

export const FederationLinkSchema = z
  .object({
    provider: z.string(),
    kind: z.enum(FEDERATION_KINDS),
    displayName: z.object({ 'zh-CN': z.string(), en: z.string() }),
    linkedAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'FederationLink' });

/** GET /v1/federation/links: the account's linked upstream accounts, and the tenant's providers not linked yet. */
export const FederationLinksResponseSchema = z
  .object({
    links: z.array(FederationLinkSchema),
    available: z.array(FederationProviderPublicSchema),
    hasPassword: z.boolean(),
  })
  .meta({ id: 'FederationLinks' });
export type FederationLinksResponse = z.infer<typeof FederationLinksResponseSchema>;

/** POST /v1/federation/:provider/link (step-up): where to send the browser to link an upstream account. */
export const federationLinkBody = z.object({ returnTo: text(2048) });
export const FederationLinkStartSchema = z
  .object({ startUrl: z.string().describe('navigate the top-level page here; the upstream sends it back to returnTo') })
  .meta({ id: 'FederationLinkStart' });

/** POST /v1/account/credentials (step-up): an account created upstream sets its account name and password. */
export const accountCredentialsBody = (rules: TenantRules) =>
  z.object({ accountName: AccountNameSchema, password: newPassword(rules) }).superRefine((v, ctx) => {
    if (passwordProblems(v.password, rules.passwordPolicy, v.accountName).includes('password_equals_account_name')) {
      fail(ctx, 'password_equals_account_name', ['password']);
    }
  });
export type AccountCredentialsBody = z.infer<ReturnType<typeof accountCredentialsBody>>;
export const AccountCredentialsResponseSchema = z.object({ account: AccountSummarySchema });
