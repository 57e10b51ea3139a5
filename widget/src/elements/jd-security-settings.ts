import { css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import type { ErrorCode } from '../../../shared/src/errors.ts';
import type { MessageKey } from '../../../shared/src/i18n/index.ts';
import type {
  ContactView,
  MfaSetupResponse,
  SecurityOverview,
  StepUpMethod,
  SubUserMfaStatus,
  SubUserView,
} from '../../../shared/src/api.ts';
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
import { JdElement, toApiError, type FieldError, type StatusMessage } from '../parts/base-element.ts';
import { renderChoice } from '../parts/choice.ts';
import { CountdownController } from '../parts/countdown.ts';
import { ModalController } from '../parts/dialog.ts';
import { renderPasswordChecklist } from '../parts/password-checklist.ts';
import { renderRegionOptions, tenantRegions } from '../parts/phone-input.ts';
import { renderSupport } from '../parts/support.ts';
import { renderMfaSecret } from '../parts/mfa-secret.ts';
import { safeUrl } from '../parts/text.ts';
import { base, tokens } from '../styles.ts';

/** What a `jd-security-change` event reports as changed. */
export type SecurityChange =
  'security_phone' | 'security_email' | 'contact_phone' | 'contact_email' | 'password' | 'mfa' | 'sub_users';
/**
 * The dialogs: a change, adding/replacing an unverified security email by link, binding/unbinding MFA, new recovery codes,
 * a signed-in sub-user binding its own MFA (mfa_own), creating a sub-user, confirming a sub-user's deletion or the
 * disassociation of its MFA device.
 */
type Dialog =
  | Exclude<SecurityChange, 'mfa' | 'sub_users'>
  | 'add_email'
  | 'mfa_bind'
  | 'mfa_unbind'
  | 'mfa_codes'
  | 'mfa_own'
  | 'sub_create'
  | 'sub_delete'
  | 'sub_disassociate';
/**
 * method: choose how to verify identity (for TOTP also its code); step_up: the code sent; value: the new
 * phone/email; code: the code sent there; wait: a request runs; qr: the MFA secret and its first code;
 * codes: the recovery codes, shown once; unbind: confirm unbinding MFA; own_pw: a sub-user's password
 * before its own binding (sub-users have no contacts for a step-up).
 */
type Step =
  | 'method'
  | 'step_up'
  | 'value'
  | 'code'
  | 'password'
  | 'link'
  | 'support'
  | 'wait'
  | 'qr'
  | 'codes'
  | 'unbind'
  | 'own_pw'
  | 'sub_create'
  | 'sub_delete'
  | 'sub_disassociate';
/** `name` is a new sub-user's; its password is `newPassword` */
type Field = 'code' | 'phone' | 'email' | 'currentPassword' | 'newPassword' | 'name';
/** the dialog's values: its fields, the chosen method, channel and region, the checkboxes, the sub-user's id */
type Value = Field | 'method' | 'channel' | 'region' | 'ack' | 'mfa' | 'id';

const STEP_FIELDS: Partial<Record<Step, Field[]>> = {
  method: ['code'],
  step_up: ['code'],
  qr: ['code'],
  value: ['phone', 'email'],
  code: ['code'],
  password: ['currentPassword', 'newPassword'],
  own_pw: ['currentPassword'],
  sub_create: ['name', 'newPassword'],
};

/** Where a server error without a usable field path belongs. */
function fieldForCode(code: ErrorCode): Field | undefined {
  if (code === 'code_cooldown' || code === 'code_daily_limit') return undefined;
  // code_*, and the MFA code's mfa_code_invalid, mfa_code_reused, mfa_clock_drift
  if (code.startsWith('code_') || code.startsWith('mfa_c')) return 'code';
  if (code.startsWith('phone_')) return 'phone';
  if (code.startsWith('email_')) return 'email';
  if (code === 'password_incorrect') return 'currentPassword';
  if (code.startsWith('account_name') || code === 'sub_user_name_taken') return 'name';
  if (code.startsWith('password_')) return 'newPassword';
  return undefined;
}

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
 * @csspart qr - the MFA QR code image; `secret` the key to type in; `recovery-codes` the list of recovery codes
 * @csspart dialog - the change dialog; `form`, `section` (a choice of method or channel), `input`, `label`, `submit`, `error`, `hint`, `checklist` (items `checklist-item`, `checklist-item-met`, `checklist-item-unmet`) inside it as in the other elements
 * @csspart support - the tenant's support channels, shown when no way to verify the user's identity is left
 * @csspart status - the live status regions; also `success` while one reports a success
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
    overview: { state: true },
    dialog: { state: true },
    step: { state: true },
    values: { state: true },
    errors: { state: true },
    dialogStatus: { state: true },
    busy: { state: true },
    setup: { state: true },
    codes: { state: true },
    subs: { state: true },
    own: { state: true },
  };

  /** Where the "Sign in" link goes when no one is signed in. */
  declare loginUrl: string | undefined;
  declare private overview: SecurityOverview | undefined;
  declare private dialog: Dialog | undefined;
  declare private step: Step;
  /** the dialog's inputs, plus the chosen verification method, code channel and phone region */
  declare private values: Partial<Record<Value, string>>;
  declare private errors: Partial<Record<Field, FieldError>>;
  declare private dialogStatus: StatusMessage | undefined;
  declare private busy: boolean;
  /** the MFA secret being bound (step qr) */
  declare private setup: MfaSetupResponse | undefined;
  /** new recovery codes (step codes); dropped when the dialog closes: they are shown once */
  declare private codes: string[] | undefined;
  /** the primary account's sub-users; undefined when no primary account is signed in */
  declare private subs: SubUserView[] | undefined;
  /** a signed-in sub-user's own MFA (the rest answers 403 sub_user_forbidden); undefined otherwise */
  declare private own: SubUserMfaStatus | undefined;

  private readonly countdown = new CountdownController(this);
  private readonly modal = new ModalController(this);

  constructor() {
    super();
    this.step = 'value';
    this.values = {};
    this.errors = {};
    this.busy = false;
  }

  protected override async loadExtra(client: JdClient): Promise<void> {
    let own: SubUserMfaStatus | undefined;
    try {
      [this.overview, this.subs] = await Promise.all([client.security(), client.listSubUsers()]);
    } catch (e) {
      // Not signed in, or signed in as a sub-user, is a state of the page, not an error to report.
      const code = toApiError(e).code;
      if (code === 'sub_user_forbidden') own = await client.subUserMfa();
      else if (code !== 'not_signed_in') throw e;
      this.overview = this.subs = undefined;
    }
    this.own = own;
  }

  /** Re-reads the overview, e.g. after `<jd-login>` signed the user in on the same page. */
  async refresh(): Promise<void> {
    if (!this.client) return;
    try {
      await this.loadExtra(this.client);
    } catch (e) {
      this.fail(e, false);
    }
  }

  private get kind(): 'phone' | 'email' {
    return this.dialog === 'security_phone' || this.dialog === 'contact_phone' ? 'phone' : 'email';
  }

  private v(f: Field): string {
    return this.values[f] ?? '';
  }

  private set(f: Value, value: string): void {
    this.values = { ...this.values, [f]: value };
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

  private stepUpStep(): Step {
    const methods = this.overview?.stepUpMethods ?? [];
    if (!methods.includes(this.method)) this.set('method', methods[0] ?? 'phone');
    return methods.length ? 'method' : 'support';
  }

  /** The step after identity verification (or without it); MFA setup and new recovery codes ask the BFF first. */
  private async afterStepUp(c: JdClient): Promise<void> {
    const d = this.dialog;
    if (d === 'mfa_codes') return this.showCodes((await c.regenerateRecoveryCodes()).recoveryCodes);
    if (d === 'mfa_bind') this.setup = await c.mfaSetup();
    this.go(
      d === 'mfa_bind'
        ? 'qr'
        : d === 'mfa_unbind'
          ? 'unbind'
          : d === 'password'
            ? 'password'
            : d!.startsWith('sub')
              ? (d as Step)
              : 'value',
    );
  }

  /** New recovery codes (MFA bound, or regenerated): shown once; the page already reflects the change. */
  private async showCodes(codes: string[]): Promise<void> {
    this.setup = undefined;
    this.codes = codes;
    this.go('codes');
    await this.refresh();
    this.emit('jd-security-change', { what: 'mfa', overview: this.overview });
  }

  private async copyCodes(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.codes!.join('\n'));
      this.dialogStatus = { tone: 'ok', key: 'mfa.copied' };
    } catch {
      /* no clipboard access: the codes stay on screen and can be downloaded */
    }
  }

  private go(step: Step): void {
    this.step = step;
    this.errors = {};
    this.set('code', '');
    void this.modal.focusFirst();
  }

  private open(dialog: Dialog, e: Event, values: JdSecuritySettings['values'] = {}): void {
    const o = this.overview;
    if (!o && !this.own) return;
    this.dialog = dialog;
    this.values = values;
    this.errors = {};
    this.dialogStatus = undefined;
    this.status = undefined;
    this.countdown.stop();
    // docs/product.md#10-changing-identity-verification-methods: step-up first for the password
    // and for adding or changing any identity-verification method (security phone, security email —
    // a first one too, else it would pass the next step-up — and MFA); a first security email of an
    // account with no method at all has nothing to step up with. Contacts and sub-users need none.
    // A sub-user has no contacts for a step-up: its own binding asks for its password instead.
    const needsStepUp = !/^(contact|sub)_/.test(dialog) && (dialog !== 'add_email' || !!o?.stepUpMethods.length);
    this.step = !o ? 'own_pw' : needsStepUp && !o.stepUp.active ? this.stepUpStep() : 'wait';
    void this.modal.open(e.currentTarget as Element);
    if (this.step === 'wait') void this.run((c) => this.afterStepUp(c));
  }

  private onDialogClose(): void {
    if (this.modal.isStaleClose()) return;
    if (this.step === 'codes') this.status = { tone: 'ok', key: 'security.saved' };
    this.setup = this.codes = undefined;
    this.dialog = undefined;
    this.countdown.stop();
    this.modal.closed();
    // a sub-user's row has no button left once its device is bound: focus goes to the row's text
    // (not left on the closed dialog's field)
    const a = this.shadowRoot!.activeElement;
    if (!a || a.closest('dialog')) this.shadowRoot!.querySelector<HTMLElement>('[tabindex="-1"]')?.focus();
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
    this.dialogStatus = { tone: 'info', key: 'security.code_sent', params: { to: sentTo } };
  }

  /** Sends the step-up code (never for TOTP: its code is in the user's app). */
  private async sendStepUp(c: JdClient): Promise<void> {
    const sent = await c.stepUpStart({
      method: this.method,
      ...(this.method === 'phone' ? { channel: this.channel } : {}),
    });
    this.codeSent(sent.sentTo, sent.resendAfter);
  }

  private async sendContact(c: JdClient): Promise<void> {
    const sent = await c.contactStart({
      kind: this.kind,
      role: this.roleName(),
      ...this.target(),
      ...(this.kind === 'phone' ? { channel: this.channel } : {}),
    });
    this.codeSent(sent.sentTo, sent.resendAfter);
  }

  private async resend(): Promise<void> {
    if (this.countdown.running) return;
    await this.run((c) => (this.step === 'step_up' ? this.sendStepUp(c) : this.sendContact(c)));
  }

  /** Runs one request of the dialog: busy state, errors to fields or the dialog's live region. */
  private async run(action: (c: JdClient) => Promise<void>): Promise<void> {
    const c = this.client;
    if (!c || this.busy) return;
    this.busy = true;
    try {
      await action(c);
    } catch (e) {
      this.fail(e, true);
    } finally {
      this.busy = false;
    }
  }

  private fail(e: unknown, inDialog: boolean): void {
    const err = toApiError(e);
    this.fireError(err.code, err.params);
    if (inDialog && err.code === 'step_up_required') {
      // The grant expired or never existed: verify identity, then come back to this step.
      if (this.overview) this.overview = { ...this.overview, stepUp: { active: false, expiresAt: null } };
      this.go(this.stepUpStep());
      this.dialogStatus = { tone: 'error', key: 'error.step_up_required' };
      return;
    }
    if (err.code === 'code_cooldown' && typeof err.params?.['seconds'] === 'number')
      this.countdown.start(err.params['seconds']);
    const message: StatusMessage = { tone: 'error', key: `error.${err.code}` as MessageKey, params: err.params };
    if (!inDialog) {
      this.status = message;
      return;
    }
    const allowed = STEP_FIELDS[this.step] ?? [];
    const errors: Partial<Record<Field, FieldError>> = {};
    for (const f of err.fields) {
      const path = f.path.replace(/\..*/, '') as Field; // phone.number, phone.region → phone
      const field = allowed.includes(path) ? path : fieldForCode(f.code);
      if (field && allowed.includes(field)) errors[field] ??= { code: f.code, params: f.params };
    }
    const byCode = err.code === 'contact_unchanged' ? this.kind : fieldForCode(err.code);
    if (!Object.keys(errors).length && byCode && allowed.includes(byCode))
      errors[byCode] = { code: err.code, params: err.params };
    this.errors = errors;
    this.dialogStatus = Object.keys(errors).length ? { tone: 'error', key: 'error.invalid_input' } : message;
    void this.modal.focusFirst();
  }

  /** A change is saved: close the dialog, announce it, tell the page. */
  private async saved(
    what: SecurityChange,
    key: MessageKey,
    overview?: SecurityOverview,
    params?: FieldError['params'],
  ): Promise<void> {
    if (overview) this.overview = overview;
    else await this.refresh();
    this.modal.close();
    this.status = { tone: 'ok', key, params };
    this.emit('jd-security-change', { what, overview: this.overview });
  }

  private async onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    const errors = this.check();
    this.errors = errors;
    if (Object.keys(errors).length) {
      this.dialogStatus = { tone: 'error', key: 'error.invalid_input' };
      void this.modal.focusFirst();
      return;
    }
    const dialog = this.dialog!;
    const step = this.step;
    await this.run(async (c) => {
      if (step === 'method' && this.method !== 'totp') {
        await this.sendStepUp(c);
        this.go('step_up');
      } else if (step === 'step_up' || step === 'method') {
        const r = await c.stepUpVerify({ method: this.method, code: this.v('code').trim() });
        if (this.overview) this.overview = { ...this.overview, stepUp: r.stepUp };
        this.dialogStatus = undefined;
        this.countdown.stop();
        await this.afterStepUp(c);
      } else if (step === 'own_pw') {
        this.setup = await c.subUserMfaSetup(this.v('currentPassword'));
        this.go('qr');
      } else if (step === 'qr' && !this.overview) {
        // a sub-user's own device: bound, no recovery codes (the success text says so)
        this.own = await c.subUserMfaConfirm(this.v('code').trim());
        this.modal.close();
        this.status = { tone: 'ok', key: 'subuser.mfa_saved' };
        this.emit('jd-security-change', { what: 'mfa', overview: undefined });
      } else if (step === 'qr') {
        await this.showCodes((await c.mfaConfirm(this.v('code').trim())).recoveryCodes);
      } else if (step.startsWith('sub')) {
        const id = this.values.id!;
        await (step === 'sub_create'
          ? c.createSubUser({
              name: this.v('name').trim(),
              password: this.v('newPassword'),
              mfaRequired: !!this.values.mfa,
            })
          : step === 'sub_delete'
            ? c.deleteSubUser(id)
            : c.disassociateSubUserMfa(id));
        await this.saved('sub_users', 'security.saved');
      } else if (step === 'unbind') {
        await this.saved('mfa', 'security.saved', await c.unbindMfa());
      } else if (step === 'value' && dialog === 'add_email') {
        const sent = await c.setSecurityEmail(this.v('email').trim());
        this.go('link');
        this.dialogStatus = { tone: 'ok', key: 'security.link_sent', params: { to: sent.sentTo } };
        await this.refresh();
        this.emit('jd-security-change', { what: 'security_email', overview: this.overview });
      } else if (step === 'value') {
        await this.sendContact(c);
        this.go('code');
      } else if (step === 'code') {
        const overview = await c.contactConfirm({
          kind: this.kind,
          role: this.roleName(),
          ...this.target(),
          code: this.v('code').trim(),
        });
        await this.saved(dialog as SecurityChange, 'security.saved', overview);
      } else if (step === 'password') {
        const r = await c.changePassword({
          currentPassword: this.v('currentPassword'),
          newPassword: this.v('newPassword'),
        });
        await this.saved('password', 'security.saved_password', undefined, { n: r.signedOutSessions });
      } else this.modal.close();
    });
  }

  /** A sub-user change from its row (disable/enable, "MFA required"); false when it failed (reported). */
  private async subCall(call: (c: JdClient) => Promise<unknown>): Promise<boolean> {
    const c = this.client;
    try {
      await call(c!);
      await this.saved('sub_users', 'security.saved');
      return true;
    } catch (e) {
      this.fail(e, false);
      return false;
    }
  }

  private async resetContact(kind: 'phone' | 'email'): Promise<void> {
    if (!this.client) return;
    try {
      const overview = await this.client.contactReset(kind);
      await this.saved(`contact_${kind}`, 'security.saved', overview);
    } catch (e) {
      this.fail(e, false);
    }
  }

  private async resendLink(): Promise<void> {
    if (!this.client) return;
    try {
      const sent = await this.client.resendEmailVerification();
      this.status = { tone: 'ok', key: 'security.link_sent', params: { to: sent.sentTo } };
    } catch (e) {
      this.fail(e, false);
    }
  }

  // ---- rendering: the settings page -------------------------------------------

  private badge(key: MessageKey, warn = false): TemplateResult {
    return html`<span class=${warn ? 'badge warn' : 'badge'} part=${warn ? 'badge badge-warn' : 'badge badge-ok'}>${this.t(key)}</span>`;
  }

  private badges(c: ContactView | null): TemplateResult | typeof nothing {
    if (!c) return nothing;
    return html`${c.verified ? this.badge('security.verified') : this.badge('security.unverified', true)}
      ${c.canVerifyIdentity ? this.badge('security.can_verify') : nothing} ${c.canSignIn ? this.badge('security.can_sign_in') : nothing}`;
  }

  /** The primary account's sub-users: name, status, creation date; disable/enable, delete; create. */
  private renderSubUsers(subs: SubUserView[]): TemplateResult {
    return html`<section part="sub-users" aria-labelledby="jd-subs-title">
      <h3 id="jd-subs-title">${this.t('subuser.title')}</h3>
      ${
        subs.length
          ? html`<ul>
          ${subs.map((s) => {
            const row = `sub-${s.id}`;
            return html`<li part="row row-sub-user" data-sub=${s.name}>
              <span class="name" id="jd-row-${row}">${s.name}</span>
              <span class="value hint" part="value">${this.t('subuser.created', { date: this.when(s.createdAt) })}</span>
              ${s.disabled ? this.badge('subuser.disabled', true) : this.badge('subuser.enabled')}
              ${s.mfaBound ? this.badge('subuser.mfa_bound') : this.badge('subuser.mfa_not_bound', true)}
              <label class="choice" part="choice"><input type="checkbox" data-action="mfa-required" aria-describedby="jd-row-${row}" .checked=${s.mfaRequired} @change=${(
                e: Event,
              ) => {
                const box = e.target as HTMLInputElement;
                // on failure the box goes back to what the server has
                void this.subCall((c) => c.setSubUserMfaRequired(s.id, box.checked)).then(
                  (ok) => ok || (box.checked = !box.checked),
                );
              }} />${this.t('subuser.mfa_required')}</label>
              ${this.action(row, s.disabled ? 'subuser.enable' : 'subuser.disable', () => void this.subCall((c) => (s.disabled ? c.enableSubUser(s.id) : c.disableSubUser(s.id))))}
              ${s.mfaBound ? this.action(row, 'subuser.disassociate', (e) => this.open('sub_disassociate', e, { id: s.id, name: s.name })) : nothing}
              ${this.action(row, 'subuser.delete', (e) => this.open('sub_delete', e, { id: s.id, name: s.name }))}
            </li>`;
          })}
        </ul>`
          : html`<p class="hint">${this.t('subuser.none')}</p>`
      }
      <button type="button" part="button action" data-action="create" @click=${(e: Event) => this.open('sub_create', e)}>${this.t('subuser.create')}</button>
    </section>`;
  }

  /** A signed-in sub-user: its own MFA device only; binding asks for its password, removal is the primary's. */
  private renderOwn(m: SubUserMfaStatus): TemplateResult {
    return html`<p part="status" class="status is-info" role="status">${this.t('subuser.forbidden_here')}</p>
    <ul class="rows" part="rows">
      ${this.row(
        'mfa',
        'security.mfa',
        this.t(m.bound ? 'security.mfa_bound' : 'security.mfa_not_bound'),
        html`${m.required ? this.badge('subuser.mfa_required') : nothing}
          ${m.bound ? html`<span class="hint" tabindex="-1">${this.t('subuser.mfa_since', { date: this.when(m.boundAt) })}</span>` : nothing}`,
        m.bound ? nothing : this.action('mfa', 'mfa.bind', (e) => this.open('mfa_own', e)),
      )}
    </ul>`;
  }

  /** A date and time in the element's locale ('' for none). */
  private when(iso: string | null): string {
    return iso
      ? new Intl.DateTimeFormat(this.resolvedLocale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
      : '';
  }

  private checkbox(name: 'ack' | 'mfa', key: MessageKey): TemplateResult {
    return html`<label class="choice"><input type="checkbox" name=${name} .checked=${!!this.values[name]} @change=${(e: Event) => this.set(name, (e.target as HTMLInputElement).checked ? '1' : '')} />${this.t(key)}</label>`;
  }

  private action(row: string, key: MessageKey, onClick: (e: Event) => void): TemplateResult {
    return html`<button type="button" part="button action" data-action=${key.slice(key.indexOf('.') + 1)} aria-describedby="jd-row-${row}" @click=${onClick}>
      ${this.t(key)}
    </button>`;
  }

  private row(id: string, name: MessageKey, value: string, extra: unknown, actions: unknown = nothing): TemplateResult {
    return html`<li part="row row-${id}" data-row=${id}>
      <span class="name" id="jd-row-${id}">${this.t(name)}</span>
      <span class="value" part="value">${value}</span>
      ${extra} ${actions}
    </li>`;
  }

  private contactRow(kind: 'phone' | 'email', o: SecurityOverview): TemplateResult {
    const id = `contact-${kind}`;
    const contact = kind === 'phone' ? o.contactPhone : o.contactEmail;
    const security = kind === 'phone' ? o.securityPhone : o.securityEmail;
    const value =
      contact?.value ??
      this.t(security ? (kind === 'phone' ? 'security.same_as_phone' : 'security.same_as_email') : 'security.not_set');
    return this.row(
      id,
      kind === 'phone' ? 'security.contact_phone' : 'security.contact_email',
      value,
      this.badges(contact),
      html`${this.action(id, contact ? 'security.change' : 'security.set', (e) => this.open(`contact_${kind}`, e))}
        ${contact ? this.action(id, 'security.use_security', () => void this.resetContact(kind)) : nothing}`,
    );
  }

  private renderSettings(o: SecurityOverview): TemplateResult {
    const email = o.securityEmail;
    return html`<ul class="rows" part="rows">
      ${this.row(
        'security-phone',
        'security.security_phone',
        o.securityPhone?.value ?? this.t('security.not_set'),
        this.badges(o.securityPhone),
        this.action('security-phone', 'security.change', (e) => this.open('security_phone', e)),
      )}
      ${this.row(
        'security-email',
        'security.security_email',
        email?.value ?? this.t('security.not_set'),
        this.badges(email),
        !email
          ? this.action('security-email', 'security.add', (e) => this.open('add_email', e))
          : email.verified
            ? this.action('security-email', 'security.change', (e) => this.open('security_email', e))
            : html`${this.action('security-email', 'security.verify', () => void this.resendLink())}
              ${this.action('security-email', 'security.change', (e) => this.open('add_email', e))}`,
      )}
      ${this.contactRow('phone', o)} ${this.contactRow('email', o)}
      ${this.row(
        'password',
        'security.password',
        '',
        nothing,
        this.action('password', 'security.change', (e) => this.open('password', e)),
      )}
      ${this.row(
        'mfa',
        'security.mfa',
        this.t(o.mfa.bound ? 'security.mfa_bound' : 'security.mfa_not_bound'),
        o.mfa.bound
          ? html`<span class="hint">${this.t('mfa.status', { date: this.when(o.mfa.boundAt), n: o.mfa.recoveryCodesLeft })}</span>`
          : nothing,
        o.mfa.bound
          ? html`${this.action('mfa', 'mfa.unbind', (e) => this.open('mfa_unbind', e))} ${this.action('mfa', 'mfa.regenerate', (e) => this.open('mfa_codes', e))}`
          : this.action('mfa', 'mfa.bind', (e) => this.open('mfa_bind', e)),
      )}
    </ul>
    <p class="hint" part="hint">${this.t('security.contact_hint')}</p>
    ${this.subs ? this.renderSubUsers(this.subs) : nothing}
    <section part="events" aria-labelledby="jd-events-title">
      <h3 id="jd-events-title">${this.t('security.events')}</h3>
      ${
        o.events.length
          ? html`<table>
          <thead>
            <tr>
              <th scope="col">${this.t('security.event')}</th>
              <th scope="col">${this.t('security.time')}</th>
              <th scope="col">${this.t('security.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            ${o.events.map(
              (ev) => html`<tr part="event" data-type=${ev.type}>
                <td>${this.t(`event.${ev.type}` as MessageKey)}</td>
                <td><time datetime=${ev.at}>${this.when(ev.at)}</time></td>
                <td>${this.t(ev.outcome === 'success' ? 'event.outcome_success' : 'event.outcome_failure')}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
          : html`<p class="hint">${this.t('security.no_events')}</p>`
      }
    </section>`;
  }

  // ---- rendering: the dialog --------------------------------------------------

  private input(
    f: Field,
    label: MessageKey,
    type: string,
    autocomplete: string,
    describedBy: string[] = [],
    after: unknown = nothing,
  ): TemplateResult {
    const id = `jd-${f}`;
    const error = this.errors[f];
    if (error) describedBy = [...describedBy, `${id}-error`];
    return html`<div class="field">
      <label for=${id} part="label">${this.t(label)}</label>
      <div class="row">
        <input id=${id} class="grow" name=${f} part="input" type=${type} autocomplete=${autocomplete} inputmode=${f === 'code' ? 'numeric' : type === 'tel' ? 'tel' : nothing} maxlength=${f === 'code' ? 6 : nothing} .value=${this.v(f)} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${describedBy.length ? describedBy.join(' ') : nothing} @input=${(
          e: Event,
        ) => {
          this.set(f, (e.target as HTMLInputElement).value);
          if (this.errors[f]) this.errors = { ...this.errors, [f]: undefined };
        }} />${after}
      </div>
      ${error ? html`<p id="${id}-error" class="error" part="error" data-field=${f}>${this.errorText(error)}</p>` : nothing}
    </div>`;
  }

  private channelChoice(): TemplateResult {
    return renderChoice(
      'channel',
      this.t('register.channel'),
      [
        ['sms', this.t('register.channel_sms')],
        ['voice', this.t('register.channel_voice')],
      ],
      this.channel,
      (c) => this.set('channel', c),
    );
  }

  private codeInput(): TemplateResult {
    const waiting = this.countdown.running;
    // the MFA app's code (TOTP step-up, binding) is not sent: no resend, and its own label
    const app = this.step === 'method' || this.step === 'qr';
    const resend = app
      ? nothing
      : html`<button type="button" part="button resend" ?disabled=${waiting || this.busy} @click=${this.resend}>
        ${waiting ? this.t('register.resend_in', { seconds: this.countdown.remaining }) : this.t('security.resend')}
      </button>`;
    return this.input('code', app ? 'mfa.code' : 'register.code', 'text', 'one-time-code', [], resend);
  }

  private renderStep(): { body: unknown; submit?: MessageKey } {
    // only the steps of a primary account's dialogs read the overview
    const o = this.overview!;
    switch (this.step) {
      case 'method': {
        const label = (m: StepUpMethod): [StepUpMethod, string] => [
          m,
          m === 'totp'
            ? this.t('security.method_totp')
            : this.t(`security.method_${m}`, { to: (m === 'phone' ? o.securityPhone : o.securityEmail)?.value ?? '' }),
        ];
        return {
          body: html`${renderChoice('method', this.t('security.step_up_intro'), o.stepUpMethods.map(label), this.method, (m) => this.set('method', m))}
            ${this.method === 'phone' ? this.channelChoice() : this.method === 'totp' ? this.codeInput() : nothing}`,
          submit: this.method === 'totp' ? 'security.next' : 'register.send_code',
        };
      }
      case 'step_up':
        return { body: this.codeInput(), submit: 'security.next' };
      case 'code':
        return { body: this.codeInput(), submit: 'security.confirm' };
      case 'value': {
        if (this.kind === 'email') {
          return {
            body: this.input('email', 'security.new_email', 'email', 'email'),
            submit: this.dialog === 'add_email' ? 'security.confirm' : 'register.send_code',
          };
        }
        return {
          body: html`<div class="field">
            <label for="jd-region" part="label">${this.t('register.region')}</label>
            <select id="jd-region" name="region" part="input" autocomplete="tel-country-code" @change=${(e: Event) => this.set('region', (e.target as HTMLSelectElement).value)}>
              ${renderRegionOptions(this.resolvedLocale, tenantRegions(this.config?.phoneRegions), this.region)}
            </select>
          </div>
          ${this.input('phone', 'security.new_phone', 'tel', 'tel', this.roleName() === 'security' ? ['jd-login-hint'] : [])}
          ${this.roleName() === 'security' ? html`<p id="jd-login-hint" class="hint" part="hint">${this.t('security.login_may_change')}</p>` : nothing}
          ${this.channelChoice()}`,
          submit: 'register.send_code',
        };
      }
      case 'password':
      case 'sub_create': {
        const sub = this.step === 'sub_create';
        return {
          body: html`${
            sub
              ? this.input('name', 'subuser.name', 'text', 'off')
              : this.input('currentPassword', 'security.current_password', 'password', 'current-password')
          }
            ${this.input('newPassword', sub ? 'login.password' : 'security.new_password', 'password', 'new-password', ['jd-newPassword-rules'])}
            ${renderPasswordChecklist('jd-newPassword-rules', this.resolvedLocale, this.v('newPassword'), this.config?.passwordPolicy ?? DEFAULT_PASSWORD_POLICY, this.pwName())}
            ${sub ? this.checkbox('mfa', 'subuser.mfa_required') : nothing}`,
          submit: sub ? 'subuser.create' : 'security.confirm',
        };
      }
      case 'support':
        return {
          body: html`<p>${this.t('security.no_method')}</p>${renderSupport(this.resolvedLocale, o.supportChannels)}`,
        };
      case 'wait':
        return { body: html`<p class="hint">${this.t('common.loading')}</p>` };
      case 'qr':
        return {
          body: html`${renderMfaSecret(this.resolvedLocale, this.setup!)}
            ${this.codeInput()}`,
          submit: 'security.confirm',
        };
      case 'codes': {
        const codes = this.codes ?? [];
        return {
          body: html`<p>${this.t('mfa.codes_intro')}</p>
          <ol part="recovery-codes">
            ${codes.map((c) => html`<li><code>${c}</code></li>`)}
          </ol>
          <div class="footer">
            <button type="button" part="button" data-copy @click=${this.copyCodes}>${this.t('mfa.copy')}</button>
            <a part="link" download="recovery-codes.txt" href="data:text/plain;charset=utf-8,${encodeURIComponent(codes.join('\n'))}">${this.t('mfa.download')}</a>
          </div>
          ${this.checkbox('ack', 'mfa.saved_them')}`,
          submit: 'mfa.done',
        };
      }
      case 'unbind':
        return { body: html`<p>${this.t('mfa.unbind_confirm')}</p>`, submit: 'mfa.unbind' };
      case 'own_pw':
        return {
          body: html`<p id="jd-own-intro">${this.t('subuser.mfa_password')}</p>
          ${this.input('currentPassword', 'login.password', 'password', 'current-password', ['jd-own-intro'])}`,
          submit: 'security.next',
        };
      case 'sub_delete':
      case 'sub_disassociate': {
        const del = this.step === 'sub_delete';
        return {
          body: html`<p>${this.t(del ? 'subuser.delete_confirm' : 'subuser.disassociate_confirm', { name: this.values.name ?? '' })}</p>`,
          submit: del ? 'subuser.delete' : 'subuser.disassociate',
        };
      }
      default:
        return { body: nothing };
    }
  }

  private renderDialog(): TemplateResult {
    const d = this.dialog;
    const step = d ? this.renderStep() : undefined;
    const s = this.dialogStatus;
    // The recovery codes are shown once: Escape does not close them before "I have saved them".
    const unsaved = this.step === 'codes' && !this.values.ack;
    return html`<dialog part="dialog" aria-labelledby="jd-dialog-title" @close=${this.onDialogClose} @cancel=${(e: Event) => unsaved && e.preventDefault()}>
      ${
        d && step
          ? html`<form part="form" novalidate @submit=${this.onSubmit}>
          <h3 id="jd-dialog-title">${this.t(
            d === 'add_email'
              ? 'security.security_email'
              : d === 'mfa_codes'
                ? 'mfa.regenerate'
                : d.startsWith('mfa')
                  ? 'security.mfa'
                  : d.startsWith('sub')
                    ? `subuser.${d.slice(4) as 'create' | 'delete' | 'disassociate'}`
                    : `security.${d as Exclude<SecurityChange, 'sub_users'>}`,
          )}</h3>
          ${step.body}
          <div part="status" class=${s ? `status is-${s.tone}` : 'status'} role="status" aria-atomic="true">${s ? this.t(s.key, s.params) : nothing}</div>
          <div class="footer">
            ${
              step.submit
                ? html`<button type="submit" part="submit" ?disabled=${this.busy || unsaved}>${this.t(step.submit)}</button>`
                : nothing
            }
            ${
              this.step === 'codes'
                ? nothing
                : html`<button type="button" part="button" data-close @click=${() => this.modal.close()}>
                ${this.t(step.submit ? 'security.cancel' : 'security.close')}
              </button>`
            }
          </div>
        </form>`
          : nothing
      }
    </dialog>`;
  }

  protected override render(): TemplateResult {
    const loginUrl = safeUrl(this.loginUrl);
    const o = this.overview;
    return html`<div lang=${this.resolvedLocale}>
      <slot name="header"></slot>
      ${this.renderLogo()}<h2 part="title">${this.t('security.title')}</h2>
      ${
        this.renderLoadState() ??
        (o || this.own
          ? html`${o ? this.renderSettings(o) : this.renderOwn(this.own!)} ${this.renderStatus()} ${this.renderDialog()}`
          : html`<p part="status" class="status is-info" role="status">${this.t('security.sign_in_required')}</p>
          ${loginUrl ? html`<p><a href=${loginUrl} part="link">${this.t('register.sign_in')}</a></p>` : nothing}`)
      }
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
