import { css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../shared/src/i18n/index.ts';
import type { SecurityOverview, StepUpMethod, SubUserMfaStatus } from '../../../shared/src/api.ts';
import { DEFAULT_PASSWORD_POLICY, passwordProblems } from '../../../shared/src/rules/password.ts';
import {
  isPhoneRegion,
  looksLikeMobile,
  nationalDigits,
  type PhoneRegion,
} from '../../../shared/src/rules/phone-regions.ts';
import { emailProblem } from '../../../shared/src/rules/email.ts';
import { CODE_PATTERN, CODE_RESEND_SECONDS, type CodeChannel } from '../../../shared/src/rules/code.ts';
import type { JdClient } from '../client.ts';
import { JdElement, toApiError, type FieldError } from '../parts/base-element.ts';
import { FlowController, type FlowStatus } from '../flow.ts';
import type { SessionState } from '../session.ts';
import { CountdownController } from '../parts/countdown.ts';
import { ModalController } from '../parts/dialog.ts';
import { tenantRegions } from '../parts/phone-input.ts';
import { safeUrl } from '../parts/text.ts';
import { renderDialog } from '../steps/security/dialog.ts';
import { renderAddEmail, renderOwn, renderSettings } from '../steps/security/rows.ts';
import {
  STEP_FIELDS,
  fieldForCode,
  isOverview,
  rowOf,
  type Dialog,
  type DialogState,
  type Field,
  type PageState,
  type SecurityChange as Change,
  type Step,
  type Value,
  type Values,
} from '../steps/security/state.ts';
import { statusLine, type SecurityActions, type SecurityView } from '../steps/security/view.ts';
import { base, tokens } from '../styles.ts';

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
 * @fires jd-security-change - a setting changed; `detail: { what: 'security_phone' | 'security_email' | 'contact_phone' | 'contact_email' | 'password' | 'mfa' | 'sub_users', overview }` (`overview` is undefined when a sub-user bound its own MFA)
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
 * @csspart button - buttons; actions in rows are also `action`, the resend-code button `resend`
 * @csspart events - the recent security events section; `event` is each table row
 * @csspart sub-users - the sub-users section; each sub-user is a `row row-sub-user`, with badges for its MFA state and an "MFA required" checkbox (`choice`)
 * @csspart qr - the MFA QR code image; `secret` the key to type in; `recovery-codes` the list of recovery codes (also `codes`, two columns, with Copy and Download buttons)
 * @csspart dialog - the change dialog; `form`, `section` (a choice of method or channel), `input` (a one-time-code input is also `code-input`), `reveal` (the show/hide button of a password field), `label`, `submit`, `error`, `hint`, `checklist` (items `checklist-item`, `checklist-item-met`, `checklist-item-unmet`) inside it as in the other elements
 * @csspart callout - the suggestion to add an email when the account has none (its button opens the email dialog)
 * @csspart support - the tenant's support channels, shown when no way to verify the user's identity is left or the user can use none of them
 * @csspart status - the status of an action, next to the row or dialog button that caused it; also `success` while it reports a success
 * @csspart link - links
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
  static override styles = [
    tokens,
    base,
    // Kept short: every byte counts against the bundle budget (widget/build.ts).
    css`
      ul{
        padding:0
      }
      li{
        display:flex;
        flex-wrap:wrap;
        gap:0.25em 0.75em;
        align-items:center;
        padding:0.5em 0;
        border-bottom:1px solid var(--_border)
      }
      .name{
        font-weight:600;
        min-width:8em
      }
      .value{
        flex:1
      }
      .badge{
        font-size:0.8em;
        border:1px solid;
        border-radius:1em;
        padding:0 0.5em;
        color:var(--_success)
      }
      .warn{
        color:var(--_error)
      }
      table{
        width:100%;
        text-align:start
      }
      ol code,[part='secret'] code{
        font-size:1.1em;
        letter-spacing:0.05em
      }
      dialog{
        color:inherit;
        background:var(--_bg);
        border-radius:var(--jd-card-radius,8px);
        width:min(26rem,90vw)
      }
    `,
  ];

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
  /** the identity the page shows (account id), to tell a refresh from another identity */
  private identity: string | undefined;
  private overviewSeq = 0;

  private get overview(): SecurityOverview | undefined {
    const s = this.page.state;
    return s.step === 'primary' ? s.overview : undefined;
  }

  private get own(): SubUserMfaStatus | undefined {
    const s = this.page.state;
    return s.step === 'subUser' ? s.own : undefined;
  }

  private get dialog(): Dialog | undefined {
    const s = this.dlg.state;
    return s.step === 'closed' ? undefined : s.dialog;
  }

  private get step(): Step | 'closed' {
    return this.dlg.state.step;
  }

  private get values(): Values {
    const s = this.dlg.state;
    return s.step === 'closed' ? {} : s.values;
  }

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
      this.page.reset({ step: id ? 'loading' : 'signedOut' });
    }
    if (id && this.client) void this.loadOverview(this.client);
  }

  private async loadOverview(client: JdClient): Promise<void> {
    const seq = ++this.overviewSeq;
    const id = this.identity;
    let next: PageState;
    try {
      const [overview, subs] = await Promise.all([client.security(), client.listSubUsers()]);
      next = { step: 'primary', overview, subs };
    } catch (e) {
      // Signed in as a sub-user is a state of the page, not an error to report.
      const err = toApiError(e);
      try {
        if (err.code === 'sub_user_forbidden') next = { step: 'subUser', own: await client.subUserMfa() };
        else if (err.code === 'not_signed_in') next = { step: 'signedOut' };
        else throw err;
      } catch (e2) {
        if (seq !== this.overviewSeq || id !== this.identity) return;
        this.fail(e2, false);
        return;
      }
    }
    // an answer for an identity that left, or overtaken by a newer load, changes nothing
    if (seq !== this.overviewSeq || id !== this.identity) return;
    this.page.go(next);
  }

  /** Re-reads the overview. Not needed after a sign-in on the same page: the element follows the page's one session and loads at once. */
  async refresh(): Promise<void> {
    if (this.client && this.identity) await this.loadOverview(this.client);
  }

  private get kind(): 'phone' | 'email' {
    return this.dialog === 'security_phone' || this.dialog === 'contact_phone' ? 'phone' : 'email';
  }

  private v(f: Field): string {
    return this.values[f] ?? '';
  }

  private set(f: Value, value: string): void {
    const s = this.dlg.state;
    if (s.step !== 'closed') this.dlg.patch({ values: { ...s.values, [f]: value } });
  }

  private get method(): StepUpMethod {
    return (this.values.method ?? 'phone') as StepUpMethod;
  }

  private get channel(): CodeChannel {
    return this.values.channel === 'voice' ? 'voice' : 'sms';
  }

  /** The chosen region if the tenant accepts it, else the tenant's first region. */
  private get region(): PhoneRegion {
    const regions = tenantRegions(this.config?.phoneRegions);
    const r = this.values.region;
    return isPhoneRegion(r) && regions.includes(r) ? r : regions[0];
  }

  // ---- dialog flow ----------------------------------------------------------

  /** Moves the open dialog to `step` (its feedback cleared, focus to the step's heading). */
  private go(step: Step, change: Partial<Exclude<DialogState, { step: 'closed' }>> = {}): void {
    const s = this.dlg.state;
    if (s.step === 'closed') return;
    this.dlg.go({ ...s, ...change, step, values: { ...s.values, code: '', ...change.values } }, { fresh: true });
  }

  private stepUpStep(): Step {
    const methods = this.overview?.stepUpMethods ?? [];
    if (!methods.includes(this.method)) this.set('method', methods[0] ?? 'phone');
    return methods.length ? 'method' : 'support';
  }

  /** The step after identity verification (or without it); MFA setup and new recovery codes ask the BFF first. */
  private async afterStepUp(): Promise<void> {
    const d = this.dialog;
    if (d === 'mfa_codes') {
      const r = await this.req((c) => c.regenerateRecoveryCodes());
      if (r) void this.showCodes(r.recoveryCodes);
      return;
    }
    if (d === 'mfa_bind') {
      const setup = await this.req((c) => c.mfaSetup());
      if (setup) this.go('qr', { setup });
      return;
    }
    this.go(
      d === 'mfa_unbind' ? 'unbind' : d === 'password' ? 'password' : d!.startsWith('sub') ? (d as Step) : 'value',
    );
  }

  /** New recovery codes (MFA bound, or regenerated): shown once; the page already reflects the change. */
  private async showCodes(codes: string[]): Promise<void> {
    this.go('codes', { codes, setup: undefined });
    await this.refresh();
    this.emit('jd-security-change', { what: 'mfa', overview: this.overview });
  }

  private codesText(): string {
    const s = this.dlg.state;
    return s.step === 'codes' ? (s.codes ?? []).join('\n') : '';
  }

  private async copyCodes(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.codesText());
      this.dlg.setStatus('codes', { tone: 'ok', key: 'mfa.copied' });
    } catch {
      /* no clipboard access: the codes stay on screen and can be downloaded */
    }
  }

  /** A .txt of the codes through a Blob link (no data: URL: some browsers block those downloads). */
  private downloadCodes(): void {
    const url = URL.createObjectURL(new Blob([this.codesText() + '\n'], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'recovery-codes.txt';
    this.renderRoot.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  private open(dialog: Dialog, e: Event, values: Values = {}): void {
    const o = this.overview;
    if (!o && !this.own) return;
    this.countdown.stop();
    // docs/product.md#10-changing-identity-verification-methods: step-up first for the password
    // and for adding or changing any identity-verification method (security phone, security email —
    // a first one too, else it would pass the next step-up — and MFA); a first security email of an
    // account with no method at all has nothing to step up with. Contacts and sub-users need none.
    // A sub-user has no contacts for a step-up: its own binding asks for its password instead.
    const needsStepUp = !/^(contact|sub)_/.test(dialog) && (dialog !== 'add_email' || !!o?.stepUpMethods.length);
    const methods = o?.stepUpMethods ?? [];
    const method = methods.includes(values.method as StepUpMethod) ? values.method : (methods[0] ?? 'phone');
    const step: Step = !o
      ? 'own_pw'
      : needsStepUp && !o.stepUp.active
        ? methods.length
          ? 'method'
          : 'support'
        : 'wait';
    // the row's earlier "saved" is about an earlier change
    this.page.setStatus(`row-${rowOf(dialog)}`, undefined);
    this.dlg.go({ step, dialog, values: { ...values, method } }, { fresh: true });
    void this.modal.open(e.currentTarget as Element);
    if (step === 'wait') void this.afterStepUp();
  }

  /** Closes the dialog now: its state goes at once, so a late answer or close event finds nothing to change. */
  private closeDialog(): void {
    const d = this.dialog;
    if (!d) return;
    // the recovery codes were shown and confirmed saved: the row says the change is done
    if (this.step === 'codes') this.page.setStatus(`row-${rowOf(d)}`, { tone: 'ok', key: 'security.saved' });
    this.countdown.stop();
    this.dlg.reset({ step: 'closed' });
    this.modal.close();
  }

  private onDialogClose(): void {
    // the close event of an earlier opening (closed, then another dialog opened) is not this one's
    if (this.modal.isStaleClose()) return;
    // closed by the browser (Escape): the state follows; closed by closeDialog: already done
    this.closeDialog();
    // after the render of the closed state, whose focus move (FlowController) would undo this one
    void this.updateComplete.then(() => {
      this.modal.closed();
      // a sub-user's row has no button left once its device is bound: focus goes to the row's text
      // (not left on the closed dialog's field)
      const a = this.shadowRoot!.activeElement;
      if (!a || a.closest('dialog')) this.shadowRoot!.querySelector<HTMLElement>('li [tabindex="-1"]')?.focus();
    });
  }

  private check(): Partial<Record<Field, FieldError>> {
    const errors: Partial<Record<Field, FieldError>> = {};
    const required = (f: Field) => !this.v(f).trim() && (errors[f] = { code: 'required' });
    if (
      this.step === 'step_up' ||
      this.step === 'code' ||
      this.step === 'qr' ||
      (this.step === 'method' && this.method === 'totp')
    ) {
      if (!required('code') && !CODE_PATTERN.test(this.v('code').trim())) errors.code = { code: 'code_format' };
    } else if (this.step === 'value') {
      const f = this.kind;
      if (!required(f)) {
        const problem =
          f === 'phone'
            ? looksLikeMobile(this.region, this.v(f))
              ? undefined
              : 'phone_invalid'
            : emailProblem(this.v(f));
        if (problem) errors[f] = { code: problem };
      }
    } else if (this.step === 'own_pw') {
      required('currentPassword');
    } else if (this.step === 'password' || this.step === 'sub_create') {
      // a new sub-user: its name, and a password under the same policy that is not that name
      required(this.step === 'password' ? 'currentPassword' : 'name');
      const policy = this.config?.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
      const problem = passwordProblems(this.v('newPassword'), policy, this.pwName())[0];
      if (problem)
        errors.newPassword = {
          code: problem,
          params: { min: policy.minLength, max: policy.maxLength, n: policy.minClasses },
        };
    }
    return errors;
  }

  /** The name the new password may not equal: the account's, or the new sub-user's. */
  private pwName(): string {
    return this.step === 'password' ? (this.overview?.account.accountName ?? '') : this.v('name').trim();
  }

  private target(): { phone: { region: PhoneRegion; number: string } } | { email: string } {
    return this.kind === 'phone'
      ? { phone: { region: this.region, number: nationalDigits(this.region, this.v('phone')) } }
      : { email: this.v('email').trim() };
  }

  private roleName(): 'security' | 'contact' {
    return this.dialog === 'contact_phone' || this.dialog === 'contact_email' ? 'contact' : 'security';
  }

  private codeSent(sentTo: string, resendAfter: number): void {
    this.countdown.start(resendAfter > 0 ? resendAfter : CODE_RESEND_SECONDS);
    // beside the code field and its resend button (docs/elements.md: feedback next to its action)
    this.dlg.setStatus('send', { tone: 'info', key: 'security.code_sent', params: { to: sentTo } });
  }

  /**
   * One request of the open dialog through its FlowController: one at a time, and an answer that
   * comes after the dialog closed or moved on is dropped (resolves undefined). Errors go to fields
   * or to the dialog's status (fail).
   */
  private req<T>(request: (c: JdClient) => Promise<T>): Promise<T | undefined> {
    const c = this.client;
    if (!c) return Promise.resolve(undefined);
    return this.dlg.run(
      'dialog',
      () => request(c),
      (e) => (this.fail(e, true), true),
    );
  }

  /** Sends the step-up code (never for TOTP: its code is in the user's app). */
  private async sendStepUp(): Promise<boolean> {
    const method = this.method;
    const sent = await this.req((c) =>
      c.stepUpStart({ method, ...(method === 'phone' ? { channel: this.channel } : {}) }),
    );
    if (sent) this.codeSent(sent.sentTo, sent.resendAfter);
    return !!sent;
  }

  private async sendContact(): Promise<boolean> {
    const body = {
      kind: this.kind,
      role: this.roleName(),
      ...this.target(),
      ...(this.kind === 'phone' ? { channel: this.channel } : {}),
    };
    const sent = await this.req((c) => c.contactStart(body));
    if (sent) this.codeSent(sent.sentTo, sent.resendAfter);
    return !!sent;
  }

  private async resend(): Promise<void> {
    if (this.countdown.running) return;
    await (this.step === 'step_up' ? this.sendStepUp() : this.sendContact());
  }

  /** A failed request: in the dialog, to its fields or its status; on the page, to the row's status. */
  private fail(e: unknown, inDialog: boolean, row?: string): void {
    const err = toApiError(e);
    this.fireError(err.code, err.params);
    const message: FlowStatus = { tone: 'error', key: `error.${err.code}` as MessageKey, params: err.params };
    this.status = message;
    if (!inDialog) {
      this.page.setStatus(row ? `row-${row}` : 'page', message);
      return;
    }
    if (err.code === 'step_up_required') {
      // The grant expired or never existed: verify identity, then come back to this step.
      const s = this.page.state;
      if (s.step === 'primary')
        this.page.patch({ overview: { ...s.overview, stepUp: { active: false, expiresAt: null } } });
      this.go(this.stepUpStep());
      this.dlg.setStatus('dialog', { tone: 'error', key: 'error.step_up_required' });
      return;
    }
    if (err.code === 'code_cooldown' && typeof err.params?.['seconds'] === 'number')
      this.countdown.start(err.params['seconds']);
    const allowed = STEP_FIELDS[this.step as Step] ?? [];
    const errors: Partial<Record<Field, FieldError>> = {};
    for (const f of err.fields) {
      const path = f.path.replace(/\..*/, '') as Field; // phone.number, phone.region → phone
      const field = allowed.includes(path) ? path : fieldForCode(f.code);
      if (field && allowed.includes(field)) errors[field] ??= { code: f.code, params: f.params };
    }
    const byCode = err.code === 'contact_unchanged' ? this.kind : fieldForCode(err.code);
    if (!Object.keys(errors).length && byCode && allowed.includes(byCode))
      errors[byCode] = { code: err.code, params: err.params };
    // errors about a field go under the field; only the rest is the dialog's status
    for (const [f, error] of Object.entries(errors)) this.dlg.setFieldError(f, error);
    if (!Object.keys(errors).length) this.dlg.setStatus('dialog', message);
    void this.focusFirstInvalid();
  }

  /** A change is saved: close the dialog; "saved" shows in the row that opened it; tell the page. */
  private async saved(
    what: SecurityChange,
    key: MessageKey,
    overview?: SecurityOverview,
    params?: FieldError['params'],
    row: string = rowOf(this.dialog ?? what),
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

  private async onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    const errors = this.check();
    this.dlg.clearFeedback();
    for (const [f, error] of Object.entries(errors)) this.dlg.setFieldError(f, error);
    if (Object.keys(errors).length) {
      void this.focusFirstInvalid();
      return;
    }
    const dialog = this.dialog!;
    const step = this.step;
    const code = this.v('code').trim();
    if (step === 'method' && this.method !== 'totp') {
      if (await this.sendStepUp()) {
        const status = this.dlg.statusOf('send');
        this.go('step_up');
        this.dlg.setStatus('send', status);
      }
    } else if (step === 'step_up' || step === 'method') {
      const r = await this.req((c) => c.stepUpVerify({ method: this.method, code }));
      if (!r) return;
      const s = this.page.state;
      if (s.step === 'primary') this.page.patch({ overview: { ...s.overview, stepUp: r.stepUp } });
      this.countdown.stop();
      this.dlg.setStatus('dialog', undefined);
      await this.afterStepUp();
    } else if (step === 'own_pw') {
      const setup = await this.req((c) => c.subUserMfaSetup(this.v('currentPassword')));
      if (setup) this.go('qr', { setup });
    } else if (step === 'qr' && !this.overview) {
      // a sub-user's own device: bound, no recovery codes (the success text says so)
      const own = await this.req((c) => c.subUserMfaConfirm(code));
      if (!own) return;
      this.closeDialog();
      this.page.go({ step: 'subUser', own });
      this.page.setStatus('row-mfa', { tone: 'ok', key: 'subuser.mfa_saved' });
      this.status = { tone: 'ok', key: 'subuser.mfa_saved' };
      this.emit('jd-security-change', { what: 'mfa', overview: undefined });
    } else if (step === 'qr') {
      const r = await this.req((c) => c.mfaConfirm(code));
      if (r) await this.showCodes(r.recoveryCodes);
    } else if (step.startsWith('sub')) {
      const id = this.values.id!;
      const ok = await this.req((c) =>
        (step === 'sub_create'
          ? c.createSubUser({
              name: this.v('name').trim(),
              password: this.v('newPassword'),
              mfaRequired: !!this.values.mfa,
            })
          : step === 'sub_delete'
            ? c.deleteSubUser(id)
            : c.disassociateSubUserMfa(id)
        ).then(() => true),
      );
      if (ok)
        await this.saved(
          'sub_users',
          'security.saved',
          undefined,
          undefined,
          step === 'sub_create' ? 'sub-users' : `sub-${id}`,
        );
    } else if (step === 'unbind') {
      const overview = await this.req((c) => c.unbindMfa());
      if (overview) await this.saved('mfa', 'security.saved', overview);
    } else if (step === 'value' && dialog === 'add_email') {
      const sent = await this.req((c) => c.setSecurityEmail(this.v('email').trim()));
      if (!sent) return;
      this.go('link');
      this.dlg.setStatus('dialog', { tone: 'ok', key: 'security.link_sent', params: { to: sent.sentTo } });
      await this.refresh();
      this.emit('jd-security-change', { what: 'security_email', overview: this.overview });
    } else if (step === 'value') {
      if (await this.sendContact()) {
        const status = this.dlg.statusOf('send');
        this.go('code');
        this.dlg.setStatus('send', status);
      }
    } else if (step === 'code') {
      const body = { kind: this.kind, role: this.roleName(), ...this.target(), code };
      const overview = await this.req((c) => c.contactConfirm(body));
      if (overview) await this.saved(dialog as SecurityChange, 'security.saved', overview);
    } else if (step === 'password') {
      const body = { currentPassword: this.v('currentPassword'), newPassword: this.v('newPassword') };
      const r = await this.req((c) => c.changePassword(body));
      if (r) await this.saved('password', 'security.saved_password', undefined, { n: r.signedOutSessions });
    } else this.closeDialog();
  }

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
      if (id === this.identity) this.fail(e, false, row);
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
      if (id === this.identity) this.fail(e, false, 'security-email');
    }
  }

  // ---- rendering: the rows and steps are render modules (src/steps/security/) -----------

  /** The element's actions for the steps, made once (their handlers keep their identity across renders). */
  private readonly actions: SecurityActions = {
    set: (f, value) => {
      this.set(f, value);
      this.dlg.clearField(f);
    },
    open: (dialog, e, values) => this.open(dialog, e, values),
    rowCall: (row, what, call) => this.rowCall(row, what, call),
    resendLink: () => void this.resendLink(),
    resend: () => void this.resend(),
    support: () => this.go('support'),
    copyCodes: () => void this.copyCodes(),
    downloadCodes: () => this.downloadCodes(),
    close: () => this.closeDialog(),
    submit: (e) => void this.onSubmit(e),
    closed: () => this.onDialogClose(),
  };

  private view(): SecurityView {
    return {
      locale: this.resolvedLocale,
      config: this.config,
      page: this.page,
      dlg: this.dlg,
      overview: this.overview,
      values: this.values,
      method: this.method,
      channel: this.channel,
      region: this.region,
      kind: this.kind,
      role: this.roleName(),
      pwName: this.pwName(),
      resendIn: this.countdown.remaining,
      t: (key, params) => this.t(key, params),
      errorText: (e) => this.errorText(e),
      act: this.actions,
    };
  }

  private renderPage(v: SecurityView): TemplateResult {
    const s = this.page.state;
    const loginUrl = safeUrl(this.loginUrl);
    switch (s.step) {
      case 'primary':
        return html`${renderAddEmail(v, s.overview)} ${renderSettings(v, s.overview, s.subs)} ${renderDialog(v)}`;
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
