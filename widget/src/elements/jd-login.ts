import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import type { ErrorParams } from '../../../shared/src/errors.ts';
import type { SignedIn } from '../../../shared/src/api.ts';
import { isPhoneRegion, type PhoneRegion } from '../../../shared/src/rules/phone-regions.ts';
import type { MessageKey } from '../../../shared/src/i18n/index.ts';
import type { JdApiError } from '../client.ts';
import { FlowController, type FlowFieldError } from '../flow.ts';
import { JdElement, toApiError } from '../parts/base-element.ts';
import { CountdownController } from '../parts/countdown.ts';
import { federationPending, startFederation } from '../parts/federation.ts';
import { federationStyles } from '../parts/federation-buttons.ts';
import { LazySteps, renderStepLoading } from '../parts/lazy-steps.ts';
import { tenantRegions } from '../parts/phone-input.ts';
import { safeUrl } from '../parts/text.ts';
import type { SessionState } from '../session.ts';
import { base, tokens } from '../styles.ts';
import type { TenantPublicConfig } from '../../../shared/src/tenant.ts';
import { renderCredentials } from '../steps/login/credentials.ts';
import { renderSignedIn } from '../steps/login/signed-in.ts';
import {
  CONTROL_ID,
  errorText,
  loginSteps,
  type Field,
  type LoginActions,
  type LoginHost,
  type LoginState,
  type LoginView,
} from '../steps/login/view.ts';

const REQUIRED: FlowFieldError = { code: 'required' };
/** Steps that belong to a session (full or pending): another identity, or none, ends them. */
const SESSION_STEPS: ReadonlySet<LoginState['step']> = new Set([
  'mfa',
  'recoveryCode',
  'mfaSetup',
  'lostDevice',
  'applied',
  'consent',
  'signedIn',
]);
/** Who a session is: a change of it is a change of identity. */
const identity = (s: SignedIn) => `${s.account.id}/${s.account.subUser?.name ?? ''}`;
/**
 * Sign-in with an account name, or a phone/email that is a login identifier, plus the password
 * (docs/product.md#7-sign-in-identifiers). When the account has a virtual MFA device, the
 * password is followed by its code (or a recovery code); a pending MFA sign-in found on load goes
 * straight to that step. When a session exists it shows who is signed in and a Sign out button.
 * "Sign in as a sub-user" switches to the primary account's name or id, the sub-user's name and
 * its password (docs/product.md#13-sub-users); a sub-user whose primary account requires
 * MFA and who has no device binds one (QR code, key, first code) before the sign-in completes.
 *
 * The page has one session (docs/embedding.md): a sign-in or registration by another element with
 * the same `api-base` and key shows here at once, and a sign-out anywhere returns this element to
 * its first step with nothing of the previous identity left.
 *
 * "Lost your device?" (docs/product.md#14-lost-mfa-device-applications): a real-name verified primary account applies to
 * disassociate the device (name, associated phone, ID number, photo holding the ID card; an
 * enterprise also its name and business licence) for tenant support to review; the confirmation
 * gives a short reference (the application id's first 8 characters) and what happens next.
 * Otherwise it says disassociation is impossible and shows the tenant's support channels. A
 * sub-user is told to ask its primary account's owner.
 *
 * When the sign-in (or its MFA step) answers `account_locked`, "Unlock with a verification code"
 * opens the unlock step: the identifier, SMS / voice call / email, "Send code" (the answer is the
 * same whether or not the account exists or is locked), the code, "Unlock"; then the sign-in form
 * again with the password cleared. `too_many_attempts` (this client is throttled) says how many
 * seconds to wait.
 *
 * "Forgot password?" (docs/product.md#21-forgot-password), right after the sign-in button, opens the
 * reset step: the identifier, SMS / voice call / email, "Send code" (the same answer for any
 * identifier), the code and "Next"; then the new password with its live checklist — and, when the
 * account has virtual MFA, its code or a recovery code, or "Lost your device?" to the application
 * — and "Reset password". Every session of the account ends; this one is signed in again unless the
 * tenant turned that off (then the sign-in form says the password was reset). `view="reset-password"`
 * opens the element on that step. A sub-user is told that its primary account resets its password.
 *
 * "Sign in with a verification code" (验证码登录, docs/product.md#22-sign-in-with-a-phone-code), offered when
 * `phoneCodeSignIn.regions` of the tenant config is not empty (not to a sub-user), opens the phone-code step:
 * the region (those regions only) and the phone number, SMS / voice call, "Send code" (the same answer for
 * any phone), the code and "Sign in"; then as the password: the MFA step, the agreements, or signed in.
 * "Sign in with a password" goes back.
 *
 * "Log in with {provider}" (docs/product.md#25-sign-in-with-an-upstream-account): when the tenant config lists
 * `federation.providers`, a button per provider under the sign-in form (not for a sub-user) sends the
 * page to the provider; it comes back with a one-time handle in the URL fragment
 * (`#jd_federation=…`). One element of the page takes it (this one, when no session is shown yet),
 * removes it from the URL at once and resumes it: signed in continues as a password sign-in (the MFA
 * step, the agreements, `jd-login`); an account's first sign-in opens "Complete your account" — the
 * phone with its code (prefilled when the provider gave one), an optional email and referral code,
 * the tenant's agreements — and, once submitted, the account exists and is signed in (`jd-login`,
 * as for any sign-in: a portal treats a first sign-in as a sign-in). A refusal (also
 * `#jd_federation_error=<code>`) is said right above the provider buttons. An expired activation
 * offers "Start again". Tests (or a portal) may replace the navigation: `federationNavigation.assign`
 * (src/parts/federation.ts).
 *
 * When the tenant has published agreement versions the account has not accepted (docs/product.md#16-agreements), the
 * sign-in (after the MFA step, if any) — or a page load that finds such a session — asks for them
 * — each checked, "Accept and continue", or "Sign out" — before `jd-login` (`jd-session`) announces it.
 *
 * @fires jd-login - signed in (after accepting updated agreements, when asked); `detail: { account, session }`
 * @fires jd-mfa-application-submitted - a lost-device application was queued for review; `detail: { id }`
 * @fires jd-logout - the session shown here ended (signed out here, by another element of the page or in another tab), or the updated-agreements step ended with "Sign out"; `detail: {}`
 * @fires jd-agreements-required - the sign-in (or the session found on load) waits for updated agreements: the page should treat it as signed out until `jd-login` / `jd-session`; `detail: { agreements }`
 * @fires jd-session - a session this element did not start: found on load or refresh(), or started by another element of the page; `detail: { account, session }`
 * @fires jd-error - a request failed; `detail: { code, message }`
 * @fires jd-navigate - the user asked for the registration form; `detail: { to: 'register' }` (cancelable)
 *
 * @slot header - content above the form
 * @slot footer - content below the form
 *
 * @csspart logo - the tenant's logo above the heading (an https `branding.logoUrl` only)
 * @csspart title - the heading
 * @csspart form - the form; the updated-agreements step's form is also `agreements`, the unlock step's `unlock`, the forgot-password step's `reset`, the phone-code step's `phone-code` (their "Send code" button is `button send-code`, their channel choice a `section` fieldset)
 * @csspart label - field labels
 * @csspart input - the inputs; a one-time-code input is also `code-input`
 * @csspart reveal - the show/hide button of the password field
 * @csspart submit - the submit button
 * @csspart button - the sign-out, cancel and unlock buttons, also `sign-out`, `cancel`, `unlock-action` ("Unlock with a verification code" under a lock message) and `cancel-closing-action` ("Cancel closing" under "this account is being closed"); `retry` tries again to load a step after a network error
 * @csspart error - field error messages
 * @csspart checklist - the new password's rules (forgot password), each a `checklist-item` (also `checklist-item-met` or `checklist-item-unmet`)
 * @csspart status - the status of an action, right after its buttons; also `success` while it reports a success
 * @csspart signed-in - the "Signed in as" text
 * @csspart footer - the footer row with the registration link (on the sign-in form)
 * @csspart link - links; "Forgot password?" is also `forgot`, "Sign in with a verification code" `phone-code`, and that step's "Sign in with a password" `password`
 * @csspart support - the support channels shown for a lost MFA device
 * @csspart lost - the lost-device step (help, application form or confirmation)
 * @csspart confirmation - the "application submitted" text
 * @csspart hint - hints under application fields
 * @csspart qr - the QR code of the MFA device to bind (sub-users); `secret` the key to type in
 * @csspart notice - a sign-in notice (the primary account disassociated the sub-user's device)
 * @csspart federation - the "Log in with …" row under the sign-in form (a divider with "or", the flow's error, the buttons)
 * @csspart federation-button - each "Log in with {provider}" button (also `button`)
 * @csspart activation - the "Complete your account" step of a first sign-in with a provider (its form is `form activation`; "Start again" is `start-again`)
 * @csspart start-again - "Start again" of the activation step (also `link` or `button`)
 * @csspart captcha - the security check shown by the action that asked for it (a captcha provider's widget; docs/security.md#abuse-protection-for-paid-messages)
 * @csspart captcha-title - the security check's heading
 * @csspart captcha-box - where the provider draws its check (Turnstile; Tencent and Aliyun show their own pop-up)
 * @csspart captcha-cancel - the button closing the security check
 *
 * @cssprop --jd-color-primary - buttons and accents
 * @cssprop --jd-color-primary-text - text on primary buttons
 * @cssprop --jd-color-error - error text and invalid borders
 * @cssprop --jd-color-success - success text
 * @cssprop --jd-color-text - text
 * @cssprop --jd-color-muted - hints
 * @cssprop --jd-color-border - input borders
 * @cssprop --jd-color-background - background
 * @cssprop --jd-color-focus - focus ring and links
 * @cssprop --jd-radius - corner radius
 * @cssprop --jd-font-family - font
 * @cssprop --jd-font-size - base font size
 * @cssprop --jd-spacing - gap between fields
 * @cssprop --jd-max-width - maximum width of the element
 * @cssprop --jd-padding - inner padding of the element (default 1.25rem)
 * @cssprop --jd-card-radius - corner radius of the element (default 8px)
 */
export class JdLogin extends JdElement {
  static override styles = [tokens, base, federationStyles];

  // `static properties`, not decorators: smaller bundle (see JdElement)
  static override properties: PropertyDeclarations = {
    registerUrl: { attribute: 'register-url', reflect: true },
    startView: { attribute: 'view', reflect: true },
    values: { state: true },
  };

  /** Where the "Register" link goes; without it the link only fires `jd-navigate`. */
  declare registerUrl: string | undefined;

  /**
   * The step to open with: `reset-password` opens "Forgot password" (a portal's own "Forgot
   * password?" link can lead to a page with `<jd-login view="reset-password">`); unset: sign-in.
   */
  declare startView: 'reset-password' | undefined;

  /** what the user typed, by field (file fields: the lost-device step's state) */
  declare private values: Partial<Record<Field, string>>;

  /** The one sign-in flow (src/flow.ts): its state says which step, and nothing else does. */
  private readonly flow = new FlowController<LoginState>(this, { step: 'credentials', sub: false });
  /** unlock step: seconds before another code may be asked for */
  private readonly countdown = new CountdownController(this);
  /** the steps past the password, loaded when first reached */
  private readonly steps = new LazySteps(this, loginSteps);
  /** set while this element itself changes the page's session (its own sign-in, consent or sign-out) */
  private own = false;

  constructor() {
    super();
    this.values = {};
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const cur = this.flow.state;
    // set before the first render, or later while no session is shown: no focus move (the page's focus is the page's)
    if (changed.has('startView') && this.startView === 'reset-password' && cur.step === 'credentials' && !cur.sub)
      this.quietly({ step: 'reset', channel: 'sms', phase: 'code', mfaRequired: false });
  }

  // ---- the page's session -------------------------------------------------------------------

  /**
   * Waits for the page's one GET /v1/session (made by the store) so the first render is the right
   * step. That request answers 401 `mfa_required` for a sign-in still waiting for its MFA code:
   * the store treats that as no session, and this element continues with the MFA step.
   */
  protected override async loadExtra(): Promise<void> {
    const store = this.store;
    // only while the store is still asking: then load() joins its request instead of making another
    if (!store || store.state.status !== 'unknown') return;
    try {
      await store.load();
    } catch (e) {
      // no focus move: the page just loaded
      if (toApiError(e).code === 'mfa_required') this.quietly({ step: 'mfa', sub: false, notice: false });
    }
  }

  /**
   * The config is in (and the session known): a handle or error the upstream left in the URL is
   * taken here unless a session is shown (then it is the security settings' link, or stale).
   */
  protected override configLoaded(_config: TenantPublicConfig): void {
    if (this.store?.state.status === 'signedIn' || this.flow.state.step !== 'credentials') return;
    // only then is the step module that takes and resumes it loaded
    if (federationPending()) void this.steps.load('federation').then((m) => m.resume(this.host));
  }

  /** Re-reads the page's session (e.g. after the portal changed it); fires `jd-session` when one exists. */
  async refresh(): Promise<void> {
    const before = this.flow.state;
    await this.store?.load();
    const now = this.flow.state;
    // unchanged: sessionChanged() announced nothing, but refresh() always says what it found
    if (now === before && now.step === 'signedIn') this.announce('jd-session', now.signedIn);
  }

  /** Signs the page's session out (every element of the page follows); `jd-logout` fires. */
  async signOut(): Promise<void> {
    if (!this.store) return;
    await this.asOwn(() => this.store!.signOut());
  }

  private async asOwn<T>(change: () => Promise<T> | T): Promise<T> {
    this.own = true;
    try {
      return await change();
    } finally {
      this.own = false;
    }
  }

  protected override sessionChanged(next: SessionState, previous: SessionState): void {
    const cur = this.flow.state;
    if (next.status === 'signedIn') return this.showSession(next.signedIn, previous.status === 'unknown');
    if (next.status !== 'signedOut') return;
    // signed out (here, elsewhere on the page, in another tab): nothing of that identity stays
    if (!SESSION_STEPS.has(cur.step) && !this.own) return;
    this.leave();
    if (this.own) this.flow.setStatus('signIn', { tone: 'ok', key: 'login.signed_out' });
    if (cur.step === 'signedIn' || cur.step === 'consent') this.emit('jd-logout', {});
  }

  /** A session (this element's sign-in, another element's, or the one found on load). */
  private showSession(s: SignedIn, initial: boolean): void {
    const cur = this.flow.state;
    const origin =
      cur.step === 'consent'
        ? cur.origin
        : this.own || cur.step === 'mfa' || cur.step === 'mfaSetup'
          ? 'login'
          : 'session';
    const ownSignIn = this.own && origin === 'login';
    const go = (state: LoginState, fresh: boolean) => (initial ? this.quietly(state) : this.flow.go(state, { fresh }));
    if (s.agreementsToAccept?.length) {
      const same = cur.step === 'consent' && identity(cur.signedIn) === identity(s);
      this.forget();
      // what is asked now (a version published meanwhile) has not been checked yet
      go({ step: 'consent', signedIn: s, agreements: s.agreementsToAccept, origin, accepted: new Set() }, !same);
      if (!same) this.emit('jd-agreements-required', { agreements: s.agreementsToAccept });
      return;
    }
    const same = cur.step === 'signedIn' && identity(cur.signedIn) === identity(s);
    this.forget();
    go({ step: 'signedIn', signedIn: s }, !same);
    if (same) return;
    // a notice (the primary account reset this sub-user's MFA) is said next to who is signed in
    if (s.notices?.includes('mfa_reset_by_primary'))
      this.flow.setStatus('notice', { tone: 'info', key: 'notice.mfa_reset_by_primary' });
    this.announce(ownSignIn || (origin === 'login' && cur.step === 'consent') ? 'jd-login' : 'jd-session', s);
  }

  private announce(name: 'jd-login' | 'jd-session', s: SignedIn): void {
    this.emit(name, { account: s.account, session: s.session });
  }

  /** A step change on page load: no focus move (the page's focus is the page's), feedback cleared. */
  private quietly(state: LoginState): void {
    this.flow.clearFeedback();
    // patch() keeps the focus where it is; the whole state is replaced, so no key of the old one stays
    this.flow.patch(state);
    for (const k of Object.keys(this.flow.state) as (keyof LoginState)[])
      if (!(k in state)) delete (this.flow.state as Record<string, unknown>)[k];
  }

  /** Back to the first step: another identity, or none. */
  private leave(status?: { key: MessageKey; params?: ErrorParams | undefined }): void {
    this.countdown.stop();
    this.forget();
    this.flow.reset({ step: 'credentials', sub: false });
    if (status) this.flow.setStatus('signIn', { tone: 'error', ...status });
  }

  /** Drops everything typed but the identifiers: the password, codes and the application's personal details. */
  private forget(): void {
    this.values = { identifier: this.value('identifier'), subUser: this.value('subUser') };
  }

  // ---- helpers ------------------------------------------------------------------------------

  private value(field: Field): string {
    return this.values[field] ?? '';
  }

  private input(field: Field, value: string): void {
    this.values = { ...this.values, [field]: value };
    this.flow.clearField(field);
  }

  private get region(): PhoneRegion {
    const regions = tenantRegions(this.config?.phoneRegions);
    const r = this.value('phone.region');
    return isPhoneRegion(r) && regions.includes(r) ? r : regions[0];
  }

  /** Field errors found before any request: marked, and focus on the first. */
  private invalid(errors: Partial<Record<Field, FlowFieldError>>): boolean {
    const entries = Object.entries(errors) as [Field, FlowFieldError][];
    for (const [f, e] of entries) this.flow.setFieldError(f, e);
    if (entries.length) void this.focusFirstInvalid();
    return entries.length > 0;
  }

  /** Runs a request of `action`: `jd-error` for a failure, then `handle` (true: handled) or the flow's default. */
  private run<T>(action: string, request: () => Promise<T>, handle?: (e: JdApiError) => boolean | void) {
    return this.flow.run(action, request, (e) => {
      this.fireError(e.code, e.params);
      return handle?.(e) ?? false;
    });
  }

  /** The pending session is gone: the password form again, with the reason. */
  private restart(e: JdApiError): true {
    this.leave({ key: `error.${e.code}` as MessageKey, params: e.params });
    return true;
  }

  // ---- credentials ---------------------------------------------------------------------------

  private readonly signIn = async (e: Event): Promise<void> => {
    e.preventDefault();
    const cur = this.flow.state;
    if (!this.client || cur.step !== 'credentials') return;
    const sub = cur.sub;
    const identifier = this.value('identifier').trim();
    const subUser = this.value('subUser').trim();
    if (
      this.invalid({
        ...(identifier ? {} : { identifier: REQUIRED }),
        ...(sub && !subUser ? { subUser: REQUIRED } : {}),
        ...(this.value('password') ? {} : { password: REQUIRED }),
      })
    )
      return;
    const client = this.client;
    const answer = await this.run(
      'signIn',
      () => client.signIn({ identifier, password: this.value('password'), ...(sub ? { subUser } : {}) }),
      (err) => {
        const fields = err.fields.filter((f) => ['identifier', 'subUser', 'password'].includes(f.path));
        // a phone/email bound to several accounts cannot sign in: said at the identifier (docs/product.md#7-sign-in-identifiers)
        if (err.code === 'identifier_multiple_accounts')
          fields.push({ path: 'identifier', code: err.code, params: err.params });
        if (fields.length) {
          for (const f of fields) this.flow.setFieldError(f.path, { code: f.code, params: f.params });
          void this.focusFirstInvalid();
          return true;
        }
        if (err.code === 'invalid_credentials') this.values = { ...this.values, password: '' };
        return false;
      },
    );
    if (!answer) {
      const code = this.flow.statusOf('signIn')?.key;
      // wrong password: type it again; locked: the way out, "Unlock with a verification code", right after the message
      if (code === 'error.invalid_credentials') await this.focusAfterRender('#jd-password');
      if (code === 'error.account_locked') await this.focusAfterRender('[data-unlock]');
      if (code === 'error.account_closing') await this.focusAfterRender('[data-cancel-closing]');
      return;
    }
    if (answer.mfaRequired) {
      // docs/product.md#11-virtual-mfa: the password was right; the app's code comes next — or, for a
      // sub-user whose primary account requires MFA and who has no device, binding one.
      this.values = { ...this.values, password: '', code: '' };
      const notice = !!answer.notices?.includes('mfa_reset_by_primary');
      if (answer.mfaSetupRequired) return (await this.steps.load('mfa')).startSetup(this.host, notice);
      return this.flow.go({ step: 'mfa', sub: !!answer.account.subUser || sub, notice });
    }
    await this.asOwn(() => this.store?.set(answer));
  };

  private async focusAfterRender(selector: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  private readonly toggleSub = (): void => {
    const cur = this.flow.state;
    if (cur.step !== 'credentials' || this.flow.isBusy()) return;
    // the same step with one more (or one less) field: focus stays in the form, on its first field
    this.flow.clearFeedback();
    this.flow.patch({ sub: !cur.sub });
    void this.focusAfterRender('#jd-identifier');
  };

  /** "Forgot password?": the reset step; a sub-user's password is reset by its primary account (said here). */
  private readonly showReset = (): void => {
    const cur = this.flow.state;
    if (cur.step !== 'credentials' || this.flow.isBusy()) return;
    if (cur.sub) return this.flow.setStatus('signIn', { tone: 'info', key: 'reset.sub_user' });
    const back = this.flow.statusOf('signIn');
    this.forget();
    this.flow.go({ step: 'reset', channel: 'sms', phase: 'code', mfaRequired: false, back });
  };

  /** "Sign in with a verification code" (docs/product.md#22-sign-in-with-a-phone-code). */
  private readonly showPhoneCode = (): void => {
    if (this.flow.isBusy()) return;
    this.forget();
    this.flow.go({ step: 'phoneCode', channel: 'sms' });
  };

  private readonly showUnlock = (): void => {
    const back = this.flow.statusOf('signIn');
    this.forget();
    this.flow.go({ step: 'unlock', channel: 'sms', back });
  };

  // ---- render -------------------------------------------------------------------------------

  private readonly actions: LoginActions = {
    signIn: (e) => void this.signIn(e),
    toggleSub: this.toggleSub,
    showUnlock: this.showUnlock,
    // "Cancel closing" under account_closing (docs/product.md#24-closing-an-account): lazy, then the usual sign-in
    cancelClosing: () =>
      void this.steps
        .load('unlock')
        .then((m) => m.cancelClosing(this.host))
        .then((ok) => (ok ? this.signIn(new Event('submit')) : undefined)),
    showReset: this.showReset,
    showPhoneCode: this.showPhoneCode,
    startFederation: (provider) => {
      if (this.client && !this.flow.isBusy()) startFederation(this.client, provider);
    },
    signOut: () => void this.run('signOut', () => this.signOut()),
  };

  /** The element as the step modules' actions see it (steps/login/view.ts). */
  private readonly host: LoginHost = ((el: this) => ({
    flow: el.flow,
    get client() {
      return el.client;
    },
    get store() {
      return el.store;
    },
    get config() {
      return el.config;
    },
    steps: el.steps,
    countdown: el.countdown,
    get region() {
      return el.region;
    },
    value: (f) => el.value(f),
    setValues: (change) => (el.values = { ...el.values, ...change }),
    invalid: (errors) => el.invalid(errors),
    run: (action, request, handle) => el.run(action, request, handle),
    restart: (e) => el.restart(e),
    leave: () => el.leave(),
    forget: () => el.forget(),
    asOwn: (change) => el.asOwn(change),
    emit: (name, detail) => el.emit(name, detail),
    signOut: () => el.signOut(),
  }))(this);

  private view(): LoginView {
    return {
      locale: this.resolvedLocale,
      config: this.config,
      flow: this.flow,
      t: (key, params) => this.t(key, params),
      value: (f) => this.value(f),
      input: (f, value) => this.input(f, value),
      act: this.actions,
      host: this.host,
    };
  }

  private renderStep(v: LoginView): TemplateResult {
    const s = this.flow.state;
    switch (s.step) {
      case 'credentials':
        return renderCredentials(v, s.sub);
      case 'signedIn':
        return renderSignedIn(v, s.signedIn);
    }
    const name =
      s.step === 'lostDevice' || s.step === 'applied'
        ? 'lost'
        : s.step === 'unlock' || s.step === 'reset' || s.step === 'phoneCode'
          ? s.step
          : s.step === 'consent'
            ? 'consent'
            : s.step === 'activation'
              ? 'federation'
              : 'mfa';
    const steps = this.steps;
    switch (s.step) {
      case 'mfa':
      case 'recoveryCode':
      case 'mfaSetup': {
        const m = steps.get('mfa');
        if (m)
          return s.step === 'mfaSetup'
            ? m.renderMfaSetup(v, s.notice, s.setup)
            : m.renderMfa(v, s.step === 'recoveryCode', s.sub);
        break;
      }
      case 'lostDevice':
      case 'applied': {
        const m = steps.get('lost');
        if (m)
          return s.step === 'applied' ? m.renderApplied(v, s.reference) : m.renderLostDevice(v, s.sub, s.eligibility);
        break;
      }
      case 'unlock': {
        const m = steps.get('unlock');
        if (m) return m.renderUnlock(v, s.channel);
        break;
      }
      case 'reset': {
        const m = steps.get('reset');
        if (m) return m.renderReset(v, s);
        break;
      }
      case 'phoneCode': {
        const m = steps.get('phoneCode');
        if (m) return m.renderPhoneCode(v, s);
        break;
      }
      case 'activation': {
        const m = steps.get('federation');
        if (m) return m.renderActivation(v, s);
        break;
      }
      case 'consent': {
        const m = steps.get('consent');
        if (m) return m.renderConsent(v);
        break;
      }
    }
    return renderStepLoading(
      (k) => this.t(k),
      steps.failed(name),
      () => steps.retry(name),
    );
  }

  /** The one polite live region: the latest status, else the first field error, for screen readers. */
  private liveText(): string {
    for (const action of [
      'signIn',
      'federation',
      'activate',
      'code',
      'setup',
      'eligibility',
      'apply',
      'accept',
      'sendCode',
      'unlock',
      'next',
      'reset',
      'signOut',
      'notice',
    ]) {
      const s = this.flow.statusOf(action);
      if (s) return this.t(s.key, s.params);
    }
    const v = this.view();
    for (const f of Object.keys(CONTROL_ID) as Field[]) {
      const e = this.flow.fieldError(f);
      if (e) return errorText(v, f, e);
    }
    return '';
  }

  private renderFooter(): TemplateResult {
    const step = this.flow.state.step;
    // the divided footer row holds the registration link: the other steps get the slot alone (no empty divider)
    if (step !== 'credentials') return html`<slot name="footer"></slot>`;
    const href = safeUrl(this.registerUrl);
    return html`<div class="footer" part="footer">
      <span>${this.t('login.no_account')}</span>
      ${
        href
          ? html`<a href=${href} part="link" @click=${(e: Event) => this.navigate('register', href, e)}>${this.t('login.register')}</a>`
          : html`<button type="button" class="btn-link link-button" part="link" @click=${(e: Event) => this.navigate('register', '', e)}>${this.t('login.register')}</button>`
      }
      <slot name="footer"></slot>
    </div>`;
  }

  protected override render(): TemplateResult {
    const state = this.renderLoadState();
    return html`<div class="root" lang=${this.resolvedLocale}>
      <slot name="header"></slot>
      ${this.renderLogo()}
      ${state ?? this.renderStep(this.view())}
      <div class="sr-only" aria-live="polite" aria-atomic="true">${state ? nothing : this.liveText()}</div>
      ${state ? nothing : this.renderFooter()}
    </div>`;
  }
}

if (!customElements.get('jd-login')) customElements.define('jd-login', JdLogin);

declare global {
  interface HTMLElementTagNameMap {
    'jd-login': JdLogin;
  }
}
