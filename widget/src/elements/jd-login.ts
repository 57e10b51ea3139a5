import { css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../shared/src/i18n/index.ts';
import type { MfaRecoveryEligibility, MfaSetupResponse, SignedIn } from '../../../shared/src/api.ts';
import type { Agreement } from '../../../shared/src/tenant.ts';
import { CODE_PATTERN, CODE_RESEND_SECONDS, type CodeDeliveryChannel } from '../../../shared/src/rules/code.ts';
import { ID_NUMBER_PATTERN } from '../../../shared/src/rules/id-number.ts';
import {
  isPhoneRegion,
  looksLikeMobile,
  nationalDigits,
  type PhoneRegion,
} from '../../../shared/src/rules/phone-regions.ts';
import type { JdApiError, JdClient } from '../client.ts';
import { JdElement, toApiError, type FieldError, type StatusMessage } from '../parts/base-element.ts';
import { renderChoice } from '../parts/choice.ts';
import { CountdownController } from '../parts/countdown.ts';
import { renderMfaSecret } from '../parts/mfa-secret.ts';
import { renderRegionOptions, tenantRegions } from '../parts/phone-input.ts';
import { renderSupport } from '../parts/support.ts';
import { safeUrl, tWith } from '../parts/text.ts';
import { MAX_UPLOAD_BYTES, readUpload } from '../parts/upload.ts';
import { base, tokens } from '../styles.ts';

/**
 * Request-body paths: sign-in (`code` is the MFA step's one input: a TOTP or a recovery code), the
 * lost-device application, the agreements step, the unlock step (`identifier` and `unlockCode`).
 */
type Field =
  | 'agreements'
  | 'unlockCode'
  | 'identifier'
  | 'subUser'
  | 'password'
  | 'code'
  | 'name'
  | 'phone.region'
  | 'phone.number'
  | 'idNumber'
  | 'enterpriseName'
  | UploadField;
type UploadField = 'idPhoto' | 'businessLicence';
type Errors = Partial<Record<Field, FieldError>>;
/** The MFA step of sign-in: the app's code, a recovery code, a lost device, or (a sub-user) binding a device. */
type MfaStep = 'code' | 'recovery' | 'lost' | 'setup';
/**
 * The unlock step: a locked account's owner gets a code on the security phone or email and lifts
 * the lock (docs/product.md#17-attempt-limits-and-lockout). `note` is the send button's feedback; `back` the lock
 * message that "Back" shows again.
 */
interface Unlock {
  channel: CodeDeliveryChannel;
  sending?: boolean;
  note?: StatusMessage | undefined;
  back: StatusMessage | undefined;
}

/** The element id of each field's control; errors are `<id>-error`, hints `<id>-hint`. */
const CONTROL_ID: Record<Field, string> = {
  agreements: 'jd-agreements',
  unlockCode: 'jd-unlock-code',
  identifier: 'jd-identifier',
  subUser: 'jd-sub-user',
  password: 'jd-password',
  code: 'jd-mfa-code',
  name: 'jd-app-name',
  'phone.region': 'jd-app-region',
  'phone.number': 'jd-app-phone',
  idNumber: 'jd-app-id-number',
  enterpriseName: 'jd-app-enterprise',
  idPhoto: 'jd-app-id-photo',
  businessLicence: 'jd-app-licence',
};

/** The application's fields a server field issue may name (`phone` alone means its number). */
const APP_FIELDS: readonly Field[] = [
  'name',
  'phone.region',
  'phone.number',
  'idNumber',
  'enterpriseName',
  'idPhoto',
  'businessLicence',
];
const REQUIRED: FieldError = { code: 'required' };
/** The pending MFA session is gone (too many wrong codes, expired): sign in with the password again. */
const sessionGone = (e: JdApiError) => e.code === 'mfa_too_many_attempts' || e.code === 'not_signed_in';

/**
 * Sign-in with an account name, or a phone/email that is a login identifier, plus the password
 * (docs/product.md#7-sign-in-identifiers). When the account has a virtual MFA device, the
 * password is followed by its code (or a recovery code); a pending MFA sign-in found on load goes
 * straight to that step. When a session exists it shows who is signed in and a Sign out button.
 * "Sign in as a sub-user" switches to the primary account's name or id, the sub-user's name and
 * its password (docs/product.md#13-sub-users); a sub-user whose primary account requires
 * MFA and who has no device binds one (QR code, key, first code) before the sign-in completes.
 *
 * "Lost your device?" (docs/product.md#14-lost-mfa-device-applications): a real-name verified primary account applies to
 * disassociate the device (name, associated phone, ID number, photo holding the ID card; an
 * enterprise also its name and business licence) for tenant support to review; otherwise it
 * says disassociation is impossible and shows the tenant's support channels. A sub-user is told
 * to ask its primary account's owner.
 *
 * When the sign-in (or its MFA step) answers `account_locked`, "Unlock with a verification code"
 * opens the unlock step: the identifier, SMS / voice call / email, "Send code" (the answer is the
 * same whether or not the account exists or is locked), the code, "Unlock"; then the sign-in form
 * again with the password cleared. `too_many_attempts` (this client is throttled) says how many
 * seconds to wait.
 *
 * When the tenant has published agreement versions the account has not accepted (docs/product.md#16-agreements), the
 * sign-in (after the MFA step, if any) asks for them — each checked, "Accept and continue", or
 * "Sign out" — before `jd-login` announces it.
 *
 * @fires jd-login - signed in (after accepting updated agreements, when asked); `detail: { account, session }`
 * @fires jd-mfa-application-submitted - a lost-device application was queued for review; `detail: { id }`
 * @fires jd-logout - signed out; `detail: {}`
 * @fires jd-session - an existing session was found on load or refresh(); `detail: { account, session }`
 * @fires jd-error - a request failed; `detail: { code, message }`
 * @fires jd-navigate - the user asked for the registration form; `detail: { to: 'register' }` (cancelable)
 *
 * @slot header - content above the form
 * @slot footer - content below the form
 *
 * @csspart logo - the tenant's logo above the heading (an https `branding.logoUrl` only)
 * @csspart title - the heading
 * @csspart form - the form; the updated-agreements step's form is also `agreements`, the unlock step's `unlock` (its "Send code" button is `button send-code`, the note beside it `hint`, its channel choice a `section` fieldset)
 * @csspart label - field labels
 * @csspart input - the inputs
 * @csspart submit - the submit button
 * @csspart button - the sign-out, cancel and unlock buttons, also `sign-out`, `cancel` and `unlock-action` ("Unlock with a verification code" under a lock message)
 * @csspart error - field error messages
 * @csspart status - the live status region; also `success` while it reports a success
 * @csspart signed-in - the "Signed in as" text
 * @csspart footer - the footer row with the registration link
 * @csspart link - links
 * @csspart support - the support channels shown for a lost MFA device
 * @csspart lost - the lost-device section (help, application form or confirmation)
 * @csspart confirmation - the "application submitted" text
 * @csspart hint - hints under application fields
 * @csspart qr - the QR code of the MFA device to bind (sub-users); `secret` the key to type in
 * @csspart notice - a sign-in notice (the primary account disassociated the sub-user's device)
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
  // the unlock action stands apart from the lock message above it and the footer below; "Send code" is as wide as its text
  static override styles = [tokens, base, css`[data-unlock]{margin:0.5em 0}#jd-unlock-send{justify-self:start}`];

  // `static properties`, not decorators: smaller bundle (see JdElement)
  static override properties: PropertyDeclarations = {
    registerUrl: { attribute: 'register-url', reflect: true },
    values: { state: true },
    errors: { state: true },
    submitting: { state: true },
    signedIn: { state: true },
    mfa: { state: true },
    sub: { state: true },
    subMfa: { state: true },
    notice: { state: true },
    setup: { state: true },
    recovery: { state: true },
    applied: { state: true },
    consent: { state: true },
    accepted: { state: true },
    unlock: { state: true },
  };

  /** Where the "Register" link goes; without it the link only fires `jd-navigate`. */
  declare registerUrl: string | undefined;

  /** what the user typed, by field (file fields: see `uploads`) */
  declare private values: Partial<Record<Field, string>>;
  declare private errors: Errors;
  declare private submitting: boolean;
  declare private signedIn: SignedIn | undefined;
  declare private mfa: MfaStep | undefined;
  /** the sub-user sign-in form is shown */
  declare private sub: boolean;
  /** the pending MFA sign-in is a sub-user's: no recovery codes, no application */
  declare private subMfa: boolean;
  /** the sign-in answered `mfa_reset_by_primary` */
  declare private notice: boolean;
  /** the secret a sub-user binds at sign-in (step setup) */
  declare private setup: MfaSetupResponse | undefined;
  /** lost device: undefined while asked, null when the answer failed */
  declare private recovery: MfaRecoveryEligibility | null | undefined;
  /** lost device: the id of the application just submitted */
  declare private applied: string | undefined;
  /** a full sign-in waiting for its `agreementsToAccept` to be accepted (the session is valid already) */
  declare private consent: SignedIn | undefined;
  /** agreements step: the keys checked */
  declare private accepted: ReadonlySet<string>;
  /** the unlock step is shown */
  declare private unlock: Unlock | undefined;
  /** unlock step: seconds before another code may be asked for */
  private readonly countdown = new CountdownController(this);
  /** lost device: the checked files, base64 */
  private uploads: Partial<Record<UploadField, string>> = {};
  /** lost device: the file last picked per field (a slower check of an earlier pick must not win) */
  private picked: Partial<Record<UploadField, File>> = {};
  /** lost device: the checks still running (submit waits for them) */
  private reading: Promise<unknown> = Promise.resolve();

  constructor() {
    super();
    this.values = {};
    this.sub = this.subMfa = this.notice = false;
    this.errors = {};
    this.submitting = false;
    this.accepted = new Set();
  }

  private v(field: Field): string {
    return this.values[field] ?? '';
  }

  /** Sets a field's value and drops its error (the user is fixing it). */
  private set(field: Field, value: string): void {
    this.values = { ...this.values, [field]: value };
    if (this.errors[field]) {
      const { [field]: _dropped, ...rest } = this.errors;
      this.errors = rest;
    }
  }

  private get region(): PhoneRegion {
    const regions = tenantRegions(this.config?.phoneRegions);
    const r = this.v('phone.region');
    return isPhoneRegion(r) && regions.includes(r) ? r : regions[0];
  }

  protected override async loadExtra(client: JdClient): Promise<void> {
    this.mfa = this.consent = this.unlock = undefined;
    this.subMfa = false;
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

  private validate(): Errors {
    const errors: Errors = {};
    if (!this.v('identifier').trim()) errors.identifier = REQUIRED;
    if (this.sub && !this.v('subUser').trim()) errors.subUser = REQUIRED;
    if (!this.v('password')) errors.password = REQUIRED;
    return errors;
  }

  /** Marks fields invalid, says so in the status region and focuses the first. */
  private invalid(errors: Errors): void {
    this.errors = errors;
    this.status = { tone: 'error', key: 'error.invalid_input' };
    void this.focusFirstInvalid();
  }

  private showMfa(step: MfaStep, focus = true): void {
    this.mfa = step;
    this.set('code', '');
    this.errors = {};
    this.status = step === 'code' ? { tone: 'info', key: 'error.mfa_required' } : undefined;
    if (focus) void this.focusStep();
  }

  /** Focus for a new MFA step or state: its code input, else its intro text (the first `tabindex=-1`). */
  private async focusStep(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#jd-mfa-code, #jd-recovery-code, [tabindex="-1"]')?.focus();
  }

  /** Drops everything typed but the identifiers: the password, codes and the application's personal details. */
  private forget(): void {
    this.values = { identifier: this.v('identifier'), subUser: this.v('subUser') };
    this.dropUploads();
  }

  /** Forgets the picked files (and any check still running on them). */
  private dropUploads(): void {
    this.uploads = {};
    this.picked = {};
  }

  /** The pending session is gone: the password form again, with the reason. */
  private async restart(status: StatusMessage): Promise<void> {
    this.mfa = undefined;
    this.forget();
    this.status = status;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>(`#${CONTROL_ID.password}`)?.focus();
  }

  /** Reports a failed request: `jd-error`, and the message as a status to show. */
  private failed(err: unknown): [JdApiError, StatusMessage] {
    const apiError = toApiError(err);
    this.fireError(apiError.code, apiError.params);
    return [apiError, { tone: 'error', key: `error.${apiError.code}` as MessageKey, params: apiError.params }];
  }

  /** Signed in (with the password alone, or after the MFA step): the signed-in state and `jd-login`. */
  private async done(signedIn: SignedIn): Promise<void> {
    this.signedIn = signedIn;
    this.mfa = this.consent = undefined;
    this.forget();
    // The signed-in text is read with the sign-out button, which gets focus (aria-describedby);
    // a notice (the primary account reset this sub-user's MFA) is announced.
    this.status = signedIn.notices?.includes('mfa_reset_by_primary')
      ? { tone: 'info', key: 'notice.mfa_reset_by_primary' }
      : undefined;
    this.emit('jd-login', { account: signedIn.account, session: signedIn.session });
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('button[part~="sign-out"]')?.focus();
  }

  /** A full sign-in: updated agreements to accept first (the session is valid, so no jd-login yet), else done. */
  private async signedInWith(signedIn: SignedIn): Promise<void> {
    if (!signedIn.agreementsToAccept?.length) return this.done(signedIn);
    this.consent = signedIn;
    this.mfa = undefined;
    this.forget();
    this.accepted = new Set();
    this.errors = {};
    this.status = undefined;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#jd-agreements-title')?.focus();
  }

  private onAgreementChange(key: string, e: Event): void {
    const next = new Set(this.accepted);
    if ((e.target as HTMLInputElement).checked) next.add(key);
    else next.delete(key);
    this.accepted = next;
    if (this.errors.agreements && this.consent?.agreementsToAccept?.every((a) => next.has(a.key))) this.errors = {};
  }

  /** "Accept and continue": every agreement checked (as at registration), then POST /v1/consents. */
  private async onAccept(e: Event): Promise<void> {
    e.preventDefault();
    const signedIn = this.consent;
    if (!this.client || !signedIn || this.submitting) return;
    const agreements = signedIn.agreementsToAccept ?? [];
    if (!agreements.every((a) => this.accepted.has(a.key))) {
      this.errors = { agreements: { code: 'agreements_required' } };
      this.status = { tone: 'error', key: 'error.agreements_required' };
      void this.focusFirstInvalid();
      return;
    }
    this.errors = {};
    this.status = undefined;
    this.submitting = true;
    try {
      const { agreementsToAccept } = await this.client.acceptAgreements(
        agreements.map((a) => ({ key: a.key, version: a.version })),
      );
      // what is still missing (a version published meanwhile) is asked next; else signed in
      await this.signedInWith({ ...signedIn, agreementsToAccept });
    } catch (err) {
      const [apiError, status] = this.failed(err);
      if (apiError.code === 'not_signed_in') {
        this.consent = undefined;
        await this.restart(status);
      } else {
        // e.g. 400 agreements_required: a version is no longer the current one
        if (apiError.code === 'agreements_required')
          this.errors = { agreements: { code: apiError.code, params: apiError.params } };
        this.status = status;
      }
    } finally {
      this.submitting = false;
    }
  }

  /** "Sign out" instead of accepting: ends the (full) session and shows the form again; no jd-logout, as no jd-login was fired. */
  private async declineAgreements(): Promise<void> {
    if (!this.client || this.submitting) return;
    try {
      await this.client.signOut();
    } catch (err) {
      this.status = this.failed(err)[1];
      return;
    }
    this.consent = undefined;
    this.status = { tone: 'ok', key: 'login.signed_out' };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>(`#${CONTROL_ID.identifier}`)?.focus();
  }

  private async onMfaSubmit(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.client || this.submitting) return;
    const recovery = this.mfa === 'recovery';
    const value = this.v('code').trim();
    const invalid: FieldError | undefined = !value
      ? REQUIRED
      : recovery || CODE_PATTERN.test(value)
        ? undefined
        : { code: 'code_format' };
    if (invalid) return this.invalid({ code: invalid });
    this.errors = {};
    this.submitting = true;
    try {
      // in step setup the code also binds the sub-user's new device
      await this.signedInWith(await this.client.mfaSignIn(recovery ? { recoveryCode: value } : { code: value }));
    } catch (err) {
      const [apiError, status] = this.failed(err);
      // a sub-user after a reload (not known as one until now): no recovery-code or application links
      if (apiError.code === 'recovery_codes_unavailable') this.subMfa = true;
      if (sessionGone(apiError)) await this.restart(status);
      else if (apiError.code === 'account_locked') {
        // the pending session cannot finish while the account is locked: end it; the form offers the unlock
        await this.client.signOut().catch(() => undefined);
        await this.restart(status);
      } else if (apiError.status === 400) {
        // wrong, reused or drifted code, wrong recovery code, bad format: said at the field
        const f = apiError.fields[0];
        this.invalid({
          code: f ? { code: f.code, params: f.params } : { code: apiError.code, params: apiError.params },
        });
      } else this.status = status;
    } finally {
      this.submitting = false;
    }
  }

  /** A sub-user's sign-in that must bind a device first: fetches the secret to show. */
  private async startSetup(): Promise<void> {
    this.setup = undefined;
    this.showMfa('setup');
    try {
      this.setup = await this.client!.mfaSignInSetup();
    } catch (err) {
      const [apiError, status] = this.failed(err);
      if (sessionGone(apiError)) await this.restart(status);
      else this.status = status;
    }
  }

  /** "Lost your device?": asks whether this account may apply (real-name verified), then shows the help or the form. */
  private async showLost(): Promise<void> {
    this.recovery = this.applied = undefined;
    this.dropUploads();
    this.showMfa('lost');
    // a sub-user's device is disassociated by its primary account, not by an application (docs/product.md#13-sub-users)
    if (this.subMfa) return;
    try {
      this.recovery = await this.client!.mfaRecovery();
    } catch (err) {
      const [apiError, status] = this.failed(err);
      if (sessionGone(apiError)) return this.restart(status);
      if (apiError.code === 'sub_user_forbidden') this.subMfa = true;
      else {
        // unknown: the general help and the support channels
        this.recovery = null;
        this.status = status;
      }
    }
    await this.focusStep();
  }

  /** Checks a picked file the way the BFF will (type by content, size) and keeps its base64. */
  private async onFile(field: UploadField, e: Event): Promise<void> {
    const file = (this.picked[field] = (e.target as HTMLInputElement).files?.[0]);
    delete this.uploads[field];
    this.set(field, '');
    this.status = undefined;
    if (!file) return;
    const read = readUpload(file, field === 'businessLicence');
    this.reading = Promise.all([this.reading, read]);
    const r = await read;
    if (this.picked[field] !== file) return;
    if ('data' in r) this.uploads[field] = r.data;
    else {
      // at the field, and announced: focus stays on the file input the user just used
      this.errors = { ...this.errors, [field]: r.error };
      this.status = { tone: 'error', key: `error.${r.error.code}` as MessageKey, params: r.error.params };
    }
  }

  /** Submits the lost-device application (docs/product.md#14-lost-mfa-device-applications): queued for tenant support's review. */
  private async onApply(e: Event): Promise<void> {
    e.preventDefault();
    // a file picked just before may still be being read
    await this.reading;
    const r = this.recovery;
    if (!this.client || this.submitting || !r) return;
    const enterprise = r.type === 'enterprise';
    const region = this.region;
    const name = this.v('name').trim();
    const number = this.v('phone.number');
    const idNumber = this.v('idNumber').trim();
    const enterpriseName = this.v('enterpriseName').trim();
    const errors: Errors = {};
    if (!name) errors.name = REQUIRED;
    if (!number.trim()) errors['phone.number'] = REQUIRED;
    else if (!looksLikeMobile(region, number)) errors['phone.number'] = { code: 'phone_invalid' };
    // the server's rule (shared/src/rules/id-number.ts); the message is mfa.apply_id_number_invalid
    if (!ID_NUMBER_PATTERN.test(idNumber)) errors.idNumber = idNumber ? { code: 'invalid_input' } : REQUIRED;
    if (enterprise && !enterpriseName) errors.enterpriseName = REQUIRED;
    for (const f of enterprise ? (['idPhoto', 'businessLicence'] as const) : (['idPhoto'] as const)) {
      if (!this.uploads[f]) errors[f] = this.errors[f] ?? REQUIRED;
    }
    if (Object.keys(errors).length) return this.invalid(errors);
    this.errors = {};
    this.status = undefined;
    this.submitting = true;
    try {
      const { id } = await this.client.applyMfaRecovery({
        type: enterprise ? 'enterprise' : 'personal',
        name,
        phone: { region, number: nationalDigits(region, number) },
        idNumber,
        idPhoto: { data: this.uploads.idPhoto! },
        ...(enterprise ? { enterpriseName, businessLicence: { data: this.uploads.businessLicence! } } : {}),
      });
      this.applied = id;
      this.emit('jd-mfa-application-submitted', { id });
      await this.focusStep();
    } catch (err) {
      const [apiError, status] = this.failed(err);
      const next: Errors = {};
      for (const f of apiError.fields) {
        const field = (f.path === 'phone' ? 'phone.number' : f.path.replace(/\.data$/, '')) as Field;
        if (APP_FIELDS.includes(field) && !next[field]) next[field] = { code: f.code, params: f.params };
      }
      if (sessionGone(apiError)) await this.restart(status);
      else if (Object.keys(next).length) this.invalid(next);
      else if (
        apiError.code === 'sub_user_forbidden' ||
        apiError.code === 'real_name_required' ||
        apiError.code === 'application_pending'
      ) {
        // The account's standing changed since the form opened: show what applies now.
        if (apiError.code === 'sub_user_forbidden') this.subMfa = true;
        else
          this.recovery =
            apiError.code === 'real_name_required'
              ? { ...r, realNameVerified: false }
              : { ...r, pendingApplication: true };
        await this.focusStep();
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
    this.forget();
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
        identifier: this.v('identifier').trim(),
        password: this.v('password'),
        ...(this.sub ? { subUser: this.v('subUser').trim() } : {}),
      });
      if (signedIn.mfaRequired) {
        // docs/product.md#11-virtual-mfa: the password was right; the code from the app comes next —
        // or, for a sub-user whose primary account requires MFA and who has no device, binding one.
        this.set('password', '');
        this.subMfa = !!signedIn.account.subUser || this.sub;
        this.notice = !!signedIn.notices?.includes('mfa_reset_by_primary');
        if (signedIn.mfaSetupRequired) await this.startSetup();
        else this.showMfa('code');
      } else await this.signedInWith(signedIn);
    } catch (err) {
      const [apiError, status] = this.failed(err);
      const next: Errors = {};
      for (const f of apiError.fields) {
        const path = f.path as Field;
        if ((path === 'identifier' || path === 'subUser' || path === 'password') && !next[path])
          next[path] = { code: f.code, params: f.params };
      }
      // a phone/email bound to several accounts cannot sign in — say so at the identifier (docs/product.md#7-sign-in-identifiers).
      if (apiError.code === 'identifier_multiple_accounts')
        next.identifier = { code: apiError.code, params: apiError.params };
      if (Object.keys(next).length) this.invalid(next);
      else {
        this.errors = {};
        this.status = status;
        if (apiError.code === 'invalid_credentials') {
          this.set('password', '');
          await this.updateComplete;
          this.renderRoot.querySelector<HTMLInputElement>(`#${CONTROL_ID.password}`)?.focus();
        }
        // locked: the way out, "Unlock with a verification code", right after the message
        if (apiError.code === 'account_locked') {
          await this.updateComplete;
          this.renderRoot.querySelector<HTMLButtonElement>('[data-unlock]')?.focus();
        }
      }
    } finally {
      this.submitting = false;
    }
  }

  /** "Unlock with a verification code": the unlock step, with the identifier typed so far. */
  private async showUnlock(): Promise<void> {
    this.unlock = { channel: 'sms', back: this.status };
    this.forget();
    this.errors = {};
    this.status = undefined;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#jd-unlock-identifier')?.focus();
  }

  /** The sign-in form again: after unlocking (`status` says so), or "Back" (the lock message again). */
  private async closeUnlock(status = this.unlock?.back): Promise<void> {
    this.unlock = undefined;
    this.countdown.stop();
    this.forget();
    this.errors = {};
    this.status = status;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>(`#${CONTROL_ID.password}`)?.focus();
  }

  /** "Send code": the BFF answers alike for any identifier, so the note says "if this account is locked". */
  private async sendUnlockCode(): Promise<void> {
    const u = this.unlock;
    if (!this.client || !u || u.sending || this.countdown.running) return;
    const identifier = this.v('identifier').trim();
    if (!identifier) return this.invalid({ identifier: REQUIRED });
    this.unlock = { ...u, sending: true, note: undefined };
    let note: StatusMessage;
    try {
      const sent = await this.client.sendUnlockCode({ identifier, channel: u.channel });
      this.countdown.start(sent.resendAfter > 0 ? sent.resendAfter : CODE_RESEND_SECONDS);
      note = { tone: 'ok', key: 'login.unlock_sent' };
    } catch (err) {
      const [apiError, status] = this.failed(err);
      // code_cooldown, too_many_attempts: the button counts down the seconds to wait
      const seconds = apiError.params?.['seconds'];
      if (typeof seconds === 'number') this.countdown.start(seconds);
      const f = apiError.fields.find((i) => i.path === 'identifier');
      if (f) this.invalid({ identifier: { code: f.code, params: f.params } });
      note = status;
    }
    if (this.unlock) this.unlock = { ...this.unlock, sending: false, note };
  }

  /** "Unlock": the code lifts the lock; a wrong one is said at the code field. */
  private async onUnlock(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.client || this.submitting) return;
    const identifier = this.v('identifier').trim();
    const code = this.v('unlockCode').trim();
    const errors: Errors = {};
    if (!identifier) errors.identifier = REQUIRED;
    if (!CODE_PATTERN.test(code)) errors.unlockCode = code ? { code: 'code_format' } : REQUIRED;
    if (Object.keys(errors).length) return this.invalid(errors);
    this.errors = {};
    this.status = undefined;
    this.submitting = true;
    try {
      await this.client.unlock({ identifier, code });
      await this.closeUnlock({ tone: 'ok', key: 'login.unlocked' });
    } catch (err) {
      const [apiError, status] = this.failed(err);
      if (apiError.status === 400) {
        // code_invalid (wrong, expired, or no lock to lift: one answer) at the code; a malformed identifier at it
        const f = apiError.fields[0];
        const error = f ?? apiError;
        this.invalid({
          [f?.path === 'identifier' ? 'identifier' : 'unlockCode']: { code: error.code, params: error.params },
        });
      } else this.status = status;
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
      this.status = this.failed(err)[1];
    }
  }

  /** aria-describedby of a control: its error, then its hint. */
  private describedBy(field: Field, id: string, hint?: string): string | typeof nothing {
    return [this.errors[field] && `${id}-error`, hint && `${id}-hint`].filter(Boolean).join(' ') || nothing;
  }

  /** A field's hint and error (the ID number's format error has its own message). */
  private renderNotes(field: Field, id: string, hint?: string): TemplateResult {
    const error = this.errors[field];
    return html`${hint ? html`<p id="${id}-hint" class="hint" part="hint">${hint}</p>` : nothing}
      ${
        error
          ? html`<p id="${id}-error" class="error" part="error" data-field=${field}>${field === 'idNumber' && error.code === 'invalid_input' ? this.t('mfa.apply_id_number_invalid') : this.errorText(error)}</p>`
          : nothing
      }`;
  }

  private renderField(
    field: Field,
    label: MessageKey,
    type: string,
    autocomplete: string,
    id = CONTROL_ID[field],
  ): TemplateResult {
    const totp = id === CONTROL_ID.code || field === 'unlockCode';
    return html`<div class="field">
      <label for=${id} part="label">${this.t(label)}</label>
      <input id=${id} name=${field} part="input" type=${type} autocomplete=${autocomplete} autocapitalize="off" spellcheck="false" inputmode=${totp ? 'numeric' : nothing} maxlength=${totp ? 6 : nothing} .value=${this.v(field)} aria-invalid=${this.errors[field] ? 'true' : 'false'} aria-describedby=${this.describedBy(field, id)} @input=${(e: Event) => this.set(field, (e.target as HTMLInputElement).value)} />
      ${this.renderNotes(field, id)}
    </div>`;
  }

  /** A file input of the application: images (and, for the licence, PDF) up to the server's size. */
  private renderUpload(field: UploadField, label: MessageKey, hint: MessageKey, accept: string): TemplateResult {
    const id = CONTROL_ID[field];
    const hintText = this.t(hint, { mb: MAX_UPLOAD_BYTES / 1024 / 1024 });
    return html`<div class="field">
      <label for=${id} part="label">${this.t(label)}</label>
      <input id=${id} name=${field} part="input" type="file" accept=${accept} aria-invalid=${this.errors[field] ? 'true' : 'false'} aria-describedby=${this.describedBy(field, id, hintText)} @change=${(e: Event) => this.onFile(field, e)} />
      ${this.renderNotes(field, id, hintText)}
    </div>`;
  }

  private renderFooter(): TemplateResult | typeof nothing {
    if (this.signedIn || this.mfa || this.consent || this.unlock)
      return html`<div class="footer" part="footer"><slot name="footer"></slot></div>`;
    const href = safeUrl(this.registerUrl);
    return html`<div class="footer" part="footer">
      <span>${this.t('login.no_account')}</span>
      ${
        href
          ? html`<a href=${href} part="link" @click=${(e: Event) => this.navigate('register', href, e)}>${this.t('login.register')}</a>`
          : html`<button type="button" class="link-button" part="link" @click=${(e: Event) => this.navigate('register', '', e)}>
          ${this.t('login.register')}
        </button>`
      }
      <slot name="footer"></slot>
    </div>`;
  }

  private link(key: MessageKey, step: MfaStep): TemplateResult {
    return html`<button type="button" class="link-button" part="link" data-mfa=${step} @click=${() => (step === 'lost' ? this.showLost() : this.showMfa(step))}>${this.t(key)}</button>`;
  }

  private cancelButton(key: MessageKey = 'security.cancel'): TemplateResult {
    return html`<button type="button" part="button cancel" @click=${this.cancelMfa}>${this.t(key)}</button>`;
  }

  /** The lost-device application of a real-name verified account (personal; enterprise adds two fields). */
  private renderApplication(enterprise: boolean): TemplateResult {
    const regionId = CONTROL_ID['phone.region'];
    return html`<p tabindex="-1">${this.t('mfa.apply_intro')}</p>
    <form part="form" novalidate @submit=${this.onApply}>
      ${this.renderField('name', 'mfa.apply_name', 'text', 'name')}
      <div class="field">
        <label for=${regionId} part="label">${this.t('register.region')}</label>
        <select id=${regionId} name="region" part="input" autocomplete="tel-country-code" aria-invalid=${this.errors['phone.region'] ? 'true' : 'false'} aria-describedby=${this.describedBy('phone.region', regionId)} @change=${(e: Event) => this.set('phone.region', (e.target as HTMLSelectElement).value)}>
          ${renderRegionOptions(this.resolvedLocale, tenantRegions(this.config?.phoneRegions), this.region)}
        </select>
        ${this.renderNotes('phone.region', regionId)}
      </div>
      ${this.renderField('phone.number', 'mfa.apply_phone', 'tel', 'tel')} ${this.renderField('idNumber', 'mfa.apply_id_number', 'text', 'off')}
      ${enterprise ? this.renderField('enterpriseName', 'mfa.apply_enterprise', 'text', 'organization') : nothing}
      ${this.renderUpload('idPhoto', 'mfa.apply_id_photo', 'mfa.apply_image_hint', 'image/jpeg,image/png')}
      ${enterprise ? this.renderUpload('businessLicence', 'mfa.apply_licence', 'mfa.apply_licence_hint', 'image/jpeg,image/png,application/pdf') : nothing}
      <button type="submit" part="submit" ?disabled=${this.submitting}>${this.t('mfa.apply_submit')}</button>
    </form>`;
  }

  /**
   * "Lost your device?": a sub-user's help; the confirmation of a submitted application; the
   * application form (real-name verified, nothing pending); else why not, with the support channels.
   */
  private renderLost(): TemplateResult {
    const r = this.recovery;
    const body = this.subMfa
      ? html`<p tabindex="-1">${this.t('mfa.sub_user_lost_help')}</p>`
      : this.applied
        ? html`<p tabindex="-1" part="confirmation">${this.t('mfa.apply_sent', { id: this.applied })}</p>`
        : r === undefined
          ? html`<p tabindex="-1" class="hint">${this.t('common.loading')}</p>`
          : r?.realNameVerified && !r.pendingApplication
            ? this.renderApplication(r.type === 'enterprise')
            : html`<p tabindex="-1">${this.t(!r ? 'mfa.lost_help' : r.pendingApplication ? 'error.application_pending' : 'error.real_name_required')}</p>
            ${renderSupport(this.resolvedLocale, this.config?.supportChannels)}`;
    return html`<section part="lost">
      ${body}
      <div class="footer">
        ${this.link('mfa.use_code', 'code')} ${this.cancelButton(this.applied ? 'mfa.done' : undefined)}
      </div>
    </section>`;
  }

  /** Updated agreements (docs/product.md#16-agreements): each a link (safe URLs only, as at registration) with a checkbox. */
  private renderAgreements(agreements: Agreement[]): TemplateResult {
    const locale = this.resolvedLocale;
    const error = this.errors.agreements;
    const errorId = `${CONTROL_ID.agreements}-error`;
    return html`<form part="form agreements" novalidate aria-labelledby="jd-agreements-title" @submit=${this.onAccept}>
      <h3 id="jd-agreements-title" tabindex="-1">${this.t('login.agreements_title')}</h3>
      <p id="jd-agreements-intro">${this.t('login.agreements_intro')}</p>
      <div id=${CONTROL_ID.agreements} class="field" role="group" aria-labelledby="jd-agreements-title" aria-describedby="jd-agreements-intro">
        ${agreements.map((a, i) => {
          const id = `jd-agreement-${i}`;
          const title = a.title[locale] ?? a.title.en;
          const href = safeUrl(a.url[locale] ?? a.url.en);
          const link = href
            ? html`<a href=${href} target="_blank" rel="noopener noreferrer" part="link">${title}</a>`
            : title;
          const checked = this.accepted.has(a.key);
          return html`<label class="choice" for=${id} part="label">
            <input id=${id} type="checkbox" name="agreement" value=${a.key} .checked=${checked} aria-invalid=${error && !checked ? 'true' : 'false'} aria-describedby=${error ? errorId : nothing} @change=${(e: Event) => this.onAgreementChange(a.key, e)} /><span>${tWith(locale, 'register.agree', 'title', link)}</span>
          </label>`;
        })}
      </div>
      ${this.renderNotes('agreements', CONTROL_ID.agreements)}
      <button type="submit" part="submit" ?disabled=${this.submitting}>${this.t('login.agreements_accept')}</button>
      <div class="footer">
        <button type="button" part="button sign-out" ?disabled=${this.submitting} @click=${this.declineAgreements}>${this.t('login.sign_out')}</button>
      </div>
    </form>`;
  }

  /** The unlock step: identifier, channel, "Send code" with its note beside it, the code, "Unlock", "Back". */
  private renderUnlock(u: Unlock): TemplateResult {
    const waiting = this.countdown.running;
    const note = u.note;
    return html`<form part="form unlock" novalidate aria-labelledby="jd-unlock-title" @submit=${this.onUnlock}>
      <h3 id="jd-unlock-title">${this.t('login.unlock_title')}</h3>
      ${this.renderField('identifier', 'login.identifier', 'text', 'username', 'jd-unlock-identifier')}
      ${renderChoice<CodeDeliveryChannel>(
        'channel',
        this.t('register.channel'),
        [
          ['sms', this.t('register.channel_sms')],
          ['voice', this.t('register.channel_voice')],
          ['email', this.t('login.unlock_email')],
        ],
        u.channel,
        (channel) => (this.unlock = { ...this.unlock!, channel }),
      )}
      <div class="field">
        <button id="jd-unlock-send" type="button" part="button send-code" ?disabled=${waiting || u.sending} aria-describedby="jd-unlock-note" @click=${this.sendUnlockCode}>
          ${waiting ? this.t('register.resend_in', { seconds: this.countdown.remaining }) : this.t('register.send_code')}
        </button>
        <p id="jd-unlock-note" class=${note?.tone === 'error' ? 'error' : 'ok'} part="hint" aria-live="polite">${note ? this.t(note.key, note.params) : nothing}</p>
      </div>
      ${this.renderField('unlockCode', 'register.code', 'text', 'one-time-code')}
      <button type="submit" part="submit" ?disabled=${this.submitting}>${this.t('login.unlock_submit')}</button>
      <div class="footer">
        <button type="button" part="button cancel" @click=${() => this.closeUnlock()}>${this.t('login.unlock_back')}</button>
      </div>
    </form>`;
  }

  /** The MFA step: code (or recovery code) form, a sub-user's device binding, or the lost-device section. */
  private renderMfa(): TemplateResult {
    if (this.mfa === 'lost') return this.renderLost();
    const recovery = this.mfa === 'recovery';
    const setup = this.mfa === 'setup';
    return html`<form part="form" novalidate @submit=${this.onMfaSubmit}>
      ${
        setup
          ? html`${this.notice ? html`<p part="notice" class="status" tabindex="-1">${this.t('notice.mfa_reset_by_primary')}</p>` : nothing}
          <p tabindex="-1">${this.t('mfa.setup_required')}</p>
          ${this.setup ? renderMfaSecret(this.resolvedLocale, this.setup) : html`<p class="hint">${this.t('common.loading')}</p>`}`
          : nothing
      }
      ${
        recovery
          ? this.renderField('code', 'mfa.recovery_code', 'text', 'off', 'jd-recovery-code')
          : this.renderField('code', 'mfa.code', 'text', 'one-time-code')
      }
      <button type="submit" part="submit" ?disabled=${this.submitting}>${this.t(this.submitting ? 'login.submitting' : 'login.submit')}</button>
      <div class="footer">
        ${
          setup
            ? nothing
            : html`${recovery ? this.link('mfa.use_code', 'code') : this.subMfa ? nothing : this.link('mfa.use_recovery', 'recovery')} ${this.link('mfa.lost', 'lost')}`
        }
        ${this.cancelButton()}
      </div>
    </form>`;
  }

  protected override render(): TemplateResult {
    const state = this.renderLoadState();
    const signedIn = this.signedIn;
    return html`<div lang=${this.resolvedLocale}>
      <slot name="header"></slot>
      ${this.renderLogo()}<h2 part="title">${this.t('login.title')}</h2>
      ${
        state ??
        html`${
          signedIn
            ? html`<p id="jd-signed-in" part="signed-in">${
                signedIn.account.subUser
                  ? this.t('subuser.signed_in_as', {
                      sub: signedIn.account.subUser.name,
                      primary: signedIn.account.accountName,
                    })
                  : this.t('login.signed_in_as', { name: signedIn.account.accountName })
              }</p>
          <button type="button" part="button sign-out" aria-describedby="jd-signed-in" @click=${this.signOut}>${this.t('login.sign_out')}</button>`
            : this.consent
              ? this.renderAgreements(this.consent.agreementsToAccept ?? [])
              : this.mfa
                ? this.renderMfa()
                : this.unlock
                  ? this.renderUnlock(this.unlock)
                  : html`<form part="form" novalidate @submit=${this.onSubmit}>
              ${
                this.sub
                  ? html`${this.renderField('identifier', 'subuser.primary', 'text', 'off')}
                  ${this.renderField('subUser', 'subuser.name', 'text', 'username')}`
                  : this.renderField('identifier', 'login.identifier', 'text', 'username')
              }
              ${this.renderField('password', 'login.password', 'password', 'current-password')}
              <button type="submit" part="submit" ?disabled=${this.submitting}>
                ${this.t(this.submitting ? 'login.submitting' : 'login.submit')}
              </button>
              <button type="button" class="link-button" part="link" data-sub @click=${this.toggleSub}>
                ${this.t(this.sub ? 'subuser.sign_in_primary' : 'subuser.sign_in_as')}
              </button>
            </form>`
        }
          ${this.renderStatus()}
          ${
            this.status?.key === 'error.account_locked' && !this.sub && !this.mfa && !this.unlock && !signedIn
              ? html`<button type="button" part="button unlock-action" data-unlock @click=${this.showUnlock}>${this.t('login.unlock')}</button>`
              : nothing
          }`
      }
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
