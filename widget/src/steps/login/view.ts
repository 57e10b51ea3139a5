/**
 * What the sign-in steps share: the flow's states, the request-body fields, and the view the
 * element hands each step (docs/elements.md#flows). Steps are render functions, not elements.
 *
 * The credentials and signed-in steps load with <jd-login>; the others (mfa.ts, lost-device.ts,
 * unlock.ts, reset-password.ts, phone-code.ts, consent.ts, federation.ts) are step modules loaded when the flow first reaches them
 * (src/parts/lazy-steps.ts): each holds its render functions and its actions, which act on the
 * element through LoginHost.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { Locale, MessageKey } from '../../../../shared/src/i18n/index.ts';
import type { ErrorParams } from '../../../../shared/src/errors.ts';
import type {
  FederationActivation,
  MfaRecoveryEligibility,
  MfaSetupResponse,
  SignedIn,
} from '../../../../shared/src/api.ts';
import type { Agreement, TenantPublicConfig } from '../../../../shared/src/tenant.ts';
import type { CodeDeliveryChannel } from '../../../../shared/src/rules/code.ts';
import type { JdApiError, JdClient } from '../../client.ts';
import type { FlowController, FlowFieldError, FlowStatus } from '../../flow.ts';
import type { CountdownController } from '../../parts/countdown.ts';
import type { LazySteps } from '../../parts/lazy-steps.ts';
import type { PhoneRegion } from '../../../../shared/src/rules/phone-regions.ts';
import type { SessionStore } from '../../session.ts';
import { renderPasswordInput } from '../../parts/password-input.ts';
import { renderOtpInput } from '../../parts/otp-input.ts';

/**
 * The sign-in flow, one state at a time. `sub`: the pending sign-in is a sub-user's (no recovery
 * codes, no application). `origin` of a consent: this element's sign-in (`jd-login` follows) or a
 * session found on load (`jd-session`).
 */
export type LoginState =
  | { step: 'credentials'; sub: boolean }
  | { step: 'mfa'; sub: boolean; notice: boolean }
  | { step: 'recoveryCode'; sub: boolean }
  | { step: 'mfaSetup'; notice: boolean; setup?: MfaSetupResponse | undefined }
  | { step: 'lostDevice'; sub: boolean; eligibility?: MfaRecoveryEligibility | null | undefined; files: PickedFiles }
  | { step: 'applied'; id: string; reference: string }
  /** `back`: the lock message "Back" shows again */
  | { step: 'unlock'; channel: CodeDeliveryChannel; back?: FlowStatus | undefined }
  /** forgot password: `phase` code (identifier, channel, code) then password (new password, MFA code when `mfaRequired`) */
  | {
      step: 'reset';
      channel: CodeDeliveryChannel;
      phase: 'code' | 'password';
      mfaRequired: boolean;
      back?: FlowStatus | undefined;
    }
  /** sign-in with a phone code: the phone, the channel, the code */
  | { step: 'phoneCode'; channel: 'sms' | 'voice' }
  /** the first sign-in with an upstream account: its activation (`expired`: only "Start again" is left) */
  | { step: 'activation'; activation: FederationActivation; channel: 'sms' | 'voice'; expired: boolean }
  /** `accepted`: the agreement keys checked */
  | {
      step: 'consent';
      signedIn: SignedIn;
      agreements: Agreement[];
      origin: 'login' | 'session';
      accepted: ReadonlySet<string>;
    }
  | { step: 'signedIn'; signedIn: SignedIn };

export type UploadField = 'idPhoto' | 'businessLicence';

/** The lost-device application's files: a new object each time the step opens, so none outlives it. */
export interface PickedFiles {
  /** the checked files, base64 */
  uploads: Partial<Record<UploadField, string>>;
  /** the file last picked per field (a slower check of an earlier pick must not win) */
  picked: Partial<Record<UploadField, File>>;
  /** the checks still running (submit waits for them) */
  reading: Promise<unknown>;
}
/** Request-body paths (the MFA step's one input is `code`: a TOTP or a recovery code). */
export type Field =
  | 'agreements'
  | 'unlockCode'
  | 'resetCode'
  | 'phoneCode'
  | 'newPassword'
  | 'mfaCode'
  | 'identifier'
  | 'subUser'
  | 'password'
  | 'code'
  | 'name'
  | 'phone.region'
  | 'phone.number'
  | 'idNumber'
  | 'enterpriseName'
  | 'email'
  | 'referralCode'
  | UploadField;

/** The element id of each field's control; errors are `<id>-error`, hints `<id>-hint`. */
export const CONTROL_ID: Record<Field, string> = {
  agreements: 'jd-agreements',
  unlockCode: 'jd-unlock-code',
  resetCode: 'jd-reset-code',
  phoneCode: 'jd-phone-code',
  newPassword: 'jd-new-password',
  mfaCode: 'jd-reset-mfa',
  identifier: 'jd-identifier',
  subUser: 'jd-sub-user',
  password: 'jd-password',
  code: 'jd-mfa-code',
  name: 'jd-app-name',
  'phone.region': 'jd-app-region',
  'phone.number': 'jd-app-phone',
  idNumber: 'jd-app-id-number',
  enterpriseName: 'jd-app-enterprise',
  email: 'jd-activation-email',
  referralCode: 'jd-activation-referral',
  idPhoto: 'jd-app-id-photo',
  businessLicence: 'jd-app-licence',
};

/** What a step may read and do; the element implements it. */
export interface LoginView {
  readonly locale: Locale;
  readonly config: TenantPublicConfig | undefined;
  readonly flow: FlowController<LoginState>;
  t(key: MessageKey, params?: ErrorParams): string;
  value(field: Field): string;
  /** the user edited `field`: keep the value, drop its error */
  input(field: Field, value: string): void;
  /** the actions of the steps that load with the element */
  act: LoginActions;
  /** what the step modules' own actions work with */
  host: LoginHost;
}

export interface LoginActions {
  signIn: (e: Event) => void;
  toggleSub: () => void;
  showUnlock: () => void;
  /** under `account_closing`: cancel the closing with the typed identifier and password, then sign in */
  cancelClosing: () => void;
  showReset: () => void;
  showPhoneCode: () => void;
  /** "Log in with {provider}": the page goes to the BFF's start URL */
  startFederation: (provider: string) => void;
  signOut: () => void;
}

/** The step modules, loaded when the flow first reaches one of their steps. */
export const loginSteps = {
  mfa: () => import('./mfa.ts'),
  lost: () => import('./lost-device.ts'),
  unlock: () => import('./unlock.ts'),
  reset: () => import('./reset-password.ts'),
  phoneCode: () => import('./phone-code.ts'),
  consent: () => import('./consent.ts'),
  federation: () => import('./federation.ts'),
};

/** The element, as the step modules' actions see it. */
export interface LoginHost {
  readonly flow: FlowController<LoginState>;
  readonly client: JdClient | undefined;
  readonly store: SessionStore | undefined;
  readonly config: TenantPublicConfig | undefined;
  readonly steps: LazySteps<typeof loginSteps>;
  /** the unlock step's "Send code": seconds before another code may be asked for */
  readonly countdown: CountdownController;
  /** lost device: the region picked for the application's phone */
  readonly region: PhoneRegion;
  value(field: Field): string;
  setValues(change: Partial<Record<Field, string>>): void;
  /** Field errors found before any request: marked, focus on the first; true when there were any. */
  invalid(errors: Partial<Record<Field, FlowFieldError>>): boolean;
  /** A request of `action`: `jd-error` for a failure, then `handle` (true: handled) or the flow's default. */
  run<T>(action: string, request: () => Promise<T>, handle?: (e: JdApiError) => boolean | void): Promise<T | undefined>;
  /** The pending session is gone: the password form again, with the reason. */
  restart(e: JdApiError): true;
  /** Back to the first step: another identity, or none. */
  leave(): void;
  /** Drops everything typed but the identifiers. */
  forget(): void;
  /** Runs a change of the page's session that this element makes itself. */
  asOwn<T>(change: () => Promise<T> | T): Promise<T>;
  emit(name: string, detail: unknown): void;
  signOut(): Promise<void>;
}

/** A step: `<section class="step">` named by its focusable heading, with an optional lead. */
export function step(id: string, title: string, body: unknown, lead?: unknown, part?: string): TemplateResult {
  return html`<section class="step" aria-labelledby=${id} part=${part ?? nothing}>
    <h2 id=${id} class="step-title" tabindex="-1" part="title">${title}</h2>
    ${lead ? html`<p class="step-lead">${lead}</p>` : nothing}
    ${body}
  </section>`;
}

/** aria-describedby of a control: its error, then its hint. */
export function describedBy(v: LoginView, field: Field, id: string, hint?: string): string | undefined {
  return [v.flow.fieldError(field) && `${id}-error`, hint && `${id}-hint`].filter(Boolean).join(' ') || undefined;
}

export function errorText(v: LoginView, field: Field, e: FlowFieldError): string {
  // the ID number's format error has its own message
  if (field === 'idNumber' && e.code === 'invalid_input') return v.t('mfa.apply_id_number_invalid');
  return v.t(`error.${e.code}` as MessageKey, e.params);
}

/** A field's hint and error. */
export function notes(v: LoginView, field: Field, id: string, hint?: string): TemplateResult {
  const error = v.flow.fieldError(field);
  return html`${hint ? html`<p id="${id}-hint" class="hint" part="hint">${hint}</p>` : nothing}
    ${error ? html`<p id="${id}-error" class="field-error" part="error" data-field=${field}>${errorText(v, field, error)}</p>` : nothing}`;
}

export interface FieldOptions {
  field: Field;
  label: MessageKey;
  type?: 'text' | 'tel' | 'password' | 'otp';
  autocomplete?: string;
  id?: string;
  /** otp: submit when the last digit arrives */
  onComplete?: () => void;
}

/** A labelled field: text, the password input (show/hide) or the one-time-code input. */
export function field(v: LoginView, o: FieldOptions): TemplateResult {
  const id = o.id ?? CONTROL_ID[o.field];
  const invalid = !!v.flow.fieldError(o.field);
  const described = describedBy(v, o.field, id);
  const onInput = (value: string) => v.input(o.field, value);
  const control =
    o.type === 'password'
      ? renderPasswordInput({
          id,
          name: o.field,
          value: v.value(o.field),
          autocomplete: 'current-password',
          invalid,
          describedBy: described,
          showLabel: v.t('common.show_password'),
          hideLabel: v.t('common.hide_password'),
          onInput,
        })
      : o.type === 'otp'
        ? renderOtpInput({
            id,
            value: v.value(o.field),
            invalid,
            describedBy: described,
            onInput,
            ...(o.onComplete ? { onComplete: o.onComplete } : {}),
          })
        : html`<input id=${id} name=${o.field} part="input" type=${o.type ?? 'text'} autocomplete=${o.autocomplete ?? 'off'} autocapitalize="off" spellcheck="false" .value=${v.value(o.field)} aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${described ?? nothing} @input=${(e: Event) => onInput((e.target as HTMLInputElement).value)} />`;
  return html`<div class="field">
    <label class="label" for=${id} part="label">${v.t(o.label)}</label>
    ${control} ${notes(v, o.field, id)}
  </div>`;
}

/** The status of `action`, right after its button or `.actions` row. */
export function status(v: LoginView, action: string): TemplateResult | typeof nothing {
  const s = v.flow.statusOf(action);
  return s
    ? html`<p class="status is-${s.tone}" part=${s.tone === 'ok' ? 'status success' : 'status'} role="status" data-action=${action}>${v.t(s.key, s.params)}</p>`
    : nothing;
}

/** The primary button of a step's form; busy while its action runs. */
export function submit(v: LoginView, action: string, label: MessageKey, busyLabel?: MessageKey): TemplateResult {
  const busy = v.flow.isBusy(action);
  return html`<button type="submit" class="btn-primary" part="submit" ?disabled=${v.flow.isBusy()} aria-busy=${busy ? 'true' : nothing}>${v.t(busy && busyLabel ? busyLabel : label)}</button>`;
}
