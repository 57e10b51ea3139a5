/**
 * What the security-settings steps share: the view <jd-security-settings> hands each step and row
 * (docs/elements.md#flows), and the fields, badges, actions and rows they are built from. Steps and
 * rows are render functions, not elements; the element keeps the requests, the transitions and the events.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { Locale, MessageKey } from '../../../../shared/src/i18n/index.ts';
import type { ErrorParams } from '../../../../shared/src/errors.ts';
import type { SecurityOverview, StepUpMethod } from '../../../../shared/src/api.ts';
import type { TenantPublicConfig } from '../../../../shared/src/tenant.ts';
import type { PhoneRegion } from '../../../../shared/src/rules/phone-regions.ts';
import type { CodeChannel } from '../../../../shared/src/rules/code.ts';
import type { JdClient } from '../../client.ts';
import type { FlowController, FlowFieldError, FlowStatus } from '../../flow.ts';
import { renderChoice } from '../../parts/choice.ts';
import { renderOtpInput } from '../../parts/otp-input.ts';
import { renderPasswordInput } from '../../parts/password-input.ts';
import type { Dialog, DialogState, Field, PageState, SecurityChange, Value, Values } from './state.ts';

/** A dialog step: its body and the label of its submit button (none: only Close). */
export interface StepView {
  body: unknown;
  submit?: MessageKey;
}

/** What a step or row may read and do; the element builds it for each render. */
export interface SecurityView {
  readonly locale: Locale;
  readonly config: TenantPublicConfig | undefined;
  readonly page: FlowController<PageState>;
  readonly dlg: FlowController<DialogState>;
  /** the primary account's overview (undefined for a sub-user) */
  readonly overview: SecurityOverview | undefined;
  /** the open dialog's values ({} when closed) */
  readonly values: Values;
  /** the dialog's choices, or their defaults */
  readonly method: StepUpMethod;
  readonly channel: CodeChannel;
  readonly region: PhoneRegion;
  /** what the open change is about: a phone or an email, a security or a contact one */
  readonly kind: 'phone' | 'email';
  readonly role: 'security' | 'contact';
  /** the name a new password may not equal */
  readonly pwName: string;
  /** seconds before another code may be sent, 0 when it may */
  readonly resendIn: number;
  t(key: MessageKey, params?: ErrorParams): string;
  errorText(e: FlowFieldError): string;
  act: SecurityActions;
}

export interface SecurityActions {
  /** the user edited a value: keep it, drop the field's error */
  set: (f: Value, value: string) => void;
  open: (dialog: Dialog, e: Event, values?: Values) => void;
  /** a change from a row; resolves whether it was saved */
  rowCall: (row: string, what: SecurityChange, call: (c: JdClient) => Promise<unknown>) => Promise<boolean>;
  resendLink: () => void;
  resend: () => void;
  /** "I can't use any of these": the support channels */
  support: () => void;
  copyCodes: () => void;
  downloadCodes: () => void;
  close: () => void;
  submit: (e: Event) => void;
  /** the <dialog>'s close event */
  closed: () => void;
}

/** A date and time in the element's locale ('' for none). */
export function when(v: SecurityView, iso: string | null): string {
  return iso
    ? new Intl.DateTimeFormat(v.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
    : '';
}

/**
 * The status of an action, right after the action's buttons (markup vocabulary in
 * docs/elements.md): `part="status success"` while it reports a success.
 */
export function statusLine(v: SecurityView, s: FlowStatus | undefined): TemplateResult | typeof nothing {
  return s
    ? html`<p class="status is-${s.tone}" part=${s.tone === 'ok' ? 'status success' : 'status'} role="status">${v.t(s.key, s.params)}</p>`
    : nothing;
}

export function checkbox(v: SecurityView, name: 'ack' | 'mfa', key: MessageKey): TemplateResult {
  return html`<label class="choice"><input type="checkbox" name=${name} .checked=${!!v.values[name]} @change=${(e: Event) => v.act.set(name, (e.target as HTMLInputElement).checked ? '1' : '')} />${v.t(key)}</label>`;
}

/**
 * A labelled field of the dialog (`jd-<field>`, its error `jd-<field>-error`): text, the password
 * input (show/hide) or the one-time-code input; `after` sits beside the control (the resend button).
 */
export function input(
  v: SecurityView,
  f: Field,
  label: MessageKey,
  type: 'text' | 'email' | 'tel' | 'password' | 'otp',
  autocomplete: string,
  describedBy: string[] = [],
  after: unknown = nothing,
): TemplateResult {
  const id = `jd-${f}`;
  const error = v.dlg.fieldError(f);
  if (error) describedBy = [...describedBy, `${id}-error`];
  const described = describedBy.join(' ') || undefined;
  const value = v.values[f] ?? '';
  const onInput = (value: string) => v.act.set(f, value);
  const control =
    type === 'otp'
      ? renderOtpInput({ id, value, invalid: !!error, describedBy: described, onInput })
      : type === 'password'
        ? renderPasswordInput({
            id,
            name: f,
            value,
            autocomplete: autocomplete as 'current-password' | 'new-password',
            invalid: !!error,
            describedBy: described,
            showLabel: v.t('common.show_password'),
            hideLabel: v.t('common.hide_password'),
            onInput,
          })
        : html`<input id=${id} name=${f} part="input" type=${type} autocomplete=${autocomplete} inputmode=${type === 'tel' ? 'tel' : nothing} .value=${value} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described ?? nothing} @input=${(
            e: Event,
          ) => onInput((e.target as HTMLInputElement).value)} />`;
  return html`<div class="field">
    <label for=${id} part="label">${v.t(label)}</label>
    ${after === nothing ? control : html`<div class="code-row">${control}${after}</div>`}
    ${error ? html`<p id="${id}-error" class="error" part="error" data-field=${f}>${v.errorText(error)}</p>` : nothing}
  </div>`;
}

/** SMS or voice call, for a code sent to a phone. */
export function channelChoice(v: SecurityView): TemplateResult {
  return renderChoice(
    'channel',
    v.t('register.channel'),
    [
      ['sms', v.t('register.channel_sms')],
      ['voice', v.t('register.channel_voice')],
    ],
    v.channel,
    (c) => v.act.set('channel', c),
  );
}

/**
 * The code of a step: one sent (with "resend" and its countdown), or the MFA app's (TOTP step-up,
 * binding: not sent, so no resend, and its own label).
 */
export function codeInput(v: SecurityView, app: boolean): TemplateResult {
  const wait = v.resendIn;
  const resend = app
    ? nothing
    : html`<button type="button" part="button resend" ?disabled=${wait > 0 || v.dlg.isBusy()} @click=${v.act.resend}>
        ${wait ? v.t('register.resend_in', { seconds: wait }) : v.t('security.resend')}
      </button>`;
  return html`${input(v, 'code', app ? 'mfa.code' : 'register.code', 'otp', 'one-time-code', [], resend)}
  ${app ? nothing : statusLine(v, v.dlg.statusOf('send'))}`;
}

// ---- the page's rows ------------------------------------------------------------

export function badge(v: SecurityView, key: MessageKey, warn = false): TemplateResult {
  return html`<span class=${warn ? 'badge warn' : 'badge'} part=${warn ? 'badge badge-warn' : 'badge badge-ok'}>${v.t(key)}</span>`;
}

/** A row's action button, described by the row's name (`jd-row-<row>`). */
export function action(v: SecurityView, row: string, key: MessageKey, onClick: (e: Event) => void): TemplateResult {
  return html`<button type="button" part="button action" data-action=${key.slice(key.indexOf('.') + 1)} aria-describedby="jd-row-${row}" @click=${onClick}>
    ${v.t(key)}
  </button>`;
}

/** One setting (`data-row`, parts `row` and `row-<id>`): name, value, badges, actions, and the status of its last change. */
export function row(
  v: SecurityView,
  id: string,
  name: MessageKey,
  value: string,
  extra: unknown,
  actions: unknown = nothing,
): TemplateResult {
  return html`<li class="row-item" part="row row-${id}" data-row=${id}>
    <span class="row-label name" id="jd-row-${id}">${v.t(name)}</span>
    <span class="row-value value" part="value">${value}</span>
    ${extra}
    <span class="row-action">${actions}</span>
    ${statusLine(v, v.page.statusOf(`row-${id}`))}
  </li>`;
}
