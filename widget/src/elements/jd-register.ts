import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import type { ErrorParams } from '../../../shared/src/errors.ts';
import type { RegisterRequest, SignedIn } from '../../../shared/src/api.ts';
import type { TenantPublicConfig } from '../../../shared/src/tenant.ts';
import {
  ACCOUNT_NAME_MAX,
  ACCOUNT_NAME_MIN,
  accountNameProblems,
  normalizeAccountName,
} from '../../../shared/src/rules/account-name.ts';
import { DEFAULT_PASSWORD_POLICY, passwordProblems, type PasswordPolicy } from '../../../shared/src/rules/password.ts';
import { looksLikeMobile, nationalDigits, type PhoneRegion } from '../../../shared/src/rules/phone-regions.ts';
import { emailProblem } from '../../../shared/src/rules/email.ts';
import {
  CODE_PATTERN,
  CODE_RESEND_SECONDS,
  CODE_TTL_SECONDS,
  type CodeChannel,
} from '../../../shared/src/rules/code.ts';
import type { DeliveryStatus, JdApiError, JdClient } from '../client.ts';
import { FlowController, type FlowFieldError } from '../flow.ts';
import { JdElement } from '../parts/base-element.ts';
import { CountdownController } from '../parts/countdown.ts';
import { tenantRegions } from '../parts/phone-input.ts';
import { safeUrl } from '../parts/text.ts';
import { renderAccountStep } from '../steps/register/account.ts';
import { renderPhoneStep } from '../steps/register/phone.ts';
import { renderServiceStep } from '../steps/register/service.ts';
import {
  CONTROL_ID,
  dropPhoneStep,
  fieldForCode,
  fieldForPath,
  loadPhoneStep,
  PROGRESS_STEPS,
  savePhoneStep,
  STEP_OF,
  type RegisterField,
  type RegisterState,
  type RegisterValues,
} from '../steps/register/state.ts';
import type { RegisterView } from '../steps/register/view.ts';

const REFERRAL = /^[A-Za-z0-9_-]{0,32}$/;

/** POST /v1/verification-codes/check's answer (bff/src/services/code-check.ts). */
interface CodeCheck {
  valid: true;
  phoneInUse: boolean;
}

/**
 * The client's transport, for the one endpoint it has no method for yet (POST
 * /v1/verification-codes/check): the same headers, credentials and error mapping as every call.
 */
type Transport = { request<T>(method: string, path: string, body?: unknown): Promise<T> };

function accountNameParams(code: string): ErrorParams | undefined {
  if (code === 'account_name_too_short') return { min: ACCOUNT_NAME_MIN };
  if (code === 'account_name_too_long') return { max: ACCOUNT_NAME_MAX };
  return undefined;
}

function passwordParams(code: string, policy: PasswordPolicy): ErrorParams | undefined {
  if (code === 'password_too_short') return { min: policy.minLength };
  if (code === 'password_too_long') return { max: policy.maxLength };
  if (code === 'password_too_few_classes') return { n: policy.minClasses };
  return undefined;
}

/**
 * Registration in three steps (docs/product.md#6-registration, docs/elements.md#jd-register):
 * 1. the security phone verified by an SMS or voice code, and the tenant's agreements accepted;
 * 2. account name and password, with the live rule checklist;
 * 3. enable the service: contact phone, an optional email (its link is sent), an optional
 *    referral code. Submitting registers and signs in: every element of the page updates at once.
 * Step 1 is kept in sessionStorage while its code is valid, so a user who leaves and comes back
 * continues at step 2 without a new code. The password is never stored.
 *
 * @fires jd-register - registered and signed in; `detail: { account, session }`
 * @fires jd-error - a request failed; `detail: { code, message }`
 * @fires jd-navigate - the user asked for the sign-in form; `detail: { to: 'login' }` (cancelable)
 *
 * @slot header - content above the steps (e.g. the portal's logo)
 * @slot footer - content below the steps
 *
 * @csspart logo - the tenant's logo above the steps (an https `branding.logoUrl` only)
 * @csspart progress - the list of the three steps; the current one has `aria-current="step"`
 * @csspart title - the current step's heading
 * @csspart form - the current step's form
 * @csspart section - the current step
 * @csspart label - field labels
 * @csspart input - text inputs and the region select (the code input is also `code-input`)
 * @csspart reveal - the password's show/hide toggle
 * @csspart button - buttons other than submit; the Back button is also `back`
 * @csspart submit - the step's primary button (Next, then Register)
 * @csspart send-code - the send-code button
 * @csspart switch-channel - the "Switch to voice call" / "Switch to SMS" button shown when a code could not be delivered
 * @csspart notice - the notice that the phone is already used by another account (steps 2 and 3)
 * @csspart error - field error messages
 * @csspart hint - field hints
 * @csspart checklist - the password checklist; items are `checklist-item` plus `checklist-item-met` / `checklist-item-unmet`
 * @csspart status - the status of an action, right after its button
 * @csspart success - a status that reports a success, e.g. after registering
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
    values: { state: true },
    availableName: { state: true },
    failedChannel: { state: true },
  };

  /** Where the "Sign in" link goes; without it the link only fires `jd-navigate`. */
  declare loginUrl: string | undefined;

  declare private values: RegisterValues;
  declare private availableName: string;
  declare private failedChannel: CodeChannel | undefined;

  /** How often the delivery status of a sent code is polled, in ms. */
  deliveryPollMs = 2000;
  /** How long the delivery status is polled at most, in ms. */
  deliveryPollMaxMs = 40_000;

  private readonly flow = new FlowController<RegisterState>(this, { step: 'phone' });
  private readonly countdown = new CountdownController(this);
  /** when the code sent from this page stops being valid (ms since the epoch) */
  private codeExpiresAt: number | undefined;
  private availabilitySeq = 0;
  private pollSeq = 0;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.values = {
      region: 'CN',
      phone: '',
      channel: 'sms',
      code: '',
      accepted: false,
      accountName: '',
      password: '',
      referralCode: '',
      email: '',
    };
    this.availableName = '';
  }

  private get policy(): PasswordPolicy {
    return this.config?.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
  }

  private get regions(): PhoneRegion[] {
    return tenantRegions(this.config?.phoneRegions);
  }

  protected override configLoaded(config: TenantPublicConfig): void {
    const regions = tenantRegions(config.phoneRegions);
    if (!regions.includes(this.values.region)) this.values = { ...this.values, region: regions[0] };
    this.restore(regions);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopPolling();
  }

  // ---- come back later --------------------------------------------------------------------------

  /** Step 1 from this tab's sessionStorage: within the code's validity, continue where the user left. */
  private restore(regions: PhoneRegion[]): void {
    const pk = this.publishableKey;
    if (!pk || this.flow.state.step !== 'phone') return;
    const saved = loadPhoneStep(pk);
    if (!saved || !regions.includes(saved.region)) return;
    const { region, phone, code, channel, accepted } = saved;
    this.values = { ...this.values, region, phone, code, channel, accepted };
    this.codeExpiresAt = saved.expiresAt;
    // no focus move on page load: patch, not go (flow.ts)
    if (saved.verified) this.flow.patch({ step: 'account', phoneInUse: saved.phoneInUse });
  }

  private savePhoneStep(verified: boolean, phoneInUse = false): void {
    const pk = this.publishableKey;
    if (!pk) return;
    const { region, phone, code, channel, accepted } = this.values;
    const expiresAt = this.codeExpiresAt ?? Date.now() + CODE_TTL_SECONDS * 1000;
    savePhoneStep(pk, { region, phone, code, channel, accepted, expiresAt, verified, phoneInUse });
  }

  private dropSaved(): void {
    if (this.publishableKey) dropPhoneStep(this.publishableKey);
  }

  // ---- validation (shared rules, the same the BFF runs) ----------------------------------------

  private checkAccountName(): FlowFieldError | undefined {
    const code = accountNameProblems(this.values.accountName)[0];
    return code && { code, params: accountNameParams(code) };
  }

  private checkPassword(): FlowFieldError | undefined {
    const code = passwordProblems(this.values.password, this.policy, this.values.accountName)[0];
    return code && { code, params: passwordParams(code, this.policy) };
  }

  private checkPhone(): Partial<Record<RegisterField, FlowFieldError>> {
    const { region, phone } = this.values;
    if (!this.regions.includes(region)) return { 'phone.region': { code: 'phone_region_not_allowed' } };
    if (!phone.trim()) return { 'phone.number': { code: 'required' } };
    if (!looksLikeMobile(region, phone)) return { 'phone.number': { code: 'phone_invalid' } };
    return {};
  }

  private checkCode(): FlowFieldError | undefined {
    const code = this.values.code.trim();
    if (!code) return { code: 'required' };
    return CODE_PATTERN.test(code) ? undefined : { code: 'code_format' };
  }

  /** Puts each error on its field; true when there were any (focus then goes to the first). */
  private showErrors(errors: Partial<Record<RegisterField, FlowFieldError | undefined>>): boolean {
    let any = false;
    for (const [field, error] of Object.entries(errors) as [RegisterField, FlowFieldError | undefined][]) {
      if (!error) continue;
      this.flow.setFieldError(field, error);
      any = true;
    }
    if (any) void this.focusFirstInvalid();
    return any;
  }

  // ---- edits ------------------------------------------------------------------------------------

  private readonly edit = (field: RegisterField | 'channel', patch: Partial<RegisterValues>): void => {
    this.values = { ...this.values, ...patch };
    if (field === 'channel') return;
    this.flow.clearField(field);
    if (field === 'accountName') {
      this.availableName = '';
      // the password rule "not the account name" follows the name
      this.flow.clearField('password');
    }
    if (field === 'phone.region') this.flow.clearField('phone.number');
    // a step-1 value changed after the code was checked: what is stored no longer matches
    if (STEP_OF[field] === 'phone') this.savePhoneStepIfSent();
  };

  private savePhoneStepIfSent(): void {
    if (this.codeExpiresAt !== undefined && this.codeExpiresAt > Date.now()) this.savePhoneStep(false);
  }

  private readonly accountNameBlur = async (): Promise<void> => {
    const client = this.client;
    if (!this.values.accountName || !client) return;
    const problem = this.checkAccountName();
    if (problem) {
      this.flow.setFieldError('accountName', problem);
      return;
    }
    const name = normalizeAccountName(this.values.accountName);
    const seq = ++this.availabilitySeq;
    try {
      const available = await client.accountNameAvailable(name);
      if (seq !== this.availabilitySeq || normalizeAccountName(this.values.accountName) !== name) return;
      if (this.flow.state.step !== 'account') return;
      if (available) this.availableName = name;
      else this.flow.setFieldError('accountName', { code: 'account_name_taken' });
    } catch {
      // The availability hint is a convenience; registration checks again.
    }
  };

  // ---- server errors --------------------------------------------------------------------------

  /**
   * An API error of `action`: fields go under their fields — on their own step, so an error about
   * an earlier step (a name taken meanwhile, an expired code) goes back to it; anything else is
   * the action's status (flow.run). Always fires jd-error.
   */
  private placeError(e: JdApiError): boolean {
    this.fireError(e.code, e.params);
    const placed: [RegisterField, FlowFieldError][] = [];
    for (const f of e.fields) {
      const field = fieldForPath(f.path) ?? fieldForCode(f.code);
      if (field) placed.push([field, { code: f.code, params: f.params }]);
    }
    if (!placed.length) {
      const field = fieldForCode(e.code);
      if (field) placed.push([field, { code: e.code, params: e.params }]);
    }
    if (!placed.length) return false;
    const target = STEP_OF[placed[0][0]];
    if (target !== this.flow.state.step) this.goStep(target);
    if (target === 'phone' && placed.some(([f]) => f === 'code') && e.code !== 'code_invalid') this.dropSaved();
    this.showErrors(Object.fromEntries(placed.filter(([f]) => STEP_OF[f] === target)));
    return true;
  }

  // ---- steps ----------------------------------------------------------------------------------

  private phoneInUse(): boolean {
    const s = this.flow.state;
    return s.step === 'account' || s.step === 'service' ? s.phoneInUse : false;
  }

  private goStep(step: 'phone' | 'account' | 'service'): void {
    if (step !== 'phone') this.stopPolling();
    const phoneInUse = this.phoneInUse();
    this.flow.go(step === 'phone' ? { step } : { step, phoneInUse });
  }

  private readonly back = (): void => {
    const step = this.flow.state.step;
    this.goStep(step === 'service' ? 'account' : 'phone');
  };

  private readonly next = (e: Event): void => {
    e.preventDefault();
    const step = this.flow.state.step;
    if (step === 'phone') void this.checkPhoneStep();
    else if (step === 'account') this.checkAccountStep();
    else if (step === 'service') void this.submit();
  };

  private async checkPhoneStep(): Promise<void> {
    const client = this.client;
    if (!client || this.flow.isBusy()) return;
    const accepted = this.values.accepted || !this.config?.agreements.length;
    if (
      this.showErrors({
        ...this.checkPhone(),
        code: this.checkCode(),
        agreements: accepted ? undefined : { code: 'agreements_required' },
      })
    )
      return;
    const { region, phone, code } = this.values;
    const answer = await this.flow.run(
      'next',
      () =>
        (client as unknown as Transport).request<CodeCheck>('POST', '/verification-codes/check', {
          phone: { region, number: nationalDigits(region, phone) },
          code: code.trim(),
          purpose: 'register',
        }),
      (err) => this.placeError(err),
    );
    if (!answer) return;
    this.savePhoneStep(true, answer.phoneInUse);
    this.stopPolling();
    this.flow.go({ step: 'account', phoneInUse: answer.phoneInUse });
  }

  private checkAccountStep(): void {
    const taken = this.flow.fieldError('accountName')?.code === 'account_name_taken';
    if (
      this.showErrors({
        accountName: this.checkAccountName() ?? (taken ? this.flow.fieldError('accountName') : undefined),
        password: this.checkPassword(),
      })
    )
      return;
    this.flow.go({ step: 'service', phoneInUse: this.phoneInUse() });
  }

  private async submit(): Promise<void> {
    const client = this.client;
    const config = this.config;
    if (!client || !config || this.flow.isBusy()) return;
    const email = this.values.email.trim();
    const referral = this.values.referralCode.trim();
    const emailCode = email ? emailProblem(email) : undefined;
    if (
      this.showErrors({
        email: emailCode ? { code: emailCode } : undefined,
        referralCode: REFERRAL.test(referral) ? undefined : { code: 'referral_code_invalid' },
      })
    )
      return;
    const v = this.values;
    const body: RegisterRequest = {
      accountName: normalizeAccountName(v.accountName),
      password: v.password,
      phone: { region: v.region, number: nationalDigits(v.region, v.phone) },
      code: v.code.trim(),
      // one consent line, still recorded per agreement at the version shown (docs/product.md#16-agreements)
      agreements: v.accepted ? config.agreements.map((a) => ({ key: a.key, version: a.version })) : [],
    };
    if (referral) body.referralCode = referral;
    if (email) body.email = email;
    const signedIn = await this.flow.run(
      'submit',
      () => client.register(body),
      (err) => this.placeError(err),
    );
    if (!signedIn) return;
    this.done(signedIn);
  }

  private done(signedIn: SignedIn): void {
    this.dropSaved();
    this.countdown.stop();
    this.stopPolling();
    this.failedChannel = undefined;
    this.codeExpiresAt = undefined;
    // nothing of the password stays in memory once it did its job
    this.values = { ...this.values, password: '', code: '' };
    this.flow.go({ step: 'done', signedIn });
    this.flow.setStatus('done', {
      tone: 'ok',
      key: 'register.success',
      params: { name: signedIn.account.accountName },
    });
    // every element of the page (jd-login, jd-security-settings) learns of the session at once
    this.store?.set(signedIn);
    this.emit('jd-register', { account: signedIn.account, session: signedIn.session });
  }

  // ---- the code ---------------------------------------------------------------------------------

  private readonly sendCode = async (): Promise<void> => {
    const client = this.client;
    if (!client || this.flow.isBusy() || this.countdown.running) return;
    this.stopPolling();
    this.failedChannel = undefined;
    this.flow.clearField('code');
    if (this.showErrors(this.checkPhone())) return;
    const { region, phone, channel } = this.values;
    const sent = await this.flow.run(
      'send',
      () => client.sendCode({ phone: { region, number: nationalDigits(region, phone) }, purpose: 'register', channel }),
      (err) => {
        if (err.code === 'code_cooldown' && typeof err.params?.['seconds'] === 'number') {
          this.countdown.start(err.params['seconds']);
        }
        return this.placeError(err);
      },
    );
    if (!sent) return;
    this.codeExpiresAt = Date.now() + (sent.expiresIn > 0 ? sent.expiresIn : CODE_TTL_SECONDS) * 1000;
    this.countdown.start(sent.resendAfter > 0 ? sent.resendAfter : CODE_RESEND_SECONDS);
    this.flow.setStatus('send', {
      tone: 'info',
      key: sent.channel === 'voice' ? 'register.code_sent_voice' : 'register.code_sent_sms',
      params: { phone: sent.sentTo },
    });
    this.savePhoneStep(false);
    if (typeof sent.deliveryId === 'string' && sent.deliveryId) this.startPolling(client, sent.deliveryId, sent.sentTo);
    // next: the code (also keeps keyboard focus off the now-disabled button)
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>(`#${CONTROL_ID.code}`)?.focus();
  };

  private readonly switchChannel = (to: CodeChannel): void => {
    this.values = { ...this.values, channel: to };
    this.failedChannel = undefined;
    void this.sendCode();
  };

  private stopPolling(): void {
    this.pollSeq++;
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** Polls GET /v1/deliveries/:id until the code was sent or failed, the time is up, or polling is stopped. */
  private startPolling(client: JdClient, id: string, sentTo: string): void {
    this.stopPolling();
    const seq = this.pollSeq;
    const until = Date.now() + this.deliveryPollMaxMs;
    const tick = async (): Promise<void> => {
      this.pollTimer = undefined;
      if (seq !== this.pollSeq || !this.isConnected) return;
      let d: DeliveryStatus | undefined;
      try {
        d = await client.deliveryStatus(id);
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
      this.flow.setStatus('send', {
        tone: 'ok',
        key: channel === 'voice' ? 'delivery.sent_voice' : 'delivery.sent_sms',
        params: { phone: sentTo },
      });
      return;
    }
    // Not delivered: let the user send again right away, or by the other channel.
    this.countdown.stop();
    this.failedChannel = channel;
    this.flow.setStatus('send', {
      tone: 'error',
      key: channel === 'voice' ? 'delivery.failed_voice' : 'delivery.failed_sms',
    });
  }

  // ---- rendering ------------------------------------------------------------------------------

  private view(config: TenantPublicConfig): RegisterView {
    return {
      locale: this.resolvedLocale,
      t: (key, params) => this.t(key, params),
      errorText: (e) => this.errorText(e),
      flow: this.flow,
      values: this.values,
      config,
      regions: this.regions,
      policy: this.policy,
      resendIn: this.countdown.remaining,
      failedChannel: this.failedChannel,
      availableName: this.availableName,
      edit: this.edit,
      sendCode: () => void this.sendCode(),
      switchChannel: this.switchChannel,
      accountNameBlur: () => void this.accountNameBlur(),
      next: this.next,
      back: this.back,
    };
  }

  private renderProgress(): TemplateResult | typeof nothing {
    const step = this.flow.state.step;
    if (step === 'done') return nothing;
    const titles = ['register.step1_title', 'register.step2_title', 'register.step3_title'] as const;
    const current = PROGRESS_STEPS.indexOf(step);
    return html`<ol class="progress" part="progress" aria-label=${this.t('register.progress')}>
      ${PROGRESS_STEPS.map(
        (s, i) =>
          html`<li data-step=${s} data-of=${PROGRESS_STEPS.length} class=${i < current ? 'is-done' : ''} aria-current=${i === current ? 'step' : 'false'}><span class="step-label">${this.t(titles[i])}</span></li>`,
      )}
    </ol>`;
  }

  private renderDone(): TemplateResult {
    const s = this.flow.statusOf('done');
    return html`<section class="step" part="section" aria-labelledby="jd-step-done" data-step="done">
      <h2 id="jd-step-done" class="step-title" tabindex="-1" part="title">${this.t('register.done_title')}</h2>
      ${s ? html`<p class="status is-ok" part="status success" role="status">${this.t(s.key, s.params)}</p>` : nothing}
    </section>`;
  }

  private renderStep(config: TenantPublicConfig): TemplateResult {
    const s = this.flow.state;
    const v = this.view(config);
    switch (s.step) {
      case 'phone':
        return renderPhoneStep(v);
      case 'account':
        return renderAccountStep(v, s.phoneInUse);
      case 'service':
        return renderServiceStep(v, s.phoneInUse);
      case 'done':
        return this.renderDone();
    }
  }

  /** The one polite live region: the latest status of this step, for screen readers. */
  private renderLive(): TemplateResult {
    const s = ['done', 'submit', 'next', 'send'].map((a) => this.flow.statusOf(a)).find(Boolean);
    return html`<div class="sr-only" aria-live="polite" aria-atomic="true">${s ? this.t(s.key, s.params) : nothing}</div>`;
  }

  private renderFooter(): TemplateResult {
    const href = safeUrl(this.loginUrl);
    return html`<div class="footer" part="footer">
      <span>${this.t('register.have_account')}</span>
      ${
        href
          ? html`<a href=${href} part="link" @click=${(e: Event) => this.navigate('login', href, e)}>${this.t('register.sign_in')}</a>`
          : html`<button type="button" class="btn-link link-button" part="link" @click=${(e: Event) => this.navigate('login', '', e)}>
          ${this.t('register.sign_in')}
        </button>`
      }
      <slot name="footer"></slot>
    </div>`;
  }

  protected override render(): TemplateResult {
    const locale = this.resolvedLocale;
    const state = this.renderLoadState();
    const config = this.config;
    return html`<div class="root" lang=${locale}>
      <slot name="header"></slot>
      ${this.renderLogo()}
      ${state ?? (config ? html`${this.renderProgress()} ${this.renderStep(config)}` : nothing)} ${this.renderLive()}
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
