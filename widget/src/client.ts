/**
 * The one place that talks HTTP to the BFF. Elements call these methods and get typed
 * answers or a {@link JdApiError}; they never build URLs or read response bodies themselves.
 *
 * Requests and answers are typed by the API's own schemas (shared/src/api.ts: the types inferred
 * from the zod schemas the BFF validates and documents with), never restated here. Imports: only
 * types from shared/src/api.ts (it pulls zod), shared/src/errors.ts (no imports: its status table
 * tells known error codes without loading a message catalogue, which the widget loads per locale)
 * and the headers — keeps zod out of the bundle and the bundle small.
 */
import { isErrorCode, type ErrorCode, type ErrorParams, type FieldIssue } from '../../shared/src/errors.ts';
import type { Locale } from '../../shared/src/i18n/index.ts';
import type { CaptchaAnswer } from '../../shared/src/captcha.ts';
import type {
  AccessToken,
  AccountClosingResponse,
  AccountExport,
  AvailabilityResponse,
  ChangePasswordRequest,
  ChangePasswordResponse,
  ClosingCancelled,
  ClosingCancelRequest,
  ConsentsRequest,
  ConsentsResponse,
  ContactConfirmRequest,
  ContactKindName,
  ContactStarted,
  ContactStartRequest,
  DeliveryStatusResponse,
  EmailLinkSent,
  FederationActivateRequest,
  FederationLinksResponse,
  FederationResumeResponse,
  MfaApplicationRequest,
  MfaApplicationSubmitted,
  MfaRecoveryEligibility,
  MfaSetupResponse,
  MfaSignInRequest,
  PhoneSignInCodeRequest,
  PhoneSignInRequest,
  RecoveryCodesResponse,
  RegisterRequest,
  SecurityOverview,
  SendCodeRequest,
  SendCodeResponse,
  SessionMode,
  SignedIn,
  SignInRequest,
  StepUpResponse,
  StepUpStarted,
  StepUpStartRequest,
  StepUpVerifyRequest,
  SubUserCreateRequest,
  SubUserList,
  SubUserMfaStatus,
  SubUserView,
  TenantConfigResponse,
  PasswordResetCodeRequest,
  PasswordResetCodeResponse,
  PasswordResetRequest,
  PasswordResetResponse,
  PasswordResetVerifyRequest,
  PasswordResetVerifyResponse,
  UnlockCodeRequest,
  UnlockCodeResponse,
  UnlockRequest,
  UnlockResponse,
} from '../../shared/src/api.ts';

import {
  HEADER_IDEMPOTENCY_KEY,
  HEADER_LOCALE,
  HEADER_PUBLISHABLE_KEY,
  HEADER_SESSION_MODE,
} from '../../shared/src/headers.ts';

/** A failed call: the BFF's error code (or `network_error`), its params and field issues. */
export class JdApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: ErrorParams | undefined;
  readonly fields: FieldIssue[];
  constructor(
    code: ErrorCode,
    status: number,
    message: string = code,
    params?: ErrorParams,
    fields: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'JdApiError';
    this.code = code;
    this.status = status;
    this.params = params;
    this.fields = fields;
  }
}

export type { ContactStarted, EmailLinkSent, SendCodeRequest, SignInRequest, StepUpStarted };

/** GET /v1/deliveries/:id: where a queued message (e.g. a verification code) stands. */
export type DeliveryStatus = DeliveryStatusResponse;

/** The send-code answer; `deliveryId` is read defensively until every BFF sends it. */
export type SendCodeAnswer = SendCodeResponse & { deliveryId?: string | undefined };

export interface ClientOptions {
  publishableKey: string;
  /** '' (default) = same origin as the page */
  apiBase?: string;
  /** override; default: cookie for same origin, token for another origin */
  sessionMode?: SessionMode | undefined;
  locale?: Locale;
}

/** Cookie sessions need a same-origin (or same-site) BFF; a BFF on another origin hands out bearer tokens. */
export function defaultSessionMode(apiBase: string): SessionMode {
  if (!apiBase) return 'cookie';
  try {
    return new URL(apiBase, location.href).origin === location.origin ? 'cookie' : 'token';
  } catch {
    return 'token';
  }
}

export function tokenStorageKey(publishableKey: string): string {
  return `jd-account:token:${publishableKey}`;
}

/** Statuses an error code would have, for when the body is not our JSON (proxy pages, etc.). */
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'not_signed_in';
  if (status === 403) return 'origin_not_allowed';
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 429) return 'too_many_attempts';
  // a proxy's own 502/503/504 page: the service is briefly away, as when the BFF says so itself
  if (status > 501) return 'service_unavailable';
  return 'internal_error';
}

export class JdClient {
  readonly publishableKey: string;
  readonly apiBase: string;
  readonly sessionMode: SessionMode;
  locale: Locale;
  /**
   * Runs the tenant's bot challenge when a POST is answered `captcha_required` (the elements set it:
   * a lazily loaded part, widget/src/parts/captcha.ts). Its answer is sent with the same request once
   * more, as `captcha` in the body; null (the user closed it) leaves the `captcha_required` error.
   */
  declare onChallenge?: () => Promise<CaptchaAnswer | null>;

  constructor(options: ClientOptions) {
    this.publishableKey = options.publishableKey;
    this.apiBase = (options.apiBase ?? '').replace(/\/+$/, '');
    this.sessionMode = options.sessionMode ?? defaultSessionMode(this.apiBase);
    this.locale = options.locale ?? 'zh-CN';
  }

  // ---- token storage (token mode only) ------------------------------------

  get token(): string | null {
    try {
      return sessionStorage.getItem(tokenStorageKey(this.publishableKey));
    } catch {
      return null; // storage disabled (privacy mode, sandboxed iframe)
    }
  }

  private set token(value: string | null) {
    try {
      const key = tokenStorageKey(this.publishableKey);
      if (value) sessionStorage.setItem(key, value);
      else sessionStorage.removeItem(key);
    } catch {
      /* storage disabled: the session lasts for this page only */
    }
  }

  private remember(answer: SignedIn): SignedIn {
    if (this.sessionMode === 'token' && answer.session?.token) this.token = answer.session.token;
    this.keepAccess(answer.accessToken); // a new sign-in replaces (or drops) the cached backend token
    return answer;
  }

  // ---- the token for the portal's own backend ------------------------------

  /** `session`: the stored session token it was issued for ('' in cookie mode) */
  private access: { token: string; refreshAt: number; session: string } | undefined;
  private accessPending: Promise<string> | undefined;

  /** Token mode: the session this client's requests carry; '' in cookie mode (the cookie is out of reach), null when none is stored. */
  private get sessionKey(): string | null {
    return this.sessionMode === 'token' ? this.token : '';
  }

  private keepAccess(t: AccessToken | undefined) {
    // timed by this browser's clock from expiresIn, so a wrong clock cannot keep an expired token
    this.access = t
      ? {
          token: t.token,
          refreshAt: Date.now() + Math.max(t.expiresIn - 60, t.expiresIn / 2) * 1000,
          session: this.sessionKey ?? '',
        }
      : undefined;
  }

  /**
   * A signed token (ES256 JWT, ~5 minutes) to send to the portal's own backend, which verifies it
   * against the tenant's JWKS. Cached and fetched anew a minute before it expires; calls made
   * meanwhile share one request. Rejects with `not_signed_in` / `mfa_required` without a full session,
   * and with `agreements_pending` (403) while the tenant's new agreement versions wait for the user
   * (accept them with acceptAgreements(), then ask again).
   */
  accessToken(): Promise<string> {
    // Token mode: the elements of a page share one stored session, so another element's sign-out
    // (token gone) or sign-in (token replaced) makes this client's cached token stale.
    const session = this.sessionKey;
    if (session === null) return Promise.reject(new JdApiError('not_signed_in', 401));
    if (this.access && this.access.session === session && Date.now() < this.access.refreshAt)
      return Promise.resolve(this.access.token);
    // an error (agreements_pending included) rejects with its code and caches nothing: the next call asks again
    this.accessPending ??= this.request<AccessToken>('POST', '/session/token', {})
      .then((t) => (this.keepAccess(t), t.token))
      .finally(() => (this.accessPending = undefined));
    return this.accessPending;
  }

  // ---- transport ----------------------------------------------------------

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    createsSession = false,
    creates = false,
  ): Promise<T> {
    const headers: Record<string, string> = {
      [HEADER_PUBLISHABLE_KEY]: this.publishableKey,
      [HEADER_LOCALE]: this.locale,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // a create runs at most once per submit (bff/src/http/idempotency.ts); randomUUID is absent outside secure contexts
    const key = creates && crypto.randomUUID?.();
    if (key) headers[HEADER_IDEMPOTENCY_KEY] = key;
    if (this.sessionMode === 'token') {
      if (createsSession) headers[HEADER_SESSION_MODE] = 'token';
      const token = this.token;
      if (token) headers['authorization'] = `Bearer ${token}`;
    }
    let res: Response;
    try {
      // Looked up on every call so a page (or a test) may replace window.fetch.
      res = await globalThis.fetch(`${this.apiBase}/v1${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        credentials: this.sessionMode === 'cookie' ? 'include' : 'omit',
      });
    } catch {
      throw new JdApiError('network_error', 0);
    }
    if (res.status === 204) return undefined as T;
    let data: unknown;
    try {
      data = await res.json();
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const err = (
        data as { error?: { code?: unknown; message?: unknown; params?: ErrorParams; fields?: FieldIssue[] } }
      )?.error;
      const code = err && isErrorCode(err.code) ? err.code : codeForStatus(res.status);
      const message = typeof err?.message === 'string' ? err.message : code;
      const fields = Array.isArray(err?.fields) ? err.fields.filter((f) => f && isErrorCode(f.code)) : [];
      // a 429 carries the wait in Retry-After too (a proxy's 429 in it alone): the message needs {seconds}
      const retryAfter = Number(res.headers.get('retry-after'));
      const params =
        res.status === 429 && retryAfter > 0 && err?.params?.['seconds'] === undefined
          ? { ...err?.params, seconds: retryAfter }
          : err?.params;
      const e = new JdApiError(code, res.status, message, params, fields);
      // docs/security.md#abuse-protection-for-paid-messages: solved, the request (a POST with a JSON object)
      // goes once more, not again after that; a new idempotency key, as for any other body
      const captcha =
        code === 'captcha_required' &&
        !(body as { captcha?: unknown } | undefined)?.captcha &&
        (await this.onChallenge?.());
      if (captcha) return this.request(method, path, { ...(body as object), captcha }, createsSession, creates);
      throw e;
    }
    return data as T;
  }

  // ---- API ----------------------------------------------------------------

  config(): Promise<TenantConfigResponse> {
    return this.request('GET', '/config');
  }

  async accountNameAvailable(name: string): Promise<boolean> {
    const r = await this.request<AvailabilityResponse>(
      'GET',
      `/account-names/availability?name=${encodeURIComponent(name)}`,
    );
    return r.available;
  }

  sendCode(body: SendCodeRequest): Promise<SendCodeAnswer> {
    return this.request('POST', '/verification-codes', body);
  }

  deliveryStatus(id: string): Promise<DeliveryStatus> {
    return this.request('GET', `/deliveries/${encodeURIComponent(id)}`);
  }

  async register(body: RegisterRequest): Promise<SignedIn> {
    return this.remember(await this.request<SignedIn>('POST', '/accounts', body, true, true));
  }

  async signIn(body: SignInRequest): Promise<SignedIn> {
    return this.remember(await this.request<SignedIn>('POST', '/sessions', body, true));
  }

  /**
   * The MFA step of a sign-in that answered `mfaRequired`: a current TOTP code or a recovery code.
   * The session is rotated (token mode: a new token replaces the pending one). When the pending
   * session is gone (too many tries, expired) its token is dropped.
   */
  async mfaSignIn(body: MfaSignInRequest): Promise<SignedIn> {
    try {
      return this.remember(await this.request<SignedIn>('POST', '/sessions/mfa', body, true));
    } catch (e) {
      if (e instanceof JdApiError && (e.code === 'mfa_too_many_attempts' || e.code === 'not_signed_in'))
        this.token = null;
      throw e;
    }
  }

  /**
   * A sub-user's sign-in that answered `mfaSetupRequired`: a new TOTP secret to bind with the
   * pending session; mfaSignIn() with its first code binds it and completes the sign-in.
   */
  mfaSignInSetup(): Promise<MfaSetupResponse> {
    return this.request('POST', '/sessions/mfa/setup', {});
  }

  /**
   * Forgot password (docs/product.md#21-forgot-password): a code to the account's verified security
   * phone (sms, voice) or email, if any. The same answer for any identifier.
   */
  sendPasswordResetCode(body: PasswordResetCodeRequest): Promise<PasswordResetCodeResponse> {
    return this.request('POST', '/password-reset/code', body);
  }

  /** Checks the reset code without using it up; `mfaRequired`: the MFA code is asked with the new password. */
  verifyPasswordResetCode(body: PasswordResetVerifyRequest): Promise<PasswordResetVerifyResponse> {
    return this.request('POST', '/password-reset/verify', body);
  }

  /** Sets the new password; signed in as well unless the tenant turned that off (then only `{ reset: true }`). */
  async resetPassword(body: PasswordResetRequest): Promise<PasswordResetResponse> {
    const answer = await this.request<PasswordResetResponse>('POST', '/password-reset', body, true);
    if ('account' in answer) this.remember(answer);
    return answer;
  }

  /** MFA bound and its device lost: the reset code opens the MFA step, from which the lost-device application is made. */
  async resetLostDevice(body: PasswordResetVerifyRequest): Promise<SignedIn> {
    return this.remember(await this.request<SignedIn>('POST', '/password-reset/lost-device', body, true));
  }

  /**
   * A locked account's owner asks for an unlock code, sent to the account's verified security
   * phone (sms, voice) or email, if any (docs/security.md#attempt-limits). The answer is the same whether
   * or not the identifier names an account, or a locked one, so it names no target.
   */
  sendUnlockCode(body: UnlockCodeRequest): Promise<UnlockCodeResponse> {
    return this.request('POST', '/sessions/unlock/code', body);
  }

  /** Lifts the lock with that code; a wrong, expired or unknown one: 400 `code_invalid`. */
  unlock(body: UnlockRequest): Promise<UnlockResponse> {
    return this.request('POST', '/sessions/unlock', body);
  }

  /**
   * Sign-in with a phone code (docs/product.md#22-sign-in-with-a-phone-code): a code to the phone,
   * if it can sign in. The same answer for any phone; a region the tenant does not allow for it
   * (`config.phoneCodeSignIn.regions`): 400 `phone_code_sign_in_unavailable`.
   */
  sendPhoneSignInCode(body: PhoneSignInCodeRequest): Promise<UnlockCodeResponse> {
    return this.request('POST', '/sessions/phone-code/code', body);
  }

  /** Signs in with the phone and its code, as signIn() does (`mfaRequired` when the MFA step is due); any refused code: 400 `code_invalid`. */
  async signInWithPhoneCode(body: PhoneSignInRequest): Promise<SignedIn> {
    return this.remember(await this.request<SignedIn>('POST', '/sessions/phone-code', body, true));
  }

  /** Lost MFA device (pending session): may this account apply to disassociate it? */
  mfaRecovery(purpose: 'mfa' | 'security_phone' = 'mfa'): Promise<MfaRecoveryEligibility> {
    return this.request('GET', purpose === 'mfa' ? '/mfa-recovery' : '/mfa-recovery?purpose=security_phone');
  }

  /** Lost MFA device: the application (details and base64 images) that tenant support reviews. */
  applyMfaRecovery(body: MfaApplicationRequest): Promise<MfaApplicationSubmitted> {
    return this.request('POST', '/mfa-recovery/applications', body, false, true);
  }

  /**
   * The current session, or null when not signed in. The BFF answers a signed-out check with 200
   * `{ signedIn: false }` (no failed request in the console on every page load); a BFF from before
   * that answered 401 `not_signed_in`, read the same way. Either drops a stale token and the
   * cached backend token. A session whose MFA step is due rejects with `mfa_required`.
   */
  async session(): Promise<SignedIn | null> {
    if (this.sessionMode === 'token' && !this.token) return null;
    const answer = await this.request<SignedIn & { signedIn?: boolean }>('GET', '/session').catch((e: unknown) => {
      if (e instanceof JdApiError && e.code === 'not_signed_in') return { signedIn: false };
      throw e;
    });
    if (answer.signedIn === false) {
      this.token = null;
      this.access = undefined;
      return null;
    }
    return answer as SignedIn;
  }

  /**
   * Accepts agreement versions a sign-in answered in `agreementsToAccept` (a full session); answers
   * what is still missing. A version that is no longer current: 400 `agreements_required`.
   */
  acceptAgreements(agreements: ConsentsRequest['agreements']): Promise<ConsentsResponse> {
    return this.request('POST', '/consents', { agreements });
  }

  async signOut(): Promise<void> {
    try {
      await this.request<void>('DELETE', '/session');
    } finally {
      this.token = null;
      this.access = undefined;
    }
  }

  // ---- security settings (every call needs a session, else 401 not_signed_in) ----

  security(): Promise<SecurityOverview> {
    return this.request('GET', '/security');
  }

  stepUpStart(body: StepUpStartRequest): Promise<StepUpStarted> {
    return this.request('POST', '/security/step-up/start', body);
  }

  stepUpVerify(body: StepUpVerifyRequest): Promise<StepUpResponse> {
    return this.request('POST', '/security/step-up/verify', body);
  }

  contactStart(body: ContactStartRequest): Promise<ContactStarted> {
    return this.request('POST', '/security/contacts/start', body);
  }

  contactConfirm(body: ContactConfirmRequest): Promise<SecurityOverview> {
    return this.request('POST', '/security/contacts/confirm', body);
  }

  /** Resets a contact phone/email to "same as the security one". */
  contactReset(kind: ContactKindName): Promise<SecurityOverview> {
    return this.request('DELETE', `/security/contacts/${kind}`);
  }

  /** Adds or replaces the security email; it stays unverified until the 2-hour link is opened. */
  setSecurityEmail(email: string): Promise<EmailLinkSent> {
    return this.request('POST', '/security/email', { email });
  }

  resendEmailVerification(): Promise<EmailLinkSent> {
    return this.request('POST', '/security/email/verification', {});
  }

  /** A new TOTP secret to bind (needs step-up); bound only once mfaConfirm() accepts a code. */
  mfaSetup(): Promise<MfaSetupResponse> {
    return this.request('POST', '/security/mfa/setup', {});
  }

  /** Binds the secret of mfaSetup() with a current code; answers the 10 recovery codes (shown once). */
  mfaConfirm(code: string): Promise<RecoveryCodesResponse> {
    return this.request('POST', '/security/mfa/confirm', { code });
  }

  /** Replaces the recovery codes (needs step-up). */
  regenerateRecoveryCodes(): Promise<RecoveryCodesResponse> {
    return this.request('POST', '/security/mfa/recovery-codes', {});
  }

  /** Unbinds the MFA device (needs step-up). */
  unbindMfa(): Promise<SecurityOverview> {
    return this.request('DELETE', '/security/mfa');
  }

  changePassword(body: ChangePasswordRequest): Promise<ChangePasswordResponse> {
    return this.request('POST', '/security/password', body);
  }

  // ---- sign-in with an upstream account (docs/product.md#25-sign-in-with-an-upstream-account) ----

  /**
   * Where to send the page (a top-level navigation, not a request) to sign in with `provider`:
   * the BFF binds the browser, then sends it to the upstream, which comes back to `returnTo` with
   * `#jd_federation=<handle>` (or `#jd_federation_error=<code>`).
   */
  federationStartUrl(provider: string, returnTo: string): string {
    const q = new URLSearchParams({
      key: this.publishableKey,
      return_to: returnTo,
      mode: this.sessionMode,
      locale: this.locale,
    });
    const base = new URL(`${this.apiBase}/v1/federation/${encodeURIComponent(provider)}/start`, location.href);
    return `${base.href}?${q.toString()}`;
  }

  /** The handle the upstream's callback left in the URL fragment: signed in, the activation step, or a link made. */
  async federationResume(handle: string): Promise<FederationResumeResponse> {
    const answer = await this.request<FederationResumeResponse>('POST', '/federation/resume', { handle }, true);
    return 'account' in answer ? this.remember(answer) : answer;
  }

  /** The first sign-in's activation: the phone and its code (sent with purpose `register`); creates the account, signed in. */
  async federationActivate(body: FederationActivateRequest): Promise<SignedIn> {
    return this.remember(await this.request<SignedIn>('POST', '/federation/activate', body, true, true));
  }

  federationLinks(): Promise<FederationLinksResponse> {
    return this.request('GET', '/federation/links');
  }

  /** Starts linking `provider` (after a step-up: 403 step_up_required); navigate the page to the answer's startUrl. */
  federationLink(provider: string, returnTo: string): Promise<{ startUrl: string }> {
    return this.request('POST', `/federation/${encodeURIComponent(provider)}/link`, { returnTo });
  }

  /** Unlinks `provider` (after a step-up); 400 federation_last_method when it is the only way to sign in. */
  federationUnlink(provider: string): Promise<void> {
    return this.request('DELETE', `/federation/links/${encodeURIComponent(provider)}`);
  }

  /** An account created upstream sets its account name and password (after a step-up). */
  setCredentials(body: { accountName: string; password: string }): Promise<{ account: SignedIn['account'] }> {
    return this.request('POST', '/account/credentials', body);
  }

  // ---- sub-users (a primary account's session; a sub-user's gets 403 sub_user_forbidden) ----

  async listSubUsers(): Promise<SubUserView[]> {
    return (await this.request<SubUserList>('GET', '/sub-users')).subUsers;
  }

  createSubUser(body: SubUserCreateRequest): Promise<SubUserView> {
    return this.request('POST', '/sub-users', body, false, true);
  }

  /** Whether the sub-user must bind a virtual MFA device (at its next sign-in, when it has none). */
  setSubUserMfaRequired(id: string, required: boolean): Promise<SubUserView> {
    return this.request('PUT', `/sub-users/${encodeURIComponent(id)}/mfa-required`, { required });
  }

  /** Removes the sub-user's MFA device; the sub-user is told at its next sign-in and binds again. */
  disassociateSubUserMfa(id: string): Promise<SubUserView> {
    return this.request('POST', `/sub-users/${encodeURIComponent(id)}/mfa/disassociate`, {});
  }

  /** Sets the sub-user's password (after a step-up: 403 step_up_required); its sessions end and its lock is lifted. */
  setSubUserPassword(id: string, password: string): Promise<SubUserView> {
    return this.request('PUT', `/sub-users/${encodeURIComponent(id)}/password`, { password });
  }

  // ---- a signed-in sub-user's own virtual MFA (a primary's session gets 403 sub_user_only) ----

  subUserMfa(): Promise<SubUserMfaStatus> {
    return this.request('GET', '/sub-user/mfa');
  }

  /** A new secret for the sub-user's device; the password stands in for a step-up (400 password_incorrect). */
  subUserMfaSetup(password: string): Promise<MfaSetupResponse> {
    return this.request('POST', '/sub-user/mfa/setup', { password });
  }

  subUserMfaConfirm(code: string): Promise<SubUserMfaStatus> {
    return this.request('POST', '/sub-user/mfa/confirm', { code });
  }

  /** Disabling signs the sub-user out and refuses its sign-in until enabled again. */
  disableSubUser(id: string): Promise<SubUserView> {
    return this.request('POST', `/sub-users/${encodeURIComponent(id)}/disable`, {});
  }

  enableSubUser(id: string): Promise<SubUserView> {
    return this.request('POST', `/sub-users/${encodeURIComponent(id)}/enable`, {});
  }

  /** Deletes the sub-user and signs it out. */
  deleteSubUser(id: string): Promise<void> {
    return this.request('DELETE', `/sub-users/${encodeURIComponent(id)}`);
  }

  // ---- closing the account (docs/product.md#24-closing-an-account) ----

  /** The account's data (primary account, after a step-up: 403 step_up_required), as the JSON of account-export.json. */
  exportAccount(): Promise<AccountExport> {
    return this.request('GET', '/account/export');
  }

  /** Closes the account (after a step-up): every session ends, this one too (the next session() drops the stored token). */
  closeAccount(): Promise<AccountClosingResponse> {
    return this.request('POST', '/account/closing', {});
  }

  /** Cancels a closing with the sign-in identifier and password (401 invalid_credentials); then sign in as usual. */
  cancelClosing(body: ClosingCancelRequest): Promise<ClosingCancelled> {
    return this.request('POST', '/account/closing/cancel', body);
  }
}
