/**
 * What the dialogs' step modules share (view.ts): the dialog's fields (text, password, one-time
 * code with its resend button, checkboxes, SMS or voice) and its flow — values, steps, one request
 * at a time, errors at their fields. Loaded with the first step module, never with the page.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import type { StepUpMethod } from '../../../../shared/src/api.ts';
import { CODE_PATTERN, CODE_RESEND_SECONDS, type CodeChannel } from '../../../../shared/src/rules/code.ts';
import type { JdClient } from '../../client.ts';
import type { FlowFieldError } from '../../flow.ts';
import { renderChoice } from '../../parts/choice.ts';
import { renderOtpInput } from '../../parts/otp-input.ts';
import { renderPasswordInput } from '../../parts/password-input.ts';
import type { ErrorCode } from '../../../../shared/src/errors.ts';
import { dialogAfterStepUp, type Field, type Step, type Value, type Values } from './state.ts';
import { statusLine, type OpenDialog, type SecurityHost, type SecurityView, type StepView } from './view.ts';
import { renderSendCode } from '../../parts/send-code.ts';

export type { OpenDialog, SecurityHost, SecurityView, StepView };
export type Errors = Partial<Record<Field, FlowFieldError>>;

// ---- the open dialog's state ------------------------------------------------------

/** The fields each step validates and shows errors at (an error about another field is the dialog's status). */
const STEP_FIELDS: Partial<Record<Step, Field[]>> = {
  method: ['code'],
  step_up: ['code'],
  qr: ['code'],
  value: ['phone', 'email'],
  code: ['code'],
  password: ['currentPassword', 'newPassword'],
  own_pw: ['currentPassword'],
  sub_create: ['name', 'newPassword'],
  sub_password: ['newPassword'],
  credentials: ['name', 'newPassword'],
  phone_apply: ['name', 'phone', 'idNumber', 'enterpriseName', 'idPhoto', 'businessLicence'],
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

/** The open dialog's state (undefined when closed). */
export function open(host: SecurityHost): OpenDialog | undefined {
  const s = host.dlg.state;
  return s.step === 'closed' ? undefined : s;
}

export function values(host: SecurityHost): Values {
  return open(host)?.values ?? {};
}

/** A field's value as typed. */
export function value(host: SecurityHost, f: Field): string {
  return values(host)[f] ?? '';
}

/** Marks `f` required in `errors` when it is blank; true when it is. */
export function required(host: SecurityHost, f: Field, errors: Errors): boolean {
  const blank = !value(host, f).trim();
  if (blank) errors[f] = { code: 'required' };
  return blank;
}

export function set(host: SecurityHost, f: Value, v: string): void {
  const s = open(host);
  if (s) host.dlg.patch({ values: { ...s.values, [f]: v } });
}

export const method = (vals: Values): StepUpMethod => (vals.method ?? 'phone') as StepUpMethod;
export const channel = (vals: Values): CodeChannel => (vals.channel === 'voice' ? 'voice' : 'sms');

/** Moves the open dialog to `step` (its feedback cleared, focus to the step's heading). */
export function go(host: SecurityHost, step: Step, change: Partial<OpenDialog> = {}): void {
  const s = open(host);
  if (s) host.dlg.go({ ...s, ...change, step, values: { ...s.values, code: '', ...change.values } }, { fresh: true });
}

/** Identity verification again: the methods left, else the support channels. */
export function stepUpStep(host: SecurityHost): Step {
  const methods = host.overview?.stepUpMethods ?? [];
  if (!methods.includes(method(values(host)))) set(host, 'method', methods[0] ?? 'phone');
  return methods.length ? 'method' : 'support';
}

/** The step after identity verification; MFA setup and new recovery codes ask the BFF first (mfa-bind.ts). */
export async function afterStepUp(host: SecurityHost): Promise<void> {
  const d = open(host)?.dialog;
  if (!d) return;
  const next = dialogAfterStepUp(d);
  if (next === 'wait') await (await host.steps.load('mfa')).prepare(host);
  else go(host, next);
}

// ---- requests ---------------------------------------------------------------------

/**
 * One request of the open dialog through its FlowController: one at a time, and an answer that
 * comes after the dialog closed or moved on is dropped (resolves undefined). Errors go to fields
 * or to the dialog's status (fail).
 */
export function req<T>(host: SecurityHost, request: (c: JdClient) => Promise<T>): Promise<T | undefined> {
  const c = host.client;
  if (!c) return Promise.resolve(undefined);
  return host.dlg.run(
    'dialog',
    () => request(c),
    (e) => (fail(host, e), true),
  );
}

/** A failed request of the dialog: to its fields, else its status; a lapsed step-up goes back to it. */
function fail(host: SecurityHost, e: unknown): void {
  const { err, message } = host.report(e);
  const s = open(host);
  if (!s) return;
  if (err.code === 'step_up_required') {
    // The grant expired or never existed: verify identity, then come back to this step.
    const p = host.page.state;
    if (p.step === 'primary')
      host.page.patch({ overview: { ...p.overview, stepUp: { active: false, expiresAt: null } } });
    go(host, stepUpStep(host));
    host.dlg.setStatus('dialog', { tone: 'error', key: 'error.step_up_required' });
    return;
  }
  if (err.code === 'code_cooldown' && typeof err.params?.['seconds'] === 'number')
    host.countdown.start(err.params['seconds']);
  const allowed = STEP_FIELDS[s.step] ?? [];
  const errors: Errors = {};
  for (const f of err.fields) {
    const path = f.path.replace(/\..*/, '') as Field; // phone.number, phone.region → phone
    const field = allowed.includes(path) ? path : fieldForCode(f.code);
    if (field && allowed.includes(field)) errors[field] ??= { code: f.code, params: f.params };
  }
  const byCode =
    err.code === 'contact_unchanged' ? (/phone/.test(s.dialog) ? 'phone' : 'email') : fieldForCode(err.code);
  if (!Object.keys(errors).length && byCode && allowed.includes(byCode))
    errors[byCode] = { code: err.code, params: err.params };
  // errors about a field go under the field; only the rest is the dialog's status
  for (const [f, error] of Object.entries(errors)) host.dlg.setFieldError(f, error);
  if (!Object.keys(errors).length) host.dlg.setStatus('dialog', message);
  void host.focusFirstInvalid();
}

/** Errors found before any request: marked, focus on the first; true when there were none. */
export function valid(host: SecurityHost, errors: Errors): boolean {
  for (const [f, error] of Object.entries(errors)) host.dlg.setFieldError(f, error);
  if (!Object.keys(errors).length) return true;
  void host.focusFirstInvalid();
  return false;
}

/** The code field's error, if any: required, or not six digits. */
export function codeErrors(host: SecurityHost): Errors {
  const code = value(host, 'code').trim();
  return !code ? { code: { code: 'required' } } : CODE_PATTERN.test(code) ? {} : { code: { code: 'code_format' } };
}

/** A code was sent: the resend countdown, and "sent to …" beside the code field. */
export function codeSent(host: SecurityHost, sent: { sentTo: string; resendAfter: number }): void {
  host.countdown.start(sent.resendAfter > 0 ? sent.resendAfter : CODE_RESEND_SECONDS);
  // beside the code field and its resend button (docs/elements.md: feedback next to its action)
  host.dlg.setStatus('send', { tone: 'info', key: 'security.code_sent', params: { to: sent.sentTo } });
}

/** Moves to `step`, keeping the "code sent" status of the step before. */
export function goKeepingSent(host: SecurityHost, step: Step): void {
  const status = host.dlg.statusOf('send');
  go(host, step);
  host.dlg.setStatus('send', status);
}

// ---- fields -----------------------------------------------------------------------

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
    channel(v.values),
    (c) => v.act.set('channel', c),
  );
}

/**
 * The code of a step: one sent (with "resend" and its countdown), or the MFA app's (TOTP step-up,
 * binding: not sent, so no resend, and its own label). `resend` sends it again.
 */
export function codeInput(v: SecurityView, resend?: () => Promise<unknown>): TemplateResult {
  const wait = v.resendIn;
  const button = resend
    ? renderSendCode({
        wait,
        busy: false,
        disabled: v.dlg.isBusy(),
        label: v.t('security.resend'),
        waitLabel: (seconds) => v.t('register.resend_in', { seconds }),
        part: 'button resend',
        className: 'btn-secondary',
        onSend: () => v.host.countdown.running || void resend(),
      })
    : nothing;
  return html`${input(v, 'code', resend ? 'register.code' : 'mfa.code', 'otp', 'one-time-code', [], button)}
  ${resend ? statusLine(v, v.dlg.statusOf('send')) : nothing}`;
}
