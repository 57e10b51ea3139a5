/**
 * Forgot password (docs/product.md#21-forgot-password) as a step module (view.ts), in two phases:
 *  1. the identifier, SMS / voice call / email, "Send code" (its note right after it: the BFF
 *     answers alike for any identifier), the code, "Next" (the code is checked, not used up);
 *  2. the new password with its live checklist, and — when the account has virtual MFA — its
 *     code or a recovery code, with "Lost your MFA device?"; "Reset password".
 * Then signed in (the tenant's setting, default on), or the sign-in form with "Sign in with the new password".
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import { CODE_PATTERN } from '../../../../shared/src/rules/code.ts';
import { DEFAULT_PASSWORD_POLICY, passwordProblems } from '../../../../shared/src/rules/password.ts';
import type { JdApiError } from '../../client.ts';
import { choiceStyles } from '../../parts/choice.ts';
import { checklistStyles, renderPasswordChecklist } from '../../parts/password-checklist.ts';
import { renderPasswordInput } from '../../parts/password-input.ts';
import {
  CONTROL_ID,
  describedBy,
  field,
  notes,
  status,
  step,
  submit,
  type Field,
  type LoginHost,
  type LoginState,
  type LoginView,
} from './view.ts';
import { renderCodeDelivery, sendCode as requestCode } from './code-delivery.ts';

export const styles = [choiceStyles, checklistStyles, css`#jd-reset-send{justify-self:start}`];

type ResetState = Extract<LoginState, { step: 'reset' }>;
const resetState = (host: LoginHost): ResetState | undefined => {
  const s = host.flow.state;
  return s.step === 'reset' ? s : undefined;
};

/** The sign-in form again: after a reset that did not sign in (it says so), or "Back". */
function closeReset(host: LoginHost, done = false): void {
  const back = resetState(host)?.back;
  host.countdown.stop();
  host.forget();
  host.setValues({ password: '' });
  host.flow.go({ step: 'credentials', sub: false });
  host.flow.setStatus('signIn', done ? { tone: 'ok', key: 'reset.done' } : back);
}

/** Where a field error of the BFF's body goes in this step. */
const FIELD_OF: Record<string, Field> = {
  identifier: 'identifier',
  code: 'resetCode',
  password: 'newPassword',
  mfaCode: 'mfaCode',
  recoveryCode: 'mfaCode',
};

/** A 400 with field errors: each said at its field (the code's refusals all read `code_invalid`). */
function atFields(host: LoginHost, err: JdApiError): boolean {
  if (err.status !== 400) return false;
  const fields = err.fields.filter((f) => FIELD_OF[f.path]);
  if (!fields.length) {
    if (err.code !== 'code_invalid') return false;
    fields.push({ path: 'code', code: err.code, params: err.params });
  }
  host.invalid(Object.fromEntries(fields.map((f) => [FIELD_OF[f.path], { code: f.code, params: f.params }])));
  return true;
}

async function sendCode(host: LoginHost): Promise<void> {
  const cur = resetState(host);
  if (!host.client || !cur || host.countdown.running) return;
  const identifier = host.value('identifier').trim();
  if (host.invalid(identifier ? {} : { identifier: { code: 'required' } })) return;
  const client = host.client;
  await requestCode(
    host,
    () => client.sendPasswordResetCode({ identifier, channel: cur.channel }),
    'reset.sent',
    (err) => atFields(host, err),
  );
}

/** "Next": the code is checked (not used up); the new password's phase asks for the MFA code when MFA is bound. */
async function next(host: LoginHost, e: Event): Promise<void> {
  e.preventDefault();
  const cur = resetState(host);
  if (!host.client || !cur) return;
  const identifier = host.value('identifier').trim();
  const code = host.value('resetCode').trim();
  if (
    host.invalid({
      ...(identifier ? {} : { identifier: { code: 'required' } }),
      ...(CODE_PATTERN.test(code) ? {} : { resetCode: { code: code ? 'code_format' : 'required' } }),
    })
  )
    return;
  const client = host.client;
  const checked = await host.run(
    'next',
    () => client.verifyPasswordResetCode({ identifier, code }),
    (err) => atFields(host, err),
  );
  if (!checked) return;
  host.countdown.stop();
  host.flow.go({ ...cur, phase: 'password', mfaRequired: checked.mfaRequired });
}

/** "Reset password": the new password (and the MFA code); signed in, or back to the sign-in form. */
async function reset(host: LoginHost, e: Event): Promise<void> {
  e.preventDefault();
  const cur = resetState(host);
  if (!host.client || !cur) return;
  const identifier = host.value('identifier').trim();
  const password = host.value('newPassword');
  const mfa = host.value('mfaCode').trim();
  const policy = host.config?.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
  // the account name is known here only when it is the identifier; the BFF checks that rule with the real one
  const problem = passwordProblems(password, policy, identifier)[0];
  if (
    host.invalid({
      ...(problem
        ? {
            newPassword: {
              code: problem,
              params: { min: policy.minLength, max: policy.maxLength, n: policy.minClasses },
            },
          }
        : {}),
      ...(cur.mfaRequired && !mfa ? { mfaCode: { code: 'required' } } : {}),
    })
  )
    return;
  const client = host.client;
  const body = {
    identifier,
    code: host.value('resetCode').trim(),
    password,
    ...(cur.mfaRequired ? (CODE_PATTERN.test(mfa) ? { mfaCode: mfa } : { recoveryCode: mfa }) : {}),
  };
  const answer = await host.run(
    'reset',
    () => client.resetPassword(body),
    (err) => {
      // the code was used up meanwhile (or expired): back to the first phase, said at the code
      if (err.code === 'code_invalid' && !err.fields.some((f) => f.path !== 'code')) {
        host.flow.go({ ...cur, phase: 'code' });
        host.setValues({ resetCode: '' });
        host.invalid({ resetCode: { code: 'code_invalid' } });
        return true;
      }
      return atFields(host, err);
    },
  );
  if (!answer) return;
  host.countdown.stop();
  if (!('account' in answer)) return closeReset(host, true);
  host.forget();
  await host.asOwn(() => host.store?.set(answer));
}

/** MFA bound and its device lost: the code opens the MFA step's "lost device" application. */
async function lostDevice(host: LoginHost): Promise<void> {
  const cur = resetState(host);
  if (!host.client || !cur || host.flow.isBusy()) return;
  const client = host.client;
  const body = { identifier: host.value('identifier').trim(), code: host.value('resetCode').trim() };
  const pending = await host.run(
    'reset',
    () => client.resetLostDevice(body),
    (err) => atFields(host, err),
  );
  if (!pending) return;
  host.flow.go({ step: 'mfa', sub: false, notice: false });
  await (await host.steps.load('lost')).showLost(host);
}

function back(v: LoginView): TemplateResult {
  return html`<button type="button" class="btn-secondary" part="button cancel" @click=${() => closeReset(v.host)}>${v.t('login.unlock_back')}</button>`;
}

function renderCodePhase(v: LoginView, s: ResetState): TemplateResult {
  const host = v.host;
  return html`<form part="form reset" novalidate @submit=${(e: Event) => void next(host, e)}>
    ${field(v, { field: 'identifier', label: 'login.identifier', autocomplete: 'username', id: 'jd-reset-identifier' })}
    ${renderCodeDelivery(v, {
      sendId: 'jd-reset-send',
      channels: ['sms', 'voice', 'email'],
      channel: s.channel,
      onChannel: (c) => {
        const cur = resetState(host);
        if (cur) host.flow.patch({ ...cur, channel: c });
      },
      onSend: () => void sendCode(host),
    })}
    ${field(v, { field: 'resetCode', label: 'register.code', type: 'otp' })}
    <div class="actions">${submit(v, 'next', 'reset.next')} ${back(v)}</div>
    ${status(v, 'next')}
  </form>`;
}

function renderPasswordPhase(v: LoginView, s: ResetState): TemplateResult {
  const host = v.host;
  const id = CONTROL_ID.newPassword;
  const rules = `${id}-rules`;
  const policy = v.config?.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
  const password = renderPasswordInput({
    id,
    name: 'newPassword',
    value: v.value('newPassword'),
    autocomplete: 'new-password',
    invalid: !!v.flow.fieldError('newPassword'),
    describedBy: [describedBy(v, 'newPassword', id), rules].filter(Boolean).join(' '),
    showLabel: v.t('common.show_password'),
    hideLabel: v.t('common.hide_password'),
    onInput: (value) => v.input('newPassword', value),
  });
  const mfa = s.mfaRequired
    ? html`${field(v, { field: 'mfaCode', label: 'reset.mfa_code', autocomplete: 'one-time-code' })}
        <p class="hint" part="hint">${v.t('reset.mfa_hint')}</p>
        <button type="button" class="btn-link link-button" part="link" data-reset-lost @click=${() => void lostDevice(host)}>${v.t('mfa.lost')}</button>`
    : nothing;
  return html`<form part="form reset" novalidate @submit=${(e: Event) => void reset(host, e)}>
    <input type="text" name="username" autocomplete="username" .value=${v.value('identifier')} hidden aria-hidden="true" />
    <div class="field">
      <label class="label" for=${id} part="label">${v.t('reset.new_password')}</label>
      ${password} ${notes(v, 'newPassword', id)}
      ${renderPasswordChecklist(rules, v.locale, v.value('newPassword'), policy, v.value('identifier').trim())}
    </div>
    ${mfa}
    <div class="actions">${submit(v, 'reset', 'reset.submit')} ${back(v)}</div>
    ${status(v, 'reset')}
  </form>`;
}

export function renderReset(v: LoginView, s: ResetState): TemplateResult {
  const [title, lead]: [MessageKey, MessageKey] =
    s.phase === 'code' ? ['reset.title', 'reset.lead'] : ['reset.password_title', 'reset.password_lead'];
  return step(
    'jd-reset-title',
    v.t(title),
    s.phase === 'code' ? renderCodePhase(v, s) : renderPasswordPhase(v, s),
    v.t(lead),
  );
}
