/**
 * The error model shared by the BFF and the widget: a stable snake_case code plus
 * parameters. Messages for each code live in ./i18n (zh-CN and en).
 */

/** Every error code the product can answer with, and the HTTP status the BFF uses for it. */
export const ERROR_STATUS = {
  // input, field-level
  invalid_input: 400,
  required: 400,
  text_invalid_chars: 400,
  account_name_too_short: 400,
  account_name_too_long: 400,
  account_name_invalid_chars: 400,
  account_name_digits_only: 400,
  password_too_short: 400,
  password_too_long: 400,
  password_invalid_chars: 400,
  password_unprintable: 400,
  password_missing_letter: 400,
  password_missing_digit: 400,
  password_missing_symbol: 400,
  password_too_few_classes: 400,
  password_equals_account_name: 400,
  password_too_common: 400,
  phone_invalid: 400,
  phone_region_not_allowed: 400,
  email_invalid: 400,
  code_format: 400,
  agreements_required: 400,
  referral_code_invalid: 400,
  // verification codes
  code_invalid: 400,
  code_expired: 400,
  code_too_many_attempts: 400,
  code_not_sent: 400,
  code_cooldown: 429,
  code_daily_limit: 429,
  // abuse protection for paid messages (docs/security.md#abuse-protection-for-paid-messages)
  captcha_required: 403,
  captcha_invalid: 400,
  captcha_unavailable: 503,
  risk_refused: 429,
  code_budget_exhausted: 429,
  voice_region_not_allowed: 400,
  // accounts and sessions
  account_name_taken: 409,
  invalid_credentials: 401,
  identifier_multiple_accounts: 401,
  // the phone's region is not one the tenant allows sign-in with a code for (docs/product.md#22-sign-in-with-a-phone-code)
  phone_code_sign_in_unavailable: 400,
  not_signed_in: 401,
  // the tenant published agreement versions the account has not accepted: no token for the
  // tenant's backend until it does (POST /v1/consents; docs/product.md#16-agreements)
  agreements_pending: 403,
  account_locked: 429,
  too_many_attempts: 429,
  // security settings (docs/product.md#8-security-and-contact-phones-and-emails)
  step_up_required: 403,
  step_up_method_unavailable: 400,
  contact_unchanged: 400,
  password_incorrect: 400,
  email_already_verified: 400,
  no_email_to_verify: 400,
  // virtual MFA (docs/product.md#11-virtual-mfa)
  mfa_required: 401,
  mfa_code_invalid: 400,
  mfa_code_reused: 400,
  mfa_clock_drift: 400,
  mfa_too_many_attempts: 401,
  recovery_code_invalid: 400,
  mfa_already_bound: 400,
  mfa_not_bound: 400,
  mfa_setup_expired: 400,
  // lost MFA device (docs/product.md#14-lost-mfa-device-applications)
  real_name_required: 400,
  file_type_invalid: 400,
  file_too_large: 400,
  application_pending: 409,
  // sub-users (docs/product.md#13-sub-users)
  sub_user_forbidden: 403,
  sub_user_only: 403,
  recovery_codes_unavailable: 400,
  mfa_setup_not_required: 400,
  sub_user_name_taken: 409,
  sub_user_not_found: 404,
  // the password was right but this sign-in is not allowed: 403, as account_disabled
  sub_user_disabled: 403,
  // admin API (docs/api.md#admin-api)
  admin_key_invalid: 401,
  account_disabled: 403,
  // closing an account (docs/product.md#24-closing-an-account): the right credentials of an account
  // being closed (params: closesAt); a second closing request
  account_closing: 403,
  account_already_closing: 409,
  account_not_found: 404,
  application_not_found: 404,
  application_not_pending: 409,
  lookup_query_invalid: 400,
  // sign-in with an upstream account (docs/product.md#25-sign-in-with-an-upstream-account)
  federation_provider_unknown: 404,
  federation_return_not_allowed: 400,
  // the upstream refused, or its answer did not check out (state, nonce, PKCE, issuer, audience)
  federation_failed: 400,
  // a flow, handle or activation ticket that is unknown, used or expired: start again
  federation_expired: 400,
  // the upstream is unreachable or too slow
  federation_unavailable: 503,
  federation_identity_taken: 409,
  federation_already_linked: 409,
  federation_not_linked: 404,
  // unlinking would leave the account no way to sign in
  federation_last_method: 400,
  // the account already has a name and password (the upgrade is for accounts created upstream)
  account_credentials_set: 409,
  // tenancy and transport
  tenant_unknown: 401,
  origin_not_allowed: 403,
  // development only: a Host that is neither loopback nor configured (DNS rebinding;
  // docs/security.md#production-what-the-operator-must-set)
  host_not_allowed: 403,
  csrf_rejected: 403,
  unsupported_media_type: 415,
  payload_too_large: 413,
  not_found: 404,
  method_not_allowed: 405,
  // Idempotency-Key on create endpoints (bff/src/http/idempotency.ts)
  idempotency_key_invalid: 400,
  idempotency_key_reused: 422,
  idempotency_in_progress: 409,
  internal_error: 500,
  // the database (or another dependency) is unreachable, exhausted or too slow: retry after a while
  service_unavailable: 503,
  network_error: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorParams = Record<string, string | number>;

/** A field-level problem, as returned inside an `invalid_input` error. */
export interface FieldIssue {
  /** dotted path of the field in the request body, e.g. `phone.number` */
  path: string;
  code: ErrorCode;
  params?: ErrorParams;
  message?: string;
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    params?: ErrorParams;
    fields?: FieldIssue[];
    requestId?: string;
  };
}

/** A failure with a stable code; services throw it, the BFF maps it to a 4xx answer. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams | undefined;
  readonly fields: FieldIssue[] | undefined;
  constructor(code: ErrorCode, params?: ErrorParams, fields?: FieldIssue[]) {
    super(code);
    this.name = 'AppError';
    this.code = code;
    this.params = params;
    this.fields = fields;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}
