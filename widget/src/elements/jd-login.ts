import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../shared/src/i18n/index.ts';
import type { SignedIn } from '../../../shared/src/api.ts';
import { CODE_PATTERN } from '../../../shared/src/rules/code.ts';
import type { JdClient } from '../client.ts';
import { JdElement, toApiError, type FieldError } from '../parts/base-element.ts';
import { renderSupport } from '../parts/support.ts';
import { safeUrl } from '../parts/text.ts';

/** `code` is the MFA step's one input: the TOTP code, or a recovery code. */
type LoginField = 'identifier' | 'subUser' | 'password' | 'code';
/** The MFA step of sign-in: the app's code, a recovery code, or help for a lost device. */
type MfaStep = 'code' | 'recovery' | 'lost';

const CONTROL_ID: Record<LoginField, string> = { identifier: 'jd-identifier', subUser: 'jd-sub-user', password: 'jd-password', code: 'jd-mfa-code' };

/**
 * Sign-in with an account name, or a phone/email that is a login identifier, plus the password
 * (PRODUCT.md "Which identifiers may sign in"). When the account has a virtual MFA device, the
 * password is followed by its code (or a recovery code); a pending MFA sign-in found on load goes
 * straight to that step. When a session exists it shows who is signed in and a Sign out button.
 * "Sign in as a sub-user" switches to the primary account's name or id, the sub-user's name and
 * its password (PRODUCT.md "Virtual MFA", sub-users).
 *
 * @fires jd-login - signed in; `detail: { account, session }`
 * @fires jd-logout - signed out; `detail: {}`
 * @fires jd-session - an existing session was found on load or refresh(); `detail: { account, session }`
 * @fires jd-error - a request failed; `detail: { code, message }`
 * @fires jd-navigate - the user asked for the registration form; `detail: { to: 'register' }` (cancelable)
 *
 * @slot header - content above the form
 * @slot footer - content below the form
 *
 * @csspart form - the form
 * @csspart label - field labels
 * @csspart input - the inputs
 * @csspart submit - the submit button
 * @csspart button - the sign-out button
 * @csspart error - field error messages
 * @csspart status - the live status region
 * @csspart signed-in - the "Signed in as" text
 * @csspart footer - the footer row with the registration link
 * @csspart link - links
 * @csspart support - the support channels shown for a lost MFA device
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
  // `static properties`, not decorators: smaller bundle (see JdElement)
  static override properties: PropertyDeclarations = {
    registerUrl: { attribute: 'register-url', reflect: true },
    identifier: { state: true },
    password: { state: true },
    errors: { state: true },
    submitting: { state: true },
    signedIn: { state: true },
    mfa: { state: true },
    code: { state: true },
    subUser: { state: true },
    sub: { state: true },
  };

  /** Where the "Register" link goes; without it the link only fires `jd-navigate`. */
  declare registerUrl: string | undefined;

  private declare identifier: string;
  private declare password: string;
  private declare errors: Partial<Record<LoginField, FieldError>>;
  private declare submitting: boolean;
  private declare signedIn: SignedIn | undefined;
  private declare mfa: MfaStep | undefined;
  /** the MFA step's input: a TOTP code or a recovery code */
  private declare code: string;
  /** the sub-user's name (sub-user sign-in) */
  private declare subUser: string;
  /** the sub-user sign-in form is shown */
  private declare sub: boolean;

  constructor() {
    super();
    this.identifier = this.password = this.code = this.subUser = '';
    this.sub = false;
    this.errors = {};
    this.submitting = false;
  }

  protected override async loadExtra(client: JdClient): Promise<void> {
    this.mfa = undefined;
    try {
      this.signedIn = (await client.session()) ?? undefined;
    } catch (e) {
      // No session information (e.g. offline): show the form; the config load reports the error.
      this.signedIn = undefined;
      // A password sign-in waiting for its MFA code survived a reload: continue with that step.
      // (No focus move: the page just loaded.)
      if (toApiError(e).code === 'mfa_required') this.showMfa('code', false);
    }
    if (this.signedIn) this.emit('jd-session', { account: this.signedIn.account, session: this.signedIn.session });
  }

  /** Re-reads the session, e.g. after `<jd-register>` signed the user in on the same page. */
  async refresh(): Promise<void> {
    if (this.client) await this.loadExtra(this.client);
  }

  private validate(): Partial<Record<LoginField, FieldError>> {
    const errors: Partial<Record<LoginField, FieldError>> = {};
    if (!this.identifier.trim()) errors.identifier = { code: 'required' };
    if (this.sub && !this.subUser.trim()) errors.subUser = { code: 'required' };
    if (!this.password) errors.password = { code: 'required' };
    return errors;
  }

  private showMfa(step: MfaStep, focus = true): void {
    this.mfa = step;
    this.code = '';
    this.errors = {};
    this.status = step === 'code' ? { tone: 'info', key: 'error.mfa_required' } : undefined;
    if (focus)
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#jd-mfa-code, #jd-recovery-code, [part~="lost"] p')?.focus());
  }

  /** Signed in (with the password alone, or after the MFA step): the signed-in state and `jd-login`. */
  private async done(signedIn: SignedIn): Promise<void> {
    this.signedIn = signedIn;
    this.mfa = undefined;
    this.password = '';
    this.code = '';
    // The signed-in text is read with the sign-out button, which gets focus (aria-describedby).
    this.status = undefined;
    this.emit('jd-login', { account: signedIn.account, session: signedIn.session });
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('button[part~="sign-out"]')?.focus();
  }

  private async onMfaSubmit(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.client || this.submitting) return;
    const recovery = this.mfa === 'recovery';
    const value = this.code.trim();
    const invalid: FieldError | undefined = !value
      ? { code: 'required' }
      : recovery || CODE_PATTERN.test(value)
        ? undefined
        : { code: 'code_format' };
    this.errors = invalid ? { code: invalid } : {};
    if (invalid) {
      this.status = { tone: 'error', key: 'error.invalid_input' };
      void this.focusFirstInvalid();
      return;
    }
    this.submitting = true;
    try {
      await this.done(await this.client.mfaSignIn(recovery ? { recoveryCode: value } : { code: value }));
    } catch (err) {
      const apiError = toApiError(err);
      this.fireError(apiError.code, apiError.params);
      const status = { tone: 'error', key: `error.${apiError.code}` as MessageKey, params: apiError.params } as const;
      if (apiError.code === 'mfa_too_many_attempts' || apiError.code === 'not_signed_in') {
        // The pending session is gone: start over with the password.
        this.mfa = undefined;
        this.status = status;
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLInputElement>(`#${CONTROL_ID.password}`)?.focus();
      } else if (apiError.status === 400) {
        // wrong, reused or drifted code, wrong recovery code, bad format: said at the field
        const f = apiError.fields[0];
        this.errors = { code: f ? { code: f.code, params: f.params } : { code: apiError.code, params: apiError.params } };
        this.status = { tone: 'error', key: 'error.invalid_input' };
        void this.focusFirstInvalid();
      } else this.status = status;
    } finally {
      this.submitting = false;
    }
  }

  /** Leaves a pending MFA sign-in: ends its session and shows the password form again. */
  private async cancelMfa(): Promise<void> {
    try {
      await this.client?.signOut();
    } catch {
      /* the pending session expires by itself */
    }
    this.mfa = undefined;
    this.status = undefined;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>(`#${CONTROL_ID.identifier}`)?.focus();
  }

  private async onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.client || this.submitting) return;
    const errors = this.validate();
    this.errors = errors;
    if (Object.keys(errors).length) {
      this.status = { tone: 'error', key: 'error.invalid_input' };
      void this.focusFirstInvalid();
      return;
    }
    this.submitting = true;
    this.status = undefined;
    try {
      const signedIn = await this.client.signIn({
        identifier: this.identifier.trim(),
        password: this.password,
        ...(this.sub ? { subUser: this.subUser.trim() } : {}),
      });
      if (signedIn.mfaRequired) {
        // PRODUCT.md "Virtual MFA": the password was right; the code from the app comes next.
        this.password = '';
        this.showMfa('code');
      } else await this.done(signedIn);
    } catch (err) {
      const apiError = toApiError(err);
      this.fireError(apiError.code, apiError.params);
      const next: Partial<Record<LoginField, FieldError>> = {};
      for (const f of apiError.fields) {
        const path = f.path as LoginField;
        if (path in CONTROL_ID && path !== 'code' && !next[path]) next[path] = { code: f.code, params: f.params };
      }
      // PRODUCT.md: a phone/email bound to several accounts cannot sign in — say so at the identifier.
      if (apiError.code === 'identifier_multiple_accounts') next.identifier = { code: apiError.code, params: apiError.params };
      this.errors = next;
      if (Object.keys(next).length) {
        this.status = { tone: 'error', key: 'error.invalid_input' };
        void this.focusFirstInvalid();
      } else {
        this.status = { tone: 'error', key: `error.${apiError.code}` as MessageKey, params: apiError.params };
        if (apiError.code === 'invalid_credentials') {
          this.password = '';
          await this.updateComplete;
          this.renderRoot.querySelector<HTMLInputElement>(`#${CONTROL_ID.password}`)?.focus();
        }
      }
    } finally {
      this.submitting = false;
    }
  }

  /** Switches between the account's own sign-in and a sub-user's (primary account, sub-user, password). */
  private async toggleSub(): Promise<void> {
    this.sub = !this.sub;
    this.errors = {};
    this.status = undefined;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>(`#${CONTROL_ID.identifier}`)?.focus();
  }

  private async signOut(): Promise<void> {
    if (!this.client) return;
    try {
      await this.client.signOut();
      this.signedIn = undefined;
      this.status = { tone: 'ok', key: 'login.signed_out' };
      this.emit('jd-logout', {});
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>(`#${CONTROL_ID.identifier}`)?.focus();
    } catch (err) {
      const apiError = toApiError(err);
      this.fireError(apiError.code, apiError.params);
      this.status = { tone: 'error', key: `error.${apiError.code}` as MessageKey, params: apiError.params };
    }
  }

  private renderField(field: LoginField, label: MessageKey, type: string, autocomplete: string, id = CONTROL_ID[field]): TemplateResult {
    const error = this.errors[field];
    const totp = id === CONTROL_ID.code;
    return html`<div class="field">
<label for=${id} part="label">${this.t(label)}</label>
<input id=${id} name=${field} part="input" type=${type} autocomplete=${autocomplete} autocapitalize="off" spellcheck="false" inputmode=${totp ? 'numeric' : nothing} maxlength=${totp ? 6 : nothing} .value=${this[field]} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `${id}-error` : nothing} @input=${(e: Event) => {
          this[field] = (e.target as HTMLInputElement).value;
          if (this.errors[field]) {
            const { [field]: _dropped, ...rest } = this.errors;
            this.errors = rest;
          }
        }} />
${error ? html`<p id="${id}-error" class="error" part="error" data-field=${field}>${this.errorText(error)}</p>` : nothing}
</div>`;
  }

  private renderFooter(): TemplateResult | typeof nothing {
    if (this.signedIn || this.mfa) return html`<div class="footer" part="footer"><slot name="footer"></slot></div>`;
    const href = safeUrl(this.registerUrl);
    return html`<div class="footer" part="footer">
<span>${this.t('login.no_account')}</span>
${href
        ? html`<a href=${href} part="link" @click=${(e: Event) => this.navigate('register', href, e)}>${this.t('login.register')}</a>`
        : html`<button type="button" class="link-button" part="link" @click=${(e: Event) => this.navigate('register', '', e)}>
${this.t('login.register')}
</button>`}
<slot name="footer"></slot>
</div>`;
  }

  private link(key: MessageKey, step: MfaStep): TemplateResult {
    return html`<button type="button" class="link-button" part="link" data-mfa=${step} @click=${() => this.showMfa(step)}>${this.t(key)}</button>`;
  }

  /** The MFA step: code (or recovery code) form, or the lost-device help with the support channels. */
  private renderMfa(): TemplateResult {
    if (this.mfa === 'lost') {
      // The disassociation application (PRODUCT.md) is not built yet: explain and show support.
      return html`<section part="lost">
<p tabindex="-1">${this.t('mfa.lost_help')}</p>
${renderSupport(this.resolvedLocale, this.config?.supportChannels)} ${this.link('mfa.use_code', 'code')}
</section>`;
    }
    const recovery = this.mfa === 'recovery';
    return html`<form part="form" novalidate @submit=${this.onMfaSubmit}>
${recovery
        ? this.renderField('code', 'mfa.recovery_code', 'text', 'off', 'jd-recovery-code')
        : this.renderField('code', 'mfa.code', 'text', 'one-time-code')}
<button type="submit" part="submit" ?disabled=${this.submitting}>${this.t(this.submitting ? 'login.submitting' : 'login.submit')}</button>
<div class="footer">
${recovery ? this.link('mfa.use_code', 'code') : this.link('mfa.use_recovery', 'recovery')} ${this.link('mfa.lost', 'lost')}
<button type="button" part="button cancel" @click=${this.cancelMfa}>${this.t('security.cancel')}</button>
</div>
</form>`;
  }

  protected override render(): TemplateResult {
    const state = this.renderLoadState();
    const signedIn = this.signedIn;
    return html`<div lang=${this.resolvedLocale}>
<slot name="header"></slot>
<h2 part="title">${this.t('login.title')}</h2>
${state ??
      html`${signedIn
        ? html`<p id="jd-signed-in" part="signed-in">${signedIn.account.subUser
              ? this.t('subuser.signed_in_as', { sub: signedIn.account.subUser.name, primary: signedIn.account.accountName })
              : this.t('login.signed_in_as', { name: signedIn.account.accountName })}</p>
<button type="button" part="button sign-out" aria-describedby="jd-signed-in" @click=${this.signOut}>${this.t('login.sign_out')}</button>`
        : this.mfa
          ? this.renderMfa()
          : html`<form part="form" novalidate @submit=${this.onSubmit}>
${this.sub
              ? html`${this.renderField('identifier', 'subuser.primary', 'text', 'off')}
${this.renderField('subUser', 'subuser.name', 'text', 'username')}`
              : this.renderField('identifier', 'login.identifier', 'text', 'username')}
${this.renderField('password', 'login.password', 'password', 'current-password')}
<button type="submit" part="submit" ?disabled=${this.submitting}>
${this.t(this.submitting ? 'login.submitting' : 'login.submit')}
</button>
<button type="button" class="link-button" part="link" data-sub @click=${this.toggleSub}>
${this.t(this.sub ? 'subuser.sign_in_primary' : 'subuser.sign_in_as')}
</button>
</form>`}
${this.renderStatus()}`}
${this.renderFooter()}
</div>`;
  }
}

if (!customElements.get('jd-login')) customElements.define('jd-login', JdLogin);

declare global {
  interface HTMLElementTagNameMap {
    'jd-login': JdLogin;
  }
}

