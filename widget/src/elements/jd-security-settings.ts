import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import type { ErrorParams } from '../../../shared/src/errors.ts';
import type { MessageKey } from '../../../shared/src/i18n/index.ts';
import type { SecurityOverview, StepUpMethod, SubUserMfaStatus } from '../../../shared/src/api.ts';
import type { JdClient } from '../client.ts';
import { JdElement, toApiError } from '../parts/base-element.ts';
import { FlowController, type FlowStatus } from '../flow.ts';
import type { SessionState } from '../session.ts';
import { CountdownController } from '../parts/countdown.ts';
import { ModalController } from '../parts/dialog.ts';
import { LazySteps } from '../parts/lazy-steps.ts';
import { federationPending } from '../parts/federation.ts';
import { safeUrl } from '../parts/text.ts';
import { renderDialog } from '../steps/security/dialog.ts';
import { renderAddEmail, renderOwn, renderSettings } from '../steps/security/rows.ts';
import {
  dialogAfterStepUp,
  isOverview,
  rowOf,
  type Dialog,
  type DialogState,
  type PageState,
  type SecurityChange as Change,
  type Step,
  type Value,
  type Values,
} from '../steps/security/state.ts';
import {
  STEP_MODULE,
  securitySteps,
  statusLine,
  type SecurityActions,
  type SecurityHost,
  type SecurityView,
} from '../steps/security/view.ts';
import { base, tokens } from '../styles.ts';
import { choiceStyles } from '../parts/choice.ts';
import { securityStyles } from '../steps/security/styles.ts';

/** What a `jd-security-change` event reports as changed. */
export type SecurityChange = Change;

/**
 * The account center's security settings (docs/product.md#8-security-and-contact-phones-and-emails,
 * #10-changing-identity-verification-methods, #5-email): security phone and email with their "verified", "can verify
 * identity" and "can sign in" flags, contact phone and email (default: the security ones), the
 * password, the virtual MFA device (bind by QR code, unbind, new recovery codes: docs/product.md#11-virtual-mfa)
 * and the recent security events. Changes run in modal dialogs; adding or changing a security
 * phone/email or the password, and every MFA change, first verifies the user's identity (step-up,
 * also by the MFA code once bound), or shows the tenant's support channels when no method is available.
 * A primary account also manages its sub-users here (create, with or without "MFA required"; toggle
 * "MFA required"; disassociate a sub-user's MFA device; disable/enable; delete). A sub-user's session
 * sees only its own virtual MFA: bind it after re-entering its password (no recovery codes); only the
 * primary account can disassociate it.
 *
 * A lost security phone (docs/product.md#23-lost-security-phone): the step-up's "I can't use any of
 * these" shows the tenant's support channels and "Apply to change the security phone" — for a
 * real-name verified account an application (name, the new phone, ID number, a photo holding the
 * ID card) queued for the tenant's review; once approved, the security phone row says until when a
 * new phone may be bound, and its Change goes straight to the new phone (its own code, no step-up).
 * A primary account also sets a sub-user's forgotten password ("Set password", after a step-up).
 *
 * Linked accounts (docs/product.md#25-sign-in-with-an-upstream-account), shown when the tenant has
 * upstream providers or one is linked: each linked account (provider, date linked, "Unlink") and each
 * provider not linked yet ("Link"), both after a step-up; "Link" sends the page to the provider, which
 * comes back with `#jd_federation=…`: this element takes it (the page is signed in), removes it from the
 * URL and says "linked" (or why not) under the list. A refused unlink (`federation_last_method`) is said
 * next to its row. An account created upstream without a name and password has "Account name and
 * password — Not set" with "Set" (account name and password, after a step-up) in the password's place.
 *
 * @fires jd-security-change - a setting changed; `detail: { what: 'security_phone' | 'security_email' | 'contact_phone' | 'contact_email' | 'password' | 'mfa' | 'sub_users' | 'federation' | 'credentials', overview }` (`overview` is undefined when a sub-user bound its own MFA)
 * @fires jd-account-closed - the account was closed (every session ended; the page is signed out); `detail: { closesAt }`
 * @fires jd-error - a request failed; `detail: { code, message }`
 *
 * @slot header - content above the settings
 * @slot footer - content below the settings
 *
 * @csspart logo - the tenant's logo above the heading (an https `branding.logoUrl` only)
 * @csspart title - the heading
 * @csspart rows - the list of settings
 * @csspart row - one setting (also `row-<name>`, e.g. `row-security-phone`)
 * @csspart value - the current value of a setting
 * @csspart badge - a status badge, also `badge-ok` (verified, can verify identity, can sign in) or `badge-warn` (unverified)
 * @csspart button - buttons; actions in rows are also `action`, the resend-code button `resend`, the button that tries again to load a dialog's step after a network error `retry`
 * @csspart events - the recent security events section; `event` is each table row
 * @csspart sub-users - the sub-users section; each sub-user is a `row row-sub-user`: its name, its creation date (`value`) on a line of its own under it, badges for its MFA state and an "MFA required" checkbox (`choice`); the status of a creation or deletion follows the section's Create button
 * @csspart qr - the MFA QR code image; `secret` the key to type in; `recovery-codes` the list of recovery codes (also `codes`, two columns, with Copy and Download buttons)
 * @csspart dialog - the change dialog; `form`, `section` (a choice of method or channel), `input` (a one-time-code input is also `code-input`), `reveal` (the show/hide button of a password field), `label`, `submit`, `error`, `hint`, `checklist` (items `checklist-item`, `checklist-item-met`, `checklist-item-unmet`) inside it as in the other elements
 * @csspart federation - the "Linked accounts" section: each provider is a `row row-federation` (its name, `value` with the date linked or a "Not linked" badge, Link / Unlink as `button action`); the result of coming back from a provider follows the list
 * @csspart closing - the "Close account" section of a primary account: "Download my data" and "Close account" (its dialog asks for a step-up, then "I understand")
 * @csspart callout - the suggestion to add an email when the account has none (its button opens the email dialog)
 * @csspart support - the tenant's support channels, shown when no way to verify the user's identity is left or the user can use none of them
 * @csspart status - the status of an action, next to the row or dialog button that caused it; also `success` while it reports a success; also the loading line of a dialog step that is still on its way
 * @csspart link - links
 * @csspart hint - the note under the settings about the contact phone and email (hints in the dialog: see `dialog`); in the security phone row, also `rebind`: until when an approved lost-phone application lets a new phone be bound
 *
 * @cssprop --jd-color-primary - buttons and accents
 * @cssprop --jd-color-primary-text - text on primary buttons
 * @cssprop --jd-color-error - error text, invalid borders, "unverified" badges
 * @cssprop --jd-color-success - success text and "verified" badges
 * @cssprop --jd-color-text - text
 * @cssprop --jd-color-muted - hints
 * @cssprop --jd-color-border - borders and row separators
 * @cssprop --jd-color-background - background (also of the dialog)
 * @cssprop --jd-color-focus - focus ring and links
 * @cssprop --jd-radius - corner radius
 * @cssprop --jd-font-family - font
 * @cssprop --jd-font-size - base font size
 * @cssprop --jd-spacing - gap between fields
 * @cssprop --jd-max-width - maximum width of the element (default 28rem; try 48rem here)
 * @cssprop --jd-padding - inner padding of the element (default 1.25rem)
 * @cssprop --jd-card-radius - corner radius of the element and the dialog (default 8px)
 */
export class JdSecuritySettings extends JdElement {
  // the dialogs' own styles (recovery codes, password checklist) come with their step modules
  static override styles = [tokens, base, choiceStyles, securityStyles];

  /*
   * Reactive properties declared with `static properties` rather than decorators: esbuild's
   * lowering of standard accessor decorators costs ~40 bytes gzip per property, and this
   * element must fit the bundle budget (widget/build.ts) next to the other two.
   */
  static override properties: PropertyDeclarations = {
    loginUrl: { attribute: 'login-url', reflect: true },
  };

  /** Where the "Sign in" link goes when no one is signed in. */
  declare loginUrl: string | undefined;

  /**
   * The page: who is signed in and what the BFF answered for them. Its feedback is kept per row
   * (`statusOf('row-<id>')`), so "changes saved" shows in the row whose dialog caused it; a reset
   * for another identity drops all of it (docs/elements.md#flows).
   */
  private readonly page = new FlowController<PageState>(this, { step: 'loading' });
  /** The open dialog: one state, so no step of one dialog can outlive it (see DialogState). */
  private readonly dlg = new FlowController<DialogState>(this, { step: 'closed' });

  private readonly countdown = new CountdownController(this);
  private readonly modal = new ModalController(this);
  /** the dialogs' steps, loaded when a dialog first reaches them (steps/security/view.ts) */
  private readonly steps = new LazySteps(this, securitySteps);
  /** the identity the page shows (account id), to tell a refresh from another identity */
  private identity: string | undefined;
  private overviewSeq = 0;
  /** where focus goes when the dialog has closed, when what opened it is gone (a deleted sub-user's row) */
  private refocus: string | undefined;

  private get overview(): SecurityOverview | undefined {
    const s = this.page.state;
    return s.step === 'primary' ? s.overview : undefined;
  }

  private get own(): SubUserMfaStatus | undefined {
    const s = this.page.state;
    return s.step === 'subUser' ? s.own : undefined;
  }

  private get values(): Values {
    const s = this.dlg.state;
    return s.step === 'closed' ? {} : s.values;
  }

  // ---- the page's session -----------------------------------------------------

  /**
   * The page's one session (src/session.ts) decides what to show: signed in → the overview, at
   * once, whichever element signed in; signed out or another identity → any dialog closes and
   * every message of the previous identity goes.
   */
  protected override sessionChanged(next: SessionState): void {
    const id = next.status === 'signedIn' ? next.signedIn.account.id : undefined;
    if (next.status === 'unknown') return;
    if (id !== this.identity || next.status === 'signedOut') {
      this.identity = id;
      this.closeDialog();
      this.status = undefined;
      // the page's session changed (on load, or by another element or tab): focus stays where it is
      this.page.reset({ step: id ? 'loading' : 'signedOut' }, false);
    }
    if (id && this.client) void this.loadOverview(this.client);
  }

  private async loadOverview(client: JdClient): Promise<void> {
    const seq = ++this.overviewSeq;
    const id = this.identity;
    let next: PageState;
    try {
      const [overview, subs, links] = await Promise.all([
        client.security(),
        client.listSubUsers(),
        // a BFF without upstream providers (or a failure here) hides the section, nothing more
        client.federationLinks().catch(() => undefined),
      ]);
      next = { step: 'primary', overview, subs, links };
    } catch (e) {
      // Signed in as a sub-user is a state of the page, not an error to report.
      const err = toApiError(e);
      try {
        if (err.code === 'sub_user_forbidden') next = { step: 'subUser', own: await client.subUserMfa() };
        else if (err.code === 'not_signed_in') next = { step: 'signedOut' };
        else throw err;
      } catch (e2) {
        if (seq !== this.overviewSeq || id !== this.identity) return;
        this.fail(e2);
        return;
      }
    }
    // an answer for an identity that left, or overtaken by a newer load, changes nothing
    if (seq !== this.overviewSeq || id !== this.identity) return;
    this.page.go(next, { focus: false });
    // back from linking an upstream account: this element takes the handle (the page is signed in)
    if (next.step === 'primary' && federationPending())
      void this.steps.load('federation').then((m) => m.resumeLink(this.host));
  }

  /** Re-reads the overview. Not needed after a sign-in on the same page: the element follows the page's one session and loads at once. */
  async refresh(): Promise<void> {
    if (this.client && this.identity) await this.loadOverview(this.client);
  }

  // ---- feedback and events ----------------------------------------------------

  /** A failed request: `jd-error`, and the live region says it. */
  private report(e: unknown) {
    const err = toApiError(e);
    this.fireError(err.code, err.params);
    const message: FlowStatus = { tone: 'error', key: `error.${err.code}` as MessageKey, params: err.params };
    this.status = message;
    return { err, message };
  }

  /** A failed request of the page: its status shows in `row`, else under the heading. */
  private fail(e: unknown, row?: string): void {
    this.page.setStatus(row ? `row-${row}` : 'page', this.report(e).message);
  }

  /** A change is saved: close the dialog; "saved" shows in the row that opened it (or `row`); tell the page. */
  private async saved(
    what: SecurityChange,
    key: MessageKey,
    overview?: SecurityOverview,
    params?: ErrorParams,
    row: string = rowOf(this.dlg.state.step === 'closed' ? what : this.dlg.state.dialog),
  ): Promise<void> {
    const s = this.page.state;
    // the page shows the change before the dialog closes: focus returns to the row as it now is
    if (overview && s.step === 'primary') this.page.patch({ overview });
    else await this.refresh();
    this.closeDialog();
    this.page.setStatus(`row-${row}`, { tone: 'ok', key, params });
    this.status = { tone: 'ok', key, params };
    this.emit('jd-security-change', { what, overview: this.overview });
  }

  // ---- the rows' own changes --------------------------------------------------

  /** A change from a row (sub-user disable/enable, "MFA required", contact reset); its status shows in that row. */
  private async rowCall(row: string, what: SecurityChange, call: (c: JdClient) => Promise<unknown>): Promise<boolean> {
    const c = this.client;
    if (!c) return false;
    const id = this.identity;
    this.page.setStatus(`row-${row}`, undefined);
    try {
      const r = await call(c);
      if (id !== this.identity) return false;
      await this.saved(what, 'security.saved', isOverview(r) ? r : undefined, undefined, row);
      return true;
    } catch (e) {
      if (id === this.identity) this.fail(e, row);
      return false;
    }
  }

  private async resendLink(): Promise<void> {
    if (!this.client) return;
    const id = this.identity;
    try {
      const sent = await this.client.resendEmailVerification();
      if (id !== this.identity) return;
      this.page.setStatus('row-security-email', { tone: 'ok', key: 'security.link_sent', params: { to: sent.sentTo } });
      this.status = { tone: 'ok', key: 'security.link_sent', params: { to: sent.sentTo } };
    } catch (e) {
      if (id === this.identity) this.fail(e, 'security-email');
    }
  }

  // ---- the dialog (its steps and their actions: step modules, steps/security/view.ts) ----

  private open(dialog: Dialog, e: Event, values: Values = {}): void {
    const o = this.overview;
    if (!o && !this.own) return;
    this.countdown.stop();
    this.refocus = undefined;
    // docs/product.md#10-changing-identity-verification-methods: step-up first for the password
    // and for adding or changing any identity-verification method (security phone, security email —
    // a first one too, else it would pass the next step-up — and MFA); a first security email of an
    // account with no method at all has nothing to step up with. Contacts and sub-users need none.
    // A sub-user has no contacts for a step-up: its own binding asks for its password instead.
    // Setting a sub-user's password is a password change: it needs one too.
    // An approved lost-security-phone application stands in for it when binding the new security phone.
    const needsStepUp =
      (!/^(contact|sub)_/.test(dialog) || dialog === 'sub_password') &&
      (dialog !== 'add_email' || !!o?.stepUpMethods.length) &&
      !(dialog === 'security_phone' && o?.securityPhoneRebindUntil);
    const methods = o?.stepUpMethods ?? [];
    const method = methods.includes(values.method as StepUpMethod) ? values.method : (methods[0] ?? 'phone');
    const step: Step = !o
      ? 'own_pw'
      : needsStepUp && !o.stepUp.active
        ? methods.length
          ? 'method'
          : 'support'
        : dialogAfterStepUp(dialog);
    // the row's earlier "saved" is about an earlier change
    this.page.setStatus(`row-${rowOf(dialog)}`, undefined);
    this.dlg.go({ step, dialog, values: { ...values, method } }, { fresh: true });
    void this.modal.open(e.currentTarget as Element);
    // identity first: the step after it loads meanwhile (MFA setup and new recovery codes: mfa-bind.ts)
    if (step === 'method') void this.steps.load(STEP_MODULE[dialogAfterStepUp(dialog)] ?? 'mfa').catch(() => {});
    // MFA setup and new recovery codes ask the BFF first
    if (step === 'wait')
      void this.steps.load('mfa').then(
        (m) => m.prepare(this.host),
        () => this.dlg.setStatus('dialog', { tone: 'error', key: 'error.network_error' }),
      );
  }

  /** Closes the dialog now: its state goes at once, so a late answer or close event finds nothing to change. */
  private closeDialog(): void {
    const s = this.dlg.state;
    if (s.step === 'closed') return;
    // the recovery codes were shown and confirmed saved: the row says the change is done
    if (s.step === 'codes') this.page.setStatus(`row-${rowOf(s.dialog)}`, { tone: 'ok', key: 'security.saved' });
    this.countdown.stop();
    this.dlg.reset({ step: 'closed' });
    this.modal.close();
  }

  private onDialogClose(): void {
    // the close event of an earlier opening (closed, then another dialog opened) is not this one's
    if (this.modal.isStaleClose()) return;
    // closed by the browser (Escape): the state follows; closed by closeDialog: already done
    this.closeDialog();
    const refocus = this.refocus;
    this.refocus = undefined;
    // after the render of the closed state, whose focus move (FlowController) would undo this one
    void this.updateComplete.then(() => {
      this.modal.closed();
      const root = this.shadowRoot!;
      const a = root.activeElement;
      // what opened it is gone (a deleted sub-user): where its "saved" shows; a sub-user's row has no
      // button left once its device is bound: focus goes to the row's text (not left on the closed dialog's field)
      const to = refocus ?? (!a || a.closest('dialog') ? 'li [tabindex="-1"]' : undefined);
      if (to) root.querySelector<HTMLElement>(to)?.focus();
    });
  }

  // ---- rendering: the rows and steps are render modules (src/steps/security/) -----------

  /** The element's actions for the rows and the dialog's frame, made once (their handlers keep their identity across renders). */
  private readonly actions: SecurityActions = {
    set: (f: Value, value: string) => {
      const s = this.dlg.state;
      if (s.step !== 'closed') this.dlg.patch({ values: { ...s.values, [f]: value } });
      this.dlg.clearField(f);
    },
    open: (dialog, e, values) => this.open(dialog, e, values),
    rowCall: (row, what, call) => this.rowCall(row, what, call),
    resendLink: () => void this.resendLink(),
    close: () => this.closeDialog(),
    submit: (e) => {
      e.preventDefault();
      const s = this.dlg.state;
      const name = s.step === 'closed' ? undefined : STEP_MODULE[s.step];
      const m = name && this.steps.get(name);
      this.dlg.clearFeedback();
      if (m) void m.submit(this.host);
      else this.closeDialog();
    },
    closed: () => this.onDialogClose(),
  };

  /** The element as the dialogs' step modules see it (steps/security/view.ts). */
  private readonly host: SecurityHost = ((el: this) => ({
    page: el.page,
    dlg: el.dlg,
    get client() {
      return el.client;
    },
    get config() {
      return el.config;
    },
    get overview() {
      return el.overview;
    },
    countdown: el.countdown,
    steps: el.steps,
    get root() {
      return el.renderRoot;
    },
    report: (e) => el.report(e),
    say: (s) => (el.status = s),
    saved: (what, key, overview, params, row) => el.saved(what, key, overview, params, row),
    closeDialog: () => el.closeDialog(),
    signedOut: () => el.store?.set(null),
    focusAfterClose: (selector) => (el.refocus = selector),
    refresh: () => el.refresh(),
    emit: (name, detail) => el.emit(name, detail),
    focusFirstInvalid: () => el.focusFirstInvalid(),
  }))(this);

  private view(): SecurityView {
    return {
      locale: this.resolvedLocale,
      config: this.config,
      page: this.page,
      dlg: this.dlg,
      overview: this.overview,
      values: this.values,
      resendIn: this.countdown.remaining,
      t: (key, params) => this.t(key, params),
      errorText: (e) => this.errorText(e),
      act: this.actions,
      host: this.host,
    };
  }

  private renderPage(v: SecurityView): TemplateResult {
    const s = this.page.state;
    const loginUrl = safeUrl(this.loginUrl);
    switch (s.step) {
      case 'primary':
        return html`${renderAddEmail(v, s.overview)} ${renderSettings(v, s.overview, s.subs, s.links)} ${renderDialog(v)}`;
      case 'subUser':
        return html`${renderOwn(v, s.own)} ${renderDialog(v)}`;
      case 'signedOut':
        return html`<p part="status" class="status is-info" role="status">${this.t('security.sign_in_required')}</p>
        ${loginUrl ? html`<p><a href=${loginUrl} part="link">${this.t('register.sign_in')}</a></p>` : nothing}`;
      default:
        return html`<p part="status" class="hint" role="status">${this.t('common.loading')}</p>`;
    }
  }

  protected override render(): TemplateResult {
    // the one polite live region mirrors the latest status; the visible ones sit by their actions
    const live = this.dlg.statusOf('dialog') ?? this.dlg.statusOf('send') ?? this.dlg.statusOf('codes') ?? this.status;
    const v = this.view();
    return html`<div class="root" lang=${this.resolvedLocale}>
      <slot name="header"></slot>
      ${this.renderLogo()}<h2 class="step-title" part="title" tabindex="-1">${this.t('security.title')}</h2>
      ${statusLine(v, this.page.statusOf('page'))}
      ${this.renderLoadState() ?? this.renderPage(v)}
      <div class="sr-only" aria-live="polite" aria-atomic="true">${live ? this.t(live.key, live.params) : nothing}</div>
      <slot name="footer"></slot>
    </div>`;
  }
}

if (!customElements.get('jd-security-settings')) customElements.define('jd-security-settings', JdSecuritySettings);

declare global {
  interface HTMLElementTagNameMap {
    'jd-security-settings': JdSecuritySettings;
  }
}
