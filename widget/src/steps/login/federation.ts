/**
 * Coming back from an upstream provider ("Log in with …", docs/product.md#25-sign-in-with-an-upstream-account)
 * as a step module (view.ts), loaded only when the page's URL brought a handle or an error back:
 * - the handle is resumed (POST /v1/federation/resume): signed in continues exactly as a password
 *   sign-in (the MFA step, the agreements, or signed in); a first sign-in opens the activation step;
 * - the activation step: who the upstream says the user is, the phone (region and number, prefilled
 *   from the upstream when it gave one), SMS / voice call, "Send code" (purpose `register`, as
 *   registration's), the code, an optional email and referral code, the tenant's agreements, and
 *   "Continue" (POST /v1/federation/activate) — signed in, with `jd-login`;
 * - an error (the fragment's or the resume's) is said right above the provider buttons;
 *   `federation_expired` during activation leaves only "Start again" (the sign-in form).
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import type { SignedIn } from '../../../../shared/src/api.ts';
import { CODE_PATTERN, CODE_RESEND_SECONDS } from '../../../../shared/src/rules/code.ts';
import { looksLikeMobile, nationalDigits, type PhoneRegion } from '../../../../shared/src/rules/phone-regions.ts';
import { emailProblem } from '../../../../shared/src/rules/email.ts';
import type { JdApiError } from '../../client.ts';
import type { FlowFieldError } from '../../flow.ts';
import { choiceStyles } from '../../parts/choice.ts';
import { federationError, takeFederationReturn } from '../../parts/federation-return.ts';
import { renderRegionOptions, tenantRegions } from '../../parts/phone-input.ts';
import { safeUrl, tWith } from '../../parts/text.ts';
import { renderCodeDelivery } from './code-delivery.ts';
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

export const styles = [choiceStyles, css`#jd-activation-send{justify-self:start}`];

type ActivationState = Extract<LoginState, { step: 'activation' }>;
const activationState = (host: LoginHost): ActivationState | undefined => {
  const s = host.flow.state;
  return s.step === 'activation' ? s : undefined;
};

/** The flow's error, right above the provider buttons of the sign-in form. */
function sayError(host: LoginHost, code: string, params?: JdApiError['params']): void {
  const locale = host.client?.locale ?? 'zh-CN';
  host.flow.setStatus('federation', federationError(host.config, locale, code, params));
}

/** A signed-in answer: as the password's sign-in (jd-login.ts signIn) — the MFA step, or the page's session. */
async function signedIn(host: LoginHost, answer: SignedIn): Promise<void> {
  host.countdown.stop();
  if (answer.mfaRequired) {
    host.setValues({ code: '' });
    if (answer.mfaSetupRequired) return (await host.steps.load('mfa')).startSetup(host, false);
    return host.flow.go({ step: 'mfa', sub: !!answer.account.subUser, notice: false });
  }
  await host.asOwn(() => host.store?.set(answer));
}

/**
 * Takes what the URL fragment brought back (unless another element of the page did first): an
 * error is said above the buttons; a handle is resumed. `{ linked }` is the security settings' (a
 * link made): nothing here.
 */
export async function resume(host: LoginHost): Promise<void> {
  const back = takeFederationReturn();
  if (!back) return;
  if ('error' in back) return sayError(host, back.error);
  const client = host.client;
  if (!client) return;
  const answer = await host.run(
    'federation',
    () => client.federationResume(back.handle),
    (err) => (sayError(host, err.code, err.params), true),
  );
  if (!answer || 'linked' in answer) return;
  if ('activation' in answer) {
    const a = answer.activation;
    host.forget();
    host.setValues({
      'phone.region': a.phone?.region ?? '',
      'phone.number': a.phone?.number ?? '',
      email: a.email ?? '',
      referralCode: '',
      agreements: '',
      phoneCode: '',
    });
    // the page just loaded: no focus move (the page's focus is the page's)
    host.flow.go({ step: 'activation', activation: a, channel: 'sms', expired: false }, { focus: false });
    return;
  }
  await signedIn(host, answer);
}

/** "Start again": the sign-in form, with its provider buttons. */
function startAgain(host: LoginHost): void {
  host.countdown.stop();
  host.forget();
  host.flow.go({ step: 'credentials', sub: false });
}

/** The activation ticket is used or expired: only "Start again" is left. */
function expired(host: LoginHost, err: JdApiError): boolean {
  if (err.code !== 'federation_expired') return false;
  const s = activationState(host);
  if (s) host.flow.patch({ ...s, expired: true });
  host.countdown.stop();
  return false; // the message is the action's status, next to "Start again"
}

/** Where each field error of the BFF's body goes in this step. */
function fieldOf(path: string, code: string): Field | undefined {
  if (path === 'phone' || path.startsWith('phone.')) return 'phone.number';
  if (path === 'code') return 'phoneCode';
  if (path === 'email') return 'email';
  if (path === 'referralCode') return 'referralCode';
  if (path.startsWith('agreements')) return 'agreements';
  if (code.startsWith('phone_')) return 'phone.number';
  if (code.startsWith('code_') && code !== 'code_cooldown' && code !== 'code_daily_limit') return 'phoneCode';
  if (code === 'agreements_required') return 'agreements';
  if (code === 'referral_code_invalid') return 'referralCode';
  if (code.startsWith('email_')) return 'email';
  return undefined;
}

/** Field errors at their fields (true: handled); anything else is the action's status. */
function atFields(host: LoginHost, err: JdApiError): boolean {
  const errors: Partial<Record<Field, FlowFieldError>> = {};
  for (const f of err.fields) {
    const at = fieldOf(f.path, f.code);
    if (at) errors[at] ??= { code: f.code, params: f.params };
  }
  if (!Object.keys(errors).length) {
    const at = fieldOf('', err.code);
    if (!at) return false;
    errors[at] = { code: err.code, params: err.params };
  }
  host.invalid(errors);
  return true;
}

function region(host: LoginHost): PhoneRegion {
  return host.region;
}

function phone(host: LoginHost): { region: PhoneRegion; number: string } | FlowFieldError {
  const r = region(host);
  const number = host.value('phone.number');
  if (!number.trim()) return { code: 'required' };
  if (!looksLikeMobile(r, number)) return { code: 'phone_invalid' };
  return { region: r, number: nationalDigits(r, number) };
}

async function sendCode(host: LoginHost): Promise<void> {
  const s = activationState(host);
  const client = host.client;
  if (!client || !s || s.expired || host.countdown.running) return;
  const p = phone(host);
  if ('code' in p) return void host.invalid({ 'phone.number': p });
  const sent = await host.run(
    'sendCode',
    () => client.sendCode({ phone: p, purpose: 'register', channel: s.channel }),
    (err) => {
      const seconds = err.params?.['seconds'];
      if (typeof seconds === 'number') host.countdown.start(seconds);
      return atFields(host, err);
    },
  );
  if (!sent) return;
  host.countdown.start(sent.resendAfter > 0 ? sent.resendAfter : CODE_RESEND_SECONDS);
  host.flow.setStatus('sendCode', {
    tone: 'info',
    key: sent.channel === 'voice' ? 'register.code_sent_voice' : 'register.code_sent_sms',
    params: { phone: sent.sentTo },
  });
}

async function activate(host: LoginHost, e: Event): Promise<void> {
  e.preventDefault();
  const s = activationState(host);
  const client = host.client;
  if (!client || !s || s.expired) return;
  const p = phone(host);
  const code = host.value('phoneCode').trim();
  const email = host.value('email').trim();
  const referralCode = host.value('referralCode').trim();
  const agreements = host.config?.agreements ?? [];
  const emailError = email ? emailProblem(email) : undefined;
  if (
    host.invalid({
      ...('code' in p ? { 'phone.number': p } : {}),
      ...(CODE_PATTERN.test(code) ? {} : { phoneCode: { code: code ? 'code_format' : 'required' } }),
      ...(emailError ? { email: { code: emailError } } : {}),
      ...(agreements.length && !host.value('agreements') ? { agreements: { code: 'agreements_required' } } : {}),
    }) ||
    'code' in p
  )
    return;
  const answer = await host.run(
    'activate',
    () =>
      client.federationActivate({
        ticket: s.activation.ticket,
        phone: p,
        code,
        agreements: agreements.map((a) => ({ key: a.key, version: a.version })),
        ...(email ? { email } : {}),
        ...(referralCode ? { referralCode } : {}),
      }),
    (err) => expired(host, err) || atFields(host, err),
  );
  if (answer) await signedIn(host, answer);
}

/** The one consent line, as registration shows it: every agreement of the tenant, linked. */
function renderConsent(v: LoginView): TemplateResult | typeof nothing {
  const agreements = v.config?.agreements ?? [];
  if (!agreements.length) return nothing;
  const locale = v.locale;
  const links: (TemplateResult | string)[] = [];
  agreements.forEach((a, i) => {
    if (i > 0) links.push(v.t('register.list_separator'));
    const title = a.title[locale] ?? a.title.en;
    const shown = locale === 'zh-CN' ? `《${title}》` : title;
    const href = safeUrl(a.url[locale] ?? a.url.en);
    links.push(
      href
        ? html`<a href=${href} target="_blank" rel="noopener noreferrer" part="link" data-agreement=${a.key}>${shown}</a>`
        : shown,
    );
  });
  const id = CONTROL_ID.agreements;
  return html`<div class="field">
    <label class="choice consent" for=${id} part="label">
      <input id=${id} type="checkbox" name="agreements" .checked=${!!v.value('agreements')} aria-invalid=${v.flow.fieldError('agreements') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'agreements', id) ?? nothing} @change=${(e: Event) => v.input('agreements', (e.target as HTMLInputElement).checked ? '1' : '')} /><span>${tWith(locale, 'register.agree_all', 'title', html`${links}`)}</span>
    </label>
    ${notes(v, 'agreements', id)}
  </div>`;
}

export function renderActivation(v: LoginView, s: ActivationState): TemplateResult {
  const host = v.host;
  const a = s.activation;
  const provider = a.providerName[v.locale] ?? a.providerName.en;
  const lead = a.name
    ? v.t('federation.activation_as', { provider, name: a.name })
    : v.t('federation.activation_lead', { provider });
  if (s.expired)
    return step(
      'jd-activation-title',
      v.t('federation.activation_title'),
      html`${status(v, 'activate')}
      <div class="actions"><button type="button" class="btn-primary" part="button start-again" data-start-again @click=${() => startAgain(host)}>${v.t('federation.start_again')}</button></div>`,
      lead,
      'activation',
    );
  const regionId = 'jd-activation-region';
  const form = html`<form part="form activation" novalidate @submit=${(e: Event) => void activate(host, e)}>
    <div class="field">
      <label class="label" for=${regionId} part="label">${v.t('register.region')}</label>
      <select id=${regionId} name="region" part="input" autocomplete="tel-country-code" @change=${(e: Event) => v.input('phone.region', (e.target as HTMLSelectElement).value)}>
        ${renderRegionOptions(v.locale, tenantRegions(v.config?.phoneRegions), region(host))}
      </select>
    </div>
    ${field(v, { field: 'phone.number', label: 'register.phone', type: 'tel', autocomplete: 'tel-national', id: 'jd-activation-phone' })}
    ${renderCodeDelivery(v, {
      sendId: 'jd-activation-send',
      channels: ['sms', 'voice'] as const,
      channel: s.channel,
      onChannel: (c) => {
        const cur = activationState(host);
        if (cur) host.flow.patch({ ...cur, channel: c });
      },
      onSend: () => void sendCode(host),
    })}
    ${field(v, { field: 'phoneCode', label: 'register.code', type: 'otp', id: 'jd-activation-code' })}
    ${field(v, { field: 'email', label: 'register.email', type: 'text', autocomplete: 'email' })}
    ${field(v, { field: 'referralCode', label: 'register.referral' })}
    ${renderConsent(v)}
    <div class="actions">${submit(v, 'activate', 'federation.activate', 'federation.activating')}</div>
    ${status(v, 'activate')}
    <button type="button" class="btn-link link-button" part="link start-again" data-start-again @click=${() => startAgain(host)}>${v.t('federation.start_again')}</button>
  </form>`;
  return step('jd-activation-title', v.t('federation.activation_title'), form, lead, 'activation');
}
