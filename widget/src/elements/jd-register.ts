import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import type { ErrorCode, ErrorParams } from '../../../shared/src/errors.ts';
import type { MessageKey } from '../../../shared/src/i18n/index.ts';
import type { RegisterRequest, SendCodeResponse, SignedIn } from '../../../shared/src/api.ts';
import type { TenantPublicConfig } from '../../../shared/src/tenant.ts';
import {
  ACCOUNT_NAME_MAX,
  ACCOUNT_NAME_MIN,
  accountNameProblems,
  normalizeAccountName,
} from '../../../shared/src/rules/account-name.ts';
import { DEFAULT_PASSWORD_POLICY, passwordProblems, type PasswordPolicy } from '../../../shared/src/rules/password.ts';
import {
  isPhoneRegion,
  looksLikeMobile,
  nationalDigits,
  type PhoneRegion,
} from '../../../shared/src/rules/phone-regions.ts';
import { emailProblem } from '../../../shared/src/rules/email.ts';
import { CODE_PATTERN, CODE_RESEND_SECONDS, type CodeChannel } from '../../../shared/src/rules/code.ts';
import type { DeliveryStatus } from '../client.ts';
import { JdElement, toApiError, type FieldError } from '../parts/base-element.ts';
import { CountdownController } from '../parts/countdown.ts';
import { renderPasswordChecklist } from '../parts/password-checklist.ts';
import { renderRegionOptions, tenantRegions } from '../parts/phone-input.ts';
import { safeUrl, tWith } from '../parts/text.ts';

/** Request-body paths the BFF reports field issues for, plus `send` (the send-code button). */
export type RegisterField =
  | 'accountName'
  | 'password'
  | 'phone.region'
  | 'phone.number'
  | 'code'
  | 'agreements'
  | 'referralCode'
  | 'email'
  | 'send';

/** The element id of each field's control; errors are `<id>-error`. In display order. */
const CONTROL_ID: Record<RegisterField, string> = {
  accountName: 'jd-account-name',
  password: 'jd-password',
  'phone.region': 'jd-region',
  'phone.number': 'jd-phone',
  send: 'jd-send-code',
  code: 'jd-code',
  agreements: 'jd-agreements',
  referralCode: 'jd-referral',
  email: 'jd-email',
};

const REFERRAL = /^[A-Za-z0-9_-]{0,32}$/;

/** Where a server error without a field path belongs. */
function fieldForCode(code: ErrorCode): RegisterField | undefined {
  if (code.startsWith('account_name_')) return 'accountName';
  if (code.startsWith('password_')) return 'password';
  if (code === 'phone_region_not_allowed') return 'phone.region';
  if (code === 'phone_invalid') return 'phone.number';
  if (code === 'code_cooldown' || code === 'code_daily_limit') return 'send';
  if (code.startsWith('code_')) return 'code';
  if (code === 'agreements_required') return 'agreements';
  if (code === 'referral_code_invalid') return 'referralCode';
  if (code === 'email_invalid') return 'email';
  return undefined;
}

function fieldForPath(path: string): RegisterField | undefined {
  if (path === 'phone' || path === 'phone.number') return 'phone.number';
  if (path === 'phone.region') return 'phone.region';
  if (path.startsWith('agreements')) return 'agreements';
  return (['accountName', 'password', 'code', 'referralCode', 'email'] as const).find((f) => f === path);
}

function accountNameParams(code: ErrorCode): ErrorParams | undefined {
  return code === 'account_name_too_short'
    ? { min: ACCOUNT_NAME_MIN }
    : code === 'account_name_too_long'
      ? { max: ACCOUNT_NAME_MAX }
      : undefined;
}

function passwordParams(code: ErrorCode, policy: PasswordPolicy): ErrorParams | undefined {
  if (code === 'password_too_short') return { min: policy.minLength };
  if (code === 'password_too_long') return { max: policy.maxLength };
  if (code === 'password_too_few_classes') return { n: policy.minClasses };
  return undefined;
}

/**
 * Registration (docs/product.md#6-registration): account name and password with a live rule
 * checklist, security phone verified by an SMS or voice code, the tenant's agreements, an
 * optional referral code and an optional email. A successful registration signs the user in.
 *
 * @fires jd-register - registered and signed in; `detail: { account, session }`
 * @fires jd-error - a request failed; `detail: { code, message }`
 * @fires jd-navigate - the user asked for the sign-in form; `detail: { to: 'login' }` (cancelable)
 *
 * @slot header - content above the form (e.g. the portal's logo)
 * @slot footer - content below the form
 *
 * @csspart logo - the tenant's logo above the heading (an https `branding.logoUrl` only)
 * @csspart title - the heading
 * @csspart form - the form
 * @csspart section - each fieldset of the form
 * @csspart label - field labels
 * @csspart input - text inputs and the region select
 * @csspart button - buttons other than submit; the optional email's skip button is also `skip-email`
 * @csspart submit - the submit button
 * @csspart send-code - the send-code button
 * @csspart switch-channel - the "Switch to voice call" / "Switch to SMS" button shown when a code could not be delivered
 * @csspart error - field error messages
 * @csspart hint - field hints
 * @csspart checklist - the password checklist; items are `checklist-item` plus `checklist-item-met` / `checklist-item-unmet`
 * @csspart status - the live status region
 * @csspart success - the status region while it reports a success, e.g. after registering
 * @csspart footer - the footer row with the sign-in link
 * @csspart link - links
 *
 * @cssprop --jd-color-primary - buttons and accents
 * @cssprop --jd-color-primary-text - text on primary buttons
 * @cssprop --jd-color-error - error text and invalid borders
 * @cssprop --jd-color-success - met rules and success text
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
export class JdRegister extends JdElement {
  // `static properties`, not decorators: smaller bundle (see JdElement)
  static override properties: PropertyDeclarations = {
    loginUrl: { attribute: 'login-url', reflect: true },
    accountName: { state: true },
    password: { state: true },
    region: { state: true },
    phone: { state: true },
    channel: { state: true },
    code: { state: true },
    accepted: { state: true },
    referralCode: { state: true },
    email: { state: true },
    errors: { state: true },
    availableName: { state: true },
    sending: { state: true },
    submitting: { state: true },
    codeSent: { state: true },
    done: { state: true },
    failedChannel: { state: true },
  };

  /** Where the "Sign in" link goes; without it the link only fires `jd-navigate`. */
  declare loginUrl: string | undefined;

  declare private accountName: string;
  declare private password: string;
  declare private region: PhoneRegion;
  declare private phone: string;
  declare private channel: CodeChannel;
  declare private code: string;
  declare private accepted: ReadonlySet<string>;
  declare private referralCode: string;
  declare private email: string;
  declare private errors: Partial<Record<RegisterField, FieldError>>;
  /** the normalised name last found available, for the "available" hint */
  declare private availableName: string;
  declare private sending: boolean;
  declare private submitting: boolean;
  declare private codeSent: SendCodeResponse | undefined;
  declare private done: SignedIn | undefined;
  /** the channel of a code the BFF reported as not delivered (offers the other channel) */
  declare private failedChannel: CodeChannel | undefined;

  /** How often the delivery status of a sent code is polled, in ms. */
  deliveryPollMs = 2000;
  /** How long the delivery status is polled at most, in ms. */
  deliveryPollMaxMs = 40_000;

  private readonly countdown = new CountdownController(this);
  private availabilitySeq = 0;
  private pollSeq = 0;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.accountName = '';
    this.password = '';
    this.region = 'CN';
    this.phone = '';
    this.channel = 'sms';
    this.code = '';
    this.accepted = new Set();
    this.referralCode = '';
    this.email = '';
    this.errors = {};
    this.availableName = '';
    this.sending = false;
    this.submitting = false;
  }

  private get policy(): PasswordPolicy {
    return this.config?.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
  }

  private get regions(): PhoneRegion[] {
    return tenantRegions(this.config?.phoneRegions);
  }

  protected override configLoaded(config: TenantPublicConfig): void {
    const regions = tenantRegions(config.phoneRegions);
    if (!regions.includes(this.region)) this.region = regions[0]!;
  }

  // ---- validation (shared rules, the same the BFF runs) --------------------

  private checkAccountName(): FieldError | undefined {
    const code = accountNameProblems(this.accountName)[0];
    return code && { code, params: accountNameParams(code) };
  }

  private checkPassword(): FieldError | undefined {
    const code = passwordProblems(this.password, this.policy, this.accountName)[0];
    return code && { code, params: passwordParams(code, this.policy) };
  }

  private checkPhone(): Partial<Record<RegisterField, FieldError>> {
    if (!this.regions.includes(this.region)) return { 'phone.region': { code: 'phone_region_not_allowed' } };
    if (!this.phone.trim()) return { 'phone.number': { code: 'required' } };
    if (!looksLikeMobile(this.region, this.phone)) return { 'phone.number': { code: 'phone_invalid' } };
    return {};
  }

  private checkCode(): FieldError | undefined {
    if (!this.code.trim()) return { code: 'required' };
    return CODE_PATTERN.test(this.code.trim()) ? undefined : { code: 'code_format' };
  }

  private checkAgreements(): FieldError | undefined {
    const all = (this.config?.agreements ?? []).every((a) => this.accepted.has(a.key));
    return all ? undefined : { code: 'agreements_required' };
  }

  private checkReferral(): FieldError | undefined {
    return REFERRAL.test(this.referralCode.trim()) ? undefined : { code: 'referral_code_invalid' };
  }

  private checkEmail(): FieldError | undefined {
    if (!this.email.trim()) return undefined; // email is optional, empty = skipped (docs/product.md#5-email)
    const code = emailProblem(this.email);
    return code && { code };
  }

  private validateAll(): Partial<Record<RegisterField, FieldError>> {
    const errors: Partial<Record<RegisterField, FieldError>> = {
      accountName:
        this.checkAccountName() ??
        (this.errors.accountName?.code === 'account_name_taken' ? this.errors.accountName : undefined),
      password: this.checkPassword(),
      ...this.checkPhone(),
      code: this.checkCode(),
      agreements: this.checkAgreements(),
      referralCode: this.checkReferral(),
      email: this.checkEmail(),
    };
    for (const k of Object.keys(errors) as RegisterField[]) if (!errors[k]) delete errors[k];
    return errors;
  }

  private setError(field: RegisterField, error: FieldError | undefined): void {
    const next = { ...this.errors };
    if (error) next[field] = error;
    else delete next[field];
    this.errors = next;
  }

  // ---- event handlers -----------------------------------------------------

  private onAccountNameInput(e: Event): void {
    this.accountName = (e.target as HTMLInputElement).value;
    this.availableName = '';
    // Once an error is showing, keep it in step with what the user types.
    if (this.errors.accountName) this.setError('accountName', this.checkAccountName());
    if (this.errors.password) this.setError('password', this.checkPassword());
  }

  private async onAccountNameBlur(): Promise<void> {
    const problem = this.checkAccountName();
    if (!this.accountName) return;
    this.setError('accountName', problem);
    if (problem || !this.client) return;
    const name = normalizeAccountName(this.accountName);
    const seq = ++this.availabilitySeq;
    try {
      const available = await this.client.accountNameAvailable(name);
      if (seq !== this.availabilitySeq || normalizeAccountName(this.accountName) !== name) return;
      if (available) this.availableName = name;
      else this.setError('accountName', { code: 'account_name_taken' });
    } catch {
      // The availability hint is a convenience; registration checks again.
    }
  }

  private onPasswordInput(e: Event): void {
    this.password = (e.target as HTMLInputElement).value;
    if (this.errors.password) this.setError('password', this.checkPassword());
  }

  private onPasswordBlur(): void {
    if (this.password) this.setError('password', this.checkPassword());
  }

  private onRegionChange(e: Event): void {
    const value = (e.target as HTMLSelectElement).value;
    if (isPhoneRegion(value)) this.region = value;
    this.setError('phone.region', undefined);
    if (this.errors['phone.number']) this.setError('phone.number', this.checkPhone()['phone.number']);
  }

  private onPhoneInput(e: Event): void {
    this.phone = (e.target as HTMLInputElement).value;
    if (this.errors['phone.number']) this.setError('phone.number', this.checkPhone()['phone.number']);
  }

  private onCodeInput(e: Event): void {
    this.code = (e.target as HTMLInputElement).value;
    if (this.errors.code) this.setError('code', this.checkCode());
  }

  private onAgreementChange(key: string, e: Event): void {
    const next = new Set(this.accepted);
    if ((e.target as HTMLInputElement).checked) next.add(key);
    else next.delete(key);
    this.accepted = next;
    if (this.errors.agreements) this.setError('agreements', this.checkAgreements());
  }

  private onSkipEmail(): void {
    this.email = '';
    this.setError('email', undefined);
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLButtonElement>('button[type="submit"]')?.focus(),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopPolling();
  }

  // ---- delivery status of the sent code -------------------------------------

  private stopPolling(): void {
    this.pollSeq++;
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** Polls GET /v1/deliveries/:id until the code was sent or failed, the time is up, or polling is stopped. */
  private startPolling(id: string, sentTo: string): void {
    this.stopPolling();
    const seq = this.pollSeq;
    const until = Date.now() + this.deliveryPollMaxMs;
    const tick = async (): Promise<void> => {
      this.pollTimer = undefined;
      if (seq !== this.pollSeq || !this.isConnected || !this.client) return;
      let d: DeliveryStatus | undefined;
      try {
        d = await this.client.deliveryStatus(id);
      } catch {
        // A status we cannot read is no news: try again at the next tick.
      }
      if (seq !== this.pollSeq || !this.isConnected) return;
      if (d?.status === 'sent' || d?.status === 'failed') {
        this.deliveryDone(d, sentTo);
        return;
      }
      if (Date.now() + this.deliveryPollMs <= until)
        this.pollTimer = setTimeout(() => void tick(), this.deliveryPollMs);
    };
    this.pollTimer = setTimeout(() => void tick(), this.deliveryPollMs);
  }

  private deliveryDone(d: DeliveryStatus, sentTo: string): void {
    this.stopPolling();
    const channel: CodeChannel = d.channel === 'voice' ? 'voice' : 'sms';
    if (d.status === 'sent') {
      this.status = {
        tone: 'ok',
        key: channel === 'voice' ? 'delivery.sent_voice' : 'delivery.sent_sms',
        params: { phone: sentTo },
      };
      return;
    }
    // Not delivered: let the user send again right away, or by the other channel.
    this.countdown.stop();
    this.failedChannel = channel;
    this.status = { tone: 'error', key: channel === 'voice' ? 'delivery.failed_voice' : 'delivery.failed_sms' };
    this.requestUpdate();
  }

  private async switchChannel(to: CodeChannel): Promise<void> {
    this.channel = to;
    this.failedChannel = undefined;
    await this.sendCode();
  }

  private async sendCode(): Promise<void> {
    if (!this.client || this.sending || this.countdown.running) return;
    this.stopPolling();
    this.failedChannel = undefined;
    const phoneErrors = this.checkPhone();
    const { send: _send, 'phone.region': _r, 'phone.number': _n, ...rest } = this.errors;
    this.errors = { ...rest, ...phoneErrors };
    if (Object.keys(phoneErrors).length) {
      void this.focusFirstInvalid();
      return;
    }
    this.sending = true;
    try {
      const sent = await this.client.sendCode({
        phone: { region: this.region, number: nationalDigits(this.region, this.phone) },
        purpose: 'register',
        channel: this.channel,
      });
      this.codeSent = sent;
      this.countdown.start(sent.resendAfter > 0 ? sent.resendAfter : CODE_RESEND_SECONDS);
      this.status = {
        tone: 'info',
        key: sent.channel === 'voice' ? 'register.code_sent_voice' : 'register.code_sent_sms',
        params: { phone: sent.sentTo },
      };
      if (typeof sent.deliveryId === 'string' && sent.deliveryId) this.startPolling(sent.deliveryId, sent.sentTo);
      // Next step: the code. (Also keeps keyboard focus off the now-disabled button.)
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>(`#${CONTROL_ID.code}`)?.focus();
    } catch (e) {
      const err = toApiError(e);
      this.fireError(err.code, err.params);
      if (err.code === 'code_cooldown' && typeof err.params?.['seconds'] === 'number') {
        this.countdown.start(err.params['seconds']);
      }
      this.applyServerError(err.code, err.params, err.fields, 'send');
    } finally {
      this.sending = false;
    }
  }

  /** Puts a server error on its field (by path, then by code); anything else goes to the status region. */
  private applyServerError(
    code: ErrorCode,
    params: FieldError['params'],
    fields: { path: string; code: ErrorCode; params?: FieldError['params'] }[],
    fallback?: RegisterField,
  ): void {
    const next: Partial<Record<RegisterField, FieldError>> = { ...this.errors };
    let placed = false;
    for (const f of fields) {
      const field = fieldForPath(f.path) ?? fieldForCode(f.code);
      if (field && !next[field]) {
        next[field] = { code: f.code, params: f.params };
        placed = true;
      }
    }
    if (!placed) {
      const field = fieldForCode(code) ?? (code === 'invalid_input' ? undefined : fallback);
      if (field) {
        next[field] = { code, params };
        placed = true;
      }
    }
    this.errors = next;
    if (placed) {
      this.status = { tone: 'error', key: 'error.invalid_input' };
      void this.focusFirstInvalid();
    } else {
      this.status = { tone: 'error', key: `error.${code}` as MessageKey, params };
    }
  }

  private async onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.client || !this.config || this.submitting) return;
    const errors = this.validateAll();
    this.errors = errors;
    if (Object.keys(errors).length) {
      this.status = { tone: 'error', key: 'error.invalid_input' };
      void this.focusFirstInvalid();
      return;
    }
    const body: RegisterRequest = {
      accountName: normalizeAccountName(this.accountName),
      password: this.password,
      phone: { region: this.region, number: nationalDigits(this.region, this.phone) },
      code: this.code.trim(),
      agreements: this.config.agreements
        .filter((a) => this.accepted.has(a.key))
        .map((a) => ({ key: a.key, version: a.version })),
    };
    if (this.referralCode.trim()) body.referralCode = this.referralCode.trim();
    if (this.email.trim()) body.email = this.email.trim();
    this.submitting = true;
    this.status = undefined;
    try {
      const signedIn = await this.client.register(body);
      this.done = signedIn;
      this.countdown.stop();
      this.stopPolling();
      this.failedChannel = undefined;
      this.status = { tone: 'ok', key: 'register.success', params: { name: signedIn.account.accountName } };
      this.emit('jd-register', { account: signedIn.account, session: signedIn.session });
    } catch (err) {
      const apiError = toApiError(err);
      this.fireError(apiError.code, apiError.params);
      this.applyServerError(apiError.code, apiError.params, apiError.fields);
    } finally {
      this.submitting = false;
    }
  }

  // ---- rendering ----------------------------------------------------------

  private describedBy(field: RegisterField, ...ids: string[]): string | typeof nothing {
    if (this.errors[field]) ids.push(`${CONTROL_ID[field]}-error`);
    return ids.length ? ids.join(' ') : nothing;
  }

  private invalid(field: RegisterField): 'true' | 'false' {
    return this.errors[field] ? 'true' : 'false';
  }

  private renderError(field: RegisterField): TemplateResult | typeof nothing {
    const error = this.errors[field];
    if (!error) return nothing;
    return html`<p id="${CONTROL_ID[field]}-error" class="error" part="error" data-field=${field}>
      ${this.errorText(error)}
    </p>`;
  }

  private renderAccountSection(): TemplateResult {
    const nameId = CONTROL_ID.accountName;
    const pwId = CONTROL_ID.password;
    const showAvailable =
      !this.errors.accountName &&
      this.availableName !== '' &&
      this.availableName === normalizeAccountName(this.accountName);
    return html`<fieldset part="section">
      <legend>${this.t('register.step_account')}</legend>
      <div class="field">
        <label for=${nameId} part="label">${this.t('register.account_name')}</label>
        <input id=${nameId} name="accountName" part="input" type="text" autocomplete="username" autocapitalize="off" spellcheck="false" .value=${this.accountName} aria-invalid=${this.invalid('accountName')} aria-describedby=${this.describedBy('accountName', `${nameId}-hint`)} @input=${this.onAccountNameInput} @blur=${this.onAccountNameBlur} />
        <p id="${nameId}-hint" class="hint" part="hint">${this.t('register.account_name_hint')}</p>
        ${this.renderError('accountName')}
        ${showAvailable ? html`<p class="ok" part="hint">${this.t('register.account_name_available')}</p>` : nothing}
      </div>
      <div class="field">
        <label for=${pwId} part="label">${this.t('register.password')}</label>
        <input id=${pwId} name="password" part="input" type="password" autocomplete="new-password" .value=${this.password} aria-invalid=${this.invalid('password')} aria-describedby=${this.describedBy('password', `${pwId}-rules`)} @input=${this.onPasswordInput} @blur=${this.onPasswordBlur} />
        ${renderPasswordChecklist(`${pwId}-rules`, this.resolvedLocale, this.password, this.policy, this.accountName)}
        ${this.renderError('password')}
      </div>
    </fieldset>`;
  }

  private renderPhoneSection(): TemplateResult {
    const regionId = CONTROL_ID['phone.region'];
    const phoneId = CONTROL_ID['phone.number'];
    const codeId = CONTROL_ID.code;
    const sendId = CONTROL_ID.send;
    const waiting = this.countdown.running;
    return html`<fieldset part="section">
      <legend>${this.t('register.step_phone')}</legend>
      <div class="field">
        <label for=${regionId} part="label">${this.t('register.region')}</label>
        <select id=${regionId} name="region" part="input" autocomplete="tel-country-code" aria-invalid=${this.invalid('phone.region')} aria-describedby=${this.describedBy('phone.region')} @change=${this.onRegionChange}>
          ${renderRegionOptions(this.resolvedLocale, this.regions, this.region)}
        </select>
        ${this.renderError('phone.region')}
      </div>
      <div class="field">
        <label for=${phoneId} part="label">${this.t('register.phone')}</label>
        <input id=${phoneId} name="phone" part="input" type="tel" inputmode="tel" autocomplete="tel" .value=${this.phone} aria-invalid=${this.invalid('phone.number')} aria-describedby=${this.describedBy('phone.number', `${phoneId}-hint`)} @input=${this.onPhoneInput} />
        <p id="${phoneId}-hint" class="hint" part="hint">${this.t('register.phone_hint')}</p>
        ${this.renderError('phone.number')}
      </div>
      <fieldset part="section">
        <legend>${this.t('register.channel')}</legend>
        <div class="inline">
          ${(['sms', 'voice'] as const).map(
            (ch) => html`<label class="choice" for="jd-channel-${ch}" part="label">
              <input id="jd-channel-${ch}" type="radio" name="channel" value=${ch} .checked=${this.channel === ch} @change=${() => (this.channel = ch)} />${this.t(ch === 'sms' ? 'register.channel_sms' : 'register.channel_voice')}
            </label>`,
          )}
        </div>
      </fieldset>
      <div class="field">
        <label for=${codeId} part="label">${this.t('register.code')}</label>
        <div class="row">
          <input id=${codeId} class="grow" name="code" part="input" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6" .value=${this.code} aria-invalid=${this.invalid('code')} aria-describedby=${this.describedBy('code')} @input=${this.onCodeInput} />
          <button id=${sendId} type="button" part="button send-code" ?disabled=${waiting || this.sending} aria-describedby=${this.describedBy('send')} @click=${this.sendCode}>
            ${waiting ? this.t('register.resend_in', { seconds: this.countdown.remaining }) : this.t('register.send_code')}
          </button>
        </div>
        ${this.renderError('code')} ${this.renderError('send')} ${this.renderSwitchChannel()}
      </div>
    </fieldset>`;
  }

  private renderSwitchChannel(): TemplateResult | typeof nothing {
    const failed = this.failedChannel;
    if (!failed) return nothing;
    const to: CodeChannel = failed === 'sms' ? 'voice' : 'sms';
    return html`<p class="row">
      <button id="jd-switch-channel" type="button" part="button switch-channel" data-channel=${to} ?disabled=${this.sending} @click=${() => this.switchChannel(to)}>
        ${this.t(to === 'voice' ? 'delivery.switch_to_voice' : 'delivery.switch_to_sms')}
      </button>
    </p>`;
  }

  private renderAgreements(): TemplateResult {
    const locale = this.resolvedLocale;
    const agreements = this.config?.agreements ?? [];
    const errorId = `${CONTROL_ID.agreements}-error`;
    return html`<fieldset part="section" id=${CONTROL_ID.agreements}>
      <legend>${this.t('register.step_agreements')}</legend>
      ${agreements.map((a, i) => {
        const id = `jd-agreement-${i}`;
        const title = a.title[locale] ?? a.title.en;
        const href = safeUrl(a.url[locale] ?? a.url.en);
        const link = href
          ? html`<a href=${href} target="_blank" rel="noopener noreferrer" part="link">${title}</a>`
          : html`${title}`;
        return html`<label class="choice" for=${id} part="label">
          <input id=${id} type="checkbox" name="agreement" value=${a.key} .checked=${this.accepted.has(a.key)} aria-invalid=${this.errors.agreements && !this.accepted.has(a.key) ? 'true' : 'false'} aria-describedby=${this.errors.agreements ? errorId : nothing} @change=${(e: Event) => this.onAgreementChange(a.key, e)} /><span>${tWith(locale, 'register.agree', 'title', link)}</span>
        </label>`;
      })}
      ${this.renderError('agreements')}
    </fieldset>`;
  }

  private renderOptional(): TemplateResult {
    const refId = CONTROL_ID.referralCode;
    const emailId = CONTROL_ID.email;
    return html`<div class="field">
      <label for=${refId} part="label">${this.t('register.referral')}</label>
      <input id=${refId} name="referralCode" part="input" type="text" autocomplete="off" autocapitalize="off" maxlength="32" .value=${this.referralCode} aria-invalid=${this.invalid('referralCode')} aria-describedby=${this.describedBy('referralCode')} @input=${(
        e: Event,
      ) => {
        this.referralCode = (e.target as HTMLInputElement).value;
        if (this.errors.referralCode) this.setError('referralCode', this.checkReferral());
      }} />
      ${this.renderError('referralCode')}
    </div>
    <fieldset part="section">
      <legend>${this.t('register.step_email')}</legend>
      <div class="field">
        <label for=${emailId} part="label">${this.t('register.email')}</label>
        <div class="row">
          <input id=${emailId} class="grow" name="email" part="input" type="email" autocomplete="email" .value=${this.email} aria-invalid=${this.invalid('email')} aria-describedby=${this.describedBy('email', `${emailId}-hint`)} @input=${(
            e: Event,
          ) => {
            this.email = (e.target as HTMLInputElement).value;
            if (this.errors.email) this.setError('email', this.checkEmail());
          }} />
          <button type="button" part="button skip-email" @click=${this.onSkipEmail}>${this.t('register.skip_email')}</button>
        </div>
        <p id="${emailId}-hint" class="hint" part="hint">${this.t('register.email_hint')}</p>
        ${this.renderError('email')}
      </div>
    </fieldset>`;
  }

  private renderFooter(): TemplateResult {
    const href = safeUrl(this.loginUrl);
    return html`<div class="footer" part="footer">
      <span>${this.t('register.have_account')}</span>
      ${
        href
          ? html`<a href=${href} part="link" @click=${(e: Event) => this.navigate('login', href, e)}>${this.t('register.sign_in')}</a>`
          : html`<button type="button" class="link-button" part="link" @click=${(e: Event) => this.navigate('login', '', e)}>
          ${this.t('register.sign_in')}
        </button>`
      }
      <slot name="footer"></slot>
    </div>`;
  }

  protected override render(): TemplateResult {
    const locale = this.resolvedLocale;
    const state = this.renderLoadState();
    return html`<div lang=${locale}>
      <slot name="header"></slot>
      ${this.renderLogo()}<h2 part="title">${this.t('register.title')}</h2>
      ${
        state ??
        html`${
          this.done
            ? nothing
            : html`<form part="form" novalidate @submit=${this.onSubmit}>
            ${this.renderAccountSection()} ${this.renderPhoneSection()} ${this.renderAgreements()} ${this.renderOptional()}
            <button type="submit" part="submit" ?disabled=${this.submitting}>
              ${this.t(this.submitting ? 'register.submitting' : 'register.submit')}
            </button>
          </form>`
        }
          ${this.renderStatus()}`
      }
      ${this.renderFooter()}
    </div>`;
  }
}

if (!customElements.get('jd-register')) customElements.define('jd-register', JdRegister);

declare global {
  interface HTMLElementTagNameMap {
    'jd-register': JdRegister;
  }
}
