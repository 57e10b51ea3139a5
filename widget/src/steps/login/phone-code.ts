/**
 * Sign in with a phone code, 验证码登录 (docs/product.md#22-sign-in-with-a-phone-code), as a step
 * module (view.ts): the region (only those of `config.phoneCodeSignIn.regions`) and the phone
 * number, SMS / voice call, "Send code" (its note right after it: the BFF answers alike for any
 * phone), the code and "Sign in" — then as the password's sign-in: the MFA step when a device is
 * bound, the agreements to accept, or signed in. "Sign in with a password" goes back.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import { CODE_PATTERN } from '../../../../shared/src/rules/code.ts';
import {
  isPhoneRegion,
  looksLikeMobile,
  nationalDigits,
  type PhoneRegion,
} from '../../../../shared/src/rules/phone-regions.ts';
import type { JdApiError } from '../../client.ts';
import type { FlowFieldError } from '../../flow.ts';
import { choiceStyles } from '../../parts/choice.ts';
import { renderRegionOptions } from '../../parts/phone-input.ts';
import {
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

export const styles = [choiceStyles, css`#jd-phone-code-send{justify-self:start}`];

type PhoneCodeState = Extract<LoginState, { step: 'phoneCode' }>;
const phoneCodeState = (host: LoginHost): PhoneCodeState | undefined => {
  const s = host.flow.state;
  return s.step === 'phoneCode' ? s : undefined;
};

/** The regions whose phones may sign in with a code (the tenant's choice). */
const regions = (host: LoginHost): PhoneRegion[] => (host.config?.phoneCodeSignIn?.regions ?? []).filter(isPhoneRegion);

/** The region picked, else the first allowed one. */
function region(host: LoginHost): PhoneRegion {
  const all = regions(host);
  const r = host.value('phone.region');
  return all.find((x) => x === r) ?? all[0] ?? 'CN';
}

/** "Sign in with a password": the sign-in form again. */
function close(host: LoginHost): void {
  host.countdown.stop();
  host.forget();
  host.flow.go({ step: 'credentials', sub: false });
}

/** Where a field error of the BFF's body goes in this step (`phone` alone, or its region: at the number). */
const FIELD_OF: Record<string, Field> = {
  phone: 'phone.number',
  'phone.region': 'phone.number',
  'phone.number': 'phone.number',
  code: 'phoneCode',
};

/** A 400 with field errors: each said at its field (any refused code reads `code_invalid`). */
function atFields(host: LoginHost, err: JdApiError): boolean {
  if (err.status !== 400) return false;
  const fields = err.fields.filter((f) => FIELD_OF[f.path]);
  if (!fields.length) {
    if (err.code === 'code_invalid') fields.push({ path: 'code', code: err.code, params: err.params });
    else if (err.code === 'phone_code_sign_in_unavailable') fields.push({ path: 'phone', code: err.code });
    else return false;
  }
  const errors: Partial<Record<Field, FlowFieldError>> = {};
  for (const f of fields) errors[FIELD_OF[f.path]] ??= { code: f.code, params: f.params };
  host.invalid(errors);
  return true;
}

/** The phone as the BFF wants it, or its error (said before any request). */
function phone(host: LoginHost): { region: PhoneRegion; number: string } | FlowFieldError {
  const r = region(host);
  const number = host.value('phone.number');
  if (!number.trim()) return { code: 'required' };
  if (!looksLikeMobile(r, number)) return { code: 'phone_invalid' };
  return { region: r, number: nationalDigits(r, number) };
}

async function sendCode(host: LoginHost): Promise<void> {
  const cur = phoneCodeState(host);
  if (!host.client || !cur || host.countdown.running) return;
  const p = phone(host);
  if ('code' in p) return void host.invalid({ 'phone.number': p });
  const client = host.client;
  await requestCode(
    host,
    () => client.sendPhoneSignInCode({ phone: p, channel: cur.channel }),
    'phone_code.sent',
    (err) => atFields(host, err),
  );
}

/** "Sign in": as the password's sign-in (jd-login.ts signIn), the code in the password's place. */
async function signIn(host: LoginHost, e: Event): Promise<void> {
  e.preventDefault();
  if (!host.client || !phoneCodeState(host)) return;
  const p = phone(host);
  const code = host.value('phoneCode').trim();
  if (
    host.invalid({
      ...('code' in p ? { 'phone.number': p } : {}),
      ...(CODE_PATTERN.test(code) ? {} : { phoneCode: { code: code ? 'code_format' : 'required' } }),
    }) ||
    'code' in p
  )
    return;
  const client = host.client;
  const answer = await host.run(
    'signIn',
    () => client.signInWithPhoneCode({ phone: p, code }),
    (err) => atFields(host, err),
  );
  if (!answer) return;
  host.countdown.stop();
  if (answer.mfaRequired) {
    // docs/product.md#11-virtual-mfa: the code replaced the password, never the MFA code
    host.setValues({ phoneCode: '', code: '' });
    return host.flow.go({ step: 'mfa', sub: false, notice: false });
  }
  await host.asOwn(() => host.store?.set(answer));
}

export function renderPhoneCode(v: LoginView, s: PhoneCodeState): TemplateResult {
  const host = v.host;
  const regionId = 'jd-phone-code-region';
  const form = html`<form part="form phone-code" novalidate @submit=${(e: Event) => void signIn(host, e)}>
    <div class="field">
      <label class="label" for=${regionId} part="label">${v.t('register.region')}</label>
      <select id=${regionId} name="region" part="input" autocomplete="tel-country-code" aria-invalid=${v.flow.fieldError('phone.region') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'phone.region', regionId) ?? nothing} @change=${(e: Event) => v.input('phone.region', (e.target as HTMLSelectElement).value)}>
        ${renderRegionOptions(v.locale, regions(host), region(host))}
      </select>
      ${notes(v, 'phone.region', regionId)}
    </div>
    ${field(v, { field: 'phone.number', label: 'register.phone', type: 'tel', autocomplete: 'tel-national', id: 'jd-phone-code-number' })}
    ${renderCodeDelivery(v, {
      sendId: 'jd-phone-code-send',
      channels: ['sms', 'voice'] as const,
      channel: s.channel,
      onChannel: (c) => {
        const cur = phoneCodeState(host);
        if (cur) host.flow.patch({ ...cur, channel: c });
      },
      onSend: () => void sendCode(host),
    })}
    ${field(v, { field: 'phoneCode', label: 'register.code', type: 'otp' })}
    <div class="actions">${submit(v, 'signIn', 'login.submit', 'login.submitting')}</div>
    ${status(v, 'signIn')}
    <button type="button" class="btn-link link-button" part="link password" data-password @click=${() => close(host)}>${v.t('phone_code.password')}</button>
  </form>`;
  return step('jd-phone-code-title', v.t('phone_code.title'), form, v.t('phone_code.lead'));
}
