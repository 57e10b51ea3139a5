import { css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import type { ErrorParams } from '../../../shared/src/errors.ts';
import type { SignedIn } from '../../../shared/src/api.ts';
import { CODE_PATTERN, CODE_RESEND_SECONDS, type CodeDeliveryChannel } from '../../../shared/src/rules/code.ts';
import { ID_NUMBER_PATTERN } from '../../../shared/src/rules/id-number.ts';
import {
  isPhoneRegion,
  looksLikeMobile,
  nationalDigits,
  type PhoneRegion,
} from '../../../shared/src/rules/phone-regions.ts';
import type { MessageKey } from '../../../shared/src/i18n/index.ts';
import type { JdApiError } from '../client.ts';
import { FlowController, type FlowFieldError } from '../flow.ts';
import { JdElement, toApiError } from '../parts/base-element.ts';
import { CountdownController } from '../parts/countdown.ts';
import { tenantRegions } from '../parts/phone-input.ts';
import { safeUrl } from '../parts/text.ts';
import { readUpload } from '../parts/upload.ts';
import type { SessionState } from '../session.ts';
import { renderConsent } from '../steps/login/consent.ts';
import { renderCredentials } from '../steps/login/credentials.ts';
import { renderApplied, renderLostDevice } from '../steps/login/lost-device.ts';
import { renderMfa, renderMfaSetup } from '../steps/login/mfa.ts';
import { renderSignedIn } from '../steps/login/signed-in.ts';
import { renderUnlock } from '../steps/login/unlock.ts';
import {
  CONTROL_ID,
  errorText,
  type Field,
  type LoginActions,
  type LoginState,
  type LoginView,
  type UploadField,
} from '../steps/login/view.ts';
import { base, tokens } from '../styles.ts';

const REQUIRED: FlowFieldError = { code: 'required' };
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
/** The pending MFA session is gone (too many wrong codes, expired): sign in with the password again. */
const sessionGone = (e: JdApiError) => e.code === 'mfa_too_many_attempts' || e.code === 'not_signed_in';
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
/** The short reference of an application people can read out to support: the id's first 8 characters. */
export const applicationReference = (id: string) =>
  id
    .replace(/[^0-9a-z]/gi, '')
    .slice(0, 8)
    .toUpperCase();

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
 * When the tenant has published agreement versions the account has not accepted (docs/product.md#16-agreements), the
 * sign-in (after the MFA step, if any) — or a page load that finds such a session — asks for them
 * — each checked, "Accept and continue", or "Sign out" — before `jd-login` (`jd-session`) announces it.
 *
 * @fires jd-login - signed in (after accepting updated agreements, when asked); `detail: { account, session }`
 * @fires jd-mfa-application-submitted - a lost-device application was queued for review; `detail: { id }`
 * @fires jd-logout - the session shown here ended (signed out here, by another element of the page or in another tab); `detail: {}`
 * @fires jd-session - a session this element did not start: found on load or refresh(), or started by another element of the page; `detail: { account, session }`
 * @fires jd-error - a request failed; `detail: { code, message }`
 * @fires jd-navigate - the user asked for the registration form; `detail: { to: 'register' }` (cancelable)
 *
 * @slot header - content above the form
 * @slot footer - content below the form
 *
 * @csspart logo - the tenant's logo above the heading (an https `branding.logoUrl` only)
 * @csspart title - the heading
 * @csspart form - the form; the updated-agreements step's form is also `agreements`, the unlock step's `unlock` (its "Send code" button is `button send-code`, its channel choice a `section` fieldset)
 * @csspart label - field labels
 * @csspart input - the inputs; a one-time-code input is also `code-input`
 * @csspart reveal - the show/hide button of the password field
 * @csspart submit - the submit button
 * @csspart button - the sign-out, cancel and unlock buttons, also `sign-out`, `cancel` and `unlock-action` ("Unlock with a verification code" under a lock message)
 * @csspart error - field error messages
 * @csspart status - the status of an action, right after its buttons; also `success` while it reports a success
 * @csspart signed-in - the "Signed in as" text
 * @csspart footer - the footer row with the registration link (on the sign-in form)
 * @csspart link - links
 * @csspart support - the support channels shown for a lost MFA device
 * @csspart lost - the lost-device step (help, application form or confirmation)
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
  // "Send code" is as wide as its text
  static override styles = [tokens, base, css`#jd-unlock-send{justify-self:start}`];

  // `static properties`, not decorators: smaller bundle (see JdElement)
  static override properties: PropertyDeclarations = {
    registerUrl: { attribute: 'register-url', reflect: true },
    values: { state: true },
    accepted: { state: true },
  };

  /** Where the "Register" link goes; without it the link only fires `jd-navigate`. */
  declare registerUrl: string | undefined;

  /** what the user typed, by field (file fields: see `uploads`) */
  declare private values: Partial<Record<Field, string>>;
  /** consent step: the agreement keys checked */
  declare private accepted: ReadonlySet<string>;

  /** The one sign-in flow (src/flow.ts): its state says which step, and nothing else does. */
  private readonly flow = new FlowController<LoginState>(this, { step: 'credentials', sub: false });
  /** unlock step: seconds before another code may be asked for */
  private readonly countdown = new CountdownController(this);
  /** lost device: the checked files, base64 */
  private uploads: Partial<Record<UploadField, string>> = {};
  /** lost device: the file last picked per field (a slower check of an earlier pick must not win) */
  private picked: Partial<Record<UploadField, File>> = {};
  /** lost device: the checks still running (submit waits for them) */
  private reading: Promise<unknown> = Promise.resolve();
  /** set while this element itself changes the page's session (its own sign-in, consent or sign-out) */
  private own = false;

  constructor() {
    super();
    this.values = {};
    this.accepted = new Set();
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
    if (cur.step === 'signedIn') this.emit('jd-logout', {});
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
      // what is asked now (a version published meanwhile) has not been checked yet
      this.accepted = new Set();
      this.forget();
      return go({ step: 'consent', signedIn: s, agreements: s.agreementsToAccept, origin }, !same);
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
    this.uploads = {};
    this.picked = {};
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
      return;
    }
    if (answer.mfaRequired) {
      // docs/product.md#11-virtual-mfa: the password was right; the app's code comes next — or, for a
      // sub-user whose primary account requires MFA and who has no device, binding one.
      this.values = { ...this.values, password: '', code: '' };
      const notice = !!answer.notices?.includes('mfa_reset_by_primary');
      if (answer.mfaSetupRequired) return this.startSetup(notice);
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

  // ---- MFA ----------------------------------------------------------------------------------

  private async startSetup(notice: boolean): Promise<void> {
    this.flow.go({ step: 'mfaSetup', notice });
    const client = this.client!;
    const setup = await this.run(
      'setup',
      () => client.mfaSignInSetup(),
      (e) => sessionGone(e) && this.restart(e),
    );
    if (setup && this.flow.state.step === 'mfaSetup') this.flow.patch({ setup });
  }

  private readonly mfaStep = (step: 'mfa' | 'recoveryCode'): void => {
    const cur = this.flow.state;
    this.values = { ...this.values, code: '' };
    this.flow.go(
      step === 'mfa' ? { step, sub: 'sub' in cur && cur.sub, notice: false } : { step, sub: 'sub' in cur && cur.sub },
    );
  };

  private readonly submitCode = async (e?: Event): Promise<void> => {
    e?.preventDefault();
    const cur = this.flow.state;
    if (!this.client || (cur.step !== 'mfa' && cur.step !== 'recoveryCode' && cur.step !== 'mfaSetup')) return;
    if (this.flow.isBusy()) return;
    const recovery = cur.step === 'recoveryCode';
    const value = this.value('code').trim();
    const bad = !value ? REQUIRED : recovery || CODE_PATTERN.test(value) ? undefined : { code: 'code_format' as const };
    if (bad && this.invalid({ code: bad })) return;
    const client = this.client;
    const answer = await this.run(
      'code',
      // in step mfaSetup the code also binds the sub-user's new device
      () => client.mfaSignIn(recovery ? { recoveryCode: value } : { code: value }),
      (err) => {
        // a sub-user after a reload (not known as one until now): no recovery-code or application links
        if (err.code === 'recovery_codes_unavailable' && cur.step !== 'mfaSetup') this.flow.patch({ sub: true });
        if (sessionGone(err)) return this.restart(err);
        if (err.code === 'account_locked') {
          // the pending session cannot finish while the account is locked: end it; the form offers the unlock
          void client.signOut().catch(() => undefined);
          return this.restart(err);
        }
        if (err.status === 400) {
          // wrong, reused or drifted code, wrong recovery code, bad format: said at the field
          const f = err.fields[0];
          this.invalid({ code: f ? { code: f.code, params: f.params } : { code: err.code, params: err.params } });
          return true;
        }
        return false;
      },
    );
    if (answer) await this.asOwn(() => this.store?.set(answer));
  };

  /** Leaves a pending MFA sign-in: ends its session and shows the password form again. */
  private readonly cancelMfa = (): void => {
    // the pending session expires by itself if this fails
    void this.client?.signOut().catch(() => undefined);
    this.leave();
  };

  // ---- lost device --------------------------------------------------------------------------

  private readonly showLost = async (): Promise<void> => {
    const cur = this.flow.state;
    const sub = 'sub' in cur && cur.sub;
    this.forget();
    this.flow.go({ step: 'lostDevice', sub, eligibility: undefined });
    // a sub-user's device is disassociated by its primary account, not by an application (docs/product.md#13-sub-users)
    if (sub) return;
    const client = this.client!;
    const eligibility = await this.run(
      'eligibility',
      () => client.mfaRecovery(),
      (e) => {
        if (sessionGone(e)) return this.restart(e);
        if (e.code === 'sub_user_forbidden') return (this.flow.patch({ sub: true }), true);
        // unknown: the general help and the support channels
        this.flow.patch({ eligibility: null });
        return false;
      },
    );
    if (eligibility) this.flow.patch({ eligibility });
  };

  /** Checks a picked file the way the BFF will (type by content, size) and keeps its base64. */
  private readonly file = async (field: UploadField, e: Event): Promise<void> => {
    const file = (this.picked[field] = (e.target as HTMLInputElement).files?.[0]);
    delete this.uploads[field];
    this.flow.clearField(field);
    if (!file) return;
    const read = readUpload(file, field === 'businessLicence');
    this.reading = Promise.all([this.reading, read]);
    const r = await read;
    if (this.picked[field] !== file) return;
    if ('data' in r) this.uploads[field] = r.data;
    // at the field: focus stays on the file input the user just used
    else this.flow.setFieldError(field, r.error);
  };

  /** Submits the lost-device application (docs/product.md#14-lost-mfa-device-applications): queued for tenant support's review. */
  private readonly apply = async (e: Event): Promise<void> => {
    e.preventDefault();
    // a file picked just before may still be being read
    await this.reading;
    const cur = this.flow.state;
    const r = cur.step === 'lostDevice' ? cur.eligibility : undefined;
    if (!this.client || !r || this.flow.isBusy()) return;
    const enterprise = r.type === 'enterprise';
    const region = this.region;
    const name = this.value('name').trim();
    const number = this.value('phone.number');
    const idNumber = this.value('idNumber').trim();
    const enterpriseName = this.value('enterpriseName').trim();
    const errors: Partial<Record<Field, FlowFieldError>> = {};
    if (!name) errors.name = REQUIRED;
    if (!number.trim()) errors['phone.number'] = REQUIRED;
    else if (!looksLikeMobile(region, number)) errors['phone.number'] = { code: 'phone_invalid' };
    // the server's rule (shared/src/rules/id-number.ts); the message is mfa.apply_id_number_invalid
    if (!ID_NUMBER_PATTERN.test(idNumber)) errors.idNumber = idNumber ? { code: 'invalid_input' } : REQUIRED;
    if (enterprise && !enterpriseName) errors.enterpriseName = REQUIRED;
    for (const f of enterprise ? (['idPhoto', 'businessLicence'] as const) : (['idPhoto'] as const))
      if (!this.uploads[f]) errors[f] = this.flow.fieldError(f) ?? REQUIRED;
    if (this.invalid(errors)) return;
    const client = this.client;
    const answer = await this.run(
      'apply',
      () =>
        client.applyMfaRecovery({
          type: enterprise ? 'enterprise' : 'personal',
          name,
          phone: { region, number: nationalDigits(region, number) },
          idNumber,
          idPhoto: { data: this.uploads.idPhoto! },
          ...(enterprise ? { enterpriseName, businessLicence: { data: this.uploads.businessLicence! } } : {}),
        }),
      (err) => {
        if (sessionGone(err)) return this.restart(err);
        const fields: Partial<Record<Field, FlowFieldError>> = {};
        for (const f of err.fields) {
          const field = (f.path === 'phone' ? 'phone.number' : f.path.replace(/\.data$/, '')) as Field;
          if (APP_FIELDS.includes(field) && !fields[field]) fields[field] = { code: f.code, params: f.params };
        }
        if (this.invalid(fields)) return true;
        // the account's standing changed since the form opened: show what applies now
        if (err.code === 'sub_user_forbidden') return (this.flow.patch({ sub: true }), true);
        if (err.code === 'real_name_required' || err.code === 'application_pending') {
          this.flow.patch({
            eligibility:
              err.code === 'real_name_required'
                ? { ...r, realNameVerified: false }
                : { ...r, pendingApplication: true },
          });
          return true;
        }
        return false;
      },
    );
    if (!answer) return;
    this.forget();
    this.flow.go({ step: 'applied', id: answer.id, reference: applicationReference(answer.id) });
    this.emit('jd-mfa-application-submitted', { id: answer.id });
  };

  // ---- consent ------------------------------------------------------------------------------

  private readonly agreement = (key: string, checked: boolean): void => {
    const next = new Set(this.accepted);
    if (checked) next.add(key);
    else next.delete(key);
    this.accepted = next;
    const cur = this.flow.state;
    if (cur.step === 'consent' && cur.agreements.every((a) => next.has(a.key))) this.flow.clearField('agreements');
  };

  /** "Accept and continue": every agreement checked (as at registration), then POST /v1/consents. */
  private readonly accept = async (e: Event): Promise<void> => {
    e.preventDefault();
    const cur = this.flow.state;
    if (!this.client || cur.step !== 'consent') return;
    if (
      !cur.agreements.every((a) => this.accepted.has(a.key)) &&
      this.invalid({ agreements: { code: 'agreements_required' } })
    )
      return;
    const client = this.client;
    const answer = await this.run(
      'accept',
      () => client.acceptAgreements(cur.agreements.map((a) => ({ key: a.key, version: a.version }))),
      (err) => {
        if (err.code === 'not_signed_in') {
          this.store?.set(null);
          return this.restart(err);
        }
        // e.g. 400 agreements_required: a version is no longer the current one
        if (err.code === 'agreements_required')
          this.flow.setFieldError('agreements', { code: err.code, params: err.params });
        return false;
      },
    );
    // what is still missing (a version published meanwhile) is asked next; else signed in, on the whole page
    if (answer)
      await this.asOwn(() => this.store?.set({ ...cur.signedIn, agreementsToAccept: answer.agreementsToAccept }));
  };

  /** "Sign out" instead of accepting: ends the (full) session; no jd-logout, as no jd-login was fired. */
  private readonly decline = async (): Promise<void> => {
    if (this.flow.isBusy()) return;
    await this.run('accept', () => this.signOut());
  };

  // ---- unlock -------------------------------------------------------------------------------

  private readonly showUnlock = (): void => {
    const back = this.flow.statusOf('signIn');
    this.forget();
    this.flow.go({ step: 'unlock', channel: 'sms', back });
  };

  /** The sign-in form again: after unlocking (it says so), or "Back" (the lock message again). */
  private readonly closeUnlock = (unlocked = false): void => {
    const cur = this.flow.state;
    const back = cur.step === 'unlock' ? cur.back : undefined;
    this.countdown.stop();
    this.forget();
    this.flow.go({ step: 'credentials', sub: false });
    this.flow.setStatus('signIn', unlocked ? { tone: 'ok', key: 'login.unlocked' } : back);
  };

  /** "Send code": the BFF answers alike for any identifier, so the note says "if this account is locked". */
  private readonly sendUnlockCode = async (): Promise<void> => {
    const cur = this.flow.state;
    if (!this.client || cur.step !== 'unlock' || this.countdown.running) return;
    const identifier = this.value('identifier').trim();
    if (this.invalid(identifier ? {} : { identifier: REQUIRED })) return;
    const client = this.client;
    const sent = await this.run(
      'sendCode',
      () => client.sendUnlockCode({ identifier, channel: cur.channel }),
      (err) => {
        // code_cooldown, too_many_attempts: the button counts down the seconds to wait
        const seconds = err.params?.['seconds'];
        if (typeof seconds === 'number') this.countdown.start(seconds);
        const f = err.fields.find((i) => i.path === 'identifier');
        if (f) {
          this.invalid({ identifier: { code: f.code, params: f.params } });
          return true;
        }
        return false;
      },
    );
    if (!sent) return;
    this.countdown.start(sent.resendAfter > 0 ? sent.resendAfter : CODE_RESEND_SECONDS);
    this.flow.setStatus('sendCode', { tone: 'ok', key: 'login.unlock_sent' });
  };

  /** "Unlock": the code lifts the lock; a wrong one is said at the code field. */
  private readonly unlock = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!this.client || this.flow.state.step !== 'unlock') return;
    const identifier = this.value('identifier').trim();
    const code = this.value('unlockCode').trim();
    if (
      this.invalid({
        ...(identifier ? {} : { identifier: REQUIRED }),
        ...(CODE_PATTERN.test(code) ? {} : { unlockCode: code ? { code: 'code_format' as const } : REQUIRED }),
      })
    )
      return;
    const client = this.client;
    const done = await this.run(
      'unlock',
      () => client.unlock({ identifier, code }),
      (err) => {
        if (err.status !== 400) return false;
        // code_invalid (wrong, expired, or no lock to lift: one answer) at the code; a malformed identifier at it
        const f = err.fields[0];
        const error = f ?? err;
        this.invalid({
          [f?.path === 'identifier' ? 'identifier' : 'unlockCode']: { code: error.code, params: error.params },
        });
        return true;
      },
    );
    if (done) this.closeUnlock(true);
  };

  // ---- render -------------------------------------------------------------------------------

  private readonly actions: LoginActions = {
    signIn: (e) => void this.signIn(e),
    toggleSub: this.toggleSub,
    showUnlock: this.showUnlock,
    submitCode: (e) => void this.submitCode(e),
    mfaStep: this.mfaStep,
    showLost: () => void this.showLost(),
    cancelMfa: this.cancelMfa,
    file: (f, e) => void this.file(f, e),
    apply: (e) => void this.apply(e),
    agreement: this.agreement,
    accepted: (key) => this.accepted.has(key),
    accept: (e) => void this.accept(e),
    decline: () => void this.decline(),
    sendUnlockCode: () => void this.sendUnlockCode(),
    setChannel: (channel: CodeDeliveryChannel) => {
      if (this.flow.state.step === 'unlock') this.flow.patch({ channel });
    },
    unlock: (e) => void this.unlock(e),
    closeUnlock: () => this.closeUnlock(),
    signOut: () => void this.run('signOut', () => this.signOut()),
    get resendIn() {
      return 0;
    },
    region: '',
  };

  private view(): LoginView {
    const countdown = this.countdown;
    const region = this.region;
    return {
      locale: this.resolvedLocale,
      config: this.config,
      flow: this.flow,
      t: (key, params) => this.t(key, params),
      value: (f) => this.value(f),
      input: (f, value) => this.input(f, value),
      act: {
        ...this.actions,
        get resendIn() {
          return countdown.running ? countdown.remaining : 0;
        },
        region,
      },
    };
  }

  private renderStep(v: LoginView): TemplateResult {
    const s = this.flow.state;
    switch (s.step) {
      case 'credentials':
        return renderCredentials(v, s.sub);
      case 'mfa':
        return renderMfa(v, false, s.sub);
      case 'recoveryCode':
        return renderMfa(v, true, false);
      case 'mfaSetup':
        return renderMfaSetup(v, s.notice, s.setup);
      case 'lostDevice':
        return renderLostDevice(v, s.sub, s.eligibility);
      case 'applied':
        return renderApplied(v, s.reference);
      case 'unlock':
        return renderUnlock(v, s.channel);
      case 'consent':
        return renderConsent(v, s.agreements);
      case 'signedIn':
        return renderSignedIn(v, s.signedIn);
    }
  }

  /** The one polite live region: the latest status, else the first field error, for screen readers. */
  private liveText(): string {
    for (const action of [
      'signIn',
      'code',
      'setup',
      'eligibility',
      'apply',
      'accept',
      'sendCode',
      'unlock',
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
