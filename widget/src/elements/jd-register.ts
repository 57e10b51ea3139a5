import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import type { TenantPublicConfig } from '../../../shared/src/tenant.ts';
import type { PhoneRegion } from '../../../shared/src/rules/phone-regions.ts';
import type { CodeChannel } from '../../../shared/src/rules/code.ts';
import type { JdApiError } from '../client.ts';
import { FlowController, type FlowFieldError } from '../flow.ts';
import { JdElement } from '../parts/base-element.ts';
import { base, tokens } from '../styles.ts';
import { choiceStyles } from '../parts/choice.ts';
import { CountdownController } from '../parts/countdown.ts';
import { federationPending, startFederation } from '../parts/federation.ts';
import { federationStyles, renderFederationButtons } from '../parts/federation-buttons.ts';
import { LazySteps, renderStepLoading } from '../parts/lazy-steps.ts';
import { tenantRegions } from '../parts/phone-input.ts';
import { safeUrl } from '../parts/text.ts';
import { DeliveryPoll, rememberIfSent, renderPhoneStep, restorePhoneStep } from '../steps/register/phone.ts';
import { progressStyles } from '../steps/register/progress.ts';
import {
  dropPhoneStep,
  fieldForCode,
  fieldForPath,
  STEP_OF,
  type RegisterField,
  type RegisterState,
  type RegisterValues,
} from '../steps/register/state.ts';
import { registerSteps, renderProgress, type RegisterHost, type RegisterView } from '../steps/register/view.ts';

/**
 * Registration in three steps (docs/product.md#6-registration, docs/elements.md#jd-register):
 * 1. the security phone verified by an SMS or voice code, and the tenant's agreements accepted;
 * 2. account name and password, with the live rule checklist;
 * 3. enable the service: contact phone, an optional email (its link is sent), an optional
 *    referral code. Submitting registers and signs in: every element of the page updates at once.
 * Step 1 is kept in sessionStorage while its code is valid, so a user who leaves and comes back
 * continues at step 2 without a new code. The password is never stored.
 *
 * The page downloads step 1 only: steps 2 and 3 (with the confirmation) load when the flow first
 * reaches them — step 2 while step 1's code is checked, step 3 while step 2 is filled in — with a
 * loading line (`status`) in their place until they are in.
 *
 * "Log in with {provider}" (docs/product.md#25-sign-in-with-an-upstream-account): when the tenant config
 * lists `federation.providers`, a button per provider under step 1 sends the page to the provider
 * (a provider account without an account here is created on its first sign-in). Coming back with a
 * handle in the URL fragment (`#jd_federation=…`) on a page without a <jd-login>, this element
 * hands the rest to a <jd-login> in its place (loaded then): the MFA step, "Complete your account"
 * and the signed-in view are the sign-in's, and so is the event — `jd-login` (from that inner
 * element, bubbling and composed), for a first sign-in too. An error that came back (`#jd_federation_error=<code>`) is said right above the buttons.
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
 * @csspart button - buttons other than submit; the Back button is also `back`, the button that tries again to load a step after a network error `retry`
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
 * @csspart federation - the "Log in with …" row under step 1 (a divider with "or", the error of a sign-in that came back, the buttons)
 * @csspart federation-button - each "Log in with {provider}" button (also `button`)
 * @csspart captcha - the security check shown by the action that asked for it (a captcha provider's widget; docs/security.md#abuse-protection-for-paid-messages)
 * @csspart captcha-title - the security check's heading
 * @csspart captcha-box - where the provider draws its check (Turnstile; Tencent and Aliyun show their own pop-up)
 * @csspart captcha-cancel - the button closing the security check
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
  // the checklist's styles come with step 2's module (steps/register/account.ts)
  static override styles = [tokens, base, choiceStyles, progressStyles, federationStyles];

  // `static properties`, not decorators: smaller bundle (see JdElement)
  static override properties: PropertyDeclarations = {
    loginUrl: { attribute: 'login-url', reflect: true },
    values: { state: true },
    availableName: { state: true },
    failedChannel: { state: true },
    delegated: { state: true },
  };

  /** Where the "Sign in" link goes; without it the link only fires `jd-navigate`. */
  declare loginUrl: string | undefined;

  declare private values: RegisterValues;
  declare private availableName: string;
  declare private failedChannel: CodeChannel | undefined;
  /** a handle came back from a provider: a <jd-login> in this element's place resumes it */
  declare private delegated: boolean;

  /** How often the delivery status of a sent code is polled, in ms. */
  deliveryPollMs = 2000;
  /** How long the delivery status is polled at most, in ms. */
  deliveryPollMaxMs = 40_000;

  /** The one registration flow (src/flow.ts): its state says which step, and nothing else does. */
  private readonly flow = new FlowController<RegisterState>(this, { step: 'phone' });
  /** step 1: seconds before another code may be asked for */
  private readonly countdown = new CountdownController(this);
  /** step 1: the delivery status of the code sent last (stops when the element leaves the page) */
  private readonly delivery = new DeliveryPoll(this);
  /** steps 2 and 3 (and the confirmation), loaded when first reached */
  private readonly steps = new LazySteps(this, registerSteps);
  /** when the code sent from this page stops being valid (ms since the epoch) */
  private codeExpiresAt: number | undefined;

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
    this.delegated = false;
  }

  private get regions(): PhoneRegion[] {
    return tenantRegions(this.config?.phoneRegions);
  }

  protected override configLoaded(config: TenantPublicConfig): void {
    const regions = tenantRegions(config.phoneRegions);
    if (!regions.includes(this.values.region)) this.values = { ...this.values, region: regions[0] };
    // step 1 kept in this tab while its code is valid: continue where the user left
    restorePhoneStep(this.host, regions);
    this.takeFederation();
  }

  /**
   * A handle or error the provider left in the URL: a <jd-login> of the page takes it; without one,
   * an error is said here and a handle goes to a <jd-login> rendered in this element's place.
   */
  private takeFederation(): void {
    const pending = federationPending();
    if (!pending || document.querySelector('jd-login') || this.store?.state.status === 'signedIn') return;
    if (pending === 'handle') {
      this.delegated = true;
      void import('./jd-login.ts');
      return;
    }
    void import('../parts/federation-return.ts').then((m) => {
      const back = m.takeFederationReturn();
      if (back && 'error' in back)
        this.flow.setStatus('federation', m.federationError(this.config, this.resolvedLocale, back.error));
    });
  }

  // ---- fields and errors --------------------------------------------------------------------------

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
    if (STEP_OF[field] === 'phone') rememberIfSent(this.host);
  };

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

  private dropSaved(): void {
    if (this.publishableKey) dropPhoneStep(this.publishableKey);
  }

  // ---- steps --------------------------------------------------------------------------------------

  private goStep(step: 'phone' | 'account' | 'service'): void {
    if (step !== 'phone') this.delivery.stop();
    const s = this.flow.state;
    const phoneInUse = s.step === 'account' || s.step === 'service' ? s.phoneInUse : false;
    this.flow.go(step === 'phone' ? { step } : { step, phoneInUse });
  }

  private async focusAfterRender(selector: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  // ---- render -------------------------------------------------------------------------------------

  /** The element as the steps' actions see it (steps/register/view.ts). */
  private readonly host: RegisterHost = ((el: this) => ({
    flow: el.flow,
    get client() {
      return el.client;
    },
    get config() {
      return el.config;
    },
    get store() {
      return el.store;
    },
    get publishableKey() {
      return el.publishableKey;
    },
    steps: el.steps,
    countdown: el.countdown,
    delivery: el.delivery,
    get regions() {
      return el.regions;
    },
    get values() {
      return el.values;
    },
    set values(v) {
      el.values = v;
    },
    get availableName() {
      return el.availableName;
    },
    set availableName(name) {
      el.availableName = name;
    },
    get failedChannel() {
      return el.failedChannel;
    },
    set failedChannel(channel) {
      el.failedChannel = channel;
    },
    get codeExpiresAt() {
      return el.codeExpiresAt;
    },
    set codeExpiresAt(at) {
      el.codeExpiresAt = at;
    },
    showErrors: (errors) => el.showErrors(errors),
    placeError: (e) => el.placeError(e),
    goStep: (step) => el.goStep(step),
    dropSaved: () => el.dropSaved(),
    focusAfterRender: (selector) => el.focusAfterRender(selector),
    emit: (name, detail) => el.emit(name, detail),
  }))(this);

  private view(config: TenantPublicConfig): RegisterView {
    return {
      locale: this.resolvedLocale,
      t: (key, params) => this.t(key, params),
      errorText: (e) => this.errorText(e),
      flow: this.flow,
      values: this.values,
      config,
      regions: this.regions,
      resendIn: this.countdown.remaining,
      failedChannel: this.failedChannel,
      availableName: this.availableName,
      edit: this.edit,
      host: this.host,
    };
  }

  private renderStep(v: RegisterView): TemplateResult {
    const s = this.flow.state;
    if (s.step === 'phone') return renderPhoneStep(v);
    const name = s.step === 'account' ? 'account' : 'service';
    const steps = this.steps;
    switch (s.step) {
      case 'account': {
        const m = steps.get('account');
        if (m) return m.renderAccountStep(v, s.phoneInUse);
        break;
      }
      case 'service':
      case 'done': {
        const m = steps.get('service');
        if (m) return s.step === 'done' ? m.renderDone(v) : m.renderServiceStep(v, s.phoneInUse);
        break;
      }
    }
    return renderStepLoading(
      (k) => this.t(k),
      steps.failed(name),
      () => steps.retry(name),
    );
  }

  /** The one polite live region: the latest status of this step, for screen readers. */
  private renderLive(): TemplateResult {
    const s = ['done', 'submit', 'next', 'send'].map((a) => this.flow.statusOf(a)).find(Boolean);
    return html`<div class="sr-only" aria-live="polite" aria-atomic="true">${s ? this.t(s.key, s.params) : nothing}</div>`;
  }

  /** "Log in with …" under step 1 (docs/product.md#25-sign-in-with-an-upstream-account). */
  private renderFederation(): TemplateResult | typeof nothing {
    if (this.flow.state.step !== 'phone') return nothing;
    return renderFederationButtons({
      locale: this.resolvedLocale,
      providers: this.config?.federation?.providers,
      t: (key, params) => this.t(key, params),
      status: this.flow.statusOf('federation'),
      busy: this.flow.isBusy(),
      onStart: (provider) => this.client && startFederation(this.client, provider),
    });
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
    const v = config && this.view(config);
    if (this.delegated)
      return html`<jd-login publishable-key=${this.publishableKey ?? ''} api-base=${this.apiBase ?? ''} locale=${this.locale ?? nothing} session-mode=${this.sessionMode ?? nothing}></jd-login>`;
    return html`<div class="root" lang=${locale}>
      <slot name="header"></slot>
      ${this.renderLogo()}
      ${state ?? (v ? html`${renderProgress(v)} ${this.renderStep(v)} ${this.renderFederation()}` : nothing)} ${this.renderLive()}
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
