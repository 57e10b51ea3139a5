/**
 * What the sign-in steps share: the flow's states, the request-body fields, and the view the
 * element hands each step (docs/elements.md#flows). Steps are render functions, not elements.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { Locale, MessageKey } from '../../../../shared/src/i18n/index.ts';
import type { ErrorParams } from '../../../../shared/src/errors.ts';
import type { MfaRecoveryEligibility, MfaSetupResponse, SignedIn } from '../../../../shared/src/api.ts';
import type { Agreement, TenantPublicConfig } from '../../../../shared/src/tenant.ts';
import type { CodeDeliveryChannel } from '../../../../shared/src/rules/code.ts';
import type { FlowController, FlowFieldError, FlowStatus } from '../../flow.ts';
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
  | { step: 'lostDevice'; sub: boolean; eligibility?: MfaRecoveryEligibility | null | undefined }
  | { step: 'applied'; id: string; reference: string }
  /** `back`: the lock message "Back" shows again */
  | { step: 'unlock'; channel: CodeDeliveryChannel; back?: FlowStatus | undefined }
  | { step: 'consent'; signedIn: SignedIn; agreements: Agreement[]; origin: 'login' | 'session' }
  | { step: 'signedIn'; signedIn: SignedIn };

export type UploadField = 'idPhoto' | 'businessLicence';
/** Request-body paths (the MFA step's one input is `code`: a TOTP or a recovery code). */
export type Field =
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

/** The element id of each field's control; errors are `<id>-error`, hints `<id>-hint`. */
export const CONTROL_ID: Record<Field, string> = {
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

/** What a step may read and do; the element implements it. */
export interface LoginView {
  readonly locale: Locale;
  readonly config: TenantPublicConfig | undefined;
  readonly flow: FlowController<LoginState>;
  t(key: MessageKey, params?: ErrorParams): string;
  value(field: Field): string;
  /** the user edited `field`: keep the value, drop its error */
  input(field: Field, value: string): void;
  /** the element's actions, by name */
  act: LoginActions;
}

export interface LoginActions {
  signIn: (e: Event) => void;
  toggleSub: () => void;
  showUnlock: () => void;
  submitCode: (e?: Event) => void;
  mfaStep: (step: 'mfa' | 'recoveryCode') => void;
  showLost: () => void;
  cancelMfa: () => void;
  file: (field: UploadField, e: Event) => void;
  apply: (e: Event) => void;
  agreement: (key: string, checked: boolean) => void;
  accepted: (key: string) => boolean;
  accept: (e: Event) => void;
  decline: () => void;
  sendUnlockCode: () => void;
  setChannel: (channel: CodeDeliveryChannel) => void;
  unlock: (e: Event) => void;
  closeUnlock: () => void;
  signOut: () => void;
  /** the unlock step's "Send code": seconds left before another code, 0 when it may be sent */
  readonly resendIn: number;
  /** lost device: the region picked for the application's phone */
  readonly region: string;
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
