import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { MessageKey } from '../../../shared/src/i18n/index.ts';
import type { SignedIn } from '../../../shared/src/api.ts';
import type { JdClient } from '../client.ts';
import { JdElement, toApiError, type FieldError } from '../parts/base-element.ts';
import { safeUrl } from '../parts/text.ts';

type LoginField = 'identifier' | 'password';

const CONTROL_ID: Record<LoginField, string> = { identifier: 'jd-identifier', password: 'jd-password' };

/**
 * Sign-in with an account name, or a phone/email that is a login identifier, plus the password
 * (PRODUCT.md "Which identifiers may sign in"). When a session exists it shows who is signed in
 * and a Sign out button instead.
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
  /** Where the "Register" link goes; without it the link only fires `jd-navigate`. */
  @property({ attribute: 'register-url', reflect: true }) accessor registerUrl: string | undefined = undefined;

  @state() private accessor identifier = '';
  @state() private accessor password = '';
  @state() private accessor errors: Partial<Record<LoginField, FieldError>> = {};
  @state() private accessor submitting = false;
  @state() private accessor signedIn: SignedIn | undefined = undefined;

  protected override async loadExtra(client: JdClient): Promise<void> {
    try {
      this.signedIn = (await client.session()) ?? undefined;
    } catch {
      // No session information (e.g. offline): show the form; the config load reports the error.
      this.signedIn = undefined;
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
    if (!this.password) errors.password = { code: 'required' };
    return errors;
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
      const signedIn = await this.client.signIn({ identifier: this.identifier.trim(), password: this.password });
      this.signedIn = signedIn;
      this.password = '';
      // The signed-in text is read with the sign-out button, which gets focus (aria-describedby).
      this.status = undefined;
      this.emit('jd-login', { account: signedIn.account, session: signedIn.session });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLButtonElement>('button[part~="sign-out"]')?.focus();
    } catch (err) {
      const apiError = toApiError(err);
      this.fireError(apiError.code, apiError.params);
      const next: Partial<Record<LoginField, FieldError>> = {};
      for (const f of apiError.fields) {
        if ((f.path === 'identifier' || f.path === 'password') && !next[f.path]) next[f.path] = { code: f.code, params: f.params };
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

  private renderField(field: LoginField, label: MessageKey, type: string, autocomplete: string): TemplateResult {
    const id = CONTROL_ID[field];
    const error = this.errors[field];
    return html`<div class="field">
      <label for=${id} part="label">${this.t(label)}</label>
      <input
        id=${id}
        name=${field}
        part="input"
        type=${type}
        autocomplete=${autocomplete}
        autocapitalize="off"
        spellcheck="false"
        .value=${field === 'identifier' ? this.identifier : this.password}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${error ? `${id}-error` : nothing}
        @input=${(e: Event) => {
          const value = (e.target as HTMLInputElement).value;
          if (field === 'identifier') this.identifier = value;
          else this.password = value;
          if (this.errors[field]) {
            const { [field]: _dropped, ...rest } = this.errors;
            this.errors = rest;
          }
        }}
      />
      ${error ? html`<p id="${id}-error" class="error" part="error" data-field=${field}>${this.errorText(error)}</p>` : nothing}
    </div>`;
  }

  private renderFooter(): TemplateResult | typeof nothing {
    if (this.signedIn) return html`<div class="footer" part="footer"><slot name="footer"></slot></div>`;
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

  protected override render(): TemplateResult {
    const state = this.renderLoadState();
    const signedIn = this.signedIn;
    return html`<div lang=${this.resolvedLocale}>
      <slot name="header"></slot>
      <h2 part="title">${this.t('login.title')}</h2>
      ${state ??
      html`${signedIn
        ? html`<p id="jd-signed-in" part="signed-in">${this.t('login.signed_in_as', { name: signedIn.account.accountName })}</p>
            <button type="button" part="button sign-out" aria-describedby="jd-signed-in" @click=${this.signOut}>${this.t('login.sign_out')}</button>`
        : html`<form part="form" novalidate @submit=${this.onSubmit}>
            ${this.renderField('identifier', 'login.identifier', 'text', 'username')}
            ${this.renderField('password', 'login.password', 'password', 'current-password')}
            <button type="submit" part="submit" ?disabled=${this.submitting}>
              ${this.t(this.submitting ? 'login.submitting' : 'login.submit')}
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
